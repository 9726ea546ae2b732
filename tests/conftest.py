"""Shared fixtures: a live IDP on a free loopback port, per test."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from mock_idp.app import create_app
from mock_idp.app import get_state
from mock_idp.cli import RedactingRequestHandler
from mock_idp.state import IdpState


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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
