"""A stand-in for ``mock_idp.control.Controller`` built on ``IdpState``.

NOTE: the control API (clock, faults, journal, users, minting) belongs to
``mock_idp.control``. Until that module exists, ``backend.py`` uses this
class, which offers the same method names on an in-process app only. It
records the journal and serves queued failures through Flask hooks that it
adds to the app it is given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Mapping
from typing import Any

from authlib.common.security import generate_token
from flask import Flask
from flask import Response
from flask import jsonify
from flask import request

from mock_idp.app import get_state
from mock_idp.config import ClientConfig
from mock_idp.config import IdpConfig
from mock_idp.config import UserConfig
from mock_idp.models import Token

#: Form fields, query parameters and headers whose values the journal redacts.
SECRET_NAMES = frozenset(
    {
        "code",
        "code_verifier",
        "access_token",
        "refresh_token",
        "id_token",
        "id_token_hint",
        "client_secret",
        "password",
        "token",
        "authorization",
        "cookie",
    }
)


def redact(value: str) -> str:
    """Return the first 6 characters of a secret and a short SHA-256 fingerprint."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"{value[:6]}…{digest}"


def _redact_items(items: Mapping[str, str]) -> dict[str, str]:
    return {
        name: redact(value) if name.lower() in SECRET_NAMES else value
        for name, value in items.items()
    }


