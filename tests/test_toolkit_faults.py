"""Scripted failures against the live server, seen through real clients."""

from __future__ import annotations

import time

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError

from mock_idp.faults import ERROR_STATUS
from mock_idp.faults import matches_endpoint

from .conftest import LiveServer
from .toolkit_support import controller
from .toolkit_support import login


def test_second_refresh_fails_with_invalid_grant(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    control.queue_failure(
        "token", grant_type="refresh_token", call=2, error="invalid_grant"
    )

    client.refresh()
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.refresh()
    client.refresh()

    assert control.failures() == []


def test_token_endpoint_503_twice_then_works(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    control.queue_failure("token", status=503, retry_after=2, times=2)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": client.token["refresh_token"],
        "client_id": "test-client",
    }

    answers = [requests.post(client.token_url, data=form, timeout=5) for _ in range(3)]

    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].headers["Retry-After"] == "2"
    assert answers[1].headers["Retry-After"] == "2"


def test_jwks_latency_is_applied(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.queue_failure("jwks", latency=0.4)
    url = f"{live_idp.issuer}/.well-known/jwks.json"

    started = time.perf_counter()
    slow = requests.get(url, timeout=5)
    slow_seconds = time.perf_counter() - started
    started = time.perf_counter()
    requests.get(url, timeout=5)
    fast_seconds = time.perf_counter() - started

    assert slow.status_code == 200
    assert slow_seconds >= 0.4
    assert fast_seconds < 0.4
    assert control.request_journal.entries(endpoint="jwks")[0].duration >= 0.4


def test_invalid_token_once_for_a_valid_token(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    control.queue_failure("userinfo", error="invalid_token")

    rejected = client.userinfo()
    accepted = client.userinfo()

    assert rejected.status_code == 401
    assert 'error="invalid_token"' in rejected.headers["WWW-Authenticate"]
    assert accepted.status_code == 200
    assert control.request_journal.entries(endpoint="userinfo")[0].token_status == (
        "active"
    )


def test_dropped_connection_sends_no_answer(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.queue_failure("/o/.well-known/*", drop=True)
    url = f"{live_idp.issuer}/.well-known/openid-configuration/"

    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)

    assert requests.get(url, timeout=5).status_code == 200
    assert control.request_journal.entries(endpoint="discovery")[0].dropped


def test_error_with_explicit_status_and_body(live_idp: LiveServer) -> None:
    controller(live_idp).queue_failure(
        "/o/userinfo/", status=502, body="<html>Bad gateway</html>"
    )

    answer = requests.get(f"{live_idp.issuer}/userinfo/", timeout=5)

    assert answer.status_code == 502
    assert answer.text == "<html>Bad gateway</html>"
    assert answer.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("pattern", "name", "path", "expected"),
    [
        ("token", "token", "/o/token/", True),
        ("token", "userinfo", "/o/userinfo/", False),
        ("api:forms", "api:forms:latest", "/api/v1/Forms/Latest", True),
        ("api", "api:fgo:search", "/api/v1/Fgo/Product/Search", True),
        ("api:forms", "api:fgo:search", "/api/v1/Fgo/Product/Search", False),
        ("api:form", "api:forms:latest", "/api/v1/Forms/Latest", False),
        ("api:*", "api:fgo:search", "/x", True),
        ("/api/v1/forms/*", "", "/api/v1/Forms/Latest", True),
        ("/o/token/", "token", "/o/token/", True),
    ],
)
def test_endpoint_matcher(pattern: str, name: str, path: str, expected: bool) -> None:
    assert matches_endpoint(pattern, name, path) is expected


def test_queue_rejects_a_fault_that_does_nothing(live_idp: LiveServer) -> None:
    from mock_idp.control import ControlError

    with pytest.raises(ControlError, match="does nothing") as caught:
        controller(live_idp).queue_failure("token")
    assert caught.value.field == "error"


@pytest.mark.parametrize(
    ("endpoint", "hint"),
    [
        ("tokn", "Did you mean 'token'?"),
        ("api:forms", "Give one of authorize, discovery"),
        ("userinfo:x", "Did you mean 'userinfo'?"),
    ],
)
def test_queue_rejects_an_endpoint_without_route(
    live_idp: LiveServer, endpoint: str, hint: str
) -> None:
    from mock_idp.control import ControlError

    control = controller(live_idp)

    with pytest.raises(ControlError, match="matches no route") as caught:
        control.queue_failure(endpoint, status=503)

    assert caught.value.field == "endpoint"
    assert hint in str(caught.value)
    assert control.failures() == []


@pytest.mark.parametrize("endpoint", ["token", "*info", "/o/tokn/", "/nowhere/*"])
def test_queue_accepts_names_patterns_and_paths(
    live_idp: LiveServer, endpoint: str
) -> None:
    fault = controller(live_idp).queue_failure(endpoint, status=503)

    assert fault["endpoint"] == endpoint


def test_queue_rejects_an_unknown_error_code(live_idp: LiveServer) -> None:
    from mock_idp.control import ControlError

    with pytest.raises(ControlError, match="'no_such_error' is not a known") as caught:
        controller(live_idp).queue_failure("token", error="no_such_error")

    assert caught.value.field == "error"
    assert "consent_required" in str(caught.value)


@pytest.mark.parametrize("error", sorted(ERROR_STATUS))
def test_every_known_error_code_is_sent(live_idp: LiveServer, error: str) -> None:
    controller(live_idp).queue_failure("jwks", error=error)

    answer = requests.get(f"{live_idp.issuer}/.well-known/jwks.json", timeout=5)

    assert answer.status_code == ERROR_STATUS[error]
    assert answer.json()["error"] == error
