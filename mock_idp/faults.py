"""Scripted failures: queue a bad response for the next matching requests.

A :class:`Fault` names the requests it matches (an endpoint name or path,
optionally a grant type and a call number) and what happens to them: an
OAuth error, any HTTP status, added latency or a dropped connection.
:func:`install_faults` applies a queue to any Flask app through a
``before_request`` hook, so the APIs use the same mechanism as the IDP.
"""

from __future__ import annotations

import difflib
import fnmatch
import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask import Request
from flask import Response
from flask import current_app
from flask import g
from flask import request

log = logging.getLogger(__name__)

#: Path prefix of the control API, which faults never touch, so that a
#: test can always clear what it queued.
CONTROL_PREFIX = "/_mock/"

#: Flask blueprint of the IDP; its endpoints are also matched by short name.
IDP_BLUEPRINT = "idp"

#: The error codes a fault may send, with the HTTP status each gets when
#: the caller gives none: RFC 6749 sections 4.1.2.1 and 5.2, RFC 6750
#: section 3.1, RFC 7009 section 2.2.1 and OpenID Connect Core section
#: 3.1.2.6. Any other body can be sent with ``status`` and ``body``.
ERROR_STATUS = {
    "invalid_request": 400,
    "invalid_grant": 400,
    "invalid_scope": 400,
    "unauthorized_client": 400,
    "unsupported_grant_type": 400,
    "unsupported_response_type": 400,
    "unsupported_token_type": 400,
    "interaction_required": 400,
    "login_required": 400,
    "account_selection_required": 400,
    "consent_required": 400,
    "invalid_request_uri": 400,
    "invalid_request_object": 400,
    "request_not_supported": 400,
    "request_uri_not_supported": 400,
    "registration_not_supported": 400,
    "invalid_client": 401,
    "invalid_token": 401,
    "access_denied": 403,
    "insufficient_scope": 403,
    "server_error": 500,
    "temporarily_unavailable": 503,
}

#: Error codes that resource servers send in ``WWW-Authenticate: Bearer``
#: (RFC 6750 section 3.1).
BEARER_ERRORS = ("invalid_token", "insufficient_scope", "invalid_request")

#: Upper bound of an injected delay, so that a typo cannot hang a test run.
MAX_LATENCY_SECONDS = 120.0


