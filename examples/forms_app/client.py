"""Calls to the Techniek Nederland APIs with a token that refreshes itself."""

from __future__ import annotations

import time
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session


class LoginRequired(Exception):
    """The tokens are gone or rejected; the user must log in again."""


class ServiceUnavailable(Exception):
    """The IDP returned 503; ``retry_after`` is in seconds when it sent Retry-After."""

    def __init__(self, retry_after: int | None) -> None:
        super().__init__(
            f"the login service is unavailable (retry after {retry_after})"
        )
        self.retry_after = retry_after


def create_oauth_session(settings: dict[str, Any], **token: Any) -> OAuth2Session:
    """Return authlib's session for this public client, with PKCE S256."""
    session = OAuth2Session(
        settings["client_id"],
        redirect_uri=settings["redirect_uri"],
        scope=settings["scope"],
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        token=token or None,
    )

    def remember_retry_after(response: requests.Response) -> requests.Response:
        if response.status_code == 503:
            retry_after = response.headers.get("Retry-After")
            raise ServiceUnavailable(int(retry_after) if retry_after else None)
        return response

    session.register_compliance_hook("access_token_response", remember_retry_after)
    session.register_compliance_hook("refresh_token_response", remember_retry_after)
    return session


class ApiClient:
    """One user's tokens and the API calls made with them."""

    def __init__(self, settings: dict[str, Any], token: dict[str, Any]) -> None:
        self.settings = settings
        self.token = token

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with the access token; on 401, refresh once and send again."""
        if self.token.get("expires_at", 0) <= time.time():
            self.refresh()
        response = self._send(method, url, **kwargs)
        if response.status_code != 401:
            return response

        self.refresh()
        return self._send(method, url, **kwargs)

    def refresh(self) -> None:
        refresh_token = self.token.get("refresh_token")
        if not refresh_token:
            raise LoginRequired("no refresh token")

        session = create_oauth_session(self.settings)
        try:
            token = session.refresh_token(
                self.settings["token_endpoint"],
                refresh_token=refresh_token,
                client_id=self.settings["client_id"],
            )
        except OAuthError as error:
            raise LoginRequired(f"refresh failed: {error.error}") from error
        self.token = dict(token)

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        headers["Authorization"] = f"Bearer {self.token['access_token']}"
        return requests.request(method, url, headers=headers, timeout=10, **kwargs)
