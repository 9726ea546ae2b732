"""The login, consent and logout pages in Debian's Chromium, end to end."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import requests
from playwright.sync_api import Browser
from playwright.sync_api import Page

from ..conftest import LiveServer
from .conftest import PHONE_VIEWPORT
from .conftest import AuthorizationRequest
from .conftest import Callback
from .conftest import authorization_request
from .conftest import check_accessibility
from .conftest import save_screenshot


def choose_user(page: Page, username: str) -> None:
    page.click(f"button[data-username='{username}']")


def exchange_code(
    live_idp: LiveServer, callback: Callback, request: AuthorizationRequest
) -> requests.Response:
    return requests.post(
        f"{live_idp.issuer}/token/",
        data={
            "grant_type": "authorization_code",
            "client_id": "test-client",
            "code": callback.queries[-1]["code"],
            "redirect_uri": callback.redirect_uri,
            "code_verifier": request.verifier,
        },
        timeout=5,
    )


def log_in_and_allow(
    page: Page, live_idp: LiveServer, callback: Callback, username: str = "jan"
) -> AuthorizationRequest:
    request = authorization_request(live_idp, callback)
    page.goto(request.url)
    choose_user(page, username)
    page.click("button[value=allow]")
    page.wait_for_url(f"{callback.redirect_uri}*")
    return request


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

    page.click("button[value=allow]")
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
    page.click("button[value=deny]")
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
    page.click("#consents button")
    assert "No consents remembered." in page.inner_text("main")

    page.goto(authorization_request(live_idp, callback).url)
    assert page.title() == "Allow access · tn-mock"


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

    page.click("button[value=allow]")
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


def test_login_hint_prefills_user_name(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback, login_hint="1003").url)
    assert page.input_value("#username") == "pieter"

    page.fill("#password", "pieter")
    page.click("form:has(#password) button[type=submit]")
    assert "Pieter van den Berg" in page.inner_text("main")


def test_wrong_password_shows_error_on_page(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    page.goto(authorization_request(live_idp, callback).url)
    page.fill("#username", "jan")
    page.fill("#password", "wrong")
    page.click("form:has(#password) button[type=submit]")

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
        page.click("button[value=allow]")

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
        choose_user(page, "fatima")
        assert_fits_phone(page, "consent-phone")
        page.click("button[value=allow]")
        page.wait_for_url(f"{callback.redirect_uri}*")
        assert "code" in callback.queries[-1]

        page.goto(f"{live_idp.url}/_mock/inspector/")
        assert_fits_phone(page, "inspector-phone")
        page.click("button[value='3600']")
        assert "Clock advanced by 3600 s." in page.inner_text("[role=status]")

        page.goto(f"{live_idp.issuer}/logout/")
        assert_fits_phone(page, "logged-out-phone")
    finally:
        context.close()


def assert_fits_phone(page: Page, name: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width} px wide"
    save_screenshot(page, name)
