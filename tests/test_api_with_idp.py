"""The APIs with tokens from the real code flow: in process and apart."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from pypdf import PdfReader

from mock_api.mount import create_combined_app
from mock_api.service import create_api_service
from mock_idp.app import create_app

from .conftest import LiveServer
from .conftest import serve

REDIRECT_URI = "http://localhost:8000/oauth-callback/"
ALL_SERVICES = "openid profile TNForm FGOWebs"


class Deployment:
    """The IDP and API base URLs, in one process or two."""

    def __init__(self, idp: LiveServer, api_url: str) -> None:
        self.idp = idp
        self.api_url = api_url

    def login(self, scope: str = ALL_SERVICES, user: str = "jan") -> dict[str, Any]:
        session = OAuth2Session(
            "test-client",
            redirect_uri=REDIRECT_URI,
            scope=scope,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
        verifier = "k" * 64
        uri, state = session.create_authorization_url(
            f"{self.idp.issuer}/authorize/", code_verifier=verifier, login_hint=user
        )
        answer = requests.get(uri, allow_redirects=False, timeout=5)
        token = session.fetch_token(
            f"{self.idp.issuer}/token/",
            authorization_response=answer.headers["Location"],
            code_verifier=verifier,
            state=state,
        )
        return dict(token)

    def queue_failure(self, **fields: Any) -> requests.Response:
        """Queue a failure through the control API of the app serving the APIs."""
        return requests.post(f"{self.api_url}/_mock/failures", json=fields, timeout=5)

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        answer = requests.get(
            f"{self.api_url}/_mock/journal", params=filters, timeout=5
        )
        answer.raise_for_status()
        entries: list[dict[str, Any]] = answer.json()
        return entries

    def get(self, path: str, token: str | None, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(
            f"{self.api_url}{path}", headers=headers, params=params, timeout=5
        )


@pytest.fixture(params=["in-process", "introspection"])
def deployment(request: pytest.FixtureRequest) -> Iterator[Deployment]:
    if request.param == "in-process":
        for live in serve(create_combined_app(auto_approve=True)):
            yield Deployment(live, live.url)
        return

    for idp in serve(create_app(auto_approve=True)):
        for api in serve(create_api_service(idp.url)):
            yield Deployment(idp, api.url)


def test_forms_latest_with_flow_token(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]

    answer = deployment.get("/api/v1/Forms/Latest", token)

    assert answer.status_code == 200
    assert {"code", "version", "title", "formCode"} <= set(answer.json()[0])


def test_fgo_search_with_old_scope_name(deployment: Deployment) -> None:
    token = deployment.login(scope="openid FGOWS")["access_token"]

    answer = deployment.get(
        "/api/v1/Fgo/Product/Search", token, SearchString="*", Size=5
    )

    assert answer.status_code == 200
    assert len(answer.json()["items"]) == 5


def test_api_without_service_scope_is_403(deployment: Deployment) -> None:
    token = deployment.login(scope="openid profile")["access_token"]

    answer = deployment.get("/api/v1/Forms/Latest", token)

    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
    assert 'scope="' in answer.headers["WWW-Authenticate"]


def test_api_token_expired_on_idp_clock(deployment: Deployment) -> None:
    deployment.idp.state.clock.freeze()
    token = deployment.login()
    deployment.idp.state.clock.advance(token["expires_in"] - 1)
    assert deployment.get("/api/v1/Forms/Latest", token["access_token"]).ok

    deployment.idp.state.clock.advance(1)
    answer = deployment.get("/api/v1/Forms/Latest", token["access_token"])

    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_api_token_revoked_at_idp(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    revoked = requests.post(
        f"{deployment.idp.issuer}/revoke_token/",
        data={"token": token, "client_id": "test-client"},
        timeout=5,
    )
    assert revoked.status_code == 200

    answer = deployment.get("/api/v1/Forms/Latest", token)

    assert answer.status_code == 401


def test_api_rotated_access_token_rejected(deployment: Deployment) -> None:
    token = deployment.login()
    refreshed = requests.post(
        f"{deployment.idp.issuer}/token/",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": "test-client",
        },
        timeout=5,
    ).json()

    old = deployment.get("/api/v1/Forms/Latest", token["access_token"])
    new = deployment.get("/api/v1/Forms/Latest", refreshed["access_token"])

    assert old.status_code == 401
    assert new.status_code == 200


def test_api_missing_token_has_bare_challenge(deployment: Deployment) -> None:
    answer = deployment.get("/api/v1/Forms/Latest", None)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_report_pdf_from_flow_token(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    form = deployment.get("/api/v1/Forms/Latest", token).json()[0]

    answer = requests.post(
        f"{deployment.api_url}/api/v1/third-party-reports/generate_report_template/",
        json={"form_code": form["formCode"], "data": {}, "add_default_fields": True},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/pdf"},
        timeout=10,
    )

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages
    )
    assert form["title"] in text


def test_form_json_needs_user_permission(deployment: Deployment) -> None:
    body = {
        "form_json": {"display": "form", "title": "Eigen formulier", "components": []},
        "data": {},
        "add_default_fields": False,
    }
    path = "/api/v1/third-party-reports/generate_report_template/"
    results = {}
    for user in ("jan", "pieter"):
        token = deployment.login(user=user)["access_token"]
        results[user] = requests.post(
            f"{deployment.api_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    assert results["jan"].status_code == 200
    assert results["pieter"].status_code == 403
    assert 'error="insufficient_scope"' in results["pieter"].headers["WWW-Authenticate"]


REPORT_PATH = "/api/v1/third-party-reports/generate_report_template/"

#: One request to each API route, with the endpoint name that serves it.
API_ROUTES = [
    ("GET", "/api/v1/Forms/Latest", "api:forms:latest"),
    ("GET", "/api/v1/Forms/All", "api:forms:all"),
    ("GET", "/api/v1/Form/UNKNOWN/1/", "api:forms:detail"),
    ("GET", "/api/v1/Fgo/Product/Search?SearchString=*", "api:fgo:search"),
    ("GET", "/api/v1/Fgo/Product/Filters", "api:fgo:filters"),
    ("GET", "/api/v1/Fgo/Product/FiltersForField", "api:fgo:filters_for_field"),
    ("GET", "/api/v1/Fgo/Product/1", "api:fgo:product"),
    ("GET", "/api/v1/Fgo/Product/8712345000004/X", "api:fgo:product_by_manufacturer"),
    ("POST", REPORT_PATH, "api:reports:generate"),
    ("GET", "/swagger/v1/swagger.json", "api:swagger"),
]


def test_fault_on_forms_prefix_fires(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    queued = deployment.queue_failure(endpoint="api:forms", status=503, times=2)
    assert queued.status_code == 200

    latest = deployment.get("/api/v1/Forms/Latest", token)
    other_case = deployment.get("/API/V1/forms/latest", token)
    search = deployment.get(
        "/api/v1/Fgo/Product/Search", token, SearchString="*", Size=3, From=0
    )
    after = deployment.get("/api/v1/Forms/Latest", token)

    assert latest.status_code == 503
    assert other_case.status_code == 503
    assert search.status_code == 200
    assert after.status_code == 200


def test_fault_on_api_fires_on_every_route(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    queued = deployment.queue_failure(endpoint="api", status=502, times=len(API_ROUTES))
    assert queued.status_code == 200

    statuses = {}
    for method, path, name in API_ROUTES:
        answer = requests.request(
            method, f"{deployment.api_url}{path}", headers=headers, json={}, timeout=5
        )
        statuses[name] = answer.status_code

    assert statuses == {name: 502 for _, _, name in API_ROUTES}
    assert deployment.get("/api/v1/Forms/Latest", token).status_code == 200


def test_journal_names_every_api_route(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for method, path, _ in API_ROUTES:
        requests.request(
            method, f"{deployment.api_url}{path}", headers=headers, json={}, timeout=5
        )

    names = [entry["endpoint"] for entry in deployment.journal()]
    api_names = [name for name in names if name.startswith("api")]

    assert api_names == [name for _, _, name in API_ROUTES]


def test_journal_fgo_prefix_finds_search(deployment: Deployment) -> None:
    token = deployment.login()["access_token"]
    deployment.get("/api/v1/Forms/Latest", token)
    deployment.get("/api/v1/Fgo/Product/Search", token, SearchString="ketel")

    entries = deployment.journal(endpoint="api:fgo")

    assert [entry["endpoint"] for entry in entries] == ["api:fgo:search"]
    assert entries[0]["query"] == {"SearchString": "ketel"}


@pytest.mark.parametrize(
    ("fields", "field", "listed"),
    [
        ({"endpoint": "api:form", "status": 503}, "endpoint", "api:forms:latest"),
        ({"endpoint": "tokn", "status": 503}, "endpoint", "api:fgo:search"),
        (
            {"endpoint": "api", "error": "no_such_error"},
            "error",
            "temporarily_unavailable",
        ),
    ],
)
def test_unmatchable_failure_is_rejected(
    deployment: Deployment, fields: dict[str, Any], field: str, listed: str
) -> None:
    answer = deployment.queue_failure(**fields)

    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert listed in answer.json()["error_description"]
    assert requests.get(f"{deployment.api_url}/_mock/failures", timeout=5).json() == []


def test_path_failure_is_accepted_as_is(deployment: Deployment) -> None:
    answer = deployment.queue_failure(endpoint="/nowhere/*", status=503)

    assert answer.status_code == 200


@pytest.fixture
def apart() -> Iterator[Deployment]:
    for idp in serve(create_app(auto_approve=True)):
        for api in serve(create_api_service(idp.url)):
            yield Deployment(idp, api.url)


def test_api_service_reads_idp_clock(apart: Deployment) -> None:
    requests.post(f"{apart.idp.url}/_mock/clock/freeze", json={"at": 1_800_000_000})

    clock = requests.get(f"{apart.api_url}/_mock/clock", timeout=5).json()

    assert clock["frozen"] is True
    assert clock["now"] == 1_800_000_000


def test_api_service_failure_for_valid_token(apart: Deployment) -> None:
    token = apart.login()["access_token"]
    queued = requests.post(
        f"{apart.api_url}/_mock/failures",
        json={
            "endpoint": "/api/v1/Forms/*",
            "error": "invalid_token",
            "status": 401,
            "times": 1,
        },
        timeout=5,
    )
    assert queued.status_code == 200

    first = apart.get("/api/v1/Forms/Latest", token)
    second = apart.get("/api/v1/Forms/Latest", token)

    assert first.status_code == 401
    assert second.status_code == 200


def test_api_service_journal_names_user(apart: Deployment) -> None:
    token = apart.login(user="fatima")["access_token"]
    apart.get("/api/v1/Forms/Latest", token)

    entries = requests.get(f"{apart.api_url}/_mock/journal", timeout=5).json()

    assert [entry["status"] for entry in entries] == [200]
    assert entries[0]["sub"] == "1002"
    assert entries[0]["token_status"] == "active"
    assert token not in str(entries)


def test_api_service_rejects_idp_endpoint_failure(apart: Deployment) -> None:
    answer = apart.queue_failure(endpoint="token", status=503)

    assert answer.status_code == 400
    assert "'token' matches no route" in answer.json()["error_description"]


def test_api_service_control_has_no_idp_routes(apart: Deployment) -> None:
    document = requests.get(f"{apart.api_url}/_mock/openapi.json", timeout=5).json()
    answer = requests.post(f"{apart.api_url}/_mock/clock/freeze", json={}, timeout=5)

    assert "/_mock/failures" in document["paths"]
    assert "/_mock/clock/freeze" not in document["paths"]
    assert answer.status_code in (404, 405)


def test_api_service_journal_uses_idp_clock(apart: Deployment) -> None:
    token = apart.login()["access_token"]
    requests.post(f"{apart.idp.url}/_mock/clock/freeze", json={"at": 1_800_000_000})
    apart.get("/api/v1/Forms/Latest", token)
    requests.post(f"{apart.idp.url}/_mock/clock/advance", json={"seconds": 60})
    apart.get("/api/v1/Forms/Latest", token)

    entries = requests.get(f"{apart.api_url}/_mock/journal", timeout=5).json()

    assert [entry["started"] for entry in entries] == [1_800_000_000, 1_800_000_060]
    assert [entry["ended"] for entry in entries] == [1_800_000_000, 1_800_000_060]
