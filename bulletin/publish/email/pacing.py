"""The sending quotas on the send's side: wait out a full second, stop at a full hour or day.

The window itself is the store's (bulletin/store/quota.py), so every process
sending through one store shares it. A copy is counted just before it goes
out; a send stopped by ``max_per_hour`` or ``max_per_day`` leaves the rest of
the ledger queued, and the next run (or ``bulletin publish``) goes on from there.
"""

from __future__ import annotations

import threading

from bulletin.clock import Timer
from bulletin.store.quota import Refusal, SendQuota


class Pacer:
    """Lets each copy go once the store's quota has room; shared by the sender's workers."""

    def __init__(self, quota: SendQuota | None, timer: Timer) -> None:
        self.quota = quota
        self.timer = timer
        self.stopped_by: Refusal | None = None  # the window that ended the send, if any
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """True once the copy is counted in the window; False when the send must stop for now."""
        if self.quota is None:
            return True
        while self.stopped_by is None:
            refusal = self.quota.take(self.timer.time())
            if refusal is None:
                return True
            if refusal.window == "second":
                self.timer.sleep(refusal.wait)  # a second's pacing is waited out
                continue
            with self._lock:  # an hour's or a day's is for the next run
                self.stopped_by = self.stopped_by or refusal
        return False


def account_of(host: str, port: int) -> str:
    """Whose quota it is: the relay's (an ESP account is one relay), or the outbox's."""
    return f"{host}:{port}" if host else "outbox"
