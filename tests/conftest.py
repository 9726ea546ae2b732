"""Shared fixtures: live servers on free loopback ports, sample data, tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from mock_api.app import create_app as create_api_app
from mock_api.catalog import Catalog
from mock_api.catalog import load_catalog
from mock_idp.app import create_app
from mock_idp.app import get_state
from mock_idp.cli import RedactingRequestHandler
from mock_idp.state import IdpState

# Helper modules sit next to the tests.
sys.path.insert(0, str(Path(__file__).parent))

from api_support import DictTokenValidator  # noqa: E402
from plugin_support import serve_tn_mock  # noqa: E402


@dataclass
class LiveServer:
    app: Flask
    url: str

    @property
    def state(self) -> IdpState:
        return get_state(self.app)

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"


def serve(app: Flask) -> Iterator[LiveServer]:
    # The command line's handler: TCP_NODELAY, and no token in the request log.
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=RedactingRequestHandler
    )
    # A short poll interval makes shutdown() return quickly after each test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def idp_settings() -> dict[str, Any]:
    """Keyword overrides for the ``live_idp`` app; tests may override it."""
    return {"auto_approve": True}


@pytest.fixture
def live_idp(idp_settings: dict[str, Any]) -> Iterator[LiveServer]:
    yield from serve(create_app(**idp_settings))


def make_pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def validator() -> DictTokenValidator:
    validator = DictTokenValidator()
    validator.add("full-token")
    validator.add("json-token", permissions=("form_json",))
    validator.add("forms-only", scope="openid FGOForm")
    validator.add("fgo-old-name", scope="openid FGOWS")
    validator.add("profile-only", scope="openid profile")
    validator.add("revoked-token", active=False)
    return validator


@pytest.fixture
def api_app(catalog: Catalog, validator: DictTokenValidator) -> Flask:
    return create_api_app(catalog, validator)


@pytest.fixture
def client(api_app: Flask) -> object:
    return api_app.test_client()


@pytest.fixture(scope="session")
def external_tn_mock_url() -> Iterator[str]:
    """Base URL of a ``tn-mock serve`` subprocess, one per xdist worker."""
    with serve_tn_mock() as url:
        yield url
