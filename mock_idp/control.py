"""The control service: everything a test changes in a running IDP.

:class:`Controller` works in-process; ``control_client.RemoteController``
has the same methods over the ``/_mock/`` HTTP API. Both return plain
JSON-ready dicts and lists and raise :class:`ControlError` on bad input,
so a test suite can use either one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Error

from .config import ClientConfig
from .config import UserConfig
from .control_checks import MAX_SECONDS
from .control_checks import SETTINGS
from .control_checks import ControlError
from .control_checks import check_failure_options
from .control_checks import check_fields
from .control_checks import check_int
from .control_checks import check_journal_filters
from .control_checks import check_lifetimes
from .control_checks import check_number
from .control_checks import check_setting
from .control_checks import check_string
from .control_checks import client_to_dict
from .control_checks import default_user_values
from .control_checks import user_to_dict
from .faults import FaultError
from .faults import FaultQueue
from .journal import Journal
from .journal import fingerprint
from .models import User
from .scopes import validate_scope
from .state import IdpState
from .token_admin import TokenAdminError
from .token_admin import find_token
from .token_admin import mint_token

__all__ = ["Controller", "ControlError", "RequestControls"]


class RequestControls:
    """Scripted failures and the request journal of one app.

    The IDP's :class:`Controller` adds everything else; an API served apart
    from the IDP has only these.
    """

    def __init__(self, faults: FaultQueue, journal: Journal) -> None:
        self.faults = faults
        self.request_journal = journal

    def queue_failure(self, endpoint: str, **options: Any) -> dict[str, Any]:
        """Queue a failure; the options are the fields of ``faults.Fault``."""
        check_string("endpoint", endpoint)
        check_failure_options(options)
        try:
            return self.faults.queue(endpoint, **options).to_dict()
        except FaultError as error:
            raise ControlError(error.field, str(error)) from error

    def clear_failures(self) -> dict[str, Any]:
        self.faults.clear()
        return {"cleared": True}

    def failures(self) -> list[dict[str, Any]]:
        return [fault.to_dict() for fault in self.faults.pending()]

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Return recorded requests; filters as in ``Journal.entries``."""
        converted = check_journal_filters(filters)
        return [entry.to_dict() for entry in self.request_journal.entries(**converted)]

    def clear_journal(self) -> dict[str, Any]:
        self.request_journal.clear()
        return {"cleared": True}


