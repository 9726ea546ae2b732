"""Refresh-family rules with authlib's client: rotation, grace, reuse, races."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from authlib.integrations.base_client.errors import OAuthError

from .conftest import LiveServer
from .toolkit_support import authorize
from .toolkit_support import controller
from .toolkit_support import login
from .toolkit_support import new_session

START = 1_900_000_000
THREADS = 10


def test_rotated_refresh_token_reuse_is_rejected(live_idp: LiveServer) -> None:
    client = login(live_idp)
    first = client.token["refresh_token"]
    client.refresh()

    with pytest.raises(OAuthError, match="invalid_grant"):
        client.refresh(refresh_token=first)

    # Without reuse detection the newest pair keeps working.
    assert client.userinfo().status_code == 200
    client.refresh()


@pytest.mark.parametrize(
    "idp_settings", [{"auto_approve": True, "refresh_reuse_detection": True}]
)
def test_reuse_detection_revokes_the_family(live_idp: LiveServer) -> None:
    client = login(live_idp)
    first = client.token["refresh_token"]
    client.refresh()
    newest = client.token

    with pytest.raises(OAuthError, match="invalid_grant"):
        client.refresh(refresh_token=first)

    assert client.userinfo().status_code == 401
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.refresh(refresh_token=newest["refresh_token"])


def test_reuse_detection_leaves_other_families_alone(live_idp: LiveServer) -> None:
    controller(live_idp).configure(refresh_reuse_detection=True)
    victim = login(live_idp)
    bystander = login(live_idp)
    first = victim.token["refresh_token"]
    victim.refresh()

    with pytest.raises(OAuthError):
        victim.refresh(refresh_token=first)

    assert bystander.userinfo().status_code == 200


def test_grace_period_returns_the_same_pair(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    control.configure(refresh_grace_seconds=30)
    client = login(live_idp)
    first = client.token["refresh_token"]

    issued = client.refresh()
    control.advance(29)
    retried = client.refresh(refresh_token=first)

    assert retried["access_token"] == issued["access_token"]
    assert retried["refresh_token"] == issued["refresh_token"]
    assert retried["id_token"] == issued["id_token"]
    control.advance(1)
    with pytest.raises(OAuthError, match="invalid_grant"):
        client.refresh(refresh_token=first)


def test_rotation_off_keeps_the_refresh_token(live_idp: LiveServer) -> None:
    controller(live_idp).configure(refresh_rotation=False)
    client = login(live_idp)
    refresh_token = client.token["refresh_token"]
    first_access = client.token["access_token"]

    second = client.refresh()
    third = client.refresh(refresh_token=refresh_token)

    assert second["refresh_token"] == refresh_token
    assert third["refresh_token"] == refresh_token
    assert third["access_token"] not in (first_access, second["access_token"])
    assert client.userinfo().status_code == 200


def run_together(call: Any) -> list[tuple[float, float, Any]]:
    """Run ``call`` in THREADS threads released at once; time each call."""
    barrier = threading.Barrier(THREADS)
    results: list[tuple[float, float, Any]] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        started = time.perf_counter()
        outcome = call()
        ended = time.perf_counter()
        with lock:
            results.append((started, ended, outcome))

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def assert_overlapped(results: list[tuple[float, float, Any]]) -> None:
    # Every call started before any call ended: all were in flight together.
    assert max(started for started, _, _ in results) < min(
        ended for _, ended, _ in results
    )


def test_concurrent_refreshes_exactly_one_wins(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    refresh_token = client.token["refresh_token"]
    control.queue_failure(
        "token", grant_type="refresh_token", latency=0.5, times=THREADS
    )

    def refresh() -> tuple[int, str | None]:
        session = new_session(live_idp)
        response = session.post(
            client.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": "test-client",
            },
            withhold_token=True,
        )
        return response.status_code, response.json().get("error")

    results = run_together(refresh)

    assert_overlapped(results)
    outcomes = sorted(outcome for _, _, outcome in results)
    assert outcomes == [(200, None)] + [(400, "invalid_grant")] * (THREADS - 1)
    assert control.request_journal.count(endpoint="token", status=500) == 0


def test_concurrent_code_redemption_exactly_one_wins(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    session = new_session(live_idp)
    callback, _, verifier = authorize(live_idp, session)
    code = callback.split("code=")[1].split("&")[0]
    control.queue_failure(
        "token", grant_type="authorization_code", latency=0.5, times=THREADS
    )

    def redeem() -> tuple[int, str | None]:
        response = new_session(live_idp).post(
            f"{live_idp.issuer}/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": "http://localhost:8000/oauth-callback/",
                "client_id": "test-client",
            },
            withhold_token=True,
        )
        return response.status_code, response.json().get("error")

    results = run_together(redeem)

    assert_overlapped(results)
    outcomes = sorted(outcome for _, _, outcome in results)
    assert outcomes == [(200, None)] + [(400, "invalid_grant")] * (THREADS - 1)
