"""The inspector page under ``/_mock/inspector/``: state, timeline, controls.

Its forms are plain HTML posts with a CSRF token, so the page works without
JavaScript; each post changes the state and redirects back (303).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .csrf import is_csrf_token_valid
from .csrf import issue_csrf_token
from .models import Token
from .state import IdpState
from .timeline import TimelineMark
from .timeline import TimelineToken
from .timeline import clock_label
from .timeline import render_timeline

log = logging.getLogger(__name__)

bp = Blueprint("inspector", __name__, url_prefix="/_mock/inspector")

#: Clock steps the page offers, in seconds, with their button labels.
CLOCK_STEPS = ((60, "+1 min"), (3600, "+1 h"), (36000, "+10 h"))


def _state() -> IdpState:
    state: IdpState = current_app.extensions["tn_mock_state"]
    return state


def token_id(token: Token) -> str:
    """Return a short id of an access token that does not reveal it."""
    digest = hashlib.sha256(token.access_token.encode("utf-8")).hexdigest()
    return digest[:12]


def token_state(state: IdpState, token: Token) -> str:
    if token.access_revoked:
        return "revoked"
    if not state.store.is_access_token_active(token):
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


@bp.get("/")
def inspector() -> Response:
    state = _state()
    now = state.clock.now()
    tokens = sorted(state.store.tokens(), key=lambda t: t.issued_at)
    rows = [_token_row(state, token, now) for token in tokens]
    timeline_tokens = [
        TimelineToken(
            token_id=row["id"],
            label=f"{row['user']} · {row['id'][:6]}",
            issued_at=row["token"].issued_at,
            expires_at=row["token"].expires_at,
            state=row["state"],
        )
        for row in rows
    ]
    marks: list[TimelineMark] = []
    html = render_template(
        "inspector.html",
        clock=state.clock.state(),
        now_label=clock_label(now, seconds=True),
        clock_steps=CLOCK_STEPS,
        tokens=rows,
        timeline=render_timeline(timeline_tokens, marks, now),
        consents=_consent_rows(state),
        clients=state.store.clients(),
        users=state.store.users(),
        csrf_token=issue_csrf_token(),
    )
    return Response(html, mimetype="text/html")


def _token_row(state: IdpState, token: Token, now: float) -> dict[str, Any]:
    user = state.store.find_user(token.sub) if token.sub else None
    return {
        "token": token,
        "id": token_id(token),
        "user": user.config.username if user else (token.sub or "(client)"),
        "state": token_state(state, token),
        "issued": clock_label(token.issued_at, seconds=True),
        "expires": clock_label(token.expires_at, seconds=True),
        "remaining": describe_remaining(token.expires_at - now),
    }


def _consent_rows(state: IdpState) -> list[dict[str, str]]:
    rows = []
    for sub, client_id in state.store.consents():
        user = state.store.find_user(sub)
        name = user.config.username if user else sub
        rows.append({"sub": sub, "user": name, "client_id": client_id})
    return rows


@bp.post("/clock")
def change_clock() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    clock = _state().clock
    action = request.form.get("action", "")
    if action == "advance":
        seconds = request.form.get("seconds", "")
        if not seconds.isdigit():
            return _bad_request(f"seconds must be a whole number, not '{seconds}'.")
        clock.advance(int(seconds))
        flash(f"Clock advanced by {int(seconds)} s.")
    elif action == "freeze":
        clock.freeze()
        flash("Clock frozen.")
    elif action == "release":
        clock.release()
        flash("Clock released to real time.")
    else:
        return _bad_request(
            f"Unknown clock action '{action}'; use advance, freeze or release."
        )
    return _back()


@bp.post("/tokens/expire")
def expire_token() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    state = _state()
    wanted = request.form.get("token_id", "")
    token = next((t for t in state.store.tokens() if token_id(t) == wanted), None)
    if token is None:
        return _bad_request(f"No access token has the id '{wanted}'.", status=404)
    token.expires_at = min(token.expires_at, state.clock.now())
    flash(f"Token {wanted} expired.")
    return _back()


@bp.post("/consents/forget")
def forget_consent() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    sub = request.form.get("sub", "")
    client_id = request.form.get("client_id", "")
    if not sub or not client_id:
        return _bad_request("Send both sub and client_id to forget a consent.")
    _state().store.forget_consent(sub, client_id)
    flash(f"Consent of {sub} for {client_id} forgotten.")
    return _back()


def _reject_without_csrf() -> Response | None:
    if is_csrf_token_valid():
        return None
    log.warning("inspector form rejected: CSRF token missing or wrong")
    return _bad_request(
        "The form's CSRF token is missing or does not match this browser "
        "session; reload the inspector and try again."
    )


def _bad_request(description: str, status: int = 400) -> Response:
    html = render_template(
        "error.html", description=description, title="Inspector action rejected"
    )
    return Response(html, status=status, mimetype="text/html")


def _back() -> Response:
    target = url_for("inspector.inspector")
    return redirect(target, 303)  # type: ignore[return-value]
