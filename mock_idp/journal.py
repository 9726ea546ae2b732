"""The request journal: every request to the IDP or the APIs, redacted.

Secrets never enter the journal whole: codes, verifiers, tokens, client
secrets and passwords are stored as :func:`fingerprint` values, so that a
test can still match them (``fingerprint(token) == entry.token``).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Flask
from flask import Request
from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.datastructures import MultiDict

from .clock import Clock
from .faults import CONTROL_PREFIX
from .faults import endpoint_name

#: Form and query fields whose values are secrets.
SECRET_FIELDS = frozenset(
    {
        "code",
        "code_verifier",
        "access_token",
        "refresh_token",
        "id_token",
        "id_token_hint",
        "token",
        "client_secret",
        "password",
        "client_assertion",
        "csrf",
    }
)

FORM_MIMETYPE = "application/x-www-form-urlencoded"
#: The form of a request without a URL-encoded body; never modified.
_NO_FORM: MultiDict[str, str] = MultiDict()

#: Look-up of a bearer or refresh token: ``(status, sub, client_id)`` where
#: status is ``active``, ``expired``, ``revoked`` or ``unknown``.
TokenIdentifier = Callable[[str], tuple[str, str | None, str | None]]


def fingerprint(value: str) -> str:
    """Return the journal's redacted form of a secret: prefix and hash.

    The prefix is the first 6 characters, but never more than half of the
    value, so that a short password is not stored whole.
    """
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]
    prefix = value[: min(6, len(value) // 2)]
    return f"{prefix}…{digest}"


def redact(fields: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Collect form or query fields, fingerprinting the secret ones."""
    collected: dict[str, str | list[str]] = {}
    for name, value in fields:
        stored = fingerprint(value) if name in SECRET_FIELDS else value
        previous = collected.get(name)
        if previous is None:
            collected[name] = stored
        elif isinstance(previous, list):
            previous.append(stored)
        else:
            collected[name] = [previous, stored]
    return collected


@dataclass(kw_only=True)
class JournalEntry:
    """One recorded request; times are on the mock clock, in seconds."""

    id: int
    method: str
    path: str
    endpoint: str
    query: dict[str, Any] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)
    grant_type: str | None = None
    token: str | None = None
    token_status: str | None = None
    sub: str | None = None
    client_id: str | None = None
    status: int | None = None
    error: str | None = None
    dropped: bool = False
    fault: int | None = None
    started: float = 0.0
    ended: float | None = None
    duration: float | None = None

    def sent(self, name: str) -> bool:
        """Tell whether the request carried the form or query field ``name``."""
        return name in self.form or name in self.query

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Filters of :meth:`Journal.entries`, each compared with one entry field.
FILTER_FIELDS = (
    "method",
    "path",
    "endpoint",
    "grant_type",
    "token",
    "token_status",
    "sub",
    "client_id",
    "status",
    "error",
    "dropped",
)