class FaultError(ValueError):
    """A fault that cannot be queued; ``field`` names the bad argument."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(kw_only=True)
class Fault:
    """One queued failure and how many matching requests it still affects.

    ``call`` delays the fault to the n-th matching request (1-based)
    counted from when it was queued; it then affects ``times`` requests.
    """

    id: int
    endpoint: str
    grant_type: str | None = None
    call: int = 1
    times: int = 1
    error: str | None = None
    error_description: str | None = None
    status: int | None = None
    body: str | None = None
    retry_after: int | None = None
    latency: float = 0.0
    drop: bool = False
    seen: int = 0
    applied: int = 0

    @property
    def remaining(self) -> int:
        return self.times - self.applied

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["remaining"] = self.remaining
        return data


def endpoint_name(req: Request) -> str:
    """Name the request's route: ``token`` for the IDP, ``bp:view`` otherwise.

    Nested blueprints give ``api:forms:latest``; an unrouted request gives
    an empty name and is matched by its path only.
    """
    return name_endpoint(req.endpoint or "")


def name_endpoint(endpoint: str) -> str:
    """Turn a Flask endpoint (``idp.token``, ``api.forms.latest``) into a name."""
    if not endpoint:
        return ""

    parts = endpoint.split(".")
    if parts[0] == IDP_BLUEPRINT and len(parts) == 2:
        return parts[1]
    return ":".join(parts)


def matches_endpoint(pattern: str, name: str, path: str) -> bool:
    """Match a name (``token``, ``api:forms``) or a path (``/o/token/``).

    A name matches itself and every name below it (``api:forms`` matches
    ``api:forms:latest``). A pattern starting with ``/`` is a path, and
    both accept ``fnmatch`` wildcards (``/api/v1/Forms/*``).
    """
    if pattern.startswith("/"):
        return fnmatch.fnmatchcase(path.lower(), pattern.lower())
    if not name:
        return False
    if pattern == name or name.startswith(pattern + ":"):
        return True
    return fnmatch.fnmatchcase(name, pattern)


def list_endpoint_names(app: Flask) -> list[str]:
    """Return the sorted names of ``app``'s routes that faults can match."""
    names = {
        name_endpoint(rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.rule.startswith(CONTROL_PREFIX)
    }
    return sorted(names)


def validate_endpoint(pattern: str, names: Iterable[str]) -> None:
    """Raise :class:`FaultError` unless ``pattern`` can match some request.

    A path (starting with ``/``) is accepted as it is. A name must match at
    least one of ``names`` as :func:`matches_endpoint` does.
    """
    known = list(names)
    if pattern.startswith("/") or any(
        matches_endpoint(pattern, name, "") for name in known
    ):
        return

    prefixes = {name.rsplit(":", 1)[0] for name in known if ":" in name}
    close = difflib.get_close_matches(pattern, [*known, *prefixes], n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise FaultError(
        "endpoint",
        f"endpoint {pattern!r} matches no route. {hint}Give one of "
        f"{', '.join(known)}, a prefix of one such as 'api:forms', or a path "
        "starting with '/' such as '/o/token/'",
    )


def validate_fault(fault: Fault) -> None:
    """Raise :class:`FaultError` naming the field and the fix."""
    if not fault.endpoint:
        raise FaultError(
            "endpoint",
            "endpoint is empty; give a name such as 'token', 'jwks', "
            "'userinfo', 'authorize', 'api:forms' or a path such as '/o/token/'",
        )
    if fault.times < 1 or fault.call < 1:
        raise FaultError(
            "times" if fault.times < 1 else "call",
            f"times and call must be at least 1, got times={fault.times}, "
            f"call={fault.call}",
        )
    if fault.error is not None and fault.error not in ERROR_STATUS:
        raise FaultError(
            "error",
            f"error {fault.error!r} is not a known error code; give one of "
            f"{', '.join(ERROR_STATUS)}, or send another body with status "
            "and body",
        )
    if fault.status is not None and not 100 <= fault.status <= 599:
        raise FaultError(
            "status", f"status must be an HTTP status 100-599, got {fault.status}"
        )
    if not 0 <= fault.latency <= MAX_LATENCY_SECONDS:
        raise FaultError(
            "latency",
            f"latency must be 0 to {MAX_LATENCY_SECONDS:g} seconds, "
            f"got {fault.latency}",
        )
    if fault.retry_after is not None and fault.retry_after < 0:
        raise FaultError(
            "retry_after", f"retry_after must be 0 or more, got {fault.retry_after}"
        )
    if fault.drop and (fault.error or fault.status):
        raise FaultError(
            "drop", "a dropped connection sends no response; omit error and status"
        )
    if not (fault.drop or fault.error or fault.status or fault.latency):
        raise FaultError(
            "error",
            "the fault does nothing; give error, status, latency or drop=true",
        )


class FaultQueue:
    """Queued faults of one app, consumed by matching requests; thread safe.

    ``endpoint_names`` returns the route names a fault's endpoint must
    match; :func:`install_faults` sets it from the app's routes. Without
    it, any endpoint is accepted.
    """

    def __init__(
        self, endpoint_names: Callable[[], Iterable[str]] | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.endpoint_names = endpoint_names

    def queue(self, endpoint: str, **options: Any) -> Fault:
        """Queue a fault; see :class:`Fault` for the options."""
        with self._lock:
            fault = Fault(id=next(self._ids), endpoint=endpoint, **options)
            validate_fault(fault)
            if self.endpoint_names is not None:
                validate_endpoint(endpoint, self.endpoint_names())
            self._faults.append(fault)
        log.info("queued fault %s", fault.to_dict())
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def is_empty(self) -> bool:
        """Tell whether no fault is queued, without taking the lock.

        Reading the list's length is atomic, and a fault queued while a
        request is already past this check would miss that request anyway.
        """
        return not self._faults

    def pending(self) -> list[Fault]:
        with self._lock:
            return [fault for fault in self._faults if fault.remaining > 0]

    def take(self, name: str, path: str, grant_type: str | None) -> Fault | None:
        """Count one request against every matching fault; return the one due.

        The first queued fault that is due wins; the others still count
        the call, so ``call=2`` always means the second matching request.
        """
        due: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if fault.remaining <= 0:
                    continue
                if not matches_endpoint(fault.endpoint, name, path):
                    continue
                if fault.grant_type is not None and fault.grant_type != grant_type:
                    continue

                fault.seen += 1
                if due is None and fault.seen >= fault.call:
                    fault.applied += 1
                    due = fault
            self._faults = [fault for fault in self._faults if fault.remaining > 0]
        return due


def install_faults(app: Flask, faults: FaultQueue) -> None:
    """Apply ``faults`` to every request of ``app`` except the control API.

    Unless ``faults`` has its own ``endpoint_names``, faults are checked
    against the routes ``app`` has when they are queued, so that routes
    registered later, such as the mounted APIs, count too.
    """
    if faults.endpoint_names is None:
        faults.endpoint_names = lambda: list_endpoint_names(app)
    app.extensions["tn_mock_faults"] = faults
    app.before_request(apply_fault)


def apply_fault() -> Response | None:
    # Most requests run with no fault queued; they skip naming the endpoint
    # and parsing the form, which a match needs.
    faults: FaultQueue = current_app.extensions["tn_mock_faults"]
    if faults.is_empty():
        return None

    if request.path.startswith(CONTROL_PREFIX):
        return None
    grant_type = _grant_type(request)
    fault = faults.take(endpoint_name(request), request.path, grant_type)
    if fault is None:
        return None

    g.tn_mock_fault = fault.id
    log.info("applying fault %d to %s %s", fault.id, request.method, request.path)
    if fault.latency:
        # Real time on purpose: the client's timeout runs on real time.
        time.sleep(fault.latency)
    if fault.drop:
        return drop_connection()
    if fault.error or fault.status:
        return create_fault_response(fault)
    return None


def _grant_type(req: Request) -> str | None:
    if req.method != "POST" or req.mimetype != "application/x-www-form-urlencoded":
        return None
    return req.form.get("grant_type")


def create_fault_response(fault: Fault) -> Response:
    """Build the HTTP response of an error or status fault."""
    status = fault.status or ERROR_STATUS.get(fault.error or "", 400)
    response = Response(status=status)
    if fault.body is not None:
        response.set_data(fault.body)
        response.mimetype = _guess_mimetype(fault.body)
    elif fault.error:
        description = fault.error_description or "Failure queued in the mock."
        payload = {"error": fault.error, "error_description": description}
        response.set_data(json.dumps(payload))
        response.mimetype = "application/json"

    if fault.error in BEARER_ERRORS and status in (401, 403):
        response.headers["WWW-Authenticate"] = (
            f'Bearer error="{fault.error}", '
            f'error_description="{fault.error_description or "queued failure"}"'
        )
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def _guess_mimetype(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain"
    return "application/json"


def drop_connection() -> Response:
    """Close the client's connection without sending a status line.

    werkzeug's development server puts the socket in the WSGI environ as
    ``werkzeug.socket``. Shutting it down makes the server's write fail
    with a broken pipe, which it treats as a client that went away.
    """
    sock = request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        raise RuntimeError(
            "cannot drop the connection: the WSGI server does not expose its "
            "socket as environ['werkzeug.socket']; run the mock on werkzeug's "
            "server (tn-mock serve) to use drop faults"
        )

    g.tn_mock_dropped = True
    # The client sees the closed socket before after_request hooks run, so
    # the journal entry is marked first: a test that reads the journal
    # right after its ConnectionError finds the drop recorded.
    entry = g.get("tn_mock_entry")
    if entry is not None:
        entry.dropped = True
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # The client already closed its end.
    return Response(status=500)