class StateController:
    """Control of one in-process app: the ``Controller`` methods on its state."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.state = get_state(app)
        self._lock = threading.Lock()
        self._journal: list[dict[str, Any]] = []
        self._failures: list[dict[str, Any]] = []
        app.before_request(self._serve_failure)
        app.after_request(self._record)

    # Reset and settings

    def reset(self) -> None:
        self.state.reset()
        self.clear_journal()
        self.clear_failures()

    def configure(self, **settings: Any) -> None:
        known = {field.name for field in dataclasses.fields(IdpConfig)}
        changes: dict[str, Any] = {}
        default_user = settings.pop("default_user", None)
        if default_user is not None:
            self._put_user_first(default_user)
        for name, value in settings.items():
            if name not in known:
                raise ValueError(
                    f"unknown IDP setting {name!r}; known: {', '.join(sorted(known))}"
                )
            changes[name] = value
        self.state.configure(**changes)

    def _put_user_first(self, name_or_sub: str) -> None:
        # Auto-approve logs in the first user when no login_hint is sent.
        users = self.state.config.users
        chosen = [u for u in users if name_or_sub in (u.username, u.sub)]
        if not chosen:
            known = ", ".join(u.username for u in users)
            raise ValueError(f"unknown user {name_or_sub!r}; known users: {known}")
        if users[0] is chosen[0]:
            return
        others = tuple(u for u in users if u is not chosen[0])
        self.state.configure(users=(chosen[0], *others))
        self.state.store.reset(self.state.config)

    def set_lifetimes(self, client_id: str | None = None, **lifetimes: Any) -> None:
        if client_id is None:
            current = self.state.config.lifetimes
            self.state.configure(lifetimes=dataclasses.replace(current, **lifetimes))
            return

        client = self.state.store.get_client(client_id)
        base = self.state.lifetimes(client)
        self.state.client_lifetimes[client_id] = dataclasses.replace(base, **lifetimes)

    # Clock

    def clock(self) -> dict[str, Any]:
        return dict(self.state.clock.state())

    def freeze(self, at: float | None = None) -> None:
        self.state.clock.freeze(at)

    def advance(self, seconds: float) -> None:
        self.state.clock.advance(seconds)

    def set_time(self, instant: float) -> None:
        self.state.clock.set(instant)

    def release(self) -> None:
        self.state.clock.release()

    def skew(self, seconds: float) -> None:
        self.state.clock.set_skew(seconds)

    # Tokens

    def mint_token(
        self,
        user: str,
        scope: str,
        client_id: str = "test-client",
        lifetime: int | None = None,
        issuer: str | None = None,
    ) -> dict[str, Any]:
        state = self.state
        owner = state.store.find_user(user)
        if owner is None:
            known = ", ".join(u.config.username for u in state.store.users())
            raise ValueError(f"user {user!r} not found; known users: {known}")
        client = state.store.get_client(client_id)
        if client is None:
            known = ", ".join(c.client_id for c in state.store.clients())
            raise ValueError(f"unknown client {client_id!r}; known clients: {known}")

        lifetimes = state.lifetimes(client)
        expires_in = lifetimes.access_token if lifetime is None else lifetime
        issued_at = state.clock.issue_time()
        token = Token(
            access_token=generate_token(42),
            refresh_token=generate_token(48),
            client_id=client_id,
            sub=owner.sub,
            scope=scope,
            issued_at=issued_at,
            expires_at=issued_at + expires_in,
            refresh_expires_at=(
                None
                if lifetimes.refresh_token is None
                else issued_at + lifetimes.refresh_token
            ),
            family_id=generate_token(16),
            auth_time=int(issued_at),
        )
        state.store.save_token(token)

        response: dict[str, Any] = {
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": scope,
        }
        if "openid" in scope.split():
            claims = owner.claims(scope)
            claims.update(
                iss=issuer or state.issuer(),
                aud=client_id,
                iat=int(issued_at),
                exp=int(issued_at) + lifetimes.id_token,
                auth_time=int(issued_at),
            )
            response["id_token"] = state.keys.sign(claims)
        return response

    def expire_token(self, token: str) -> None:
        store = self.state.store
        now = self.state.clock.now()
        record = store.get_access_token(token)
        if record is not None:
            record.expires_at = now
            return
        record = store.get_refresh_token(token)
        if record is None:
            raise ValueError(f"token {redact(token)} not found")
        record.refresh_expires_at = now

    def revoke_token(self, token: str) -> None:
        store = self.state.store
        record = store.get_access_token(token) or store.get_refresh_token(token)
        if record is None:
            raise ValueError(f"token {redact(token)} not found")
        store.revoke(record)

    def revoke_user(self, sub: str) -> None:
        for record in list(self.state.store.iter_tokens(sub=sub)):
            self.state.store.revoke(record)

    def revoke_client(self, client_id: str) -> None:
        for record in list(self.state.store.iter_tokens(client_id=client_id)):
            self.state.store.revoke(record)

    def rotate_key(self) -> str:
        return self.state.keys.rotate()

    # Users and clients

    def add_user(self, **fields: Any) -> dict[str, Any]:
        username = fields["username"]
        defaults: dict[str, Any] = {
            "password": username,
            "sub": username,
            "livits_id": "",
            "name": username,
            "given_name": username,
            "family_name": "",
        }
        config = UserConfig(**{**defaults, **_tuples(fields)})
        self.state.store.save_user(config)
        return dataclasses.asdict(config)

    def update_user(self, user: str, **changes: Any) -> dict[str, Any]:
        try:
            updated = self.state.store.update_user(user, **_tuples(changes))
        except KeyError:
            known = ", ".join(u.config.username for u in self.state.store.users())
            raise ValueError(f"user {user!r} not found; known users: {known}") from None
        return dataclasses.asdict(updated.config)

    def add_client(self, **fields: Any) -> dict[str, Any]:
        config = ClientConfig(**_tuples(fields))
        self.state.store.save_client(config)
        return dataclasses.asdict(config)

    def users(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(u.config) for u in self.state.store.users()]

    # Failures

    def queue_failure(
        self,
        *,
        path: str = "/",
        method: str | None = None,
        host: str | None = None,
        status: int = 503,
        error: str = "temporarily_unavailable",
        description: str = "The service is unavailable (failure queued by a test).",
        retry_after: int | None = None,
        latency: float = 0.0,
        count: int = 1,
    ) -> None:
        failure = {
            "path": path,
            "method": method.upper() if method else None,
            "host": host,
            "status": status,
            "error": error,
            "description": description,
            "retry_after": retry_after,
            "latency": latency,
            "count": count,
        }
        with self._lock:
            self._failures.append(failure)

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def _serve_failure(self) -> Response | None:
        with self._lock:
            failure = next(
                (f for f in self._failures if _failure_matches(f)),
                None,
            )
            if failure is None:
                return None
            failure["count"] -= 1
            if failure["count"] <= 0:
                self._failures.remove(failure)

        if failure["latency"]:
            # Latency delays the response only. Expiry tests move the mock clock.
            time.sleep(failure["latency"])
        response = jsonify(
            {"error": failure["error"], "error_description": failure["description"]}
        )
        response.status_code = failure["status"]
        if failure["retry_after"] is not None:
            response.headers["Retry-After"] = str(failure["retry_after"])
        return response

    # Journal

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._journal)
        return [e for e in entries if all(e.get(k) == v for k, v in filters.items())]

    def clear_journal(self) -> None:
        with self._lock:
            self._journal.clear()

    def _record(self, response: Response) -> Response:
        entry = {
            "time": self.state.clock.now(),
            "method": request.method,
            "host": request.host,
            "path": request.path,
            "query": _redact_items(request.args.to_dict()),
            "form": _redact_items(request.form.to_dict()),
            "headers": _redact_items(dict(request.headers)),
            "status": response.status_code,
        }
        with self._lock:
            self._journal.append(entry)
        return response


def _failure_matches(failure: Mapping[str, Any]) -> bool:
    if not request.path.startswith(failure["path"]):
        return False
    if failure["method"] is not None and request.method != failure["method"]:
        return False
    return failure["host"] is None or request.host == failure["host"]


def _tuples(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
