"""``TnMock``: one test's view of the mock, and the browserless login."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from .handles import ApiInfo
from .handles import Clients
from .handles import Clock
from .handles import Faults
from .handles import IdpInfo
from .handles import Journal
from .handles import LoginError
from .handles import TokenSet
from .handles import Users
from .handles import as_scope
from .handles import check_response

if TYPE_CHECKING:
    import requests
    from flask import Flask

    from .transports import Transport

CSRF_FIELD = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class TnMock:
    """The mock as one test sees it, reset to its defaults before the test."""

    def __init__(
        self, transport: Transport, *, idp: IdpInfo, user: str, password: str | None
    ) -> None:
        self.transport = transport
        self.control = transport.control
        self.idp = idp
        self.api = ApiInfo(
            forms_url=transport.base_urls["forms"],
            fgo_url=transport.base_urls["fgo"],
            reports_url=transport.base_urls["reports"],
        )
        self.user = user
        self.password = password
        self.clock = Clock(self.control, in_process=transport.app is not None)
        self.faults = Faults(self.control)
        self.journal = Journal(self.control)
        self.users = Users(self.control)
        self.clients = Clients(self.control)
        self.http: requests.Session = transport.create_session()

    @property
    def transport_name(self) -> str:
        return self.transport.name

    @property
    def app(self) -> Flask | None:
        """The Flask app in this process, or ``None`` for an external instance."""
        return self.transport.app

    def login(
        self,
        user: str | None = None,
        scopes: str | Sequence[str] | None = None,
        *,
        client_id: str | None = None,
        redirect_uri: str | None = None,
        nonce: str | None = None,
        password: str | None = None,
    ) -> TokenSet:
        """Run authorize, PKCE S256 and the code exchange as a client would.

        With auto-approve on, ``login_hint`` picks the user. With it off,
        the login form is posted with ``password`` (default: the user name,
        as for the built-in test users).
        """
        user = user or self.user
        client_id = client_id or self.idp.client_id
        redirect_uri = redirect_uri or self.idp.redirect_uri
        verifier = secrets.token_urlsafe(48)
        state = secrets.token_urlsafe(12)
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": as_scope(scopes, self.idp.scopes),
            "state": state,
            "code_challenge": _s256(verifier),
            "code_challenge_method": "S256",
            "login_hint": user,
        }
        if nonce is not None:
            params["nonce"] = nonce

        answer = self.http.get(
            self.idp.authorization_endpoint, params=params, allow_redirects=False
        )
        if answer.status_code == 200 and "csrf_token" in answer.text:
            answer = self._post_login_form(answer, user, password or self.password)
        if answer.status_code == 200 and 'name="decision"' in answer.text:
            # The first login of a user for a client shows the consent page.
            answer = self._post_form(answer, {"form": "consent", "decision": "allow"})
        code = _code_from_redirect(answer, state)

        response = self.http.post(
            self.idp.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
                "client_id": client_id,
            },
        )
        return TokenSet.from_response(check_response(response, "code exchange"))

    def refresh(
        self,
        refresh_token: str,
        scopes: str | Sequence[str] | None = None,
        *,
        client_id: str | None = None,
    ) -> TokenSet:
        """Exchange a refresh token at the token endpoint; raise if rejected."""
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id or self.idp.client_id,
        }
        if scopes is not None:
            data["scope"] = as_scope(scopes, ())
        response = self.http.post(self.idp.token_endpoint, data=data)
        return TokenSet.from_response(check_response(response, "refresh"))

    def mint(
        self,
        user: str | None = None,
        scopes: str | Sequence[str] | None = None,
        *,
        client_id: str | None = None,
        lifetime: int | None = None,
    ) -> TokenSet:
        """Issue tokens straight from the store, without the authorize step."""
        with self.transport.control_context():
            body = self.control.mint_token(
                user or self.user,
                as_scope(scopes, self.idp.scopes),
                client_id=client_id or self.idp.client_id,
                lifetime=lifetime,
            )
        return TokenSet.from_response(body)

    def userinfo(self, access_token: str) -> dict[str, Any]:
        response = self.http.get(
            self.idp.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        return check_response(response, "userinfo")

    def expire_token(self, token: str) -> None:
        """Make an access or refresh token expire now on the mock's clock."""
        self.control.expire_token(token)

    def revoke_token(self, token: str) -> None:
        self.control.revoke_token(token)

    def _post_login_form(
        self, page: requests.Response, user: str, password: str | None
    ) -> requests.Response:
        return self._post_form(page, {"username": user, "password": password or user})

    def _post_form(
        self, page: requests.Response, fields: dict[str, str]
    ) -> requests.Response:
        """Post ``fields`` with the page's CSRF token back to the page's URL."""
        match = CSRF_FIELD.search(page.text)
        if match is None:
            raise LoginError("the login page has no csrf_token field")
        return self.http.post(
            page.url,
            data={"csrf_token": match.group(1), **fields},
            allow_redirects=False,
        )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _code_from_redirect(answer: requests.Response, state: str) -> str:
    location = answer.headers.get("Location", "")
    if answer.status_code not in (301, 302, 303) or not location:
        if not answer.ok:
            check_response(answer, "authorize")
        raise LoginError(
            f"authorize did not redirect: HTTP {answer.status_code}: "
            f"{answer.text[:300]}",
            status=answer.status_code,
        )

    query = parse_qs(urlsplit(location).query)
    if "error" in query:
        error = query["error"][0]
        description = query.get("error_description", [""])[0]
        raise LoginError(
            f"authorize failed: {error}: {description}",
            error=error,
            error_description=description or None,
            status=answer.status_code,
        )
    if query.get("state") != [state]:
        raise LoginError(f"authorize returned state {query.get('state')}, sent {state}")
    if "code" not in query:
        raise LoginError(f"authorize redirected without a code: {location}")
    return query["code"][0]
