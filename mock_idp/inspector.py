"""The inspector page under ``/_mock/inspector/``: state, timeline, controls.

Its forms are plain HTML posts with a CSRF token, so the page works without
JavaScript. Each post calls the same :class:`Controller` as the control API
and redirects back (303).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .control import Controller
from .control_checks import ControlError
from .csrf import is_csrf_token_valid
from .csrf import issue_csrf_token
from .inspector_data import break_after_slashes
from .inspector_data import consent_rows
from .inspector_data import journal_rows
from .inspector_data import short_fingerprint
from .inspector_data import timeline_input
from .inspector_data import token_rows
from .journal import fingerprint
from .timeline import OUTCOME_COLOURS
from .timeline import STATE_COLOURS
from .timeline import clock_label
from .timeline import render_timeline

log = logging.getLogger(__name__)

bp = Blueprint("inspector", __name__, url_prefix="/_mock/inspector")
bp.add_app_template_filter(short_fingerprint)
bp.add_app_template_filter(break_after_slashes)

#: Clock steps the page offers, in seconds, with their button labels.
CLOCK_STEPS = ((60, "+1 min"), (3600, "+1 h"), (36000, "+10 h"))


def _controller() -> Controller:
    controller: Controller = current_app.extensions["tn_mock_controller"]
    return controller


@bp.get("/")
def inspector() -> Response:
    controller = _controller()
    now = controller.state.clock.now()
    tokens = token_rows(controller)
    entries = controller.request_journal.entries()
    bars, marks = timeline_input(tokens, entries)
    html = render_template(
        "inspector.html",
        clock=controller.clock(),
        now_label=clock_label(now, seconds=True),
        clock_steps=CLOCK_STEPS,
        tokens=tokens,
        timeline=render_timeline(bars, marks, now, legend=False),
        state_colours=STATE_COLOURS,
        outcome_colours=OUTCOME_COLOURS,
        consents=consent_rows(controller),
        failures=controller.failures(),
        journal=journal_rows(entries),
        clients=controller.state.store.clients(),
        users=controller.state.store.users(),
        csrf_token=issue_csrf_token(),
    )
    return Response(html, mimetype="text/html")


@bp.get("/timeline.svg")
def timeline() -> Response:
    controller = _controller()
    bars, marks = timeline_input(
        token_rows(controller), controller.request_journal.entries()
    )
    svg = render_timeline(bars, marks, controller.state.clock.now())
    return Response(str(svg), mimetype="image/svg+xml")


@bp.post("/clock")
def change_clock() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    controller = _controller()
    action = request.form.get("action", "")
    if action == "advance":
        seconds = request.form.get("seconds", "")
        if not seconds.isdigit():
            return _bad_request(f"seconds must be a whole number, not '{seconds}'.")
        return _run(
            lambda: controller.advance(int(seconds)), f"Clock advanced by {seconds} s."
        )
    if action == "freeze":
        return _run(controller.freeze, "Clock frozen.")
    if action == "release":
        return _run(controller.release, "Clock released to real time.")
    return _bad_request(
        f"Unknown clock action '{action}'; use advance, freeze or release."
    )


@bp.post("/tokens/expire")
def expire_token() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    controller = _controller()
    requested_id = request.form.get("token_id", "")
    tokens = controller.state.store.tokens()
    token = next(
        (t for t in tokens if fingerprint(t.access_token) == requested_id), None
    )
    if token is None:
        return _bad_request(f"No access token has the id '{requested_id}'.", status=404)
    return _run(
        lambda: controller.expire_token(token.access_token),
        f"Token {requested_id} expired.",
    )


@bp.post("/consents/forget")
def forget_consent() -> Response:
    rejected = _reject_without_csrf()
    if rejected is not None:
        return rejected

    sub = request.form.get("sub", "")
    client_id = request.form.get("client_id", "")
    return _run(
        lambda: _controller().forget_consent(sub, client_id),
        f"Consent of user {sub} for client {client_id} forgotten.",
    )


def _run(action: Callable[[], object], message: str) -> Response:
    try:
        action()
    except ControlError as error:
        return _bad_request(str(error), status=error.status)
    flash(message)
    target = url_for("inspector.inspector")
    return redirect(target, 303)  # type: ignore[return-value]


def _reject_without_csrf() -> Response | None:
    if is_csrf_token_valid():
        return None
    return _bad_request(
        "The form's CSRF token is missing or does not match this browser "
        "session; reload the inspector and try again."
    )


def _bad_request(description: str, status: int = 400) -> Response:
    log.warning("inspector action %s rejected: %s", request.path, description)
    html = render_template(
        "error.html", description=description, title="Inspector action rejected"
    )
    return Response(html, status=status, mimetype="text/html")
