"""Bounces, complaints and unsubscribe requests read from the bounce mailbox: the table
``mail_reports``.

Reached from the store as ``store.mail_reports``. Only the SQL is here; what a
report does to a subscriber (a hard bounce, soft bounces in a row, a
complaint) is decided in bulletin/publish/email/bounces.py, which calls these
inside one transaction per run.

Each report that named a subscriber is kept, keyed by a digest of its
Message-ID: reading the same mailbox again finds it here and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletin.records import record

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
    CREATE TABLE mail_reports (
        digest      TEXT PRIMARY KEY,     -- sha256 of the report's Message-ID (or of its bytes)
        kind        TEXT NOT NULL,        -- hard, soft, complaint
        subscriber  INTEGER NOT NULL REFERENCES subscribers (id),
        week        TEXT NOT NULL,        -- the week the bounced copy was of (from its VERP token)
        detail      TEXT NOT NULL,        -- the status code and the server's words
        read_at     TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX mail_reports_by_subscriber ON mail_reports (subscriber, read_at);
    -- Why an address is bounced or complained ('' for the others), and the soft bounces
    -- counted in a row, with the week of the last one (a week counts once).
    ALTER TABLE subscribers ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE subscribers ADD COLUMN soft_bounces INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE subscribers ADD COLUMN soft_bounce_week TEXT NOT NULL DEFAULT '';
"""


@record
class MailReport:
    """One bounce or complaint as kept: what ``bulletin subscribers list --format json`` shows."""

    kind: str
    week: str
    detail: str
    read_at: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "week": self.week, "detail": self.detail, "read_at": self.read_at}


class MailReports:
    """The reports read so far, and the subscriber columns they change.

    The methods do not commit: the caller holds ``store.transaction()`` around a
    whole run, so that a run stopped half-way leaves nothing of it.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    def seen(self, digest: str) -> bool:
        return self._store.db.execute("SELECT 1 FROM mail_reports WHERE digest = ?",
                                      (digest,)).fetchone() is not None

    def keep(self, digest: str, kind: str, subscriber: int, week: str, detail: str, stamp: str) -> None:
        self._store.db.execute("INSERT INTO mail_reports VALUES (?, ?, ?, ?, ?, ?)",
                               (digest, kind, subscriber, week, detail, stamp))

    def soft_bounces(self, subscriber: int) -> tuple[int, str]:
        """The soft bounces counted in a row, and the week of the last one ("" for none)."""
        row = self._store.db.execute("SELECT soft_bounces, soft_bounce_week FROM subscribers WHERE id = ?",
                                     (subscriber,)).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, "")

    def set_soft_bounces(self, subscriber: int, count: int, week: str) -> None:
        self._store.db.execute("UPDATE subscribers SET soft_bounces = ?, soft_bounce_week = ? WHERE id = ?",
                               (count, week, subscriber))

    def sent_between(self, subscriber: int, after: str, before: str) -> bool:
        """Whether a week's issue went to the subscriber after week ``after`` and before ``before``.

        Only issues count (a correction's ledger rows are keyed ``WEEK.correction.WHEN``);
        ISO week names sort as text.
        """
        return self._store.db.execute(
            "SELECT 1 FROM email_sends WHERE subscriber = ? AND state = 'sent' AND week > ? "
            "AND week < ? AND length(week) = 8 LIMIT 1", (subscriber, after, before)).fetchone() is not None

    def last_sent_week(self, subscriber: int) -> str:
        """The newest week whose issue went to the subscriber ("" for none)."""
        row = self._store.db.execute("SELECT max(week) FROM email_sends WHERE subscriber = ? AND "
                                     "state = 'sent' AND length(week) = 8", (subscriber,)).fetchone()
        return str(row[0] or "")

    def mark(self, subscriber: int, status: str, reason: str, stamp: str) -> None:
        """A new status, with why; the soft bounces counted so far start again."""
        self._store.db.execute("UPDATE subscribers SET status = ?, reason = ?, changed_at = ?, "
                               "soft_bounces = 0, soft_bounce_week = '' WHERE id = ?",
                               (status, reason, stamp, subscriber))

    def of(self, subscriber: int) -> list[MailReport]:
        """A subscriber's reports, oldest first."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT kind, week, detail, read_at FROM mail_reports "
                                          "WHERE subscriber = ? ORDER BY read_at, digest",
                                          (subscriber,)).fetchall()
        return [MailReport(*row) for row in rows]
