"""The three ways tests reach the mock: a live thread, interception, an instance.

All three serve the same app and state, and hand out the same ``Control``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import AbstractContextManager
from contextlib import nullcontext
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

from . import backend

if TYPE_CHECKING:
    import requests
    import responses
    from flask import Flask

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: Request headers that the WSGI environment builder sets itself.
SKIPPED_HEADERS = frozenset({"host", "content-length"})


class ServerError(AssertionError):
    """An unhandled exception inside the mock while a test was running."""


class ErrorRecorder:
    """Collects exceptions that an app turned into 500 responses.

    The IDP's catch-all error handler swallows the exception, so Flask's
    ``got_request_exception`` signal alone would miss it: the recorder wraps
    that handler too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []

    def watch(self, app: Flask) -> None:
        from flask import got_request_exception

        got_request_exception.connect(self._on_signal, app, weak=False)
        handlers = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
        original = handlers.get(Exception)
        if original is None:
            return

        def record_and_handle(error: Exception) -> Any:
            self.add(error)
            return original(error)

        app.register_error_handler(Exception, record_and_handle)

    def add(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    def _on_signal(self, sender: Any, exception: BaseException, **extra: Any) -> None:
        self.add(exception)

    def take(self) -> list[BaseException]:
        with self._lock:
            errors, self._errors = self._errors, []
        return errors


class Transport:
    """One running mock: its URLs, its control and, in process, its app."""

    name = ""
    app: Flask | None = None

    def __init__(self, control: backend.Control, base_urls: Mapping[str, str]):
        self.control = control
        self.base_urls = dict(base_urls)
        self.errors = ErrorRecorder()

    def begin_test(self) -> None:
        """Prepare for one test; the state was already reset."""

    def end_test(self) -> None:
        """Undo what ``begin_test`` did."""

    def close(self) -> None:
        """Stop the server, if this transport runs one."""

    def create_session(self) -> requests.Session:
        import requests

        return requests.Session()

    def control_context(self) -> AbstractContextManager[object]:
        """Return the context for control calls that issue tokens.

        The IDP derives its issuer from the request's host. A controller
        call over HTTP has a request, and an in-process call gets a request
        context for the transport's IDP URL, so both carry its issuer.
        """
        if self.app is None:
            return nullcontext()
        return self.app.test_request_context(base_url=self.base_urls["idp"])


class LiveTransport(Transport):
    """A threaded werkzeug server on a free port of 127.0.0.1."""

    name = "live"

    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        base = f"http://127.0.0.1:{self._server.server_port}"
        super().__init__(
            backend.create_local_control(app),
            dict.fromkeys(backend.PRODUCTION_URLS, base),
        )
        self.errors.watch(app)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="tn-mock-server", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class InterceptTransport(Transport):
    """``responses`` serves the production URLs from the app, without a socket."""

    name = "intercept"

    def __init__(self, app: Flask, *, passthrough: bool) -> None:
        from werkzeug.test import Client

        self.app = app
        self.passthrough = passthrough
        self._client = Client(app, use_cookies=False)
        self._mock: responses.RequestsMock | None = None
        super().__init__(backend.create_local_control(app), backend.PRODUCTION_URLS)
        self.errors.watch(app)

    def begin_test(self) -> None:
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for base in self.base_urls.values():
            pattern = re.compile(re.escape(base) + r"(?:[/?#].*)?$")
            for method in HTTP_METHODS:
                mock.add_callback(method, pattern, callback=self._call_app)  # type: ignore[arg-type]
        if self.passthrough:
            mock.add_passthru(re.compile(r".*"))
        mock.start()
        self._mock = mock

    def end_test(self) -> None:
        if self._mock is not None:
            self._mock.stop(allow_assert=False)
            self._mock.reset()
            self._mock = None

    def _call_app(
        self, prepared: requests.PreparedRequest
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        # A list of headers, not a dict, keeps repeated Set-Cookie headers;
        # responses accepts both.
        url = urlsplit(prepared.url or "")
        body = prepared.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = [
            (name, value)
            for name, value in prepared.headers.items()
            if name.lower() not in SKIPPED_HEADERS
        ]
        answer = self._client.open(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=prepared.method or "GET",
            headers=headers,
            data=body or b"",
        )
        return answer.status_code, list(answer.headers.items()), answer.get_data()


class ExternalTransport(Transport):
    """An instance started elsewhere, driven through its control API."""

    name = "external"

    def __init__(self, url: str) -> None:
        base = url.rstrip("/")
        super().__init__(
            backend.create_remote_control(base),
            dict.fromkeys(backend.PRODUCTION_URLS, base),
        )


class TransportPool:
    """The session's running transports, started on first use, one per kind."""

    def __init__(self, *, config_path: str | None, app_settings: Mapping[str, Any]):
        self.config_path = config_path
        self.app_settings = dict(app_settings)
        self._transports: dict[tuple[str, str | None, bool], Transport] = {}

    def get(self, name: str, *, url: str | None, passthrough: bool) -> Transport:
        key = (name, url if name == "external" else None, passthrough)
        if key not in self._transports:
            self._transports[key] = self._start(name, url=url, passthrough=passthrough)
        return self._transports[key]

    def _start(self, name: str, *, url: str | None, passthrough: bool) -> Transport:
        if name == "external":
            if not url:
                raise RuntimeError(
                    "the external transport needs the URL of a running tn-mock: "
                    "pass --tn-mock-url URL or set tn_mock_url in the ini file"
                )
            return ExternalTransport(url)

        app = backend.create_wsgi_app(self.config_path, self.app_settings)
        if name == "live":
            return LiveTransport(app)
        if name == "intercept":
            return InterceptTransport(app, passthrough=passthrough)
        raise ValueError(
            f"unknown tn-mock transport {name!r}; valid: live, intercept, external"
        )

    def __iter__(self) -> Iterator[Transport]:
        return iter(list(self._transports.values()))

    def close(self) -> None:
        for transport in self:
            transport.close()
        self._transports.clear()
