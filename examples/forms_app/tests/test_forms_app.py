"""The example app against the mock, through the plugin's fixtures only."""

from __future__ import annotations

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forms_app.app import create_app
from pytest_plugin.handles import ApiInfo
from pytest_plugin.handles import Clock
from pytest_plugin.handles import Faults
from pytest_plugin.handles import IdpInfo
from pytest_plugin.handles import Journal
from pytest_plugin.handles import Users


@pytest.fixture
def app(tn_idp: IdpInfo, tn_api: ApiInfo) -> Flask:
    return create_app(
        issuer=tn_idp.issuer,
        forms_url=tn_api.forms_url,
        fgo_url=tn_api.fgo_url,
        reports_url=tn_api.reports_url,
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient) -> TestResponse:
    """Follow /login through the IDP and back to the callback, as a browser."""
    start = client.get("/login")
    assert start.status_code == 302
    idp_answer = requests.get(start.location, allow_redirects=False, timeout=5)
    assert idp_answer.status_code == 302, idp_answer.text
    callback = idp_answer.headers["Location"]
    assert callback.startswith("http://localhost:8000/oauth-callback/?")
    return client.get(callback.removeprefix("http://localhost:8000"))


def test_login_lists_forms_searches_and_reports(client: FlaskClient) -> None:
    logged_in = log_in(client)

    forms = client.get("/forms")
    products = client.get("/products?q=*")
    code = forms.json[0]["code"]
    report = client.post(f"/reports/{code}", json={})

    assert logged_in.json == {"user": "Jan de Vries", "sub": "1001"}
    assert forms.status_code == 200
    assert products.json["total"] > 0
    assert report.status_code == 200
    assert report.data.startswith(b"%PDF")


def test_token_expiry_between_calls_refreshes_once(
    client: FlaskClient, tn_clock: Clock, tn_journal: Journal
) -> None:
    log_in(client)
    assert client.get("/forms").status_code == 200

    tn_clock.freeze()
    tn_clock.advance(36000)
    second = client.get("/forms")

    assert second.status_code == 200
    assert tn_journal.count(path="/api/v1/Forms/Latest", status=401) == 1
    refreshes = [
        e
        for e in tn_journal.entries(path="/o/token/")
        if e["form"]["grant_type"] == "refresh_token"
    ]
    assert len(refreshes) == 1


def test_token_expiry_seen_locally_with_synced_clock(
    client: FlaskClient, tn_clock: Clock, tn_journal: Journal
) -> None:
    log_in(client)

    tn_clock.freeze(sync_local=True)
    tn_clock.advance(36001)
    answer = client.get("/forms")

    # The app saw the expiry on its own clock and refreshed before calling.
    assert answer.status_code == 200
    assert tn_journal.count(path="/api/v1/Forms/Latest", status=401) == 0


def test_rotated_refresh_token_is_used_next_time(
    client: FlaskClient, tn_clock: Clock, tn_journal: Journal
) -> None:
    log_in(client)
    tn_clock.freeze()

    tn_clock.advance(36000)
    first = client.get("/forms")
    tn_clock.advance(36000)
    second = client.get("/forms")

    sent = [
        e["form"]["refresh_token"]
        for e in tn_journal.entries(path="/o/token/")
        if e["form"]["grant_type"] == "refresh_token"
    ]
    statuses = [
        e["status"]
        for e in tn_journal.entries(path="/o/token/")
        if e["form"]["grant_type"] == "refresh_token"
    ]
    assert first.status_code == 200
    assert second.status_code == 200
    assert len(sent) == 2
    assert sent[0] != sent[1]
    assert statuses == [200, 200]


def test_failed_refresh_forces_new_login(
    client: FlaskClient, tn_users: Users, tn_clock: Clock
) -> None:
    log_in(client)
    tn_users.revoke_tokens("1001")

    answer = client.get("/forms")

    assert answer.status_code == 302
    assert answer.location == "/login"


def test_idp_outage_returns_retry_after(client: FlaskClient, tn_faults: Faults) -> None:
    tn_faults.outage("/o/token/", retry_after=30)

    answer = log_in(client)

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"


def test_clock_skew_beyond_leeway_rejects_login(
    client: FlaskClient, tn_clock: Clock
) -> None:
    tn_clock.skew(600)

    answer = log_in(client)

    assert answer.status_code == 400
    assert b"issued in the future" in answer.data


def test_clock_skew_within_leeway_is_accepted(
    client: FlaskClient, tn_clock: Clock
) -> None:
    tn_clock.skew(60)

    answer = log_in(client)

    assert answer.status_code == 200


def test_insufficient_scope_is_reported(tn_idp: IdpInfo, tn_api: ApiInfo) -> None:
    app = create_app(
        issuer=tn_idp.issuer,
        fgo_url=tn_api.fgo_url,
        scope="openid profile TNForm",
    )
    client = app.test_client()
    log_in(client)

    answer = client.get("/products")

    assert answer.status_code == 403
    assert answer.json["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in answer.json["challenge"]
