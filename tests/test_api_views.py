import io
import logging

import pytest
from api_support import bearer
from pypdf import PdfReader

from mock_api.auth import IntrospectionUnavailable

PROBLEM_JSON = "application/problem+json"
SEARCH = "/api/v1/Fgo/Product/Search"
REPORT = "/api/v1/third-party-reports/generate_report_template/"
API_GETS = [
    "/api/v1/Forms/Latest",
    "/api/v1/Forms/All",
    "/api/v1/Form/FGO00001/1/",
    f"{SEARCH}?SearchString=*&Size=1",
    "/api/v1/Fgo/Product/Filters?SearchString=*",
    "/api/v1/Fgo/Product/FiltersForField?field=Brand",
    "/api/v1/Fgo/Product/100001",
    "/api/v1/Fgo/Product/8712345000004/X",
]


def test_forms_latest(client, catalog):
    response = client.get("/api/v1/Forms/Latest", headers=bearer())

    assert response.status_code == 200
    assert response.json == catalog.forms.latest()


def test_forms_all_class_code(client):
    response = client.get("/api/v1/Forms/All?classCode=EC012034", headers=bearer())

    assert response.status_code == 200
    assert {item["formCode"] for item in response.json} == {
        "WP_INBEDRIJF",
        "HYBRIDE_WP",
    }


def test_forms_all_class_code_repeated(client):
    response = client.get("/api/v1/Forms/All?classCode=A&classcode=B", headers=bearer())

    assert response.status_code == 400
    assert "classCode" in response.json["errors"]


def test_form_detail_with_and_without_slash(client):
    with_slash = client.get("/api/v1/Form/FGO00001/2/", headers=bearer())
    without_slash = client.get("/api/v1/Form/FGO00001/2", headers=bearer())

    assert with_slash.status_code == 200
    assert without_slash.status_code == 200
    assert with_slash.json == without_slash.json
    assert list(with_slash.json)[0] == "form"


def test_list_route_with_trailing_slash(client, catalog):
    response = client.get("/api/v1/Forms/Latest/", headers=bearer())

    assert response.status_code == 200
    assert response.json == catalog.forms.latest()


def test_form_detail_unknown_is_404_problem(client):
    response = client.get("/api/v1/Form/FGO00001/99/", headers=bearer())

    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
    assert response.json["status"] == 404
    assert "has no version 99" in response.json["detail"]


def test_form_detail_non_integer_version_is_404(client):
    response = client.get("/api/v1/Form/FGO00001/abc/", headers=bearer())

    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON


def test_routes_match_case_insensitively(client, catalog):
    response = client.get("/API/V1/forms/latest", headers=bearer())
    search = client.get(
        "/api/v1/fgo/product/SEARCH?searchstring=*&size=2", headers=bearer()
    )
    form = client.get("/api/V1/FORM/fgo00001/1/", headers=bearer())

    assert response.status_code == 200
    assert response.json == catalog.forms.latest()
    assert search.status_code == 200
    assert len(search.json["items"]) == 2
    assert form.status_code == 200


def test_case_insensitive_literal_wins_over_parameter(client):
    response = client.get(
        "/api/v1/Fgo/Product/search?SearchString=*&Size=1", headers=bearer()
    )

    assert response.status_code == 200
    assert "items" in response.json


def test_route_parameter_keeps_its_case(client, catalog):
    product = catalog.products.products[3]
    path = f"/API/v1/fgo/product/{product['manufacturerGln']}/{product['productCode']}"

    response = client.get(path, headers=bearer())

    assert response.status_code == 200
    assert response.json["id"] == product["id"]


def test_search_filters_and_paging(client, catalog):
    response = client.get(
        SEARCH,
        query_string={
            "SearchString": "*",
            "Size": "5",
            "From": "5",
            "Filters[0].Code": "Brand",
            "Filters[0].Values[0].Code": "Daikin",
        },
        headers=bearer(),
    )
    expected = [p["id"] for p in catalog.products.products if p["brand"] == "Daikin"]

    assert response.status_code == 200
    assert response.json["total"] == len(expected)
    assert [item["id"] for item in response.json["items"]] == expected[5:10]


def test_search_validation_problem(client):
    response = client.get(f"{SEARCH}?SearchString=*&Size=0&From=-1", headers=bearer())

    assert response.status_code == 400
    assert response.mimetype == PROBLEM_JSON
    body = response.json
    assert body["type"] == "https://tools.ietf.org/html/rfc9110#section-15.5.1"
    assert body["title"] == "One or more validation errors occurred."
    assert body["status"] == 400
    assert set(body["errors"]) == {"Size", "From"}
    assert body["traceId"].startswith("00-")


