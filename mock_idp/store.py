"""In-memory state of one IDP: clients, users, codes, tokens and consents.

Every read and write goes through :class:`MemoryStore`, behind one lock, so
that concurrent requests on the threaded server see consistent state and a
code or refresh token can be claimed by exactly one of them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .clock import Clock
from .config import ClientConfig
from .config import IdpConfig
from .config import UserConfig
from .models import AuthorizationCode
from .models import Client
from .models import Token
from .models import User


class MemoryStore:
    def __init__(self, config: IdpConfig, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self._config = config
        self.reset(config)

    def reset(self, config: IdpConfig | None = None) -> None:
        """Drop all codes, tokens and consents and reload clients and users."""
        with self._lock:
            if config is not None:
                self._config = config
            self._clients = {c.client_id: Client(c) for c in self._config.clients}
            self._users = {u.username: User(u) for u in self._config.users}
            self._codes: dict[str, AuthorizationCode] = {}
            self._access: dict[str, Token] = {}
            self._refresh: dict[str, Token] = {}
            self._consents: set[tuple[str, str]] = set()

    # Clients and users

    def get_client(self, client_id: str) -> Client | None:
        return self._clients.get(client_id)

    def clients(self) -> list[Client]:
        return list(self._clients.values())

    def save_client(self, config: ClientConfig) -> Client:
        client = Client(config)
        with self._lock:
            self._clients[config.client_id] = client
        return client

    def users(self) -> list[User]:
        return list(self._users.values())

    def find_user(self, name_or_sub: str) -> User | None:
        user = self._users.get(name_or_sub)
        if user is not None:
            return user
        for candidate in self._users.values():
            if candidate.sub == name_or_sub:
                return candidate
        return None

    def save_user(self, config: UserConfig) -> User:
        user = User(config)
        with self._lock:
            self._users[config.username] = user
        return user

    def update_user(self, name_or_sub: str, **changes: Any) -> User:
        user = self.find_user(name_or_sub)
        if user is None:
            raise KeyError(name_or_sub)
        return self.save_user(replace(user.config, **changes))

    # Authorization codes

    def save_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            self._codes[code.code] = code

    def get_code(self, code: str) -> AuthorizationCode | None:
        """Return the code if it exists and has not expired on the clock."""
        record = self._codes.get(code)
        if record is None or self.clock.now() >= record.expires_at:
            return None
        return record

    def take_code(self, code: str) -> AuthorizationCode | None:
        """Remove and return the code; only the first caller gets it."""
        with self._lock:
            record = self.get_code(code)
            self._codes.pop(code, None)
            return record

    # Tokens

    def save_token(self, token: Token) -> None:
        with self._lock:
            self._access[token.access_token] = token
            if token.refresh_token:
                self._refresh[token.refresh_token] = token

    def get_access_token(self, access_token: str) -> Token | None:
        return self._access.get(access_token)

    def get_refresh_token(self, refresh_token: str) -> Token | None:
        return self._refresh.get(refresh_token)

    def is_access_token_active(self, token: Token) -> bool:
        # A token is expired at exactly its exp second.
        return not token.access_revoked and self.clock.now() < token.expires_at

    def is_refresh_token_active(self, token: Token) -> bool:
        if token.refresh_revoked or token.refresh_token is None:
            return False
        expires_at = token.refresh_expires_at
        return expires_at is None or self.clock.now() < expires_at

    def claim_refresh_token(self, token: Token) -> bool:
        """Mark a refresh token as rotated; only the first caller succeeds."""
        with self._lock:
            if token.rotated_at is not None or not self.is_refresh_token_active(token):
                return False
            token.rotated_at = self.clock.now()
            return True

    def revoke(self, token: Token) -> None:
        """Revoke an access token together with its refresh token."""
        with self._lock:
            token.access_revoked = True
            token.refresh_revoked = True

    def tokens(self) -> list[Token]:
        return list(self._access.values())

    def iter_tokens(
        self,
        *,
        sub: str | None = None,
        client_id: str | None = None,
        family_id: str | None = None,
    ) -> Iterator[Token]:
        for token in self.tokens():
            if sub is not None and token.sub != sub:
                continue
            if client_id is not None and token.client_id != client_id:
                continue
            if family_id is not None and token.family_id != family_id:
                continue
            yield token

    def delete_tokens(self, *, sub: str, client_id: str) -> int:
        """Delete every token of a user for a client; return how many."""
        with self._lock:
            doomed = list(self.iter_tokens(sub=sub, client_id=client_id))
            for token in doomed:
                self._access.pop(token.access_token, None)
                if token.refresh_token:
                    self._refresh.pop(token.refresh_token, None)
            return len(doomed)

    # Consents

    def has_consent(self, sub: str, client_id: str) -> bool:
        return (sub, client_id) in self._consents

    def save_consent(self, sub: str, client_id: str) -> None:
        with self._lock:
            self._consents.add((sub, client_id))

    def forget_consent(self, sub: str, client_id: str | None = None) -> None:
        with self._lock:
            self._consents = {
                (s, c)
                for s, c in self._consents
                if not (s == sub and (client_id is None or c == client_id))
            }
