"""Signing keys: one active RSA key, older ones kept published until retired."""

from __future__ import annotations

import threading
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwk import RSAKey

SIGNING_ALGORITHM = "RS256"


class KeyRing:
    """RSA keys in the JWKS, newest first; the active one signs.

    Keys are generated and parsed once, so signing never re-imports a key.
    """

    def __init__(self, key_size: int = 2048) -> None:
        self._key_size = key_size
        self._lock = threading.Lock()
        self._first_key_lock = threading.Lock()
        self._keys: list[RSAKey] = []
        self._active: RSAKey | None = None
        self._jwks_cache: dict[str, Any] | None = None

    @property
    def active(self) -> RSAKey:
        if self._active is None:
            # Server threads, and the CLI's early key generation, may all
            # request the first key at once: exactly one generates it.
            with self._first_key_lock:
                if self._active is None:
                    self.rotate()
        assert self._active is not None
        return self._active

    @property
    def active_kid(self) -> str:
        return str(self.active.kid)

    def add_key(self, *, activate: bool = False) -> str:
        """Generate a key, publish it, and return its ``kid``."""
        key = RSAKey.generate_key(self._key_size, auto_kid=True, private=True)
        with self._lock:
            self._keys.insert(0, key)
            if activate or self._active is None:
                self._active = key
            self._jwks_cache = None
        return str(key.kid)

    def rotate(self) -> str:
        return self.add_key(activate=True)

    def activate(self, kid: str) -> None:
        with self._lock:
            self._active = self._find(kid)

    def retire(self, kid: str) -> None:
        """Remove a key from the JWKS; the active key cannot be retired."""
        with self._lock:
            key = self._find(kid)
            if key is self._active:
                raise ValueError(
                    f"key {kid!r} is the active signing key; activate another "
                    "key before retiring it"
                )
            self._keys.remove(key)
            self._jwks_cache = None

    def kids(self) -> list[str]:
        return [str(key.kid) for key in self._keys]

    def jwks(self) -> dict[str, Any]:
        """Return the public JWKS, built once per change of keys."""
        self.active  # noqa: B018 - makes sure a key exists
        cached = self._jwks_cache
        if cached is None:
            keys = []
            for key in self._keys:
                public = key.as_dict(private=False)
                public.update({"use": "sig", "alg": SIGNING_ALGORITHM})
                keys.append(public)
            cached = {"keys": keys}
            self._jwks_cache = cached
        return cached

    def public_key_set(self) -> KeySet:
        return KeySet.import_key_set(self.jwks())  # type: ignore[arg-type]

    def sign(self, claims: dict[str, Any], *, typ: str | None = None) -> str:
        key = self.active
        header: dict[str, Any] = {"alg": SIGNING_ALGORITHM, "kid": key.kid}
        if typ:
            header["typ"] = typ
        return jwt.encode(header, claims, key, algorithms=[SIGNING_ALGORITHM])

    def _find(self, kid: str) -> RSAKey:
        for key in self._keys:
            if key.kid == kid:
                return key
        raise KeyError(f"no key with kid {kid!r}; known kids: {self.kids()}")