def test_validation_problem_logged_as_warning(client, caplog):
    with caplog.at_level(logging.WARNING, logger="mock_api"):
        client.get(f"{SEARCH}?SearchString=*&Size=0", headers=bearer())

    assert any(record.levelno == logging.WARNING for record in caplog.records)
    assert "full-token" not in caplog.text


def test_filters_and_field(client):
    facets = client.get(
        "/api/v1/Fgo/Product/Filters?SearchString=remeha", headers=bearer()
    )
    field = client.get(
        "/api/v1/Fgo/Product/FiltersForField?field=Category", headers=bearer()
    )

    assert facets.status_code == 200
    assert [facet["code"] for facet in facets.json] == [
        "Category",
        "Brand",
        "Model",
        "Version",
    ]
    assert field.status_code == 200
    assert field.json["code"] == "Category"
    assert len(field.json["values"]) == 7


def test_product_by_id(client, catalog):
    product = catalog.products.products[0]

    response = client.get(f"/api/v1/Fgo/Product/{product['id']}", headers=bearer())

    assert response.status_code == 200
    assert response.json == product


@pytest.mark.parametrize("product_id", ["abc", "12a", "-1", "1.5", "٣"])
def test_product_by_id_not_integer(client, product_id):
    response = client.get(f"/api/v1/Fgo/Product/{product_id}", headers=bearer())

    assert response.status_code == 400
    assert "is not valid for id" in response.json["errors"]["id"][0]


def test_product_unknown_is_404(client):
    response = client.get("/api/v1/Fgo/Product/1", headers=bearer())
    by_key = client.get("/api/v1/Fgo/Product/8712345000004/NOPE", headers=bearer())

    assert response.status_code == 404
    assert by_key.status_code == 404
    assert "NOPE" in by_key.json["detail"]


def test_unknown_path_is_404_problem(client):
    response = client.get("/api/v1/Nothing", headers=bearer())

    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON


def test_wrong_method_is_405_problem(client):
    response = client.post("/api/v1/Forms/Latest", headers=bearer())

    assert response.status_code == 405
    assert response.mimetype == PROBLEM_JSON


@pytest.mark.parametrize("path", API_GETS)
def test_missing_token_bare_challenge(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        "Basic Zm9vOmJhcg==",
        "Bearer",
        "Bearer ",
        "Bearer a b",
        'Bearer tok"en',
        "Bearer unknown",
        "Bearer revoked-token",
        "",
    ],
)
def test_invalid_token_challenge(client, header):
    response = client.get("/api/v1/Forms/Latest", headers={"Authorization": header})

    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="')
    assert response.mimetype == PROBLEM_JSON


def test_bearer_scheme_case_insensitive(client):
    response = client.get(
        "/api/v1/Forms/Latest", headers={"Authorization": "bearer full-token"}
    )

    assert response.status_code == 200


def test_insufficient_scope_forms(client):
    response = client.get("/api/v1/Forms/Latest", headers=bearer("profile-only"))

    assert response.status_code == 403
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="TNForm FGOPlus FGOWebs"' in challenge
    assert "error_description=" in challenge


def test_scope_rules_per_service(client):
    forms = client.get("/api/v1/Forms/Latest", headers=bearer("forms-only"))
    fgo = client.get(f"{SEARCH}?SearchString=*&Size=1", headers=bearer("forms-only"))
    fgo_old_name = client.get(
        f"{SEARCH}?SearchString=*&Size=1", headers=bearer("fgo-old-name")
    )

    assert forms.status_code == 200
    assert fgo.status_code == 403
    assert 'scope="FGOWebs"' in fgo.headers["WWW-Authenticate"]
    assert fgo_old_name.status_code == 200


def test_custom_settings_change_scopes(catalog, validator):
    from mock_api.app import create_app
    from mock_api.settings import ApiSettings

    app = create_app(
        catalog, validator, ApiSettings(fgo_scopes=("FGOPlus",), scope_aliases={})
    )
    client = app.test_client()

    old_name = client.get(
        f"{SEARCH}?SearchString=*&Size=1", headers=bearer("fgo-old-name")
    )
    full = client.get(f"{SEARCH}?SearchString=*&Size=1", headers=bearer())

    assert old_name.status_code == 403
    assert full.status_code == 200


def test_auth_checked_before_validation(client):
    response = client.get(f"{SEARCH}?Size=0")

    assert response.status_code == 401


def test_swagger_needs_no_token(client):
    response = client.get("/swagger/v1/swagger.json")

    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.0")


