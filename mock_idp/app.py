"""The Flask application factory of the fake IDP."""

from __future__ import annotations

import logging
import secrets
from functools import partial
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask import redirect
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from .config import IdpConfig
from .config import load_config
from .control import Controller
from .control_views import bp as control_bp
from .faults import FaultQueue
from .faults import install_faults
from .inspector import bp as inspector_bp
from .journal import Journal
from .journal import install_journal
from .server import IdpServer
from .state import IdpState
from .token_admin import identify_token
from .views import bp

log = logging.getLogger(__name__)


def create_app(config: IdpConfig | None = None, **overrides: Any) -> Flask:
    """Build an IDP app from ``config`` and keyword overrides of its fields.

    ``create_app()`` alone serves the embedded defaults.
    """
    if config is None:
        config = load_config(**overrides)
    elif overrides:
        config = config.replace(**overrides)

    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    app.config.update(
        SESSION_COOKIE_NAME="tn_mock_session",
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]

    drop_authlib_debug_records()
    state = IdpState(config)
    app.extensions["tn_mock_state"] = state
    app.extensions["tn_mock_idp"] = IdpServer(state)
    app.register_blueprint(bp)
    if config.control_api:
        app.register_blueprint(inspector_bp)
    _register_handlers(app)
    _install_toolkit(app, state)
    return app


def _install_toolkit(app: Flask, state: IdpState) -> None:
    """Add the request journal, scripted failures and the control API."""
    faults = FaultQueue()
    journal = Journal(state.clock, state.config.journal_max_entries)
    install_journal(app, journal, partial(identify_token, state))
    install_faults(app, faults)

    app.extensions["tn_mock_controller"] = Controller(state, faults, journal)
    if state.config.control_api:
        app.register_blueprint(control_bp)


def get_controller(app: Flask) -> Controller:
    controller: Controller = app.extensions["tn_mock_controller"]
    return controller


class _DropDebugRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DROP_DEBUG = _DropDebugRecords()


def drop_authlib_debug_records() -> None:
    """Keep authlib's DEBUG records out of every log, whatever the levels.

    authlib 1.9 logs each issued token at DEBUG
    ("Issue token ..."), and this project never logs a token. A filter
    on each authlib logger holds even when a test sets all loggers to
    DEBUG; a level would not.
    """
    for name in list(logging.root.manager.loggerDict):
        if name == "authlib" or name.startswith("authlib."):
            logger = logging.getLogger(name)
            if _DROP_DEBUG not in logger.filters:
                logger.addFilter(_DROP_DEBUG)


def get_state(app: Flask) -> IdpState:
    state: IdpState = app.extensions["tn_mock_state"]
    return state


def _register_handlers(app: Flask) -> None:
    @app.before_request
    def redirect_missing_slash() -> Response | None:
        # The reference (Django's APPEND_SLASH) responds with 301, so a POST to
        # /o/token loses its body; werkzeug's default 308 would keep it.
        error = request.routing_exception
        if isinstance(error, RequestRedirect):
            return redirect(error.new_url, 301)  # type: ignore[return-value]

        # werkzeug redirects only when the slashed rule allows the method;
        # Django redirects whenever the slashed path exists, so GET /o/token
        # gets 301 and then 405.
        if isinstance(error, NotFound) and _slashed_path_exists(app, request.path):
            target = request.full_path.replace(request.path, request.path + "/", 1)
            return redirect(target.rstrip("?"), 301)  # type: ignore[return-value]
        return None

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        description = error.description
        if isinstance(error, MethodNotAllowed):
            description = _describe_wrong_method(error)
        response = jsonify(
            {
                "error": error.name.lower().replace(" ", "_"),
                "error_description": description,
            }
        )
        response.status_code = error.code or 500
        if error.code == 405:
            response.headers["Allow"] = ", ".join(error.valid_methods or [])  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = jsonify(
            {
                "error": "server_error",
                "error_description": f"The mock IDP failed: {type(error).__name__}.",
            }
        )
        response.status_code = 500
        return response


def _describe_wrong_method(error: MethodNotAllowed) -> str | None:
    allowed = [m for m in error.valid_methods or [] if m not in ("HEAD", "OPTIONS")]
    path = request.path
    if not allowed:
        return error.description
    methods = " or ".join(allowed)
    description = f"{request.method} is not allowed on {path}; send a {methods}."
    # The 301 from the path without its slash turns a POST into a GET in
    # every common client, so a GET here usually means the URL lacks it.
    if request.method == "GET" and path.startswith("/o/") and path.endswith("/"):
        description += (
            f" A POST to {path.rstrip('/')} (without the trailing slash) is "
            "redirected here with 301, which makes clients resend it as a GET: "
            f"use {path}."
        )
    return description


def _slashed_path_exists(app: Flask, path: str) -> bool:
    if path.endswith("/"):
        return False
    try:
        app.url_map.bind("localhost").match(path + "/", method="GET")
    except MethodNotAllowed:
        return True
    except (NotFound, RequestRedirect):
        return False
    return True
