"""Flask views of the Forms, FGO+ and Reports APIs.

`create_api_blueprint` serves the routes with the given catalogue and token
validator; `create_app` wraps it in a stand-alone Flask app. Every error
becomes a problem-details response, and the paths match in any case.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import jsonify
from flask import request
from werkzeug.exceptions import HTTPException

from mock_api.auth import BearerChallenge
from mock_api.auth import IntrospectionUnavailable
from mock_api.auth import TokenValidator
from mock_api.auth import authorize_token
from mock_api.auth import extract_bearer_token
from mock_api.catalog import Catalog
from mock_api.errors import ApiProblem
from mock_api.errors import ValidationProblem
from mock_api.openapi_document import load_openapi_document
from mock_api.problems import create_problem_response
from mock_api.query import normalize_query
from mock_api.query import parse_facet_request
from mock_api.query import parse_field_request
from mock_api.query import parse_search_request
from mock_api.reports import parse_report_request
from mock_api.reports import render_report
from mock_api.reports import uses_form_json
from mock_api.routing import install_case_insensitive_routes
from mock_api.settings import ApiSettings

logger = logging.getLogger(__name__)

#: Name of the API blueprint, the first part of every API endpoint name.
BLUEPRINT_NAME = "api"
#: The services, each a child blueprint: Forms, FGO+ and Reports.
SERVICES = ("forms", "fgo", "reports")
SWAGGER_PATH = "/swagger/v1/swagger.json"

View = Callable[..., Any]


def create_app(
    catalog: Catalog,
    validator: TokenValidator,
    settings: ApiSettings | None = None,
) -> Flask:
    """Create a Flask app that serves only the mock APIs."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.register_blueprint(
        create_api_blueprint(catalog, validator, settings or ApiSettings())
    )

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        # Unknown paths and methods fail in routing, before the blueprint.
        status = error.code or 500
        return create_problem_response(status, error.name, error.description)

    return app


def create_api_blueprint(
    catalog: Catalog, validator: TokenValidator, settings: ApiSettings
) -> Blueprint:
    """Create the blueprint with every API route, the token check included.

    Registering it on an app also makes its paths match case-insensitively,
    by wrapping that app's wsgi_app.
    """
    blueprint = Blueprint(BLUEPRINT_NAME, __name__)
    # One child blueprint per service, named as in ApiSettings.scopes_for,
    # so that the fault and journal names read api:forms:latest and a test
    # can match every route of one service with api:forms.
    services = {name: Blueprint(name, __name__) for name in SERVICES}

    def route(rule: str, endpoint: str, **options: Any) -> Callable[[View], View]:
        service, _, view_name = endpoint.rpartition(":")
        target = services[service] if service else blueprint

        def register(view: View) -> View:
            # ASP.NET Core routing ignores a trailing slash, so every route
            # also matches without it (or with it), and nothing redirects.
            target.add_url_rule(rule, view_name, view, strict_slashes=False, **options)
            return view

        return register

    @blueprint.before_request
    def check_bearer_token() -> None:
        # request.blueprint is "api.forms" for a Forms route and "api" for
        # the OpenAPI document, which needs no token.
        _, _, service = (request.blueprint or "").partition(".")
        if service not in services:
            return
        token = extract_bearer_token(request.headers.get("Authorization"))
        g.tn_token_info = authorize_token(
            token, validator, settings.scopes_for(service), settings.scope_aliases
        )

    @route("/api/v1/Forms/Latest", "forms:latest")
    def forms_latest() -> Response:
        return jsonify(catalog.forms.latest())

    @route("/api/v1/Forms/All", "forms:all")
    def forms_all() -> Response:
        params = normalize_query(request.args)
        sent = params.get("classcode", [])
        if len(sent) > 1:
            values = ", ".join(repr(value) for _, value in sent)
            message = f"classCode must be given once, got {len(sent)}: {values}."
            raise ValidationProblem({"classCode": [message]})
        class_code = sent[0][1] if sent else None
        return jsonify(catalog.forms.all(class_code))

    @route("/api/v1/Form/<code>/<int:version>/", "forms:detail")
    def form_detail(code: str, version: int) -> Response:
        return jsonify(catalog.forms.get(code, version))

    @route("/api/v1/Fgo/Product/Search", "fgo:search")
    def product_search() -> Response:
        return jsonify(catalog.products.search(parse_search_request(request.args)))

    @route("/api/v1/Fgo/Product/Filters", "fgo:filters")
    def product_filters() -> Response:
        return jsonify(catalog.products.facets(parse_facet_request(request.args)))

    @route("/api/v1/Fgo/Product/FiltersForField", "fgo:filters_for_field")
    def product_filters_for_field() -> Response:
        facet_request = parse_field_request(request.args)
        return jsonify(catalog.products.facet_for_field(facet_request))

    @route("/api/v1/Fgo/Product/<product_id>", "fgo:product")
    def product_by_id(product_id: str) -> Response:
        if not product_id.isascii() or not product_id.isdigit() or len(product_id) > 18:
            message = (
                f"The value '{product_id}' is not valid for id; expected an integer."
            )
            raise ValidationProblem({"id": [message]})
        return jsonify(catalog.products.get(int(product_id)))

    @route(
        "/api/v1/Fgo/Product/<manufacturer_gln>/<product_code>",
        "fgo:product_by_manufacturer",
    )
    def product_by_manufacturer(manufacturer_gln: str, product_code: str) -> Response:
        product = catalog.products.get_by_manufacturer(manufacturer_gln, product_code)
        return jsonify(product)

    @route(
        "/api/v1/third-party-reports/generate_report_template/",
        "reports:generate",
        methods=["POST"],
    )
    def generate_report() -> Response:
        body = read_json_body(settings.max_report_body_bytes)
        if uses_form_json(body) and not has_permission(settings.form_json_permission):
            raise FormJsonForbidden()
        report_request = parse_report_request(body, catalog.forms)
        pdf = render_report(report_request)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="report.pdf"'
        return response

    @route(SWAGGER_PATH, "swagger")
    def swagger() -> Response:
        return Response(
            json.dumps(load_openapi_document()), mimetype="application/json"
        )

    register_error_handlers(blueprint)
    for child in services.values():
        blueprint.register_blueprint(child)
    blueprint.record_once(
        lambda state: install_case_insensitive_routes(state.app, f"{BLUEPRINT_NAME}.")
    )

    return blueprint


