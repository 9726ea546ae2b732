"""Helpers that drive the live IDP over HTTP with plain ``requests`` calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests

from .conftest import LiveServer
from .conftest import make_pkce_pair

CLIENT_ID = "test-client"
REDIRECT_URI = "http://localhost:8000/oauth-callback/"
API_CLIENT = ("forms-api", "forms-api-secret")
TIMEOUT = 5


def redirect_params(response: requests.Response) -> dict[str, str]:
    """Return the query and fragment parameters of a redirect's Location."""
    location = urlsplit(response.headers["Location"])
    params = parse_qs(location.query, keep_blank_values=True)
    params.update(parse_qs(location.fragment, keep_blank_values=True))
    return {name: values[0] for name, values in params.items()}


@dataclass
class Flow:
    """One client's view of a live IDP: authorize, exchange, call endpoints."""

    idp: LiveServer
    client_id: str = CLIENT_ID
    redirect_uri: str = REDIRECT_URI

    def url(self, endpoint: str) -> str:
        return f"{self.idp.issuer}/{endpoint}"

    def authorize(
        self, params: dict[str, Any] | list[tuple[str, str]], **kwargs: Any
    ) -> requests.Response:
        return requests.get(
            self.url("authorize/"),
            params=params,
            allow_redirects=False,
            timeout=TIMEOUT,
            **kwargs,
        )

    def authorize_params(self, challenge: str, **changes: Any) -> dict[str, Any]:
        """Return a valid authorize query; a change to ``None`` drops the name."""
        params: dict[str, Any] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile TNForm",
            "state": "state-1",
            "nonce": "nonce-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(changes)
        return {name: value for name, value in params.items() if value is not None}

    def issue_code(self, **changes: Any) -> tuple[str, str]:
        """Run the authorize step; return the code and its PKCE verifier."""
        verifier, challenge = make_pkce_pair()
        response = self.authorize(self.authorize_params(challenge, **changes))
        assert response.status_code == 302, response.text
        params = redirect_params(response)
        assert "code" in params, params
        return params["code"], verifier

    def token(self, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        return requests.post(self.url("token/"), data=data, timeout=TIMEOUT, **kwargs)

    def exchange_data(
        self, code: str, verifier: str, /, **changes: Any
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
            "client_id": self.client_id,
        }
        data.update(changes)
        return {name: value for name, value in data.items() if value is not None}

    def issue_tokens(self, **changes: Any) -> dict[str, Any]:
        """Run authorize and code exchange; return the token response."""
        code, verifier = self.issue_code(**changes)
        response = self.token(self.exchange_data(code, verifier))
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    def refresh(self, refresh_token: str | None, **changes: Any) -> requests.Response:
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
            **changes,
        }
        return self.token({k: v for k, v in data.items() if v is not None})

    def userinfo(
        self, access_token: str | None, method: str = "GET"
    ) -> requests.Response:
        headers = {}
        if access_token is not None:
            headers["Authorization"] = f"Bearer {access_token}"
        return requests.request(
            method, self.url("userinfo/"), headers=headers, timeout=TIMEOUT
        )

    def revoke(self, token: str | None, **changes: Any) -> requests.Response:
        data = {"token": token, "client_id": self.client_id, **changes}
        return requests.post(
            self.url("revoke_token/"),
            data={k: v for k, v in data.items() if v is not None},
            timeout=TIMEOUT,
        )

    def introspect(self, token: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("auth", API_CLIENT)
        return requests.post(
            self.url("introspect/"), data={"token": token}, timeout=TIMEOUT, **kwargs
        )
