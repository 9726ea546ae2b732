"""One set of client scenarios, run through every transport of the plugin."""

from __future__ import annotations

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

# NOTE: "external" joins this list when mock_idp.control_client exists,
# because driving a separate process needs its /_mock/ control API.
TRANSPORTS = ["live", "intercept"]


@pytest.fixture(params=TRANSPORTS)
def tn_transport(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


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
    tokens = tn_mock.login()
    tn_clock.freeze()
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


def test_injected_outage(tn_mock: TnMock, tn_faults: Faults) -> None:
    tn_faults.outage("/o/token/", retry_after=30)

    with pytest.raises(LoginError, match="HTTP 503 temporarily_unavailable"):
        tn_mock.login()
    tokens = tn_mock.login()

    assert tokens.access_token


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
