"""Token operations outside the OAuth flows: identify, expire, revoke, mint."""

from __future__ import annotations

from typing import Any

from authlib.common.security import generate_token

from .access_tokens import create_jwt_access_token
from .models import Client
from .models import Token
from .models import User
from .state import IdpState


class TokenAdminError(LookupError):
    """A token, user or client that does not exist; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def identify_token(
    state: IdpState, token_string: str
) -> tuple[str, str | None, str | None]:
    """Return ``(status, sub, client_id)`` of a token, for the journal.

    ``status`` is ``active``, ``expired``, ``revoked`` (a rotated refresh
    token counts as revoked) or ``unknown``, judged on the state's clock.
    """
    found = state.store.find_token(token_string)
    if found is None:
        return "unknown", None, None

    token, kind = found
    now = state.clock.now()
    if kind == "access_token":
        revoked = token.access_revoked
        expires_at: float | None = token.expires_at
    else:
        revoked = token.refresh_revoked or token.rotated_at is not None
        expires_at = token.refresh_expires_at

    if revoked:
        status = "revoked"
    elif expires_at is not None and now >= expires_at:
        status = "expired"
    else:
        status = "active"
    return status, token.sub, token.client_id


def find_token(state: IdpState, token_string: str) -> tuple[Token, str]:
    found = state.store.find_token(token_string)
    if found is None:
        raise TokenAdminError(
            "token",
            "no access or refresh token matches the given token; send the whole "
            "token string from the token response",
        )
    return found


def mint_token(
    state: IdpState,
    *,
    user: str,
    scope: str,
    client_id: str = "test-client",
    lifetime: int | None = None,
) -> dict[str, Any]:
    """Issue a token pair for ``user`` without a flow; return the response.

    The pair is a family of its own, stamped on the clock like a flow's
    tokens; ``lifetime`` overrides the access token lifetime.
    """
    client = _find_client(state, client_id)
    found_user = _find_user(state, user)
    lifetimes = state.lifetimes(client)
    issued_at = float(int(state.clock.issue_time()))
    access_lifetime = lifetimes.access_token if lifetime is None else lifetime

    record = Token(
        access_token=generate_token(42),
        refresh_token=generate_token(48),
        client_id=client.client_id,
        sub=found_user.sub,
        scope=scope,
        issued_at=issued_at,
        expires_at=issued_at + access_lifetime,
        refresh_expires_at=(
            None
            if lifetimes.refresh_token is None
            else issued_at + lifetimes.refresh_token
        ),
        family_id=generate_token(16),
        auth_time=int(issued_at),
    )
    if state.config.access_token_format == "jwt":
        record.jti = record.access_token
        record.access_token = create_jwt_access_token(state, record)
    state.store.save_token(record)

    response: dict[str, Any] = {
        "access_token": record.access_token,
        "refresh_token": record.refresh_token,
        "token_type": "Bearer",
        "expires_in": access_lifetime,
        "scope": scope,
    }
    if "openid" in scope.split():
        response["id_token"] = _sign_id_token(state, client, found_user, record)
    return response


def _sign_id_token(state: IdpState, client: Client, user: User, record: Token) -> str:
    iat = int(record.issued_at)
    claims = user.claims(record.scope)
    claims.update(
        iss=state.issuer(),
        aud=client.client_id,
        iat=iat,
        exp=iat + state.lifetimes(client).id_token,
        auth_time=iat,
    )
    return state.keys.sign(claims)


def _find_client(state: IdpState, client_id: str) -> Client:
    client = state.store.get_client(client_id)
    if client is None:
        known = ", ".join(c.client_id for c in state.store.clients())
        raise TokenAdminError(
            "client_id", f"unknown client_id {client_id!r}; registered clients: {known}"
        )
    return client


def _find_user(state: IdpState, name_or_sub: str) -> User:
    user = state.store.find_user(name_or_sub)
    if user is None:
        known = ", ".join(
            f"{u.config.username} (sub {u.sub})" for u in state.store.users()
        )
        raise TokenAdminError(
            "user", f"unknown user {name_or_sub!r}; known users: {known}"
        )
    return user