class Controller(RequestControls):
    def __init__(self, state: IdpState, faults: FaultQueue, journal: Journal) -> None:
        super().__init__(faults, journal)
        self.state = state

    def reset(self) -> dict[str, Any]:
        """Return to the configured start state; the signing keys stay."""
        self.state.reset()
        self.faults.clear()
        self.request_journal.clear()
        return {"reset": True, "clock": self.clock()}

    # The clock

    def clock(self) -> dict[str, Any]:
        return dict(self.state.clock.state())

    def freeze(self, at: float | None = None) -> dict[str, Any]:
        if at is not None:
            at = check_number("at", at, 0, MAX_SECONDS)
        self.state.clock.freeze(at)
        return self.clock()

    def advance(self, seconds: float) -> dict[str, Any]:
        self.state.clock.advance(check_number("seconds", seconds, 0, MAX_SECONDS))
        return self.clock()

    def set_time(self, instant: float) -> dict[str, Any]:
        self.state.clock.set(check_number("instant", instant, 0, MAX_SECONDS))
        return self.clock()

    def release(self) -> dict[str, Any]:
        self.state.clock.release()
        return self.clock()

    def skew(self, seconds: float) -> dict[str, Any]:
        """Make the IDP stamp ``iat``/``exp`` ``seconds`` off the APIs' clock."""
        check_number("seconds", seconds, -MAX_SECONDS, MAX_SECONDS)
        self.state.clock.set_skew(seconds)
        return self.clock()

    # Settings

    def set_lifetimes(
        self, client_id: str | None = None, **lifetimes: Any
    ) -> dict[str, Any]:
        """Change lifetimes for the process or, with ``client_id``, one client."""
        changes = check_lifetimes(lifetimes)
        state = self.state
        if client_id is None:
            state.configure(
                lifetimes=dataclasses.replace(state.config.lifetimes, **changes)
            )
            return self.lifetimes()

        client = state.store.get_client(check_string("client_id", client_id))
        if client is None:
            raise ControlError(
                "client_id", f"unknown client_id {client_id!r}; {self._known_clients()}"
            )
        current = state.lifetimes(client)
        state.client_lifetimes[client_id] = dataclasses.replace(current, **changes)
        return self.lifetimes()

    def lifetimes(self) -> dict[str, Any]:
        state = self.state
        return {
            "lifetimes": dataclasses.asdict(state.config.lifetimes),
            "clients": {
                client_id: dataclasses.asdict(lifetimes)
                for client_id, lifetimes in state.client_lifetimes.items()
            },
        }

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change run-time settings; see :data:`SETTINGS` for the names."""
        for name, value in settings.items():
            check_setting(name, value)
        if settings.get("default_user") is not None:
            user = self._find_user("default_user", settings["default_user"])
            settings["default_user"] = user.config.username
        self.state.configure(**settings)
        return self.settings()

    def settings(self) -> dict[str, Any]:
        config = self.state.config
        return {name: getattr(config, name) for name in SETTINGS}

    # Tokens

    def expire_token(self, token: str) -> dict[str, Any]:
        """Make an access or refresh token expire now; its pair is untouched."""
        record, kind = self._find_token(token)
        self.state.store.expire(record, kind)
        return {"token": fingerprint(token), "kind": kind, "expired": True}

    def revoke_token(self, token: str) -> dict[str, Any]:
        """Revoke a token together with the other token of its pair."""
        record, kind = self._find_token(token)
        self.state.store.revoke(record)
        return {"token": fingerprint(token), "kind": kind, "revoked": True}

    def revoke_user(self, sub: str) -> dict[str, Any]:
        """Revoke every token of a user (``sub`` or username)."""
        user = self.state.store.find_user(check_string("sub", sub))
        if user is None:
            raise ControlError("sub", f"unknown user {sub!r}; {self._known_users()}")
        return {
            "sub": user.sub,
            "revoked": self.state.store.revoke_tokens(sub=user.sub),
        }

    def revoke_client(self, client_id: str) -> dict[str, Any]:
        """Revoke every token issued to a client."""
        if self.state.store.get_client(check_string("client_id", client_id)) is None:
            raise ControlError(
                "client_id", f"unknown client_id {client_id!r}; {self._known_clients()}"
            )
        revoked = self.state.store.revoke_tokens(client_id=client_id)
        return {"client_id": client_id, "revoked": revoked}

    def expire_user(self, sub: str) -> dict[str, Any]:
        """Make every access token of a user expire now."""
        user = self.state.store.find_user(check_string("sub", sub))
        if user is None:
            raise ControlError("sub", f"unknown user {sub!r}; {self._known_users()}")
        return {"sub": user.sub, "expired": self._expire_all(sub=user.sub)}

    def expire_client(self, client_id: str) -> dict[str, Any]:
        """Make every access token of a client expire now."""
        if self.state.store.get_client(check_string("client_id", client_id)) is None:
            raise ControlError(
                "client_id", f"unknown client_id {client_id!r}; {self._known_clients()}"
            )
        return {
            "client_id": client_id,
            "expired": self._expire_all(client_id=client_id),
        }

    def mint_token(
        self,
        user: str,
        scope: str,
        client_id: str = "test-client",
        lifetime: int | None = None,
    ) -> dict[str, Any]:
        """Issue a token pair without a flow; returns a token response."""
        check_string("user", user)
        check_string("scope", scope)
        check_string("client_id", client_id)
        if lifetime is not None:
            lifetime = check_int("lifetime", lifetime, 1, MAX_SECONDS)
        try:
            validate_scope(scope, self.state.config.scopes, self.state.config.scopes)
            return mint_token(
                self.state,
                user=user,
                scope=scope,
                client_id=client_id,
                lifetime=lifetime,
            )
        except OAuth2Error as error:
            raise ControlError("scope", str(error.description)) from error
        except ValueError as error:
            # authlib rejects an error description with non-ASCII characters.
            raise ControlError(
                "scope",
                f"scope {scope!r} has characters outside RFC 6749 section 3.3 "
                "(printable ASCII without space, quote and backslash)",
            ) from error
        except TokenAdminError as error:
            raise ControlError(error.field, str(error)) from error

    # Signing keys

    def keys(self) -> dict[str, Any]:
        keys = self.state.keys
        return {"active": keys.active_kid, "kids": keys.kids()}

    def add_key(self) -> dict[str, Any]:
        """Publish a new key without signing with it yet."""
        kid = self.state.keys.add_key()
        return {"kid": kid, **self.keys()}

    def rotate_key(self) -> dict[str, Any]:
        """Publish a new key and sign with it; older keys stay published."""
        kid = self.state.keys.rotate()
        return {"kid": kid, **self.keys()}

    def activate_key(self, kid: str) -> dict[str, Any]:
        try:
            self.state.keys.activate(check_string("kid", kid))
        except KeyError as error:
            raise ControlError("kid", str(error.args[0]), status=404) from error
        return self.keys()

    def retire_key(self, kid: str) -> dict[str, Any]:
        """Remove a key from the JWKS; tokens it signed stop verifying."""
        try:
            self.state.keys.retire(check_string("kid", kid))
        except KeyError as error:
            raise ControlError("kid", str(error.args[0]), status=404) from error
        except ValueError as error:
            raise ControlError("kid", str(error)) from error
        return self.keys()

    # Failures and the journal

    # Users, clients and consents

    def add_user(self, username: str, **claims: Any) -> dict[str, Any]:
        check_string("username", username)
        if self.state.store.find_user(username) is not None:
            raise ControlError(
                "username", f"user {username!r} exists; use update_user to change it"
            )
        values = default_user_values(username, self.state)
        values.update(check_fields(UserConfig, claims))
        user = self.state.store.save_user(UserConfig(**values))
        return user_to_dict(user.config)

    def update_user(self, username: str, **changes: Any) -> dict[str, Any]:
        user = self.state.store.find_user(check_string("username", username))
        if user is None:
            raise ControlError(
                "username", f"unknown user {username!r}; {self._known_users()}", 404
            )
        checked = check_fields(UserConfig, changes, fixed=("username",))
        updated = self.state.store.save_user(
            dataclasses.replace(user.config, **checked)
        )
        return user_to_dict(updated.config)

    def add_client(self, client_id: str, **settings: Any) -> dict[str, Any]:
        check_string("client_id", client_id)
        if self.state.store.get_client(client_id) is not None:
            raise ControlError(
                "client_id", f"client {client_id!r} exists; use update_client"
            )
        checked = check_fields(ClientConfig, settings)
        client = self.state.store.save_client(
            ClientConfig(client_id=client_id, **checked)
        )
        return client_to_dict(client.config)

    def update_client(self, client_id: str, **changes: Any) -> dict[str, Any]:
        client = self.state.store.get_client(check_string("client_id", client_id))
        if client is None:
            raise ControlError(
                "client_id",
                f"unknown client_id {client_id!r}; {self._known_clients()}",
                404,
            )
        checked = check_fields(ClientConfig, changes, fixed=("client_id",))
        updated = self.state.store.save_client(
            dataclasses.replace(client.config, **checked)
        )
        return client_to_dict(updated.config)

    def forget_consent(self, sub: str, client_id: str | None = None) -> dict[str, Any]:
        check_string("sub", sub)
        if client_id is not None:
            check_string("client_id", client_id)
        self.state.store.forget_consent(sub, client_id)
        return {"sub": sub, "client_id": client_id, "forgotten": True}

    # Helpers

    def _find_token(self, token: str) -> tuple[Any, str]:
        try:
            return find_token(self.state, check_string("token", token))
        except TokenAdminError as error:
            raise ControlError(error.field, str(error), status=404) from error

    def _expire_all(self, **owner: str) -> int:
        store = self.state.store
        tokens = [
            t for t in store.iter_tokens(**owner) if store.is_access_token_active(t)
        ]
        for token in tokens:
            store.expire(token, "access_token")
        return len(tokens)

    def _find_user(self, field: str, name_or_sub: str) -> User:
        user = self.state.store.find_user(name_or_sub)
        if user is None:
            raise ControlError(
                field, f"unknown user {name_or_sub!r}; {self._known_users()}"
            )
        return user

    def _known_users(self) -> str:
        users = self.state.store.users()
        return "known users: " + ", ".join(
            f"{u.config.username} (sub {u.sub})" for u in users
        )

    def _known_clients(self) -> str:
        clients = self.state.store.clients()
        return "registered clients: " + ", ".join(c.client_id for c in clients)
