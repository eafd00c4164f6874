"""Sending quotas: how many messages went out lately, counted in the store.

A copy takes its place in the window (``SendQuota.take``) in a committed
write before it goes out, so every process sending through the same store
(two weeks at once, a run killed and started again) counts against one
window, and a copy whose send was cut short still counts: the relay may have
it, and a quota that was exceeded cannot be undone. Times are the wall clock's
seconds since the epoch: a window outlives the process that started it.

Two tables keep the window cheap to read at 50,000 a day: the last second's
sends one row each (the per-second limit must be exact), and every send by
the minute it went out. The per-hour and per-day windows are counted from
whole minutes, the minute that reaches past the window included, so they may
hold back a copy up to a minute early and never let one through late.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bulletin.records import record

if TYPE_CHECKING:
    from bulletin.store.database import Store

SECOND, HOUR, DAY = 1.0, 3600.0, 86400.0

MIGRATION = """
CREATE TABLE email_quota_recent (
    account  TEXT NOT NULL,          -- the relay (host:port) or 'outbox'
    at       REAL NOT NULL           -- seconds since the epoch
);
CREATE INDEX email_quota_recent_at ON email_quota_recent (account, at);
CREATE TABLE email_quota_minutes (
    account  TEXT NOT NULL,
    minute   INTEGER NOT NULL,       -- seconds since the epoch // 60
    sent     INTEGER NOT NULL,
    PRIMARY KEY (account, minute)
) WITHOUT ROWID;
"""


@record
class Limits:
    """Messages allowed in any second, hour and day; 0: no limit."""

    per_second: int = 0
    per_hour: int = 0
    per_day: int = 0

    def __bool__(self) -> bool:
        return bool(self.per_second or self.per_hour or self.per_day)


@record
class Refusal:
    """Why a copy may not go yet: the window that is full, and when it has room again."""

    window: str  # "second", "hour", "day"
    limit: int
    wait: float  # seconds from now


class SendQuota:
    """One account's window of sends in the store."""

    def __init__(self, store: Store, account: str, limits: Limits) -> None:
        self._store = store
        self.account = account
        self.limits = limits

    def take(self, now: float) -> Refusal | None:
        """Count one send at ``now`` if every window has room (committed); else say which is full."""
        minute = math.floor(now / 60)
        with self._store.transaction() as db:
            # Nothing older than a day (and the minute reaching past it) is ever read again.
            db.execute("DELETE FROM email_quota_recent WHERE account = ? AND at <= ?",
                       (self.account, now - SECOND))
            db.execute("DELETE FROM email_quota_minutes WHERE account = ? AND minute < ?",
                       (self.account, math.floor((now - DAY) / 60)))
            refusal = self._refusal(now)
            if refusal:
                return refusal
            db.execute("INSERT INTO email_quota_recent (account, at) VALUES (?, ?)", (self.account, now))
            db.execute("INSERT INTO email_quota_minutes (account, minute, sent) VALUES (?, ?, 1) "
                       "ON CONFLICT (account, minute) DO UPDATE SET sent = sent + 1",
                       (self.account, minute))
        return None

    def _refusal(self, now: float) -> Refusal | None:
        db = self._store.db
        limit = self.limits.per_second
        if limit:
            # The limit-th newest send in the last second: the window has room once it leaves.
            row = db.execute("SELECT at FROM email_quota_recent WHERE account = ? AND at > ? "
                             "ORDER BY at DESC LIMIT 1 OFFSET ?",
                             (self.account, now - SECOND, limit - 1)).fetchone()
            if row:
                return Refusal("second", limit, row[0] + SECOND - now)
        for window, span, limit in (("day", DAY, self.limits.per_day),
                                    ("hour", HOUR, self.limits.per_hour)):
            if not limit:
                continue
            rows = db.execute("SELECT minute, sent FROM email_quota_minutes WHERE account = ? "
                              "AND minute >= ? ORDER BY minute",
                              (self.account, math.floor((now - span) / 60))).fetchall()
            over = sum(sent for _, sent in rows) - limit
            if over < 0:
                continue
            # Room again once the oldest minutes, holding more than `over` sends, are past the window.
            for minute, sent in rows:
                over -= sent
                if over < 0:
                    return Refusal(window, limit, max(0.0, (minute + 1) * 60 + span - now))
        return None
