"""The ``/_mock/`` control API: HTTP in front of :class:`Controller`.

Every route of ``control_routes.ROUTES`` is served by one view that reads
the arguments, calls the controller and returns its JSON. Bad input gets
400 (404 for an unknown item in the path) with the field and the fix.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from .control import Controller
from .control_checks import ControlError
from .control_routes import PREFIX
from .control_routes import ROUTES
from .control_routes import Route
from .control_routes import create_openapi_document

log = logging.getLogger(__name__)


def controller() -> Controller:
    found: Controller = current_app.extensions["tn_mock_controller"]
    return found


def _make_view(route: Route) -> Callable[..., Response]:
    def view(**path_args: str) -> Response:
        try:
            arguments = read_arguments(route)
            arguments.update(path_args)
            result = getattr(controller(), route.action)(**arguments)
        except ControlError as error:
            log.warning("control %s rejected: %s", route.action, error)
            response = jsonify(error.to_dict())
            response.status_code = error.status
            return response
        return jsonify(result)

    return view


def read_arguments(route: Route) -> dict[str, Any]:
    """Read body fields (query fields for GET and DELETE) and check names."""
    if route.uses_query:
        arguments: dict[str, Any] = dict(request.args.items())
    else:
        arguments = _read_json_object()

    unknown = sorted(set(arguments) - set(route.fields))
    if unknown:
        known = ", ".join(route.fields) or "none"
        raise ControlError(
            unknown[0], f"unknown field(s) {unknown} for {route.action}; known: {known}"
        )
    missing = [name for name in route.required if name not in arguments]
    if missing:
        raise ControlError(
            missing[0], f"missing required field(s) {missing} for {route.action}"
        )
    return arguments


def _read_json_object() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ControlError(
            None, f"the request body is not valid JSON ({error}); send a JSON object"
        ) from error
    if not isinstance(body, dict):
        raise ControlError(
            None, f"the request body must be a JSON object, got {type(body).__name__}"
        )
    return body


def create_control_blueprint(routes: tuple[Route, ...] = ROUTES) -> Blueprint:
    """Serve ``routes`` and their OpenAPI document under ``/_mock/``.

    The views call the controller in ``app.extensions["tn_mock_controller"]``.
    """
    blueprint = Blueprint("control", __name__, url_prefix=PREFIX)
    for route in routes:
        blueprint.add_url_rule(
            route.rule,
            endpoint=route.action,
            view_func=_make_view(route),
            methods=[route.method],
        )

    def openapi() -> Response:
        return jsonify(create_openapi_document(routes))

    blueprint.add_url_rule("/openapi.json", "openapi", openapi, methods=["GET"])
    return blueprint


bp = create_control_blueprint()
