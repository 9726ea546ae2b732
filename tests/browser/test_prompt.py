"""OpenID Connect prompt and max_age through the pages in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page

from ..conftest import LiveServer
from .conftest import Callback
from .conftest import authorization_request
from .conftest import choose_user
from .conftest import exchange_code
from .conftest import log_in_and_allow
from .conftest import submit


def test_prompt_none_without_session_login_required(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback, prompt="none").url)
    page.wait_for_url(f"{callback.redirect_uri}*")

    assert callback.queries[-1]["error"] == "login_required"
    assert callback.queries[-1]["state"] == "state-42"


def test_prompt_none_without_consent_consent_required(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    choose_user(page, "jan")
    page.goto(authorization_request(live_idp, callback, prompt="none").url)
    page.wait_for_url(f"{callback.redirect_uri}*")

    assert callback.queries[-1]["error"] == "consent_required"


def test_prompt_none_with_session_and_consent_issues_code(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    log_in_and_allow(page, live_idp, callback)
    request = authorization_request(live_idp, callback, prompt="none")
    page.goto(request.url)
    page.wait_for_url(f"{callback.redirect_uri}*")

    assert "code" in callback.queries[-1]
    assert exchange_code(live_idp, callback, request).status_code == 200


def test_prompt_login_shows_login_despite_session(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    log_in_and_allow(page, live_idp, callback)
    page.goto(authorization_request(live_idp, callback, prompt="login").url)
    assert page.title() == "Log in · tn-mock"

    choose_user(page, "jan")
    page.wait_for_url(f"{callback.redirect_uri}*")
    assert "code" in callback.queries[-1]


def test_prompt_consent_shows_consent_again(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    log_in_and_allow(page, live_idp, callback)
    page.goto(authorization_request(live_idp, callback, prompt="consent").url)
    assert page.title() == "Allow access · tn-mock"

    submit(page, "button[value=allow]")
    page.wait_for_url(f"{callback.redirect_uri}*")
    assert "code" in callback.queries[-1]


def test_max_age_exceeded_requires_login(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    live_idp.state.clock.freeze()
    log_in_and_allow(page, live_idp, callback)
    page.goto(authorization_request(live_idp, callback, max_age="600").url)
    page.wait_for_url(f"{callback.redirect_uri}*")

    live_idp.state.clock.advance(601)
    page.goto(authorization_request(live_idp, callback, max_age="600").url)
    assert page.title() == "Log in · tn-mock"
