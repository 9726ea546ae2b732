"""The rows and timeline input of the inspector page, built from the state.

Free of Flask views: everything here reads the controller's state and
journal and returns plain values for the template.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .control import Controller
from .journal import JournalEntry
from .journal import fingerprint
from .models import Token
from .timeline import TimelineMark
from .timeline import TimelineToken
from .timeline import clock_label

#: The newest journal entries the page lists; the timeline uses them all.
JOURNAL_ROWS = 50


def short_fingerprint(value: str) -> str:
    """Shorten a journal fingerprint to its token prefix, like ``0Yu7S0…``.

    The prefix is the part the timeline's bar labels show too. A value
    that is not a fingerprint is returned unchanged.
    """
    prefix, separator, _digest = value.partition("…")
    return prefix + separator if separator else value


def break_after_slashes(path: str) -> Markup:
    """Escape a path or URL and add a line-break opportunity after each slash.

    The inspector's CSS breaks elsewhere only a part too long for one line.
    """
    return Markup("/<wbr>").join(path.split("/"))


def token_state(controller: Controller, token: Token) -> str:
    if token.access_revoked:
        return "revoked"
    if not controller.state.store.is_access_token_active(token):
        return "expired"
    return "active"


def describe_remaining(seconds: float) -> str:
    """Return a duration like ``9 h 59 min`` or ``expired 2 min ago``."""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours} h {minutes} min"
    elif minutes:
        text = f"{minutes} min {secs} s"
    else:
        text = f"{secs} s"
    return text if seconds > 0 else f"expired {text} ago"


def request_outcome(entry: JournalEntry) -> str:
    """Classify a request that presented a token, for the timeline marks.

    The token's status is the one the journal judged when the request
    arrived, so a request with a token that expired a second earlier shows
    as ``expired`` even if the clock moved on since.
    """
    if entry.error == "insufficient_scope":
        return "insufficient_scope"
    if entry.token_status in ("expired", "revoked"):
        return entry.token_status
    if entry.status is not None and entry.status < 400:
        return "accepted"
    return "rejected"


def token_rows(controller: Controller) -> list[dict[str, Any]]:
    store = controller.state.store
    now = controller.state.clock.now()
    rows = []
    for token in sorted(store.tokens(), key=lambda t: t.issued_at):
        user = store.find_user(token.sub) if token.sub else None
        rows.append(
            {
                "token": token,
                "id": fingerprint(token.access_token),
                "user": user.config.username if user else (token.sub or "(client)"),
                "state": token_state(controller, token),
                "issued": clock_label(token.issued_at, seconds=True),
                "expires": clock_label(token.expires_at, seconds=True),
                "remaining": describe_remaining(token.expires_at - now),
            }
        )
    return rows


def timeline_input(
    rows: list[dict[str, Any]], entries: list[JournalEntry]
) -> tuple[list[TimelineToken], list[TimelineMark]]:
    """Return one bar per access token and one mark per request that used it.

    A request that presented the pair's refresh token is marked on the
    access token's bar too, so a refresh shows next to the calls it served.
    """
    bars = []
    bar_of: dict[str, str] = {}
    for row in rows:
        token: Token = row["token"]
        bars.append(
            TimelineToken(
                token_id=row["id"],
                label=f"{row['user']} · {row['id'][:6]}",
                issued_at=token.issued_at,
                expires_at=token.expires_at,
                state=row["state"],
            )
        )
        bar_of[row["id"]] = row["id"]
        if token.refresh_token:
            bar_of[fingerprint(token.refresh_token)] = row["id"]

    marks = [
        TimelineMark(
            token_id=bar_of[entry.token],
            at=entry.started,
            outcome=request_outcome(entry),
            label=f"{entry.method} {entry.path} → {entry.status or 'dropped'}",
        )
        for entry in entries
        if entry.token is not None and entry.token in bar_of
    ]
    return bars, marks


def journal_rows(entries: list[JournalEntry]) -> list[dict[str, Any]]:
    """Return the newest entries first, with their times as clock labels."""
    newest = list(reversed(entries))[:JOURNAL_ROWS]
    return [
        {"entry": entry, "time": clock_label(entry.started, seconds=True)}
        for entry in newest
    ]


def consent_rows(controller: Controller) -> list[dict[str, str]]:
    store = controller.state.store
    rows = []
    for sub, client_id in store.consents():
        user = store.find_user(sub)
        name = user.config.username if user else sub
        rows.append({"sub": sub, "user": name, "client_id": client_id})
    return rows
