"""Helpers for the toolkit tests: a logged-in authlib client and endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session

from mock_idp.app import get_controller
from mock_idp.control import Controller

from .conftest import LiveServer

REDIRECT_URI = "http://localhost:8000/oauth-callback/"
SCOPE = "openid profile TNForm"


@dataclass
class Client:
    """An authlib session that completed the code flow, and where it talks."""

    session: OAuth2Session
    live: LiveServer

    @property
    def token(self) -> dict[str, Any]:
        return dict(self.session.token)

    @property
    def token_url(self) -> str:
        return f"{self.live.issuer}/token/"

    @property
    def userinfo_url(self) -> str:
        return f"{self.live.issuer}/userinfo/"

    @property
    def jwks_url(self) -> str:
        return f"{self.live.issuer}/.well-known/jwks.json"

    def refresh(self, refresh_token: str | None = None) -> dict[str, Any]:
        token = self.session.refresh_token(
            self.token_url, refresh_token=refresh_token or self.token["refresh_token"]
        )
        return dict(token)

    def userinfo(self) -> requests.Response:
        # authlib judges expiry on the test's real clock, which the mock's
        # clock leaves behind, so it sends the token as a real app would.
        response: requests.Response = self.session.get(self.userinfo_url)
        return response


def new_session(live: LiveServer) -> OAuth2Session:
    return OAuth2Session(
        "test-client",
        redirect_uri=REDIRECT_URI,
        scope=SCOPE,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )


def authorize(live: LiveServer, session: OAuth2Session) -> tuple[str, str, str]:
    """Run the authorize step; return the callback URL, state and verifier."""
    verifier = "v" * 64
    uri, state = session.create_authorization_url(
        f"{live.issuer}/authorize/", code_verifier=verifier, nonce="n-1"
    )
    answer = requests.get(uri, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"], state, verifier


def login(live: LiveServer) -> Client:
    session = new_session(live)
    callback, state, verifier = authorize(live, session)
    session.fetch_token(
        f"{live.issuer}/token/",
        authorization_response=callback,
        code_verifier=verifier,
        state=state,
    )
    return Client(session=session, live=live)


def controller(live: LiveServer) -> Controller:
    return get_controller(live.app)
