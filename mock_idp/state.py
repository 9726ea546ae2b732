"""Everything one IDP instance holds: settings, clock, keys and store."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import has_request_context
from flask import request

from .clock import Clock
from .config import IdpConfig
from .config import Lifetimes
from .errors import Profile
from .keys import KeyRing
from .models import Client
from .store import MemoryStore

DEFAULT_ISSUER_HOST = "http://127.0.0.1:8080"


class IdpState:
    def __init__(
        self,
        config: IdpConfig,
        *,
        clock: Clock | None = None,
        keys: KeyRing | None = None,
    ) -> None:
        self.initial_config = config
        self.config = config
        self.clock = clock or Clock()
        self.keys = keys or KeyRing(config.rsa_key_size)
        self.store = MemoryStore(config, self.clock)
        self.client_lifetimes: dict[str, Lifetimes] = {}

    @property
    def profile(self) -> Profile:
        return Profile(self.config.error_profile)

    def reset(self) -> None:
        """Return to the configured start state; the signing keys stay."""
        self.config = self.initial_config
        self.client_lifetimes.clear()
        self.clock.release()
        self.store.reset(self.config)

    def configure(self, **changes: Any) -> None:
        self.config = replace(self.config, **changes)

    def issuer(self) -> str:
        """Return the configured issuer, or the request's host plus ``/o``.

        The reference derives it from the request, so that the same server
        uses ``http://127.0.0.1:8080/o`` on loopback and
        ``https://inlog.tnl.nu/o`` under interception.
        """
        if self.config.issuer:
            return self.config.issuer.rstrip("/")
        if has_request_context():
            return request.host_url.rstrip("/") + "/o"
        return DEFAULT_ISSUER_HOST + "/o"

    def lifetimes(self, client: Client | None = None) -> Lifetimes:
        if client is not None and client.client_id in self.client_lifetimes:
            return self.client_lifetimes[client.client_id]
        return self.config.lifetimes

    def introspect(self, token_string: str) -> dict[str, Any]:
        """Return the RFC 7662 response for an access or refresh token.

        ``permissions`` is an extension carrying the user's extra rights
        (``form_json``) to the APIs.
        """
        store = self.store
        token = store.get_access_token(token_string)
        kind = "access_token"
        active = token is not None and store.is_access_token_active(token)
        if token is None:
            token = store.get_refresh_token(token_string)
            kind = "refresh_token"
            active = token is not None and store.is_refresh_token_active(token)
        if token is None or not active:
            return {"active": False}

        user = store.find_user(token.sub) if token.sub else None
        expires_at = (
            token.expires_at if kind == "access_token" else token.refresh_expires_at
        )
        payload: dict[str, Any] = {
            "active": True,
            "scope": token.scope,
            "client_id": token.client_id,
            "token_type": "Bearer" if kind == "access_token" else "refresh_token",
            "iat": int(token.issued_at),
            "iss": self.issuer(),
        }
        if expires_at is not None:
            payload["exp"] = int(expires_at)
        if user is not None:
            payload["sub"] = user.sub
            payload["username"] = user.config.username
            payload["permissions"] = (
                ["form_json"] if user.config.form_json_permission else []
            )
        return payload
