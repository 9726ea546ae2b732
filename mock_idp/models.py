"""Records of clients, users, codes and tokens, shaped for authlib's mixins."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749 import TokenMixin

from .config import ClientConfig
from .config import UserConfig


class Client(ClientMixin):  # type: ignore[misc]
    """A registered client, as authlib's grants query it."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.client_id = config.client_id
        self.client_metadata: dict[str, Any] = {}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # A missing redirect_uri is allowed only when exactly one is registered.
        uris = self.config.redirect_uris
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if scope is None:
            return " ".join(self.config.allowed_scopes)
        allowed = set(self.config.allowed_scopes)
        return " ".join(name for name in scope.split() if name in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(
            redirect_uri_matches(registered, redirect_uri)
            for registered in self.config.redirect_uris
        )

    def check_client_secret(self, client_secret: str) -> bool:
        return (
            self.config.client_secret is not None
            and client_secret == self.config.client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.config.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.check_grant_type("authorization_code")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.config.grant_types


def redirect_uri_matches(registered: str, requested: str) -> bool:
    """Compare redirect URIs exactly, but accept any port on a loopback IP.

    RFC 8252 section 7.3: native apps listen on an ephemeral port of
    127.0.0.1 or [::1], so the port is ignored for those two hosts only.
    ``localhost`` is compared exactly, port included.
    """
    if registered == requested:
        return True

    try:
        left = urlsplit(registered)
        right = urlsplit(requested)
        right.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False

    host = right.hostname or ""
    if left.scheme != "http" or right.scheme != "http":
        return False
    if not _is_loopback_literal(host) or left.hostname != right.hostname:
        return False

    return (left.path, left.query, left.fragment) == (
        right.path,
        right.query,
        right.fragment,
    )


def _is_loopback_literal(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return str(address) in ("127.0.0.1", "::1")


class User:
    """A test user; wraps the configured claims."""

    def __init__(self, config: UserConfig) -> None:
        self.config = config

    def get_user_id(self) -> str:
        return self.config.sub

    @property
    def sub(self) -> str:
        return self.config.sub

    def claims(self, scope: str) -> dict[str, Any]:
        """Return the userinfo claims the granted ``scope`` releases.

        The custom claims come with every ``openid`` token, as the real
        IDP sends them; ``profile`` adds the standard name claims.
        """
        user = self.config
        claims: dict[str, Any] = {
            "sub": user.sub,
            "livits_id": user.livits_id,
            "name": user.name,
            "companies": list(user.companies),
        }
        if "profile" in scope.split():
            claims["given_name"] = user.given_name
            claims["family_name"] = user.family_name
            claims["preferred_username"] = user.username
        claims.update(user.extra_claims)
        return claims


@dataclass(kw_only=True)
class AuthorizationCode(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    sub: str
    redirect_uri: str | None
    scope: str
    issued_at: float
    expires_at: float
    auth_time: int
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass(kw_only=True)
class Token(TokenMixin):  # type: ignore[misc]
    """One issued access token with its refresh token.

    ``family_id`` names the authorization it descends from, so that a whole
    chain of rotated tokens can be found and revoked together.
    """

    access_token: str
    refresh_token: str | None
    client_id: str
    sub: str | None
    scope: str
    issued_at: float
    expires_at: float
    refresh_expires_at: float | None
    family_id: str
    auth_time: int | None = None
    token_type: str = "Bearer"
    access_revoked: bool = False
    refresh_revoked: bool = False
    rotated_at: float | None = None
    rotation_response: dict[str, Any] | None = field(default=None, repr=False)
    jti: str | None = None

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - self.issued_at)

    def get_client_id(self) -> str:
        return self.client_id

    def is_revoked(self) -> bool:
        return self.access_revoked

    def is_expired(self) -> bool:
        # Stores check expiry against their clock; authlib only calls this
        # on tokens the store already judged.
        return False
