"""No secret issued or received by the IDP reaches any log record."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server

from mock_idp.app import create_app
from mock_idp.cli import RedactingRequestHandler

from .conftest import LiveServer
from .flows import API_CLIENT
from .flows import TIMEOUT
from .flows import Flow


@pytest.fixture
def cli_idp() -> Iterator[LiveServer]:
    """An IDP served with the command line's request handler."""
    app = create_app(auto_approve=True)
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


def run_whole_flow(flow: Flow) -> list[str]:
    """Run every endpoint once with real values; return the secrets used."""
    code, verifier = flow.issue_code()
    first = flow.token(flow.exchange_data(code, verifier)).json()
    second = flow.refresh(first["refresh_token"]).json()
    assert flow.userinfo(second["access_token"]).status_code == 200
    # A token in the query string is what the request log must redact.
    requests.get(
        flow.url("userinfo/"),
        params={"access_token": second["access_token"]},
        timeout=TIMEOUT,
    )
    assert flow.introspect(second["access_token"]).json()["active"] is True
    assert flow.revoke(first["access_token"]).status_code == 200
    requests.get(
        flow.url("logout/"),
        params={"id_token_hint": second["id_token"], "client_id": flow.client_id},
        timeout=TIMEOUT,
    )
    secrets = [code, verifier, API_CLIENT[1]]
    for tokens in (first, second):
        secrets += [tokens["access_token"], tokens["refresh_token"], tokens["id_token"]]
    return secrets


#: Loggers of the test's own HTTP client, which logs the URLs it requests.
CLIENT_LOGGERS = ("urllib3",)


def _leaks(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    leaks = []
    for record in records:
        if record.name.split(".")[0] in CLIENT_LOGGERS:
            continue
        text = record.getMessage() + " " + repr(record.args)
        leaks += [f"{record.name}: {text}" for secret in secrets if secret in text]
    return leaks


def test_whole_flow_logs_no_secret(
    live_idp: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    secrets = run_whole_flow(Flow(live_idp))

    assert caplog.records
    assert _leaks(caplog.records, secrets) == []


def test_cli_request_log_redacts_secrets(
    cli_idp: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    secrets = run_whole_flow(Flow(cli_idp))

    request_lines = [r for r in caplog.records if r.name == "tn_mock"]
    assert len(request_lines) >= 8
    assert any("[redacted]" in r.getMessage() for r in request_lines)
    assert _leaks(caplog.records, secrets) == []
