"""The one clock: what time it is, for every record bulletin writes.

``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) fixes it, so a
rebuild from the same store gives byte-identical files and a test can say
which Monday morning it is. Durations (backoff, rate limits) are measured
with ``time.monotonic``, never with this clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    """Now in UTC to the second, or the moment SOURCE_DATE_EPOCH names."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def stamp() -> str:
    """``now()`` as the ISO 8601 text the store keeps: 2026-03-16T06:00:00+00:00."""
    return now().isoformat(timespec="seconds")


class Timer:
    """Wall-clock seconds and waiting, for the sending quotas (publish/email/pacing.py).

    Their windows are kept in the store across processes and restarts, so they
    are measured in seconds since the epoch, not with ``time.monotonic``. A
    benchmark or a test passes a timer of its own to simulate a day in a second.
    """

    def time(self) -> float:
        import time

        return time.time()

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds)
