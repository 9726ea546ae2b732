"""The login and consent pages in Debian's Chromium, end to end."""

from __future__ import annotations

from playwright.sync_api import Page

from ..conftest import LiveServer
from .conftest import Callback
from .conftest import authorization_request
from .conftest import check_accessibility
from .conftest import choose_user
from .conftest import exchange_code
from .conftest import log_in_and_allow
from .conftest import save_screenshot
from .conftest import submit


def test_login_and_consent_deliver_code_to_callback(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    request = authorization_request(live_idp, callback)
    page.goto(request.url)

    assert page.title() == "Log in · tn-mock"
    for name in ("Jan de Vries", "Fatima El Amrani", "Pieter van den Berg"):
        assert name in page.inner_text("main")
    assert "10023456" in page.inner_text("button[data-username='fatima']")
    assert "Zonnestroom Groningen" in page.inner_text("button[data-username='fatima']")
    save_screenshot(page, "login")
    check_accessibility(page)

    choose_user(page, "jan")
    assert page.title() == "Allow access · tn-mock"
    scopes = page.inner_text("#scopes")
    assert "FGO+ Webservice" in scopes
    assert "Forms Webservice" in scopes
    assert "Your name" in scopes
    assert callback.queries == []
    save_screenshot(page, "consent")
    check_accessibility(page)

    submit(page, "button[value=allow]")
    page.wait_for_url(f"{callback.redirect_uri}*")
    assert callback.queries[-1]["state"] == "state-42"
    token = exchange_code(live_idp, callback, request)
    assert token.status_code == 200
    assert live_idp.state.store.has_consent("1001", "test-client")


def test_deny_redirects_access_denied_with_state(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    choose_user(page, "fatima")
    submit(page, "button[value=deny]")
    page.wait_for_url(f"{callback.redirect_uri}*")

    query = callback.queries[-1]
    assert query["error"] == "access_denied"
    assert query["state"] == "state-42"
    assert "code" not in query
    assert not live_idp.state.store.has_consent("1002", "test-client")


def test_consent_remembered_for_next_login(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    log_in_and_allow(page, live_idp, callback)
    page.goto(authorization_request(live_idp, callback, state="second").url)
    page.wait_for_url(f"{callback.redirect_uri}*")

    assert callback.queries[-1]["state"] == "second"
    assert "code" in callback.queries[-1]


def test_forgotten_consent_asks_again(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    log_in_and_allow(page, live_idp, callback)
    page.goto(f"{live_idp.url}/_mock/inspector/")
    submit(page, "#consents button")
    assert "No consents remembered." in page.inner_text("main")

    page.goto(authorization_request(live_idp, callback).url)
    assert page.title() == "Allow access · tn-mock"


def test_login_hint_prefills_user_name(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback, login_hint="1003").url)
    assert page.input_value("#username") == "pieter"

    page.fill("#password", "pieter")
    submit(page, "form:has(#password) button[type=submit]")
    assert "Pieter van den Berg" in page.inner_text("main")


def test_wrong_password_shows_error_on_page(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    page.fill("#username", "jan")
    page.fill("#password", "wrong")
    submit(page, "form:has(#password) button[type=submit]")

    assert page.inner_text("[role=alert]") == "Unknown user name or wrong password."
    assert page.input_value("#username") == "jan"
    assert "Traceback" not in page.content()
    save_screenshot(page, "login-error")
    check_accessibility(page)


def test_keyboard_only_login(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    order = []
    for _ in range(7):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => document.activeElement.dataset.username"
                " || document.activeElement.id"
                " || document.activeElement.textContent.trim()"
            )
        )
    expected = ["Skip to content", "jan", "fatima", "pieter"]
    assert order == [*expected, "username", "password", "Log in"]

    page.focus("#username")
    page.keyboard.type("fatima")
    page.keyboard.press("Tab")
    page.keyboard.type("fatima")
    page.keyboard.press("Enter")
    page.wait_for_selector("button[value=allow]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.value") == "allow"

    page.keyboard.press("Enter")
    page.wait_for_url(f"{callback.redirect_uri}*")
    assert "code" in callback.queries[-1]