def test_introspection_failure_is_503(catalog, caplog):
    from mock_api.app import create_app

    class FailingValidator:
        def introspect(self, token):
            raise IntrospectionUnavailable("connection refused")

    client = create_app(catalog, FailingValidator()).test_client()
    with caplog.at_level(logging.WARNING, logger="mock_api"):
        response = client.get("/api/v1/Forms/Latest", headers=bearer())

    assert response.status_code == 503
    assert response.mimetype == PROBLEM_JSON
    assert "connection refused" in caplog.text


def test_unexpected_error_is_500_problem(catalog, caplog):
    from mock_api.app import create_app

    class BrokenValidator:
        def introspect(self, token):
            raise RuntimeError("bug")

    client = create_app(catalog, BrokenValidator()).test_client()
    with caplog.at_level(logging.ERROR, logger="mock_api"):
        response = client.get("/api/v1/Forms/Latest", headers=bearer())

    assert response.status_code == 500
    assert response.mimetype == PROBLEM_JSON
    assert "RuntimeError: bug" in caplog.text


def test_report_pdf(client):
    body = {
        "form_code": "MBO_GAS",
        "data": {"toestelMerk": "Intergas"},
        "add_default_fields": True,
    }

    response = client.post(REPORT, json=body, headers=bearer())

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Intergas" in text


def test_report_without_slash(client):
    response = client.post(
        REPORT.rstrip("/"), json={"form_code": "MBO_GAS", "data": {}}, headers=bearer()
    )

    assert response.status_code == 200


def test_report_form_json_needs_permission(client):
    body = {
        "form_json": {"components": [{"type": "textfield", "key": "a", "label": "A"}]},
        "data": {},
    }

    denied = client.post(REPORT, json=body, headers=bearer("full-token"))
    allowed = client.post(REPORT, json=body, headers=bearer("json-token"))

    assert denied.status_code == 403
    assert 'error="insufficient_scope"' in denied.headers["WWW-Authenticate"]
    assert "form_json permission" in denied.json["detail"]
    assert allowed.status_code == 200


def test_report_invalid_json_body(client):
    response = client.post(
        REPORT, data="{", content_type="application/json", headers=bearer()
    )

    assert response.status_code == 400
    assert "not valid JSON" in response.json["errors"]["$"][0]


def test_report_not_utf8_body(client):
    response = client.post(
        REPORT, data=b"\xff\xfe{", content_type="application/json", headers=bearer()
    )

    assert response.status_code == 400


def test_report_wrong_content_type(client):
    response = client.post(
        REPORT,
        data="form_code=MBO_GAS",
        content_type="application/x-www-form-urlencoded",
        headers=bearer(),
    )

    assert response.status_code == 415
    assert response.mimetype == PROBLEM_JSON


def test_report_body_too_large(catalog, validator):
    from mock_api.app import create_app
    from mock_api.settings import ApiSettings

    client = create_app(
        catalog, validator, ApiSettings(max_report_body_bytes=100)
    ).test_client()
    response = client.post(
        REPORT,
        json={"form_code": "MBO_GAS", "data": {"x": "y" * 200}},
        headers=bearer(),
    )

    assert response.status_code == 413


def test_report_validation_errors(client):
    response = client.post(
        REPORT,
        json={"form_code": "MBO_GAS", "data": [], "add_default_fields": 1},
        headers=bearer(),
    )

    assert response.status_code == 400
    assert set(response.json["errors"]) == {"data", "add_default_fields"}


def test_report_empty_form(client):
    body = {"form_code": "CO_MELDER", "data": {"ignore": {"formType": "FORM_EMPTY"}}}

    response = client.post(REPORT, json=body, headers=bearer())

    fields = PdfReader(io.BytesIO(response.data)).get_fields()
    assert set(fields) == {"melders", "meldersVoldoende", "advies", "fotoMelder"}


def test_blueprint_in_another_app_keeps_its_routes_only(catalog, validator):
    from flask import Flask

    from mock_api.app import create_api_blueprint
    from mock_api.settings import ApiSettings

    app = Flask("combined")

    @app.get("/o/userinfo/")
    def userinfo():
        return "ok"

    app.register_blueprint(create_api_blueprint(catalog, validator, ApiSettings()))
    client = app.test_client()

    assert client.get("/api/v1/forms/latest", headers=bearer()).status_code == 200
    assert client.get("/o/userinfo/").status_code == 200
    assert client.get("/O/USERINFO/").status_code == 404


def test_report_missing_content_type_says_what_to_send(client):
    response = client.post(REPORT, data=b'{"form_code": "MBO_GAS"}', headers=bearer())

    assert response.status_code == 415
    assert "Content-Type is missing" in response.get_data(as_text=True)
    assert "send Content-Type: application/json" in response.get_data(as_text=True)
