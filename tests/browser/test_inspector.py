"""The inspector page in Chromium after a scripted token-expiry scenario."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Playwright

from ..conftest import LiveServer
from .conftest import CHROMIUM
from .conftest import CHROMIUM_ARGS
from .conftest import PHONE_VIEWPORT
from .conftest import Callback
from .conftest import authorization_request
from .conftest import check_accessibility
from .conftest import exchange_code
from .conftest import log_in_and_allow
from .conftest import save_screenshot
from .conftest import submit

SVG = "{http://www.w3.org/2000/svg}"


def refresh(live_idp: LiveServer, refresh_token: str) -> dict[str, str]:
    answer = requests.post(
        f"{live_idp.issuer}/token/",
        data={
            "grant_type": "refresh_token",
            "client_id": "test-client",
            "refresh_token": refresh_token,
        },
        timeout=5,
    )
    tokens: dict[str, str] = answer.json()
    return tokens


def call_userinfo(live_idp: LiveServer, access_token: str) -> int:
    answer = requests.get(
        f"{live_idp.issuer}/userinfo/",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
    )
    return answer.status_code


def read_timeline(page: Page) -> ET.Element:
    return ET.fromstring(page.eval_on_selector("#timeline", "svg => svg.outerHTML"))


def expected_x(svg: ET.Element, instant: float) -> float:
    start = float(svg.attrib["data-axis-start"])
    end = float(svg.attrib["data-axis-end"])
    left = float(svg.attrib["data-plot-left"])
    right = float(svg.attrib["data-plot-right"])
    return left + (instant - start) / (end - start) * (right - left)


def test_inspector_timeline_after_expiry(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    clock = live_idp.state.clock
    clock.freeze(at=1_800_000_000)  # 2027-01-15 08:00:00 UTC
    request = log_in_and_allow(page, live_idp, callback)
    first = exchange_code(live_idp, callback, request).json()
    assert call_userinfo(live_idp, first["access_token"]) == 200
    clock.advance(120)
    used_at = clock.now()
    assert call_userinfo(live_idp, first["access_token"]) == 200

    page.goto(f"{live_idp.url}/_mock/inspector/")
    submit(page, "button[value='36000']")
    assert call_userinfo(live_idp, first["access_token"]) == 401
    expired_at = clock.now()
    refreshed = requests.post(
        f"{live_idp.issuer}/token/",
        data={
            "grant_type": "refresh_token",
            "client_id": "test-client",
            "refresh_token": first["refresh_token"],
        },
        timeout=5,
    ).json()
    assert call_userinfo(live_idp, refreshed["access_token"]) == 200
    assert call_userinfo(live_idp, first["access_token"]) == 401

    page.goto(f"{live_idp.url}/_mock/inspector/")
    svg = read_timeline(page)
    bars = svg.findall(f".//{SVG}rect[@class='token']")
    assert len(bars) == 2
    # The refresh revoked the expired token it replaced.
    assert [bar.attrib["data-state"] for bar in bars] == ["revoked", "active"]

    marks = svg.findall(f".//{SVG}circle[@class='request']")
    outcomes = [(m.attrib["data-token"], m.attrib["data-outcome"]) for m in marks]
    old, new = (bar.attrib["data-token"] for bar in bars)
    assert outcomes == [
        (old, "accepted"),
        (old, "accepted"),
        (old, "expired"),
        (old, "accepted"),
        (new, "accepted"),
        (old, "revoked"),
    ]
    for mark, instant in zip(marks[1:3], (used_at, expired_at), strict=True):
        assert float(mark.attrib["data-at"]) == instant
        assert float(mark.attrib["cx"]) == pytest.approx(
            expected_x(svg, instant), abs=0.01
        )
    assert page.inner_text("#tokens tr[data-token] .state") == "revoked"
    save_screenshot(page, "inspector")
    check_accessibility(page)


def test_inspector_expire_button_expires_token(
    page: Page, live_idp: LiveServer, callback: Callback
) -> None:
    request = log_in_and_allow(page, live_idp, callback)
    token = exchange_code(live_idp, callback, request).json()["access_token"]
    page.goto(f"{live_idp.url}/_mock/inspector/")
    submit(page, "#tokens button")

    assert "expired" in page.inner_text("[role=status]")
    assert page.inner_text("#tokens .state") == "expired"
    assert call_userinfo(live_idp, token) == 401


def test_inspector_lists_failures_and_journal(page: Page, live_idp: LiveServer) -> None:
    controller = live_idp.app.extensions["tn_mock_controller"]
    controller.queue_failure("token", status=503, error="temporarily_unavailable")
    requests.get(f"{live_idp.issuer}/.well-known/openid-configuration/", timeout=5)
    requests.get(f"{live_idp.issuer}/userinfo/", timeout=5)
    page.goto(f"{live_idp.url}/_mock/inspector/")

    assert "temporarily_unavailable" in page.inner_text("#failures")
    rows = page.locator("#journal tbody tr").all_inner_texts()
    assert "/o/userinfo/" in rows[0]
    assert "openid-configuration" in rows[1]


def test_inspector_clock_controls(page: Page, live_idp: LiveServer) -> None:
    page.goto(f"{live_idp.url}/_mock/inspector/")
    submit(page, "button[value=freeze]")
    frozen = live_idp.state.clock.now()
    assert live_idp.state.clock.frozen

    submit(page, "button[value='60']")
    submit(page, "button[value='3600']")
    assert live_idp.state.clock.now() == frozen + 3660

    submit(page, "button[value=release]")
    assert not live_idp.state.clock.frozen


def test_inspector_form_without_csrf_rejected(live_idp: LiveServer) -> None:
    live_idp.state.clock.freeze(at=1_800_000_000)
    answer = requests.post(
        f"{live_idp.url}/_mock/inspector/clock",
        data={"action": "advance", "seconds": "3600"},
        timeout=5,
    )

    assert answer.status_code == 400
    assert "CSRF token" in answer.text
    assert live_idp.state.clock.now() == 1_800_000_000


def test_inspector_timeline_svg_route(live_idp: LiveServer) -> None:
    answer = requests.get(f"{live_idp.url}/_mock/inspector/timeline.svg", timeout=5)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("image/svg+xml")
    assert ET.fromstring(answer.text).tag == f"{SVG}svg"


def test_inspector_fits_phone(
    browser: Browser, live_idp: LiveServer, callback: Callback
) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    page = context.new_page()
    try:
        live_idp.state.clock.freeze(at=1_800_000_000)
        request = log_in_and_allow(page, live_idp, callback)
        first = exchange_code(live_idp, callback, request).json()
        assert call_userinfo(live_idp, first["access_token"]) == 200
        live_idp.state.clock.advance(36000)
        assert call_userinfo(live_idp, first["access_token"]) == 401
        refresh(live_idp, first["refresh_token"])
        # The login and consent are remembered, so this one goes straight
        # back to the client with a new code.
        request = authorization_request(live_idp, callback)
        page.goto(request.url)
        page.wait_for_url(f"{callback.redirect_uri}*")
        exchange_code(live_idp, callback, request)
        controller = live_idp.app.extensions["tn_mock_controller"]
        controller.queue_failure("token", status=503, error="temporarily_unavailable")
        page.goto(f"{live_idp.url}/_mock/inspector/")
        submit(page, "button[value='3600']")
        page.wait_for_load_state("networkidle")

        width = PHONE_VIEWPORT["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        # The card tables hide their header rows visually (the cells show
        # data-label instead), so the headers' clipped boxes do not count.
        too_wide = page.evaluate(
            """width => [...document.querySelectorAll('main *')]
                .filter(e => !e.closest('table.cards thead'))
                .filter(e => e.getBoundingClientRect().right > width + 0.5)
                .map(e => e.tagName + '#' + e.id + '.' + e.getAttribute('class'))""",
            width,
        )
        assert too_wide == []
        tables = page.evaluate(
            """() => [...document.querySelectorAll('table')]
                .map(t => [t.id, t.scrollWidth, t.clientWidth])"""
        )
        assert len(tables) == 5
        for table_id, scroll_width, client_width in tables:
            assert scroll_width <= client_width, f"table #{table_id} scrolls"

        # Each token label stays on one line.
        labels = page.locator("#tokens tbody code")
        assert labels.count() == 3
        for line_boxes in labels.evaluate_all(
            "codes => codes.map(c => c.getClientRects().length)"
        ):
            assert line_boxes == 1
        # A path breaks only after a slash, so no part between two breaks
        # spans two lines.
        broken = page.evaluate(
            """() => [...document.querySelectorAll('#journal code.path')]
                .flatMap(code => [...code.childNodes])
                .filter(node => node.nodeType === Node.TEXT_NODE)
                .filter(node => {
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    return range.getClientRects().length > 1;
                })
                .map(node => node.textContent)"""
        )
        assert broken == []

        for selector in ("#timeline-legend", "#now", "#now-label"):
            box = page.locator(selector).bounding_box()
            assert box is not None, f"{selector} is not rendered"
            assert box["x"] >= 0, f"{selector} starts left of the viewport"
            assert box["x"] + box["width"] <= width, f"{selector} is cut off"
        legend = page.inner_text("#timeline-legend")
        for state in ("active", "expired", "revoked"):
            assert state in legend

        save_screenshot(page, "inspector-phone")
        check_accessibility(page)

        # Just above the narrow layout's breakpoint the tables are tables
        # again and must still fit.
        for tablet_width in (768, 900):
            page.set_viewport_size({"width": tablet_width, "height": 1000})
            for table_id, scroll_width, client_width in page.evaluate(
                """() => [...document.querySelectorAll('.scroll')]
                    .map(s => [s.firstElementChild.id, s.scrollWidth, s.clientWidth])"""
            ):
                assert scroll_width <= client_width, (
                    f"table #{table_id} scrolls at {tablet_width} px"
                )
    finally:
        context.close()


def test_inspector_tables_keep_semantics_on_phone(
    browser: Browser, live_idp: LiveServer, callback: Callback
) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    page = context.new_page()
    try:
        request = log_in_and_allow(page, live_idp, callback)
        exchange_code(live_idp, callback, request)
        controller = live_idp.app.extensions["tn_mock_controller"]
        controller.queue_failure("token", status=503, error="temporarily_unavailable")
        page.goto(f"{live_idp.url}/_mock/inspector/")
        # Chromium's own accessibility tree, which screen readers use.
        session = context.new_cdp_session(page)
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
        roles = [node["role"]["value"] for node in nodes if "role" in node]
        assert roles.count("table") == 5
        assert "columnheader" in roles
        assert "cell" in roles
    finally:
        context.close()


def test_page_load_journals_no_favicon(
    playwright: Playwright, live_idp: LiveServer
) -> None:
    # Chromium requests a site's /favicon.ico once per browser, so this test
    # needs a browser that has not yet visited the server.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.goto(f"{live_idp.url}/_mock/inspector/")
        page.wait_for_load_state("networkidle")
        page.goto(f"{live_idp.issuer}/logout/")
        page.wait_for_load_state("networkidle")
    finally:
        browser.close()
    requests.get(f"{live_idp.issuer}/no-such-endpoint/", timeout=5)

    journal = live_idp.app.extensions["tn_mock_journal"]
    assert journal.entries(path="/favicon.ico") == []
    assert [entry.status for entry in journal.entries(status=404)] == [404]
