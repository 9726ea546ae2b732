"""The objects the fixtures hand to tests: URLs, clock, faults, journal, users."""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from .settings import split_scopes

if TYPE_CHECKING:
    import requests
    import time_machine

    from .backend import Control


@dataclass(frozen=True)
class IdpInfo:
    """Endpoints and client settings a client app needs to reach the IDP."""

    base_url: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]

    @property
    def issuer(self) -> str:
        return self.base_url + "/o"

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration/"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/authorize/"

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token/"

    @property
    def userinfo_endpoint(self) -> str:
        return self.issuer + "/userinfo/"

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/.well-known/jwks.json"

    @property
    def revocation_endpoint(self) -> str:
        return self.issuer + "/revoke_token/"

    @property
    def introspection_endpoint(self) -> str:
        return self.issuer + "/introspect/"

    @property
    def end_session_endpoint(self) -> str:
        return self.issuer + "/logout/"

    @property
    def scope(self) -> str:
        """The default scopes as the space-separated ``scope`` parameter."""
        return " ".join(self.scopes)


@dataclass(frozen=True)
class ApiInfo:
    """Base URLs of the Forms Webservice, the FGO+ Webservice and Reports."""

    forms_url: str
    fgo_url: str
    reports_url: str


@dataclass(frozen=True)
class TokenSet:
    """A token response: the access token, refresh token and ID token."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    refresh_token: str | None = None
    id_token: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> TokenSet:
        return cls(
            access_token=body["access_token"],
            token_type=body.get("token_type", "Bearer"),
            expires_in=int(body.get("expires_in", 0)),
            scope=body.get("scope", ""),
            refresh_token=body.get("refresh_token"),
            id_token=body.get("id_token"),
            raw=dict(body),
        )

    @property
    def authorization(self) -> dict[str, str]:
        """The ``Authorization`` header that sends the access token."""
        return {"Authorization": f"Bearer {self.access_token}"}


class Clock:
    """The mock's clock; with ``sync_local`` the test process's clock follows it.

    ``sync_local`` moves ``time.time()`` and ``datetime.now()`` of this
    process with time-machine, so that client libraries checking ``iat``
    and ``exp`` agree with the IDP. In process, the server reads that same
    patched clock, so after each move its offset is set back to match.
    """

    def __init__(self, control: Control, *, in_process: bool) -> None:
        self._control = control
        self._in_process = in_process
        self._traveller: time_machine.travel | None = None
        self.sync_local = False

    def now(self) -> float:
        """Return the resource servers' time, in seconds since the epoch."""
        return float(self._control.clock()["now"])

    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now(), dt.UTC)

    @property
    def frozen(self) -> bool:
        return bool(self._control.clock()["frozen"])

    def freeze(
        self,
        at: float | dt.datetime | None = None,
        *,
        sync_local: bool | None = None,
    ) -> None:
        """Stop the clock, at ``at`` or now."""
        if sync_local is not None:
            self.sync_local = sync_local
        self._control.freeze(None if at is None else _timestamp(at))
        self._follow()

    def advance(self, seconds: float) -> None:
        self._control.advance(seconds)
        self._follow()

    def set(self, instant: float | dt.datetime) -> None:
        """Move to ``instant``; a frozen clock stays frozen."""
        self._control.set_time(_timestamp(instant))
        self._follow()

    def skew(self, seconds: float) -> None:
        """Stamp what the IDP issues ``seconds`` ahead of the APIs' clock."""
        self._control.skew(seconds)

    def release(self) -> None:
        """Return to real time, dropping offsets and skew, here and in the mock."""
        self.stop_local()
        self._control.release()

    def stop_local(self) -> None:
        """Give the test process its real clock back."""
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None

    def _follow(self) -> None:
        if not self.sync_local:
            return

        import time_machine

        state = self._control.clock()
        target = float(state["now"])
        self.stop_local()
        self._traveller = time_machine.travel(target, tick=not state["frozen"])
        self._traveller.start()
        if self._in_process and not state["frozen"]:
            # The server now reads the moved clock too: drop its offset.
            self._control.set_time(target)


def _timestamp(instant: float | dt.datetime) -> float:
    if isinstance(instant, dt.datetime):
        return instant.timestamp()
    return float(instant)


