"""The email list and the send ledger: the tables ``subscribers`` and ``email_sends``.

Reached from the store as ``store.subscribers`` and ``store.send_ledger(week)``.
Only the SQL is here: checking addresses and the list's rules (an import never
re-subscribes someone who left, the confirmation throttle) belong to the email
package (bulletin/publish/email/subscribers.py), and the ledger's story is told
in bulletin/publish/email/sender.py.

The ledger is used by the sender's worker threads at once, on the store's one
connection: every method here holds the store's lock while it talks to SQLite,
and each write is committed before the method returns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING

from bulletin import clock
from bulletin.errors import StoreError
from bulletin.records import record
from bulletin.weeks import IsoWeek


class SubscriberStatus(StrEnum):
    PENDING = "pending"  # asked to join, not confirmed yet
    CONFIRMED = "confirmed"  # gets the bulletin
    UNSUBSCRIBED = "unsubscribed"  # left; an import never adds it back
    BOUNCED = "bounced"  # the server refused it too often, or a bounce report said it is gone
    COMPLAINED = "complained"  # reported the bulletin as spam: never mailed again, never re-added


class SendState(StrEnum):
    """One subscriber's copy of one week, in the send ledger (publish/email/sender.py)."""

    QUEUED = "queued"
    SENDING = "sending"  # claimed: the copy may be on its way
    SENT = "sent"
    DEFERRED = "deferred"  # a 4xx answer: tried again later in the run
    FAILED = "failed"
    SKIPPED = "skipped"  # left the list before the copy went
    UNCERTAIN = "uncertain"  # a run stopped between sending and recording: may have arrived


@record
class Subscriber:
    """One address on the email list."""

    id: int
    uid: str  # random; what tokens name, never the row id
    email: str
    locale: str
    status: str  # pending, confirmed, unsubscribed, bounced, complained
    bounces: int = 0
    confirm_sent_at: str = ""  # when the last confirmation email went out ("" never)
    # When the form last asked for one: the serve process's outbox worker sends it, never the
    # request (a slow or failing relay is neither seen nor waited for by the reader).
    confirm_wanted_at: str = ""
    changed_at: str = ""  # when its status last changed (an unsubscribe, say)
    reason: str = ""  # why it is bounced or complained: the report's status and words
    soft_bounces: int = 0  # soft bounce reports counted in a row (bulletin/publish/email/bounces.py)


@record
class Recipient:
    """A copy of one week's bulletin the send ledger has queued for one subscriber."""

    subscriber: int  # the subscriber's row id
    uid: str
    email: str
    locale: str


@record
class SendRecord:
    """What the send ledger says of one address for one week."""

    email: str
    state: str  # queued, sending, sent, deferred, failed, skipped, uncertain
    attempts: int
    detail: str


if TYPE_CHECKING:
    from bulletin.store.database import Store

_COLUMNS = ("id, uid, email, locale, status, bounces, confirm_sent_at, confirm_wanted_at, changed_at, "
            "reason, soft_bounces")

# The form's sign-ups, by the client that made them and the mailbox they name: what the
# limits count (a table, so that every serve process on one store counts the same).
MIGRATION = """
    ALTER TABLE subscribers ADD COLUMN confirm_wanted_at TEXT NOT NULL DEFAULT '';
    CREATE TABLE signups (
        client   TEXT NOT NULL,
        mailbox  TEXT NOT NULL,
        at       TEXT NOT NULL
    );
    CREATE INDEX signups_by_client ON signups (client, at);
    CREATE INDEX signups_by_mailbox ON signups (mailbox, at);
"""


