"""The inspector page in Chromium after a scripted token-expiry scenario."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from playwright.sync_api import Page

from ..conftest import LiveServer
from .conftest import Callback
from .conftest import check_accessibility
from .conftest import exchange_code
from .conftest import log_in_and_allow
from .conftest import save_screenshot
from .conftest import submit

SVG = "{http://www.w3.org/2000/svg}"


def call_userinfo(live_idp: LiveServer, access_token: str) -> int:
    answer = requests.get(
        f"{live_idp.issuer}/userinfo/",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
    )
    return answer.status_code


def read_timeline(page: Page) -> ET.Element:
    return ET.fromstring(page.inner_html(".scroll:has(#timeline)"))


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
