"""Helpers for the API tests: an in-memory token validator and a live server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server

FULL_SCOPE = "openid profile TNForm FGOPlus FGOWebs"


def bearer(token: str = "full-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class DictTokenValidator:
    """A TokenValidator backed by a dict of token to introspection response."""

    def __init__(self) -> None:
        self.tokens: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def add(
        self,
        token: str,
        scope: str = FULL_SCOPE,
        permissions: tuple[str, ...] = (),
        active: bool = True,
    ) -> str:
        self.tokens[token] = {
            "active": active,
            "scope": scope,
            "client_id": "test-client",
            "sub": "1001",
            "username": "jan",
            "exp": 4_102_444_800,
            "iat": 1_700_000_000,
            "token_type": "Bearer",
            "permissions": list(permissions),
        }
        return token

    def introspect(self, token: str) -> Mapping[str, Any]:
        self.calls.append(token)
        info = self.tokens.get(token)
        if info is None or not info["active"]:
            return {"active": False}
        return info


@contextmanager
def serve_on_loopback(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free 127.0.0.1 port and yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval makes shutdown() return quickly after each test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
