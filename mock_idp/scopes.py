"""Scope parsing with the real IDP's rules and explanatory messages."""

from __future__ import annotations

from collections.abc import Collection

from authlib.oauth2.rfc6749 import InvalidScopeError

from .errors import quote_value


def validate_scope(
    requested: str | None, known: Collection[str], allowed: Collection[str]
) -> None:
    """Raise ``invalid_scope`` unless every requested scope is usable.

    RFC 6749 section 3.3: scopes are space separated and case sensitive.
    A missing scope parameter is valid (the client's scopes are granted);
    an empty one is not.
    """
    if requested is None:
        return

    if not requested.strip():
        raise InvalidScopeError(
            "The scope parameter is empty. Leave it out to get every scope "
            "the client may use, or list scopes separated by spaces, e.g. "
            "'openid profile TNForm'."
        )

    if "," in requested:
        names = [name.strip() for name in requested.split(",") if name.strip()]
        raise InvalidScopeError(
            f"Invalid scope '{quote_value(requested)}': scopes are separated by "
            f"commas. RFC 6749 section 3.3 separates scopes with spaces; send "
            f"scope='{quote_value(' '.join(names))}'."
        )

    names = requested.split()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidScopeError(_describe_unknown(unknown, known))

    forbidden = [name for name in names if name not in allowed]
    if forbidden:
        raise InvalidScopeError(
            f"Scope(s) {quote_value(', '.join(forbidden))} are not allowed for "
            "this client; "
            f"allowed: {quote_value(' '.join(allowed)) or '(none)'}."
        )


def _describe_unknown(unknown: list[str], known: Collection[str]) -> str:
    message = (
        f"Unknown scope(s): {quote_value(', '.join(unknown))}. "
        f"Known scopes: {quote_value(' '.join(known))}."
    )
    by_lower = {name.lower(): name for name in known}
    hints = [
        f"'{quote_value(by_lower[name.lower()])}' instead of '{quote_value(name)}'"
        for name in unknown
        if name.lower() in by_lower
    ]
    if hints:
        message += " Scopes are case sensitive: use " + ", ".join(hints) + "."
    return message