class Faults:
    """Failures the mock sends instead of its normal response.

    ``endpoint`` names the requests a failure matches: a route name
    (``token``, ``userinfo``, ``jwks``, ``api:forms:latest``), a prefix of
    names (``api:forms`` matches every Forms route, ``api`` every API
    route) or a path with ``fnmatch`` wildcards (``/o/token/``,
    ``/api/v1/Forms/*``). A name that matches no route and an unknown
    ``error`` code raise ``ControlError`` when queued. Requests to
    ``/_mock/`` never fail.
    """

    def __init__(self, control: Control) -> None:
        self._control = control

    def fail(
        self,
        endpoint: str,
        *,
        error: str | None = None,
        status: int | None = None,
        error_description: str | None = None,
        retry_after: int | None = None,
        latency: float = 0.0,
        times: int = 1,
        call: int = 1,
        grant_type: str | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Fail ``times`` matching requests, from the ``call``-th one on.

        Give an ``error`` code (sent with its usual status unless ``status``
        is given), a ``status`` alone, or only ``latency`` in seconds to
        delay the normal response. Returns the queued failure.
        """
        options: dict[str, Any] = {
            "error": error,
            "status": status,
            "error_description": error_description,
            "retry_after": retry_after,
            "grant_type": grant_type,
            "body": body,
        }
        options = {name: value for name, value in options.items() if value is not None}
        return self._control.queue_failure(
            endpoint, latency=latency, times=times, call=call, **options
        )

    def drop(self, endpoint: str, *, times: int = 1, call: int = 1) -> dict[str, Any]:
        """Close the connection without a response.

        The intercept transport has no socket to close, so there the request
        fails the test with the server's error.
        """
        return self._control.queue_failure(endpoint, drop=True, times=times, call=call)

    def outage(
        self, endpoint: str = "/o/*", *, retry_after: int = 30, times: int = 1
    ) -> dict[str, Any]:
        """Queue 503 ``temporarily_unavailable`` responses with ``Retry-After``."""
        return self.fail(
            endpoint,
            error="temporarily_unavailable",
            status=503,
            retry_after=retry_after,
            times=times,
        )

    def pending(self) -> list[dict[str, Any]]:
        """Return the failures still queued, with how many requests each awaits."""
        return self._control.failures()

    def assert_all_fired(self) -> None:
        """Fail unless every queued failure was sent as often as requested."""
        pending = self.pending()
        if not pending:
            return

        lines = [
            f"  {fault['endpoint']!r}: sent {fault['applied']} of {fault['times']}"
            f" times, {fault['seen']} matching requests seen"
            for fault in pending
        ]
        raise AssertionError(
            f"{len(pending)} queued failure(s) did not fire:\n" + "\n".join(lines)
        )

    def clear(self) -> None:
        self._control.clear_failures()


class Journal:
    """Requests the mock received during this test, oldest first.

    Entries are dicts (``method``, ``path``, ``endpoint``, ``query``,
    ``form``, ``status``, ``error`` …). Secrets (codes, verifiers, tokens,
    passwords) appear as a short prefix and a SHA-256 fingerprint: compare
    with :meth:`redact`. Requests to ``/_mock/`` are not recorded.
    """

    def __init__(self, control: Control) -> None:
        self._control = control

    def entries(self, **filters: Any) -> list[dict[str, Any]]:
        """Return the entries whose fields equal every filter.

        Filters: ``method``, ``path``, ``endpoint`` (also matches the names
        below it), ``grant_type``, ``token``, ``token_status``, ``sub``,
        ``client_id``, ``status``, ``error``, ``dropped``, and ``sent``
        (the request carried that form or query field).
        """
        return self._control.journal(**filters)

    def count(self, **filters: Any) -> int:
        return len(self.entries(**filters))

    def last(self, **filters: Any) -> dict[str, Any]:
        entries = self.entries(**filters)
        if not entries:
            raise LookupError(f"the journal has no request matching {filters}")
        return entries[-1]

    def clear(self) -> None:
        self._control.clear_journal()

    @staticmethod
    def redact(secret: str) -> str:
        """Return ``secret`` the way the journal stores it."""
        from .backend import fingerprint

        return fingerprint(secret)


class Users:
    """Test users: add one, or change the claims of an existing one."""

    def __init__(self, control: Control) -> None:
        self._control = control

    def add(self, username: str, **fields: Any) -> dict[str, Any]:
        return self._control.add_user(username=username, **fields)

    def update(self, user: str, **changes: Any) -> dict[str, Any]:
        """Change a user's fields (``name``, ``companies``, ``extra_claims`` …)."""
        return self._control.update_user(user, **changes)

    def revoke_tokens(self, sub: str) -> None:
        self._control.revoke_user(sub)


class Clients:
    """Registered OAuth clients: add one, or revoke every token of one."""

    def __init__(self, control: Control) -> None:
        self._control = control

    def add(
        self, client_id: str, *, redirect_uris: Sequence[str] = (), **fields: Any
    ) -> dict[str, Any]:
        return self._control.add_client(
            client_id=client_id, redirect_uris=tuple(redirect_uris), **fields
        )

    def set_lifetimes(self, client_id: str, **lifetimes: int | None) -> None:
        self._control.set_lifetimes(client_id, **lifetimes)

    def revoke_tokens(self, client_id: str) -> None:
        self._control.revoke_client(client_id)


def as_scope(scopes: str | Sequence[str] | None, default: Sequence[str]) -> str:
    return " ".join(default if scopes is None else split_scopes(scopes))


def check_response(response: requests.Response, what: str) -> dict[str, Any]:
    """Return the JSON body, or raise naming the OAuth error the mock sent."""
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.ok and body:
        return body

    # RFC 6750 section 3: a resource server such as userinfo may send its
    # error only in the WWW-Authenticate header.
    challenge = response.headers.get("WWW-Authenticate", "")
    error = body.get("error") or _challenge_param(challenge, "error")
    description = body.get("error_description") or _challenge_param(
        challenge, "error_description"
    )
    raise LoginError(
        f"{what} failed: HTTP {response.status_code} "
        f"{error or 'no JSON error body'}: {description or response.text[:200]}",
        error=error,
        error_description=description,
        status=response.status_code,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def _challenge_param(challenge: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', challenge)
    return match.group(1) if match else None


def parse_retry_after(value: str | None) -> int | None:
    """Return the seconds of a ``Retry-After`` header, given as seconds or a date.

    An HTTP date in the past gives 0; a missing or malformed value gives None.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # RFC 9110 section 5.6.7: an HTTP date is always in GMT.
    seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return max(0, math.ceil(seconds))


class LoginError(AssertionError):
    """A login, refresh or userinfo call that the mock rejected, with its reason.

    ``error`` and ``error_description`` are the OAuth error, taken from the
    JSON body, the error redirect or the ``WWW-Authenticate`` header.
    ``status`` is the HTTP status and ``retry_after`` the ``Retry-After``
    header in seconds. Each is None when the response did not carry it.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.error = error
        self.error_description = error_description
        self.status = status
        self.retry_after = retry_after
