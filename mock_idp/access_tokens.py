"""JWT access tokens in the RFC 9068 profile, and their validation.

The IDP stores a JWT access token like an opaque one (keyed by the whole
string), so introspection, userinfo and revocation treat both alike. The
claims are stamped on the IDP's clock, not the process clock, which is why
authlib's own ``JWTBearerTokenGenerator`` (it reads ``time.time()``) is not
used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .keys import SIGNING_ALGORITHM

if TYPE_CHECKING:
    from .models import Token
    from .state import IdpState

#: The ``typ`` header RFC 9068 section 2.1 requires.
ACCESS_TOKEN_TYP = "at+jwt"


class AccessTokenInvalid(ValueError):
    """A JWT access token that a resource server must reject."""


def create_jwt_access_token(state: IdpState, token: Token) -> str:
    """Sign the RFC 9068 claims of ``token``; its ``jti`` must be set."""
    audience = list(state.config.access_token_audience)
    claims: dict[str, Any] = {
        "iss": state.issuer(),
        "aud": audience[0] if len(audience) == 1 else audience,
        "client_id": token.client_id,
        "scope": token.scope,
        "iat": int(token.issued_at),
        "exp": int(token.expires_at),
        "jti": token.jti,
    }
    # RFC 9068 section 2.2: without a user, sub names the client.
    claims["sub"] = token.sub if token.sub is not None else token.client_id
    if token.auth_time is not None:
        claims["auth_time"] = int(token.auth_time)

    return state.keys.sign(claims, typ=ACCESS_TOKEN_TYP)


def validate_jwt_access_token(
    token: str,
    jwks: Mapping[str, Any],
    issuer: str,
    now: float,
    audience: str | None = None,
) -> dict[str, Any]:
    """Check a JWT access token as a resource server does; return its claims.

    Checks the signature against ``jwks`` (so a key retired from the JWKS
    fails), ``typ``, ``iss``, ``exp`` against ``now`` (expired at exactly
    its ``exp`` second) and, when given, ``audience``. Revocation is not
    visible in a JWT: callers that need it also introspect the token.
    Raises :class:`AccessTokenInvalid` with the reason.
    """
    try:
        key_set = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        decoded = jwt.decode(token, key_set, algorithms=[SIGNING_ALGORITHM])
    except (JoseError, ValueError) as error:
        kids = [key.get("kid") for key in jwks.get("keys", [])]
        raise AccessTokenInvalid(
            f"the access token's signature cannot be verified ({error}); "
            f"kids in the JWKS: {kids}. Fetch the JWKS again after a key "
            "rotation."
        ) from error

    header = decoded.header
    claims = dict(decoded.claims)
    if str(header.get("typ", "")).lower() not in (
        ACCESS_TOKEN_TYP,
        "application/at+jwt",
    ):
        raise AccessTokenInvalid(
            f"typ is {header.get('typ')!r}, expected {ACCESS_TOKEN_TYP!r}: "
            "this is not an access token (an ID token, perhaps)"
        )
    if claims.get("iss") != issuer:
        raise AccessTokenInvalid(f"iss is {claims.get('iss')!r}, expected {issuer!r}")

    _validate_expiry(claims, now)
    if audience is not None:
        _validate_audience(claims, audience)
    return claims


def _validate_expiry(claims: Mapping[str, Any], now: float) -> None:
    exp = claims.get("exp")
    if not isinstance(exp, int):
        raise AccessTokenInvalid(f"exp must be an integer, got {exp!r}")
    if now >= exp:
        raise AccessTokenInvalid(
            f"the access token expired at {exp}; the time is {int(now)}. Refresh it."
        )


def _validate_audience(claims: Mapping[str, Any], audience: str) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences:
        raise AccessTokenInvalid(f"aud is {aud!r}, expected it to contain {audience!r}")
