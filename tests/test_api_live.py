"""The API on a real loopback port, checked against its OpenAPI document."""

import io
import re

import pytest
import requests
import schemathesis
from api_support import bearer
from api_support import serve_on_loopback
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from openapi_schema_validator import OAS30Validator
from pypdf import PdfReader
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from mock_api.app import SWAGGER_PATH
from mock_api.openapi_document import DOCUMENT_PATH
from mock_api.openapi_document import build_openapi_document
from mock_api.openapi_document import load_openapi_document


@pytest.fixture(scope="module")
def live_validator():
    from api_support import DictTokenValidator

    validator = DictTokenValidator()
    validator.add("full-token", permissions=("form_json",))
    validator.add("profile-only", scope="openid profile")
    return validator


@pytest.fixture(scope="module")
def base_url(live_validator):
    from mock_api.app import create_app
    from mock_api.catalog import load_catalog

    app = create_app(load_catalog(), live_validator)
    with serve_on_loopback(app) as url:
        yield url


@pytest.fixture(scope="module")
def session():
    with requests.Session() as session:
        yield session


def validate_against_schema(document, path, method, response):
    """Validate a JSON response body with the schema of its documented status."""
    responses = document["paths"][path][method]["responses"]
    media = responses[str(response.status_code)]["content"]
    schema = next(iter(media.values()))["schema"]
    resolver_document = {"components": document["components"], **schema}
    OAS30Validator(resolver_document).validate(response.json())


LIVE_CASES = [
    ("/api/v1/Forms/Latest", "/api/v1/Forms/Latest", {}, 200),
    ("/api/v1/Forms/All", "/api/v1/Forms/All", {"classCode": "EC011434"}, 200),
    ("/api/v1/Form/{code}/{version}/", "/api/v1/Form/FGO00001/3/", {}, 200),
    ("/api/v1/Form/{code}/{version}/", "/api/v1/Form/FGO00001/7/", {}, 404),
    (
        "/api/v1/Fgo/Product/Search",
        "/api/v1/Fgo/Product/Search",
        {"SearchString": "warmtepomp", "Size": "20", "From": "3"},
        200,
    ),
    (
        "/api/v1/Fgo/Product/Search",
        "/api/v1/Fgo/Product/Search",
        {"SearchString": "*", "Size": "500"},
        400,
    ),
    (
        "/api/v1/Fgo/Product/Filters",
        "/api/v1/Fgo/Product/Filters",
        {"SearchString": "*"},
        200,
    ),
    (
        "/api/v1/Fgo/Product/FiltersForField",
        "/api/v1/Fgo/Product/FiltersForField",
        {"field": "Version"},
        200,
    ),
    ("/api/v1/Fgo/Product/{id}", "/api/v1/Fgo/Product/100100", {}, 200),
    ("/api/v1/Fgo/Product/{id}", "/api/v1/Fgo/Product/xyz", {}, 400),
    (
        "/api/v1/Fgo/Product/{manufacturerGln}/{productCode}",
        "/api/v1/Fgo/Product/8712345000004/none",
        {},
        404,
    ),
]


@pytest.mark.parametrize(("template", "path", "params", "status"), LIVE_CASES)
def test_live_response_matches_schema(
    base_url, session, template, path, params, status
):
    response = session.get(base_url + path, params=params, headers=bearer(), timeout=5)

    assert response.status_code == status
    validate_against_schema(load_openapi_document(), template, "get", response)


@pytest.mark.parametrize("token", [None, "unknown", "profile-only"])
def test_live_auth_errors_match_schema(base_url, session, token):
    headers = bearer(token) if token else {}

    response = session.get(
        f"{base_url}/api/v1/Forms/Latest", headers=headers, timeout=5
    )

    assert response.status_code in (401, 403)
    assert "WWW-Authenticate" in response.headers
    validate_against_schema(
        load_openapi_document(), "/api/v1/Forms/Latest", "get", response
    )


def test_live_report_pdf(base_url, session):
    body = {
        "form_code": "PV_INSPECTIE",
        "data": {
            "aantalPanelen": "14",
            "report_info": {"report_visit_date": "2024-05-02"},
        },
        "add_default_fields": True,
    }

    response = session.post(
        f"{base_url}/api/v1/third-party-reports/generate_report_template/",
        json=body,
        headers={**bearer(), "Accept": "application/pdf"},
        timeout=5,
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Inspectie zonnestroominstallatie" in text
    assert "2024-05-02" in text


def test_live_case_insensitive_path(base_url, session):
    response = session.get(
        f"{base_url}/API/V1/forms/latest", headers=bearer(), timeout=5
    )

    assert response.status_code == 200


def test_openapi_document_is_committed_output():
    assert load_openapi_document() == build_openapi_document(), (
        f"{DOCUMENT_PATH} is stale; run python -m mock_api.openapi_document"
    )


def test_openapi_paths_equal_app_routes(catalog, validator):
    from mock_api.app import create_app

    app = create_app(catalog, validator)
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule != SWAGGER_PATH:
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    documented = {
        re.sub(r"\{(\w+)\}", lambda m: "{" + camel_to_snake(m[1]) + "}", path)
        for path in build_openapi_document()["paths"]
    }

    assert routes == documented


def camel_to_snake(name: str) -> str:
    # The views take manufacturer_gln and product_id where the document names
    # manufacturerGln and id.
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    return {"id": "product_id"}.get(snake, snake)


@pytest.fixture(scope="module")
def live_schema(base_url):
    return schemathesis.openapi.from_url(f"{base_url}{SWAGGER_PATH}")


OPERATIONS = [
    (path, method.upper())
    for path, methods in build_openapi_document()["paths"].items()
    for method in methods
]


# NOTE: schemathesis.pytest.from_fixture fails under pytest 9 (it sets the
# removed Function._nodeid), so each operation's strategy runs under a plain
# hypothesis test instead.
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_fuzz_never_server_error(live_schema, path, method):
    operation = live_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check_operation(case):
        case.call_and_validate(
            headers=bearer(),
            timeout=5,
            checks=[
                not_a_server_error,
                status_code_conformance,
                response_schema_conformance,
            ],
        )

    check_operation()


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_fuzz_invalid_input_never_server_error(live_schema, path, method):
    operation = live_schema[path][method]
    strategy = operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)

    @given(case=strategy)
    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check_operation(case):
        case.call_and_validate(headers=bearer(), timeout=5, checks=[not_a_server_error])

    check_operation()
