"""The code flow with requests-oauthlib's OAuth2Session against the live IDP."""

from __future__ import annotations

import pytest
import requests
from oauthlib.oauth2.rfc6749.errors import InvalidClientError
from requests_oauthlib import OAuth2Session

from .conftest import LiveServer
from .flows import REDIRECT_URI
from .flows import TIMEOUT


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib rejects http:// URLs unless OAUTHLIB_INSECURE_TRANSPORT is set.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def authorize(live_idp: LiveServer) -> tuple[OAuth2Session, str]:
    """Run the authorize step; return the session and the callback URL."""
    session = OAuth2Session(
        "test-client",
        redirect_uri=REDIRECT_URI,
        scope=["openid", "profile", "TNForm"],
        pkce="S256",
    )
    url, _ = session.authorization_url(f"{live_idp.issuer}/authorize/")
    answer = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 302
    return session, answer.headers["Location"]


def test_fetch_token_with_client_id_succeeds(live_idp: LiveServer) -> None:
    session, callback = authorize(live_idp)

    token = session.fetch_token(
        f"{live_idp.issuer}/token/",
        authorization_response=callback,
        include_client_id=True,
    )

    assert token["token_type"] == "Bearer"
    assert token["scope"] == ["openid", "profile", "TNForm"]
    assert "id_token" in token


def test_fetch_token_session_calls_userinfo(live_idp: LiveServer) -> None:
    session, callback = authorize(live_idp)
    session.fetch_token(
        f"{live_idp.issuer}/token/",
        authorization_response=callback,
        include_client_id=True,
    )

    claims = session.get(f"{live_idp.issuer}/userinfo/").json()

    assert claims["livits_id"] == "10012345"


def test_fetch_token_refreshes(live_idp: LiveServer) -> None:
    session, callback = authorize(live_idp)
    first = session.fetch_token(
        f"{live_idp.issuer}/token/",
        authorization_response=callback,
        include_client_id=True,
    )

    second = session.refresh_token(
        f"{live_idp.issuer}/token/", client_id="test-client", include_client_id=True
    )

    assert second["refresh_token"] != first["refresh_token"]


def test_fetch_token_default_call_rejected(live_idp: LiveServer) -> None:
    session, callback = authorize(live_idp)

    with pytest.raises(InvalidClientError) as raised:
        session.fetch_token(
            f"{live_idp.issuer}/token/", authorization_response=callback
        )

    assert raised.value.status_code == 401
    assert "include_client_id=True" in raised.value.description


def test_fetch_token_default_call_status(live_idp: LiveServer) -> None:
    session, callback = authorize(live_idp)
    sent: list[requests.Response] = []
    session.register_compliance_hook(
        "access_token_response", lambda response: sent.append(response) or response
    )

    with pytest.raises(InvalidClientError):
        session.fetch_token(
            f"{live_idp.issuer}/token/", authorization_response=callback
        )

    assert sent[0].status_code == 401
    assert sent[0].headers["WWW-Authenticate"].startswith("Basic")
    assert sent[0].json()["error"] == "invalid_client"
    assert sent[0].request.headers["Authorization"].startswith("Basic ")
