"""One set of client scenarios, run through every transport of the plugin."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests

from pytest_plugin.handles import ApiInfo
from pytest_plugin.handles import Clock
from pytest_plugin.handles import Faults
from pytest_plugin.handles import IdpInfo
from pytest_plugin.handles import Journal
from pytest_plugin.handles import LoginError
from pytest_plugin.handles import TokenSet
from pytest_plugin.mock import TnMock

TRANSPORTS = ["live", "intercept", "external"]


@pytest.fixture(params=TRANSPORTS)
def tn_transport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def tn_mock_url(request: pytest.FixtureRequest, tn_transport: str) -> str | None:
    # Each xdist worker starts its own server, so no instance is shared.
    if tn_transport != "external":
        return None
    url: str = request.getfixturevalue("external_tn_mock_url")
    return url


def test_login_and_userinfo(tn_mock: TnMock, tn_idp: IdpInfo) -> None:
    tokens = tn_mock.login(nonce="n-1")

    claims = requests.get(
        tn_idp.userinfo_endpoint, headers=tokens.authorization, timeout=5
    ).json()

    assert tokens.expires_in == 36000
    assert tokens.id_token is not None
    assert claims["sub"] == "1001"
    assert claims["livits_id"] == "10012345"
    assert claims["companies"] == ["Installatiebedrijf De Vries B.V."]


def test_issuer_matches_transport(tn_mock: TnMock, tn_transport: str) -> None:
    discovery = requests.get(tn_mock.idp.discovery_url, timeout=5).json()

    assert discovery["issuer"] == tn_mock.idp.issuer
    assert discovery["token_endpoint"] == tn_mock.idp.token_endpoint
    if tn_transport == "intercept":
        assert tn_mock.idp.issuer == "https://inlog.tnl.nu/o"
    if tn_transport == "external":
        assert tn_mock.app is None


def test_minted_id_token_names_transport_issuer(
    tn_mint: Callable[..., TokenSet], tn_idp: IdpInfo
) -> None:
    tokens = tn_mint(scopes="openid profile")
    assert tokens.id_token is not None

    claims = decode_unverified(tokens.id_token)

    assert claims["iss"] == tn_idp.issuer
    assert claims["aud"] == "test-client"


@pytest.mark.tn_mock(user="fatima")
def test_marker_user_is_auto_approved_without_hint(
    tn_mock: TnMock, tn_idp: IdpInfo
) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    authorize = requests.get(
        tn_idp.authorization_endpoint,
        params={
            "response_type": "code",
            "client_id": tn_idp.client_id,
            "redirect_uri": tn_idp.redirect_uri,
            "scope": "openid",
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=5,
    )
    code = parse_qs(urlsplit(authorize.headers["Location"]).query)["code"][0]
    exchange = requests.post(
        tn_idp.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": tn_idp.redirect_uri,
            "code_verifier": verifier,
            "client_id": tn_idp.client_id,
        },
        timeout=5,
    )

    claims = decode_unverified(exchange.json()["id_token"])

    assert claims["sub"] == "1002"


def test_refresh_rotates_refresh_token(tn_mock: TnMock) -> None:
    first = tn_mock.login()
    assert first.refresh_token is not None

    second = tn_mock.refresh(first.refresh_token)

    assert second.refresh_token != first.refresh_token
    with pytest.raises(LoginError, match="invalid_grant"):
        tn_mock.refresh(first.refresh_token)
    assert tn_mock.userinfo(second.access_token)["sub"] == "1001"


@pytest.mark.tn_mock(refresh_rotation=False)
def test_refresh_without_rotation_keeps_token(tn_mock: TnMock) -> None:
    first = tn_mock.login()
    assert first.refresh_token is not None

    second = tn_mock.refresh(first.refresh_token)

    assert second.refresh_token in (None, first.refresh_token)
    tn_mock.refresh(first.refresh_token)


def test_expiry_through_clock(
    tn_mock: TnMock, tn_clock: Clock, tn_api: ApiInfo
) -> None:
    # Frozen before the login, because the IDP stamps tokens in whole
    # seconds: a clock frozen later may have spent part of the first one.
    tn_clock.freeze()
    tokens = tn_mock.login()
    forms = tn_api.forms_url + "/api/v1/Forms/Latest"

    tn_clock.advance(35999)
    before = requests.get(forms, headers=tokens.authorization, timeout=5)
    tn_clock.advance(1)
    after = requests.get(forms, headers=tokens.authorization, timeout=5)

    assert before.status_code == 200
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]


def test_api_call_with_token(tn_mock: TnMock, tn_api: ApiInfo) -> None:
    tokens = tn_mock.login(scopes="openid FGOWebs")

    search = requests.get(
        tn_api.fgo_url + "/api/v1/Fgo/Product/Search",
        params={"SearchString": "*", "Size": 3, "From": 0},
        headers=tokens.authorization,
        timeout=5,
    )

    assert search.status_code == 200
    assert len(search.json()["items"]) == 3


@pytest.mark.tn_mock(scopes="openid profile")
def test_api_rejects_insufficient_scope(tn_tokens: TokenSet, tn_api: ApiInfo) -> None:
    answer = requests.get(
        tn_api.forms_url + "/api/v1/Forms/Latest",
        headers=tn_tokens.authorization,
        timeout=5,
    )

    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]


def test_injected_outage(
    tn_mock: TnMock, tn_faults: Faults, tn_journal: Journal
) -> None:
    tn_faults.outage("/o/token/", retry_after=30)

    with pytest.raises(LoginError, match="HTTP 503 temporarily_unavailable"):
        tn_mock.login()
    tokens = tn_mock.login()

    assert tokens.access_token
    assert tn_faults.pending() == []
    assert tn_journal.count(endpoint="token", status=503) == 1
    assert tn_journal.count(endpoint="token", status=200) == 1


def test_queued_error_on_api(
    tn_faults: Faults, tn_tokens: TokenSet, tn_api: ApiInfo
) -> None:
    tn_faults.fail("/api/v1/Forms/*", error="invalid_token", times=2)
    forms = tn_api.forms_url + "/api/v1/Forms/Latest"

    answers = [
        requests.get(forms, headers=tn_tokens.authorization, timeout=5)
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 200]
    assert 'error="invalid_token"' in answers[0].headers["WWW-Authenticate"]


def test_fault_by_service_name_on_api(
    tn_faults: Faults, tn_journal: Journal, tn_tokens: TokenSet, tn_api: ApiInfo
) -> None:
    tn_faults.fail("api:forms", status=503)
    forms = tn_api.forms_url + "/api/v1/Forms/Latest"

    failed = requests.get(forms, headers=tn_tokens.authorization, timeout=5)
    served = requests.get(forms, headers=tn_tokens.authorization, timeout=5)

    assert failed.status_code == 503
    assert served.status_code == 200
    tn_faults.assert_all_fired()
    entries = tn_journal.entries(endpoint="api:forms")
    assert [entry["endpoint"] for entry in entries] == ["api:forms:latest"] * 2


def test_fault_with_unknown_names_rejected(tn_faults: Faults) -> None:
    with pytest.raises(ValueError, match="Did you mean 'token'"):
        tn_faults.fail("tokn", status=503)
    with pytest.raises(ValueError, match="'no_such_error' is not a known error"):
        tn_faults.fail("token", error="no_such_error")

    assert tn_faults.pending() == []


def test_assert_all_fired_lists_unfired(tn_mock: TnMock, tn_faults: Faults) -> None:
    tn_faults.fail("token", error="invalid_grant", call=2)
    tn_mock.login()

    with pytest.raises(AssertionError, match="'token': sent 0 of 1 times, 1 match"):
        tn_faults.assert_all_fired()


def test_login_error_carries_oauth_fields(tn_mock: TnMock, tn_faults: Faults) -> None:
    tn_faults.outage("/o/token/", retry_after=30)

    with pytest.raises(LoginError) as caught:
        tn_mock.login()

    assert caught.value.error == "temporarily_unavailable"
    assert caught.value.error_description == "Failure queued in the mock."
    assert caught.value.status == 503
    assert caught.value.retry_after == 30


def test_login_error_from_refresh(tn_mock: TnMock) -> None:
    tokens = tn_mock.login()
    assert tokens.refresh_token is not None
    tn_mock.refresh(tokens.refresh_token)

    with pytest.raises(LoginError) as caught:
        tn_mock.refresh(tokens.refresh_token)

    assert caught.value.error == "invalid_grant"
    assert caught.value.status == 400
    assert caught.value.retry_after is None


def test_login_error_from_userinfo(tn_mock: TnMock, tn_faults: Faults) -> None:
    tokens = tn_mock.login()
    tn_faults.fail("userinfo", error="invalid_token", error_description="gone")

    with pytest.raises(LoginError) as caught:
        tn_mock.userinfo(tokens.access_token)

    assert caught.value.error == "invalid_token"
    assert caught.value.error_description == "gone"
    assert caught.value.status == 401


def test_login_error_from_authorize(tn_mock: TnMock) -> None:
    with pytest.raises(LoginError) as caught:
        tn_mock.login(user="nobody")

    assert caught.value.error == "access_denied"
    assert caught.value.error_description is not None
    assert "jan" in caught.value.error_description
    assert caught.value.status == 302


def test_journal_records_code_exchange(tn_mock: TnMock, tn_journal: Journal) -> None:
    tokens = tn_mock.login()
    assert tokens.refresh_token is not None
    tn_mock.refresh(tokens.refresh_token)

    exchanges = tn_journal.entries(path="/o/token/", method="POST")

    assert [e["form"]["grant_type"] for e in exchanges] == [
        "authorization_code",
        "refresh_token",
    ]
    assert "code_verifier" in exchanges[0]["form"]
    assert exchanges[1]["form"]["refresh_token"] == tn_journal.redact(
        tokens.refresh_token
    )


def decode_unverified(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims
