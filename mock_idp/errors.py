"""Error profiles: the reference server's responses and the RFCs' responses.

The default "reference" profile responds like the real IDP (django-oauth-
toolkit 3.4 on oauthlib), including its departures from the RFCs. The "rfc"
profile gives the RFCs' responses for those departures. Each method below is
one departure, named after the situation it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from authlib.oauth2.rfc6749 import InvalidClientError as _InvalidClientError
from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc6749 import UnsupportedGrantTypeError
from authlib.oauth2.rfc6749 import (
    UnsupportedResponseTypeError as _UnsupportedResponseTypeError,
)

from .config import ErrorProfile

__all__ = [
    "DEVIATIONS",
    "InvalidClientError",
    "Profile",
    "UnsupportedResponseTypeError",
    "quote_value",
]

#: Characters RFC 6749 section 5.2 allows in error_description, besides
#: letters and digits, that stay readable when a request value is shown.
_DESCRIPTION_SAFE = " !#$&'()*+,-./:;<=>?@[]^_`{|}~"


def quote_value(value: str) -> str:
    """Percent-encode a request value for use in an ``error_description``.

    RFC 6749 section 5.2 allows only printable ASCII without '"' and '\\'
    there, and authlib raises ValueError for anything else, so a value
    such as ``scope=é`` would otherwise end in a 500.
    """
    return quote(value, safe=_DESCRIPTION_SAFE)


class InvalidClientError(_InvalidClientError):  # type: ignore[misc]
    """``invalid_client``, always 401 with a ``WWW-Authenticate`` header.

    RFC 6749 section 5.2 allows 400 when the client did not use the
    Authorization header; the reference returns 401 in every case.
    """

    status_code = 401

    def __init__(self, description: str) -> None:
        super().__init__(description=description)
        self.status_code = 401


class UnsupportedResponseTypeError(_UnsupportedResponseTypeError):  # type: ignore[misc]
    """``unsupported_response_type`` that keeps the given description.

    authlib's class replaces any description with its own fixed text.
    """

    def __init__(self, response_type: str, description: str, redirect_uri: str) -> None:
        super().__init__(
            quote_value(response_type),
            description=description,
            redirect_uri=redirect_uri,
        )

    def get_error_description(self) -> str:
        return str(self.description)


#: The reference server's departures from the RFCs, for the docs and tests.
DEVIATIONS = {
    "token_missing_grant_type": (
        "unsupported_grant_type",
        "invalid_request (RFC 6749 section 5.2)",
    ),
    "token_redirect_uri_mismatch": (
        "invalid_request",
        "invalid_grant (RFC 6749 section 5.2)",
    ),
    "token_redirect_uri_missing": (
        "accepted",
        "invalid_request (RFC 6749 section 4.1.3)",
    ),
    "userinfo_without_openid": (
        "401 invalid_token",
        "403 insufficient_scope (RFC 6750 section 3.1)",
    ),
    "userinfo_missing_token": (
        '401 with error="invalid_token"',
        "401 without an error attribute (RFC 6750 section 3.1)",
    ),
    "introspection_unauthenticated": ("403", "401 (RFC 7662 section 2.3)"),
}


@dataclass(frozen=True)
class Profile:
    name: ErrorProfile

    @property
    def rfc(self) -> bool:
        return self.name == "rfc"

    def missing_grant_type(self) -> OAuth2Error:
        description = (
            "Missing 'grant_type'. Send the token request as an "
            "application/x-www-form-urlencoded form with grant_type set to "
            "authorization_code or refresh_token."
        )
        if self.rfc:
            return InvalidRequestError(description)
        error = UnsupportedGrantTypeError(None)
        error.description = description
        return error

    def redirect_uri_mismatch(self, sent: str, expected: str) -> OAuth2Error:
        description = (
            f"Mismatching redirect URI. The authorization request used "
            f"'{quote_value(expected)}', the token request sent "
            f"'{quote_value(sent)}'; send the same value."
        )
        if self.rfc:
            return InvalidGrantError(description)
        return InvalidRequestError(description)

    def missing_redirect_uri(self, expected: str) -> OAuth2Error | None:
        if not self.rfc:
            return None
        return InvalidRequestError(
            f"Missing 'redirect_uri'. The authorization request sent "
            f"'{quote_value(expected)}', so the token request must send it too."
        )

    @property
    def userinfo_without_openid_status(self) -> int:
        return 403 if self.rfc else 401

    @property
    def missing_bearer_has_error(self) -> bool:
        return not self.rfc

    @property
    def introspection_unauthenticated_status(self) -> int:
        return 401 if self.rfc else 403
