"""Browser fixtures: one Debian Chromium per session, a context per test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import Playwright
from playwright.sync_api import sync_playwright

from mock_idp.app import create_app
from mock_idp.app import get_controller

from ..conftest import LiveServer
from ..conftest import make_pkce_pair
from ..conftest import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PHONE_VIEWPORT = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser_idp() -> Iterator[LiveServer]:
    yield from serve(create_app(auto_approve=False))


@pytest.fixture
def live_idp(browser_idp: LiveServer) -> LiveServer:
    """Return the session's interactive IDP, reset to its start state.

    One server for the session saves a key generation and a server start
    per test; the reset keeps only the signing keys.
    """
    get_controller(browser_idp.app).reset()
    return browser_idp


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium package.")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@dataclass
class Callback:
    """A client app's redirect URI on 127.0.0.1, recording each query."""

    port: int
    visits: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    @property
    def home(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def queries(self) -> list[dict[str, str]]:
        """Return the query of each visit to the redirect URI, oldest first."""
        return [query for path, query in self.visits if path == "/callback"]


@pytest.fixture
def callback(callback_server: Callback) -> Callback:
    callback_server.visits.clear()
    return callback_server


@pytest.fixture(scope="session")
def callback_server() -> Iterator[Callback]:
    visits: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/favicon.ico":
                query = parse_qs(url.query)
                visits.append((url.path, {k: v[0] for k, v in query.items()}))
            body = (
                b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                b"<title>Callback</title></head><body><main>"
                b"<h1>Callback received</h1></main></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Callback(port=server.server_port, visits=visits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class AuthorizationRequest:
    url: str
    verifier: str
    state: str


def authorization_request(
    live_idp: LiveServer, callback: Callback, **params: str
) -> AuthorizationRequest:
    verifier, challenge = make_pkce_pair()
    query = {
        "client_id": "test-client",
        "response_type": "code",
        "redirect_uri": callback.redirect_uri,
        "scope": "openid profile TNForm FGOWebs",
        "state": "state-42",
        "nonce": "nonce-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    query.update(params)
    url = f"{live_idp.issuer}/authorize/?{urlencode(query)}"
    return AuthorizationRequest(url=url, verifier=verifier, state=query["state"])


def submit(page: Page, selector: str) -> None:
    """Click a submit button and wait until the next page has loaded.

    Playwright's click returns once the next page is committed, which can
    be before its document exists.
    """
    page.click(selector)
    page.wait_for_load_state()


def save_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check_accessibility(page: Page) -> None:
    """Fail on every serious or critical axe-core violation of the page."""
    assert AXE_SCRIPT.exists(), (
        f"{AXE_SCRIPT} is missing; run: npm ci --prefix tests/browser"
    )
    page.add_script_tag(path=str(AXE_SCRIPT))
    # Only violations are read, so axe-core skips collecting the passes.
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    severe = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert severe == [], f"axe-core violations on {page.url}:\n" + "\n".join(severe)


def choose_user(page: Page, username: str) -> None:
    """Log in with one of the login page's test-user buttons."""
    submit(page, f"button[data-username='{username}']")


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
    submit(page, "button[value=allow]")
    page.wait_for_url(f"{callback.redirect_uri}*")
    return request
