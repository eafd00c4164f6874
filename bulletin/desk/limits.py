"""Sign-in attempts, limited per editor's name and per client address.

Failures are counted in a sliding window; past the limit every attempt is
refused (429) until the oldest failure leaves the window, right password or
not, so guessing costs the guesser time. The name's limit stops a slow guess
at one editor from many addresses, the address's limit a guess at many names.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

WINDOW = 15 * 60.0  # seconds
PER_USER = 5  # failed attempts at one name in the window
PER_CLIENT = 20  # failed attempts from one address in the window


class LoginLimits:
    def __init__(self, now: Callable[[], float] = time.monotonic, per_user: int = PER_USER,
                 per_client: int = PER_CLIENT, window: float = WINDOW) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self.per_user, self.per_client, self.window = per_user, per_client, window

    def wait(self, user: str, client: str) -> float:
        """Seconds until an attempt for ``user`` from ``client`` is taken (0: now)."""
        now = self._now()
        with self._lock:
            return max(self._wait(f"user:{user.casefold()}", self.per_user, now),
                       self._wait(f"client:{client}", self.per_client, now))

    def failed(self, user: str, client: str) -> None:
        now = self._now()
        with self._lock:
            for key in (f"user:{user.casefold()}", f"client:{client}"):
                self._failures[key].append(now)

    def _wait(self, key: str, limit: int, now: float) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0.0
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        if len(failures) < limit:
            return 0.0
        return failures[-limit] + self.window - now
