"""authlib grants and extensions bound to the store, the clock and the keys."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.hooks import hooked
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN
from authlib.oidc.core import OpenIDCode
from authlib.oidc.core import OpenIDToken

from .errors import quote_value
from .models import AuthorizationCode
from .models import Client
from .models import Token
from .models import User
from .scopes import validate_scope
from .tokens import generate_token

if TYPE_CHECKING:
    from .server import IdpServer

log = logging.getLogger(__name__)

#: Public clients authenticate with "none"; confidential ones with a secret.
TOKEN_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    server: IdpServer

    def create_authorization_response(
        self, redirect_uri: str, grant_user: User
    ) -> tuple[int, str, list[tuple[str, str]]]:
        status, body, headers = super().create_authorization_response(
            redirect_uri, grant_user
        )
        if self.request.payload.data.get("response_mode") == "fragment":
            headers = [(name, _query_to_fragment(value)) for name, value in headers]
        return status, body, headers

    def generate_authorization_code(self) -> str:
        # Same length and alphabet as authlib's default, at a fraction of
        # its CPU cost (see tokens.generate_token).
        return generate_token(self.AUTHORIZATION_CODE_LENGTH)

    def validate_requested_scope(self) -> None:
        scopes = self.server.state.config.scopes
        allowed = self.request.client.config.allowed_scopes
        validate_scope(self.request.payload.scope, scopes, allowed)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        state = self.server.state
        now = state.clock.issue_time()
        data = request.payload.data
        client: Client = request.client
        state.store.save_code(
            AuthorizationCode(
                code=code,
                client_id=client.client_id,
                sub=request.user.sub,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                issued_at=now,
                expires_at=state.clock.now() + state.lifetimes(client).code,
                auth_time=int(getattr(request, "auth_time", None) or now),
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )
        )

    def query_authorization_code(
        self, code: str, client: Client
    ) -> AuthorizationCode | None:
        record = self.server.state.store.get_code(code)
        if record is None or record.client_id != client.client_id:
            return None
        return record

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        # The code was already claimed in create_token_response.
        return None

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        return self.server.state.store.find_user(authorization_code.sub)

    @hooked  # type: ignore[untyped-decorator]
    def validate_token_request(self) -> None:
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise grants.base.UnauthorizedClientError(
                f"Client '{client.client_id}' is not registered for "
                f"grant_type={self.GRANT_TYPE}."
            )

        code = self.request.form.get("code")
        if not code:
            raise InvalidRequestError("Missing 'code' in the token request.")

        authorization_code = self.query_authorization_code(code, client)
        if authorization_code is None:
            raise InvalidGrantError(
                "The authorization code is unknown, expired, already used or "
                "was issued to another client. Codes live "
                f"{self.server.state.lifetimes(client).code} seconds and work once."
            )

        self._validate_redirect_uri(authorization_code)
        self.request.client = client
        self.request.authorization_code = authorization_code

    def _validate_redirect_uri(self, authorization_code: AuthorizationCode) -> None:
        expected = authorization_code.get_redirect_uri()
        if not expected:
            return

        sent = self.request.form.get("redirect_uri")
        profile = self.server.state.profile
        if sent is None:
            error = profile.missing_redirect_uri(expected)
            if error is not None:
                raise error
            return
        if sent != expected:
            raise profile.redirect_uri_mismatch(sent, expected)

    # Not @hooked: authlib's create_token_response already runs the hooks,
    # and running them twice signed every ID token twice.
    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        # Claim the code before issuing, so that of several concurrent
        # exchanges of one code exactly one succeeds (RFC 6749 section 4.1.2).
        code = self.request.authorization_code
        if self.server.state.store.take_code(code.code) is None:
            raise InvalidGrantError(
                "The authorization code was already used. Codes work once."
            )
        self.request.auth_time = code.auth_time
        self.request.family_id = code.code
        return super().create_token_response()  # type: ignore[no-any-return]


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: IdpServer

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        store = self.server.state.store
        token = store.get_refresh_token(refresh_token)
        if token is None:
            return None
        if token.rotated_at is not None and self._within_grace(token):
            return token
        if token.rotated_at is not None:
            self._detect_reuse(token)
        if not store.is_refresh_token_active(token):
            return None
        return token

    def issue_token(self, user: User, refresh_token: Token) -> dict[str, Any]:
        token: dict[str, Any] = super().issue_token(user, refresh_token)
        if not self.server.state.config.refresh_rotation:
            # Without rotation the client keeps using the refresh token it has.
            token["refresh_token"] = refresh_token.refresh_token
        return token

    def authenticate_user(self, refresh_token: Token) -> User | None:
        if refresh_token.sub is None:
            return None
        return self.server.state.store.find_user(refresh_token.sub)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # The previous access token stops working after a rotation, as it
        # does on the reference server.
        refresh_token.access_revoked = True
        if self.server.state.config.refresh_rotation:
            refresh_token.refresh_revoked = True

    # Not @hooked, for the same reason as the code grant's: the hooks run in
    # authlib's method, and a grace-period retry replays the first response,
    # id_token included.
    def create_token_response(self) -> tuple[int, dict[str, Any], list[Any]]:
        old: Token = self.request.refresh_token
        state = self.server.state
        rotation = state.config.refresh_rotation
        if rotation and not state.store.claim_refresh_token(old):
            if self._within_grace(old) and old.rotation_response is not None:
                return 200, dict(old.rotation_response), self.TOKEN_RESPONSE_HEADER
            # NOTE: a concurrent loser revokes the family while the winner may
            # still be saving its new pair, which then escapes the revocation.
            self._detect_reuse(old)
            raise InvalidGrantError(
                "The refresh token was already used. Refresh tokens rotate: "
                "use the refresh_token from the latest token response."
            )

        self.request.auth_time = old.auth_time
        self.request.family_id = old.family_id
        status, body, headers = super().create_token_response()
        old.rotation_response = dict(body)
        return status, body, headers

    def _detect_reuse(self, token: Token) -> None:
        """Revoke the whole family when a rotated refresh token comes back.

        RFC 9700 section 4.14.2: the server cannot tell the legitimate
        client from an attacker, so every token of the family stops working.
        """
        state = self.server.state
        if not state.config.refresh_reuse_detection:
            return

        revoked = state.store.revoke_tokens(family_id=token.family_id)
        log.warning(
            "rotated refresh token of client %s reused; revoked %d token(s) "
            "of its family",
            token.client_id,
            revoked,
        )

    def _within_grace(self, token: Token) -> bool:
        state = self.server.state
        grace = state.config.refresh_grace_seconds
        rotated_at = token.rotated_at
        return (
            grace > 0
            and rotated_at is not None
            and state.clock.now() < rotated_at + grace
        )


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    server: IdpServer

    def validate_requested_scope(self) -> None:
        # authlib checks only against the server's scopes; a client gets no
        # scope it is not registered for.
        scopes = self.server.state.config.scopes
        allowed = self.request.client.config.allowed_scopes
        validate_scope(self.request.payload.scope, scopes, allowed)


class _IdTokenClaims:
    """ID token claims stamped on the IDP's clock and signed by its key."""

    server: IdpServer

    def __init__(self, server: IdpServer) -> None:
        self.server = server

    def resolve_client_private_key(self, client: Client) -> Any:
        return self.server.state.keys.active

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, Any]:
        return {"alg": "RS256", "kid": self.server.state.keys.active_kid}

    def get_compatible_claims(self, request: OAuth2Request) -> dict[str, Any]:
        state = self.server.state
        client = request.client
        now = int(state.clock.issue_time())
        return {
            "iss": state.issuer(),
            "aud": client.get_client_id(),
            "iat": now,
            "exp": now + state.lifetimes(client).id_token,
            "auth_time": int(getattr(request, "auth_time", None) or now),
        }

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        return user.claims(scope)


