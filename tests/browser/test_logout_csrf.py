"""Logout, CSRF rejections, error pages, and every page without JavaScript."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import requests
from playwright.sync_api import Browser
from playwright.sync_api import Page

from ..conftest import LiveServer
from .conftest import PHONE_VIEWPORT
from .conftest import Callback
from .conftest import authorization_request
from .conftest import check_accessibility
from .conftest import choose_user
from .conftest import log_in_and_allow
from .conftest import save_screenshot
from .conftest import submit


def test_logout_ends_session_and_returns_state(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    store = live_idp.state.store
    client = store.get_client("test-client")
    assert client is not None
    store.save_client(
        replace(client.config, post_logout_redirect_uris=(callback.home,))
    )
    log_in_and_allow(page, live_idp, callback)
    query = urlencode(
        {
            "client_id": "test-client",
            "post_logout_redirect_uri": callback.home,
            "state": "bye",
        }
    )
    page.goto(f"{live_idp.issuer}/logout/?{query}")

    assert page.url == f"{callback.home}?state=bye"
    assert callback.visits[-1] == ("/", {"state": "bye"})
    page.goto(authorization_request(live_idp, callback, prompt="none").url)
    page.wait_for_url(f"{callback.redirect_uri}*")
    assert callback.queries[-1]["error"] == "login_required"


def test_logout_honours_default_registered_target(live_idp: LiveServer) -> None:
    query = urlencode(
        {
            "client_id": "test-client",
            "post_logout_redirect_uri": "http://localhost:8000/",
            "state": "bye",
        }
    )
    answer = requests.get(
        f"{live_idp.issuer}/logout/?{query}", allow_redirects=False, timeout=5
    )

    assert answer.status_code == 302
    assert answer.headers["Location"] == "http://localhost:8000/?state=bye"


def test_logout_unregistered_target_stays_on_page(
    page: Page, live_idp: LiveServer
) -> None:
    query = urlencode(
        {"client_id": "test-client", "post_logout_redirect_uri": "http://evil.test/"}
    )
    response = page.goto(f"{live_idp.issuer}/logout/?{query}")

    assert response is not None
    assert response.status == 400
    assert "is not registered" in page.inner_text("[role=alert]")
    save_screenshot(page, "logout-rejected")
    check_accessibility(page)

    page.goto(f"{live_idp.issuer}/logout/")
    assert page.title() == "Logged out · tn-mock"
    save_screenshot(page, "logged-out")
    check_accessibility(page)


def test_wrong_csrf_token_rejected_without_code(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    choose_user(page, "jan")
    page.eval_on_selector_all(
        "input[name=csrf_token]", "nodes => nodes.forEach(n => n.value = 'forged')"
    )
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit(page, "button[value=allow]")

    assert posted.value.status == 400
    assert "CSRF token" in page.inner_text("[role=alert]")
    assert callback.queries == []
    assert live_idp.state.store.tokens() == []
    save_screenshot(page, "csrf-rejected")
    check_accessibility(page)


def test_missing_csrf_token_rejected_without_code(
    live_idp: LiveServer, callback: Callback
) -> None:
    request = authorization_request(live_idp, callback)
    session = requests.Session()
    session.get(request.url, timeout=5)
    for form in (
        {"form": "login", "username": "jan", "password": "jan"},
        {"form": "consent", "decision": "allow"},
    ):
        answer = session.post(request.url, data=form, allow_redirects=False, timeout=5)
        assert answer.status_code == 400
        assert "Location" not in answer.headers


def test_unknown_client_error_page(page: Page, live_idp: LiveServer) -> None:
    response = page.goto(f"{live_idp.issuer}/authorize/?client_id=nobody")

    assert response is not None
    assert response.status == 400
    assert "unknown client_id 'nobody'" in page.inner_text("[role=alert]")
    save_screenshot(page, "error")
    check_accessibility(page)


def test_pages_work_without_javascript_on_phone(
    browser: Browser, live_idp: LiveServer, callback: Callback
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE_VIEWPORT)
    page = context.new_page()
    try:
        page.goto(authorization_request(live_idp, callback).url)
        assert_fits_phone(page, "login-phone")
        page.fill("#username", "fatima")
        page.fill("#password", "wrong")
        submit(page, "form:has(#password) button[type=submit]")
        assert "wrong password" in page.inner_text("[role=alert]")
        assert_fits_phone(page, "login-error-phone")
        choose_user(page, "fatima")
        assert_fits_phone(page, "consent-phone")
        submit(page, "button[value=allow]")
        page.wait_for_url(f"{callback.redirect_uri}*")
        assert "code" in callback.queries[-1]

        page.goto(f"{live_idp.url}/_mock/inspector/")
        assert_fits_phone(page, "inspector-no-js-phone")
        submit(page, "button[value='3600']")
        assert "Clock advanced by 3600 s." in page.inner_text("[role=status]")

        page.goto(f"{live_idp.issuer}/logout/")
        assert_fits_phone(page, "logged-out-phone")
        page.goto(f"{live_idp.issuer}/authorize/?client_id=nobody")
        assert_fits_phone(page, "error-phone")
    finally:
        context.close()


def assert_fits_phone(page: Page, name: str) -> None:
    page.wait_for_load_state()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width} px wide"
    save_screenshot(page, name)