class Journal:
    """A bounded, thread-safe record of requests; the oldest drop out first."""

    def __init__(self, clock: Clock, max_entries: int = 1000) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: deque[JournalEntry] = deque(maxlen=max_entries)
        self._ids = itertools.count(1)

    def start(self, **values: Any) -> JournalEntry:
        with self._lock:
            entry = JournalEntry(id=next(self._ids), started=self.clock.now(), **values)
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(self, *, sent: str | None = None, **filters: Any) -> list[JournalEntry]:
        """Return matching entries, oldest first.

        Each keyword of :data:`FILTER_FIELDS` must equal the entry's field;
        ``endpoint`` also matches the names below it (``api`` matches
        ``api:forms``); ``sent`` keeps requests that carried that field.
        """
        unknown = sorted(set(filters) - set(FILTER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown journal filter(s) {unknown}; known filters: "
                f"{', '.join(FILTER_FIELDS)}, sent"
            )

        with self._lock:
            snapshot = list(self._entries)
        return [
            entry
            for entry in snapshot
            if _matches(entry, filters) and (sent is None or entry.sent(sent))
        ]

    def count(self, **filters: Any) -> int:
        return len(self.entries(**filters))

    def last(self, **filters: Any) -> JournalEntry | None:
        found = self.entries(**filters)
        return found[-1] if found else None


def _matches(entry: JournalEntry, filters: Mapping[str, Any]) -> bool:
    for name, expected in filters.items():
        actual = getattr(entry, name)
        if name == "endpoint" and isinstance(actual, str):
            if actual == expected or actual.startswith(f"{expected}:"):
                continue
            return False
        if actual != expected:
            return False
    return True


def install_journal(
    app: Flask, journal: Journal, identify_token: TokenIdentifier | None = None
) -> None:
    """Record every request of ``app`` except the control API's.

    ``identify_token`` gives the status and owner of a token the request
    carries; the IDP looks in its store, an API may introspect.
    """
    app.extensions["tn_mock_journal"] = journal
    app.extensions["tn_mock_identify_token"] = identify_token
    # Recording starts before any other hook, such as the fault hook.
    app.before_request_funcs.setdefault(None, []).insert(0, _record_start)
    app.after_request(_record_end)


def _record_start() -> None:
    # The hook runs on every request, so it reads the request object once
    # instead of through Flask's context-local proxy for each attribute.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    path = req.path
    if path.startswith(CONTROL_PREFIX):
        return

    journal: Journal = current_app.extensions["tn_mock_journal"]
    form: MultiDict[str, str] = req.form if req.mimetype == FORM_MIMETYPE else _NO_FORM
    query = req.args
    values: dict[str, Any] = {
        "method": req.method,
        "path": path,
        "endpoint": endpoint_name(req),
        "query": redact(query.items(multi=True)),
        "form": redact(form.items(multi=True)),
        "grant_type": _first(form, "grant_type"),
        "client_id": _first(form, "client_id") or _first(query, "client_id"),
    }
    values.update(_token_identity(req, form))
    g.tn_mock_entry = journal.start(**values)
    g.tn_mock_started = time.perf_counter()


def _first(fields: MultiDict[str, str], name: str) -> str | None:
    # MultiDict.get raises and catches a BadRequestKeyError for every
    # missing name, which costs far more than the membership test.
    return fields.get(name) if name in fields else None


def _token_identity(req: Request, form: MultiDict[str, str]) -> dict[str, Any]:
    """Find the token the request presents: a bearer, or a form token."""
    # The environ key, not req.headers.get, because a missing header there
    # raises and catches a BadRequestKeyError, which is slow.
    header = req.environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    token = value.strip() if scheme.lower() == "bearer" else ""
    token = token or _first(form, "refresh_token") or _first(form, "token") or ""
    if not token:
        return {}

    identity: dict[str, Any] = {"token": fingerprint(token)}
    identify: TokenIdentifier | None = current_app.extensions["tn_mock_identify_token"]
    if identify is not None:
        status, sub, client_id = identify(token)
        identity.update(token_status=status, sub=sub)
        if client_id is not None:
            identity["client_id"] = client_id
    return identity


def _record_end(response: Response) -> Response:
    request_globals = g._get_current_object()  # type: ignore[attr-defined]
    entry: JournalEntry | None = request_globals.get("tn_mock_entry")
    if entry is None:
        return response

    journal: Journal = current_app.extensions["tn_mock_journal"]
    entry.ended = journal.clock.now()
    entry.duration = time.perf_counter() - request_globals.tn_mock_started
    entry.fault = request_globals.get("tn_mock_fault")
    if request_globals.get("tn_mock_dropped"):
        entry.dropped = True
        return response

    entry.status = response.status_code
    entry.error = _error_code(response)
    return response


def _error_code(response: Response) -> str | None:
    if response.status_code < 400:
        return _redirect_error(response)
    if response.is_json:
        payload = response.get_json(silent=True)
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, str):
            return error
    challenge = response.headers.get("WWW-Authenticate", "")
    marker = 'error="'
    if marker in challenge:
        return challenge.split(marker, 1)[1].split('"', 1)[0]
    return None


def _redirect_error(response: Response) -> str | None:
    # An authorize error travels in the redirect's query or fragment.
    from urllib.parse import parse_qs
    from urllib.parse import urlsplit

    location = response.headers.get("Location")
    if not location:
        return None
    parts = urlsplit(location)
    params = parse_qs(parts.query) or parse_qs(parts.fragment)
    errors = params.get("error")
    return errors[0] if errors else None