class Subscribers:
    """The subscriber list's rows. Addresses arrive normalised (the email package checks them)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, email: str) -> Subscriber | None:
        return self._one("email", email)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction on the list (several changes, all or none)."""
        return self._store.transaction()

    def by_uid(self, uid: str) -> Subscriber | None:
        return self._one("uid", uid)

    def _one(self, column: str, value: str) -> Subscriber | None:
        with self._store.lock:
            row = self._store.db.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE {column} = ?",
                                         (value,)).fetchone()
        return Subscriber(*row) if row else None

    def listing(self, status: str | None = None) -> list[Subscriber]:
        """Every subscriber (or those with ``status``), by address."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        with self._store.lock:
            rows = self._store.db.execute(f"SELECT {_COLUMNS} FROM subscribers {where} "
                                          "ORDER BY email", args).fetchall()
        return [Subscriber(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many addresses have each status."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT status, count(*) FROM subscribers GROUP BY status "
                                          "ORDER BY status").fetchall()
        return dict(rows)

    def add(self, email: str, locale: str, status: str) -> str:
        """Add the address or set its locale and status: "added", "updated" or "unchanged"."""
        import secrets  # here: a run that adds nobody need not import it (benchmarks/bench_run.py)

        with self._store.transaction() as db:
            old = self.get(email)
            stamp = clock.stamp()
            if old is None:
                db.execute("INSERT INTO subscribers (uid, email, locale, status, created_at, "
                           "changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                           (secrets.token_urlsafe(16), email, locale, status, stamp, stamp))
                return "added"
            if (old.locale, old.status) == (locale, status):
                return "unchanged"
            db.execute("UPDATE subscribers SET locale = ?, status = ?, changed_at = ? WHERE id = ?",
                       (locale, status, stamp, old.id))
            return "updated"

    def set_status(self, subscriber: int, status: str) -> None:
        with self._store.transaction() as db:
            db.execute("UPDATE subscribers SET status = ?, changed_at = ? WHERE id = ?",
                       (status, clock.stamp(), subscriber))

    def count_signups(self, *, since: str, client: str = "", mailbox: str = "") -> int:
        """Sign-ups the form took since ``since`` from one client, or for one mailbox."""
        column, value = ("client", client) if client else ("mailbox", mailbox)
        with self._store.lock:
            return int(self._store.db.execute(f"SELECT count(*) FROM signups WHERE {column} = ? "
                                              "AND at >= ?", (value, since)).fetchone()[0])

    def record_signup(self, client: str, mailbox: str, stamp: str) -> None:
        """Count a sign-up, and forget those a day old (no limit looks back further)."""
        with self._store.transaction() as db:
            db.execute("INSERT INTO signups VALUES (?, ?, ?)", (client, mailbox, stamp))
            db.execute("DELETE FROM signups WHERE at < datetime(?, '-1 day')", (stamp[:19],))

    def count_pending(self) -> int:
        with self._store.lock:
            return int(self._store.db.execute("SELECT count(*) FROM subscribers WHERE status = ?",
                                              (SubscriberStatus.PENDING,)).fetchone()[0])

    def want_confirmation(self, subscriber: int, stamp: str) -> None:
        with self._store.transaction() as db:
            db.execute("UPDATE subscribers SET confirm_wanted_at = ? WHERE id = ?", (stamp, subscriber))

    def wanting_confirmation(self, limit: int = 20) -> list[Subscriber]:
        """Addresses the form asked a confirmation for that has not gone yet, oldest first."""
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {_COLUMNS} FROM subscribers WHERE confirm_wanted_at > confirm_sent_at "
                "AND status IN (?, ?) ORDER BY confirm_wanted_at LIMIT ?",
                (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED, limit)).fetchall()
        return [Subscriber(*row) for row in rows]

    def confirmations_since(self, since: str) -> int:
        """How many addresses were last sent a confirmation at or after ``since``."""
        with self._store.lock:
            return int(self._store.db.execute("SELECT count(*) FROM subscribers WHERE "
                                              "confirm_sent_at >= ?", (since,)).fetchone()[0])

    def set_confirm_sent(self, subscriber: int, stamp: str) -> None:
        """When the last confirmation went to this address ("" for never)."""
        with self._store.transaction() as db:
            db.execute("UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?", (stamp, subscriber))


class SendLedger:
    """One week's rows of the send ledger (see sender.py for the states)."""

    def __init__(self, store: Store, week: IsoWeek, key: str = "", among: str = "") -> None:
        """``key``: the rows of another mailing of the week (its correction) than its issue;
        ``among``: that mailing goes only to those its issue (the ledger's ``among`` rows) reached."""
        self._store = store
        self.week = week
        self._week = key or str(week)
        self._among = among

    @contextmanager
    def _committed(self) -> Iterator[sqlite3.Connection]:
        """A transaction of its own, committed when the block ends: the ledger's crash safety."""
        with self._store.lock:
            self._not_inside_a_transaction()
            with self._store.transaction() as db:
                yield db

    def _not_inside_a_transaction(self) -> None:
        # (Under the lock only this thread can have one open.)
        if self._store.db.in_transaction:
            raise StoreError("the send ledger commits each write at once: "
                             "not inside another transaction")

    def start(self, delivered: Callable[[str], bool] | None = None) -> list[Recipient]:
        """Queue every confirmed subscriber not yet in the ledger; return what is left to send.

        ``delivered(uid)`` settles a ``sending`` row left by a killed run where
        the transport can tell (the outbox); without it such rows become ``uncertain``.
        """
        stamp = clock.stamp()
        with self._committed() as db:
            if delivered is None:
                db.execute("UPDATE email_sends SET state = 'uncertain', updated_at = ?, "
                           "detail = 'the previous run stopped mid-send: the server may or "
                           "may not have it' WHERE week = ? AND state = 'sending'",
                           (stamp, self._week))
            else:
                rows = db.execute("SELECT e.subscriber, s.uid FROM email_sends e JOIN subscribers s "
                                  "ON s.id = e.subscriber WHERE e.week = ? AND e.state = 'sending'",
                                  (self._week,)).fetchall()
                for subscriber, uid in rows:
                    state, detail = (("sent", "written before the previous run stopped")
                                     if delivered(uid)
                                     else ("queued", "the previous run stopped before writing it"))
                    db.execute("UPDATE email_sends SET state = ?, detail = ?, updated_at = ? "
                               "WHERE week = ? AND subscriber = ?",
                               (state, detail, stamp, self._week, subscriber))
            if self._among:
                db.execute("INSERT OR IGNORE INTO email_sends (week, subscriber, state, updated_at) "
                           "SELECT ?, s.id, 'queued', ? FROM subscribers s JOIN email_sends e ON "
                           "e.subscriber = s.id WHERE s.status = 'confirmed' AND e.week = ? "
                           "AND e.state = 'sent'", (self._week, stamp, self._among))
            else:
                db.execute("INSERT OR IGNORE INTO email_sends (week, subscriber, state, updated_at) "
                           "SELECT ?, id, 'queued', ? FROM subscribers WHERE status = 'confirmed'",
                           (self._week, stamp))
            db.execute("UPDATE email_sends SET attempts = 0 WHERE week = ? AND state = 'deferred'",
                       (self._week,))
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT s.id, s.uid, s.email, s.locale FROM email_sends e JOIN subscribers s "
                "ON s.id = e.subscriber WHERE e.week = ? AND e.state IN ('queued', 'deferred') "
                "ORDER BY s.id", (self._week,)).fetchall()
        return [Recipient(*row) for row in rows]

    def claim(self, recipient: Recipient) -> bool:
        """Mark the row ``sending`` if the address is still confirmed. Committed on return."""
        with self._store.lock:
            self._not_inside_a_transaction()
            # One statement in autocommit mode: committed when execute() returns.
            cursor = self._store.db.execute(
                "UPDATE email_sends SET state = 'sending', updated_at = ? WHERE week = ? "
                "AND subscriber = ? AND state IN ('queued', 'deferred') AND EXISTS (SELECT 1 FROM "
                "subscribers WHERE id = ? AND status = 'confirmed')",
                (clock.stamp(), self._week, recipient.subscriber, recipient.subscriber))
            return cursor.rowcount == 1

    def record(self, recipient: Recipient, state: SendState, attempts: int, detail: str,
               bounce_after: int) -> None:
        """The outcome of one attempt; a ``failed`` one counts a bounce against the address."""
        stamp = clock.stamp()
        with self._committed() as db:
            db.execute("UPDATE email_sends SET state = ?, attempts = ?, detail = ?, updated_at = ? "
                       "WHERE week = ? AND subscriber = ?",
                       (state, attempts, detail, stamp, self._week, recipient.subscriber))
            if state == SendState.FAILED:
                # (Every expression reads the row as it was before this UPDATE.)
                db.execute("UPDATE subscribers SET bounces = bounces + 1, changed_at = ?, "
                           "reason = CASE WHEN bounces + 1 >= ? AND status = 'confirmed' "
                           "THEN ? ELSE reason END, "
                           "status = CASE WHEN bounces + 1 >= ? AND status = 'confirmed' "
                           "THEN 'bounced' ELSE status END WHERE id = ?",
                           (stamp, bounce_after, f"refused by the server sending {self._week}: {detail}",
                            bounce_after, recipient.subscriber))

    def counts(self) -> dict[str, int]:
        """Rows per state."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT state, count(*) FROM email_sends WHERE week = ? "
                                          "GROUP BY state", (self._week,)).fetchall()
        return dict(rows)

    def requeue_uncertain(self) -> int:
        """Let the next send email the copies a killed run may or may not have delivered."""
        with self._committed() as db:
            return db.execute("UPDATE email_sends SET state = 'queued', updated_at = ? WHERE "
                              "week = ? AND state = 'uncertain'",
                              (clock.stamp(), self._week)).rowcount

    def records(self, state: str | None = None) -> list[SendRecord]:
        """Each address's row (or those in ``state``), by address."""
        where, args = ("AND e.state = ?", (self._week, state)) if state else ("", (self._week,))
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT s.email, e.state, e.attempts, e.detail FROM email_sends e JOIN subscribers s "
                f"ON s.id = e.subscriber WHERE e.week = ? {where} ORDER BY s.email", args).fetchall()
        return [SendRecord(*row) for row in rows]
