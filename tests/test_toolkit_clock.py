"""One clock: every expiry decision and time stamp follows the mock clock."""

from __future__ import annotations

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import LiveServer
from .toolkit_support import authorize
from .toolkit_support import controller
from .toolkit_support import login
from .toolkit_support import new_session

START = 1_900_000_000


def introspect(live: LiveServer, token: str) -> dict:
    response = requests.post(
        f"{live.issuer}/introspect/",
        data={"token": token},
        auth=("forms-api", "forms-api-secret"),
        timeout=5,
    )
    assert response.status_code == 200
    return response.json()


def test_access_token_expires_at_exact_exp_second(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    client = login(live_idp)
    access_token = client.token["access_token"]

    control.advance(36000 - 1)
    assert client.userinfo().status_code == 200
    assert introspect(live_idp, access_token)["exp"] == START + 36000

    control.advance(1)
    expired = client.userinfo()
    assert expired.status_code == 401
    assert "expired" in expired.json()["error_description"]
    assert introspect(live_idp, access_token) == {"active": False}


def test_code_expires_on_the_mock_clock(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    session = new_session(live_idp)
    callback, state, verifier = authorize(live_idp, session)

    control.advance(60)
    with pytest.raises(Exception, match="invalid_grant"):
        session.fetch_token(
            f"{live_idp.issuer}/token/",
            authorization_response=callback,
            code_verifier=verifier,
            state=state,
        )


def test_id_token_times_follow_clock_and_skew(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    control.skew(120)
    client = login(live_idp)

    jwks = requests.get(client.jwks_url, timeout=5).json()
    claims = jwt.decode(client.token["id_token"], KeySet.import_key_set(jwks)).claims
    assert claims["iat"] == START + 120
    assert claims["exp"] == START + 120 + 36000
    assert claims["auth_time"] == START + 120
    assert introspect(live_idp, client.token["access_token"])["iat"] == START + 120


def test_negative_skew_issues_tokens_already_expired(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    control.set_lifetimes(access_token=600)
    control.skew(-600)
    client = login(live_idp)

    # Stamped on the IDP's clock, judged on the APIs' clock; authlib judges
    # expires_in on its own clock (with 60 s leeway), so it still sends it.
    assert client.token["expires_in"] == 600
    assert client.userinfo().status_code == 401


def test_expiry_in_the_middle_of_a_sequence(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    client = login(live_idp)

    statuses = []
    for step in range(4):
        if step == 2:
            control.advance(36000)
        statuses.append(client.userinfo().status_code)
    client.refresh()
    statuses.append(client.userinfo().status_code)

    assert statuses == [200, 200, 401, 401, 200]
    assert (
        control.request_journal.count(endpoint="userinfo", token_status="expired") == 2
    )


def test_refresh_before_expiry_keeps_calls_working(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    client = login(live_idp)
    old_access_token = client.token["access_token"]

    control.advance(36000 - 30)
    client.refresh()

    assert client.userinfo().status_code == 200
    assert introspect(live_idp, old_access_token) == {"active": False}
    control.advance(30)
    assert client.userinfo().status_code == 200


def test_lifetimes_per_process_client_and_run_time(
    live_idp: LiveServer,
) -> None:
    control = controller(live_idp)
    control.set_lifetimes(access_token=300)
    assert login(live_idp).token["expires_in"] == 300

    control.set_lifetimes(client_id="test-client", access_token=120)
    assert login(live_idp).token["expires_in"] == 120
    assert control.lifetimes()["clients"]["test-client"]["access_token"] == 120

    control.reset()
    assert login(live_idp).token["expires_in"] == 36000


@pytest.mark.parametrize(
    "idp_settings", [{"auto_approve": True, "lifetimes": {"access_token": 900}}]
)
def test_lifetimes_from_process_config(live_idp: LiveServer) -> None:
    assert login(live_idp).token["expires_in"] == 900
