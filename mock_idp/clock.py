"""The one clock every expiry decision reads."""

from __future__ import annotations

import threading
import time


class Clock:
    """Real time by default; tests can freeze, advance, set and skew it.

    ``now()`` is the time the resource servers judge expiry by.
    ``issue_time()`` is the time the IDP stamps on what it issues; it
    differs from ``now()`` by the skew, so a positive skew reproduces an
    IDP whose clock runs ahead of the APIs'.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0
        self._skew = 0.0

    def now(self) -> float:
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return time.time() + self._offset

    def issue_time(self) -> float:
        return self.now() + self._skew

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def skew(self) -> float:
        return self._skew

    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen_at = self.now() if at is None else float(at)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def set(self, instant: float) -> None:
        """Move to ``instant``, staying frozen if the clock was frozen."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = float(instant)
            else:
                self._offset = float(instant) - time.time()

    def set_skew(self, seconds: float) -> None:
        with self._lock:
            self._skew = float(seconds)

    def release(self) -> None:
        """Return to real time, dropping every offset and the skew."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0
            self._skew = 0.0

    def state(self) -> dict[str, float | bool | None]:
        return {
            "now": self.now(),
            "issue_time": self.issue_time(),
            "frozen": self.frozen,
            "offset": self._offset,
            "skew": self._skew,
        }