class FormJsonForbidden(BearerChallenge):
    status = 403
    title = "Forbidden"
    error = "insufficient_scope"

    def __init__(self) -> None:
        super().__init__(
            "The user lacks the form_json permission needed to send form_json; "
            "send form_code instead or use a user with that permission."
        )


def has_permission(permission: str) -> bool:
    permissions = g.tn_token_info.get("permissions") or []
    return isinstance(permissions, list) and permission in permissions


class UnsupportedMediaType(ApiProblem):
    status = 415
    title = "Unsupported Media Type"


class PayloadTooLarge(ApiProblem):
    status = 413
    title = "Payload Too Large"


def _quote_mimetype(mimetype: str) -> str:
    return f"'{mimetype}'" if mimetype else "missing"


def read_json_body(max_bytes: int) -> Any:
    """Decode the JSON request body, or raise a problem naming what is wrong."""
    if request.mimetype != "application/json" and not request.mimetype.endswith(
        "+json"
    ):
        raise UnsupportedMediaType(
            f"The Content-Type is {_quote_mimetype(request.mimetype)}; "
            "send Content-Type: application/json with a JSON body."
        )
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"The body must be at most {max_bytes} bytes.")

    raw = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The body must be at most {max_bytes} bytes.")
    try:
        return json.loads(raw)
    except UnicodeDecodeError as error:
        raise ValidationProblem(
            {"$": [f"The body is not UTF-8: {error.reason}."]}
        ) from error
    except json.JSONDecodeError as error:
        message = (
            f"The body is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}."
        )
        raise ValidationProblem({"$": [message]}) from error


def register_error_handlers(blueprint: Blueprint) -> None:
    @blueprint.errorhandler(BearerChallenge)
    def handle_challenge(error: BearerChallenge) -> Response:
        headers = {"WWW-Authenticate": error.www_authenticate}
        return create_problem_response(
            error.status, error.title, error.detail, headers=headers
        )

    @blueprint.errorhandler(ValidationProblem)
    def handle_validation(error: ValidationProblem) -> Response:
        return create_problem_response(error.status, error.title, errors=error.errors)

    @blueprint.errorhandler(ApiProblem)
    def handle_problem(error: ApiProblem) -> Response:
        return create_problem_response(error.status, error.title, error.detail)

    @blueprint.errorhandler(IntrospectionUnavailable)
    def handle_introspection(error: IntrospectionUnavailable) -> Response:
        logger.warning("token check failed: %s", error)
        return create_problem_response(
            503,
            "Service Unavailable",
            "The access token cannot be checked because the identity "
            "provider's introspection endpoint failed; retry later.",
        )

    @blueprint.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        return create_problem_response(error.code or 500, error.name, error.description)

    @blueprint.errorhandler(Exception)
    def handle_bug(error: Exception) -> Response:
        logger.exception("unexpected error in %s %s", request.method, request.path)
        return create_problem_response(
            500,
            "Internal Server Error",
            "The mock API failed unexpectedly; its log has the traceback.",
        )