class OpenIDCodeExtension(_IdTokenClaims, OpenIDCode):  # type: ignore[misc]
    def __init__(self, server: IdpServer) -> None:
        _IdTokenClaims.__init__(self, server)
        OpenIDCode.__init__(self, require_nonce=False)

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        # Nonces are echoed, not tracked; replay is the client's concern.
        return False


class OpenIDRefreshExtension(_IdTokenClaims, OpenIDToken):  # type: ignore[misc]
    """Adds a fresh ``id_token`` to refresh responses when ``openid`` is granted."""


class PkceChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE as the reference applies it, with the allowed methods configurable.

    The challenge is required for every client; a challenge without a method
    counts as ``plain`` (RFC 7636 section 4.3).
    """

    def __init__(self, methods: tuple[str, ...]) -> None:
        super().__init__(required=True)
        self.SUPPORTED_CODE_CHALLENGE_METHOD = list(methods)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        method = data.get("code_challenge_method")
        supported = self.SUPPORTED_CODE_CHALLENGE_METHOD

        if not challenge:
            raise InvalidRequestError(
                "Code challenge required. Send code_challenge (BASE64URL of "
                "the SHA-256 of your code_verifier) and code_challenge_method=S256.",
                redirect_uri=redirect_uri,
            )
        if method is None and "plain" not in supported:
            raise InvalidRequestError(
                "Missing code_challenge_method; this server accepts only "
                f"{', '.join(supported)}.",
                redirect_uri=redirect_uri,
            )
        if method is not None and method not in supported:
            raise InvalidRequestError(
                f"Unsupported code_challenge_method '{quote_value(method)}'; "
                "use one of "
                f"{', '.join(supported)} (case sensitive).",
                redirect_uri=redirect_uri,
            )
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        # Same checks and error codes as authlib, with descriptions that say
        # what to send instead of "Missing 'code_verifier'".
        request = grant.request
        verifier = request.form.get("code_verifier")
        code = request.authorization_code
        challenge = self.get_authorization_code_challenge(code)
        method = self.get_authorization_code_challenge_method(code) or "plain"

        if challenge and not verifier:
            raise InvalidRequestError(
                "Missing code_verifier: send the code_verifier you generated for "
                f"this login, whose code_challenge (method {method}) went to "
                "/o/authorize/."
            )
        if verifier and not CODE_VERIFIER_PATTERN.match(verifier):
            raise InvalidRequestError(
                "Invalid code_verifier: RFC 7636 section 4.1 requires 43 to 128 "
                "characters from A-Z, a-z, 0-9 and '-._~'; "
                f"got {len(verifier)} characters."
            )
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            raise InvalidGrantError(
                description="The code_verifier does not match the code_challenge "
                f"sent to /o/authorize/ (method {method}): send the verifier you "
                "generated for this login."
            ) from None


def _query_to_fragment(location: str) -> str:
    """Move the response parameters of a redirect from the query to the fragment."""
    parts = urlsplit(location)
    params = parse_qsl(parts.query, keep_blank_values=True)
    moved = [(k, v) for k, v in params if k in ("code", "state")]
    kept = [(k, v) for k, v in params if k not in ("code", "state")]
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(kept), urlencode(moved))
    )
