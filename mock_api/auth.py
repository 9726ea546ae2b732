"""Bearer-token checks of the mock APIs, following RFC 6750 as ASP.NET does.

Token validation is pluggable through TokenValidator: the IDP package
provides an in-process validator, and IntrospectionValidator calls the
IDP over HTTP (RFC 7662) when the APIs run as a separate service.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from mock_api.errors import ApiProblem

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

# RFC 6750 section 2.1: the b64token syntax of a bearer token.
BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class TokenValidator(Protocol):
    """Return the RFC 7662 introspection response for an access token.

    The response is {"active": False} for an unknown, expired or revoked
    token. An active one has at least "active" and "scope", and may carry
    "permissions", a list such as ["form_json"].
    """

    def introspect(self, token: str) -> Mapping[str, Any]: ...


class IntrospectionUnavailable(Exception):
    """The introspection endpoint could not be reached or returned an error."""


class BearerChallenge(ApiProblem):
    """A rejected request, with its WWW-Authenticate challenge."""

    status = 401
    title = "Unauthorized"
    error: str | None = None

    def __init__(self, detail: str, scope: str | None = None) -> None:
        super().__init__(detail)
        self.scope = scope

    @property
    def www_authenticate(self) -> str:
        if self.error is None:
            return "Bearer"
        # The description goes into a quoted-string, which RFC 6750 section 3
        # limits to printable ASCII without '"' and '\'.
        description = re.sub(r'[^\x20-\x7e]|["\\]', "'", self.detail)
        attributes = [f'error="{self.error}"']
        if self.scope is not None:
            attributes.append(f'scope="{self.scope}"')
        attributes.append(f'error_description="{description}"')
        return "Bearer " + ", ".join(attributes)


class MissingToken(BearerChallenge):
    """No Authorization header: RFC 6750 section 3.1 sends no error code."""


class InvalidToken(BearerChallenge):
    error = "invalid_token"


class InsufficientScope(BearerChallenge):
    status = 403
    title = "Forbidden"
    error = "insufficient_scope"


class IntrospectionValidator:
    """A TokenValidator that calls the IDP's RFC 7662 introspection endpoint.

    The API authenticates as a confidential client with HTTP Basic. Every
    call goes to the IDP, without caching, so that revocation takes effect
    at once.
    """

    def __init__(
        self,
        introspection_url: str,
        client_id: str = "forms-api",
        client_secret: str = "forms-api-secret",
        session: requests.Session | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.introspection_url = introspection_url
        # requests is imported here, not at module level, because only the
        # stand-alone API service introspects; `tn-mock serve` starts faster.
        import requests

        self.auth = (client_id, client_secret)
        self.session = session or requests.Session()
        self.timeout = timeout

    def introspect(self, token: str) -> Mapping[str, Any]:
        import requests

        try:
            response = self.session.post(
                self.introspection_url,
                data={"token": token, "token_type_hint": "access_token"},
                auth=self.auth,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise IntrospectionUnavailable(
                f"introspection request to {self.introspection_url} failed: "
                f"{type(error).__name__}"
            ) from error

        if response.status_code != 200:
            raise IntrospectionUnavailable(
                f"introspection endpoint {self.introspection_url} returned "
                f"HTTP {response.status_code}, expected 200"
            )
        try:
            document = response.json()
        except ValueError as error:
            raise IntrospectionUnavailable(
                f"introspection endpoint {self.introspection_url} returned "
                "a body that is not JSON"
            ) from error
        if not isinstance(document, dict) or not isinstance(
            document.get("active"), bool
        ):
            raise IntrospectionUnavailable(
                f"introspection endpoint {self.introspection_url} returned JSON "
                "without a boolean 'active' member"
            )

        return document


def extract_bearer_token(authorization: str | None) -> str:
    """Return the token of an Authorization header, or raise a challenge."""
    if authorization is None:
        raise MissingToken("The request has no Authorization header.")

    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidToken(
            f"The Authorization header uses the {scheme or 'empty'} scheme; "
            "expected 'Bearer <access token>'."
        )
    credentials = credentials.strip()
    if not credentials:
        raise InvalidToken("The Authorization header has no bearer token.")
    if len(credentials.split()) > 1:
        raise InvalidToken(
            "The Authorization header has more than one bearer token; "
            "expected exactly one."
        )
    if not BEARER_TOKEN.fullmatch(credentials):
        raise InvalidToken(
            "The bearer token contains characters that RFC 6750 does not allow."
        )

    return credentials


def expand_scopes(scope: str, aliases: Mapping[str, str]) -> set[str]:
    """Return the granted scopes with each older name mapped to its new one."""
    granted = set(scope.split())
    return granted | {aliases[name] for name in granted if name in aliases}


def authorize_token(
    token: str,
    validator: TokenValidator,
    accepted_scopes: Iterable[str],
    aliases: Mapping[str, str],
) -> Mapping[str, Any]:
    """Return the introspection response of an active, sufficiently scoped token.

    Raises InvalidToken, InsufficientScope, or IntrospectionUnavailable when
    the validator fails.
    """
    info = validator.introspect(token)
    if info.get("active") is not True:
        raise InvalidToken("The access token is unknown, expired or revoked.")

    accepted = tuple(accepted_scopes)
    scope = info.get("scope")
    granted = expand_scopes(scope if isinstance(scope, str) else "", aliases)
    if not granted & set(accepted):
        raise InsufficientScope(
            f"The access token has scope '{scope or ''}', which contains none "
            f"of the scopes this API accepts: {' '.join(accepted)}.",
            scope=" ".join(accepted),
        )

    return info
