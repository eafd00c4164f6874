"""The email list and the send ledger: the tables ``subscribers``, ``subscriber_editions`` and
``email_sends``.

Reached from the store as ``store.subscribers`` and ``store.send_ledger(week, edition)``.
A subscriber reads the editions they chose (``subscriber_editions``, by name); one
who chose none reads the main bulletin, the edition named ``main``.
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
from bulletin.model.editions import MAIN
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

# The editions each subscriber chose, and the send ledger's rows per edition: a week now
# has a mailing for each edition (its main bulletin's is ``main``). The ledger's key
# grows a column, so the table is made anew with its rows (all of them the main bulletin's).
MIGRATION_EDITIONS = """
    CREATE TABLE subscriber_editions (
        subscriber  INTEGER NOT NULL REFERENCES subscribers (id),
        edition     TEXT NOT NULL,          -- an edition's name (model/editions.py); main included
        PRIMARY KEY (subscriber, edition)
    );
    CREATE TABLE email_sends_by_edition (
        week        TEXT NOT NULL,
        edition     TEXT NOT NULL DEFAULT 'main',
        subscriber  INTEGER NOT NULL REFERENCES subscribers (id),
        state       TEXT NOT NULL,  -- queued, sending, sent, deferred, failed, skipped, uncertain
        attempts    INTEGER NOT NULL DEFAULT 0,
        detail      TEXT NOT NULL DEFAULT '',
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (week, edition, subscriber)
    );
    INSERT INTO email_sends_by_edition (week, edition, subscriber, state, attempts, detail, updated_at)
        SELECT week, 'main', subscriber, state, attempts, detail, updated_at FROM email_sends;
    DROP TABLE email_sends;
    ALTER TABLE email_sends_by_edition RENAME TO email_sends;
"""

# Whether subscriber ``s`` reads the edition given twice as parameters: they chose it, or it is
# the main bulletin and they chose nothing.
_READS = ("(EXISTS (SELECT 1 FROM subscriber_editions c WHERE c.subscriber = s.id AND c.edition = ?) "
          f"OR (? = '{MAIN}' AND NOT EXISTS (SELECT 1 FROM subscriber_editions c "
          "WHERE c.subscriber = s.id)))")


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

    def editions(self, subscriber: int) -> tuple[str, ...]:
        """The editions the subscriber reads, by name: what they chose, or ``main``."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT edition FROM subscriber_editions WHERE subscriber = ? "
                                          "ORDER BY edition", (subscriber,)).fetchall()
        return tuple(row[0] for row in rows) or (MAIN,)

    def all_editions(self) -> dict[int, tuple[str, ...]]:
        """Each subscriber's chosen editions, by row id; one who chose none is not in it."""
        chosen: dict[int, list[str]] = {}
        with self._store.lock:
            for subscriber, edition in self._store.db.execute(
                    "SELECT subscriber, edition FROM subscriber_editions ORDER BY subscriber, edition"):
                chosen.setdefault(subscriber, []).append(edition)
        return {subscriber: tuple(names) for subscriber, names in chosen.items()}

    def choose(self, subscriber: int, editions: tuple[str, ...]) -> None:
        """The editions the subscriber reads from now on (names checked by the caller); none is
        ``main``, which is then kept as no row at all."""
        names = sorted(set(editions))
        chosen = [] if names in ([], [MAIN]) else names
        with self._store.transaction() as db:
            db.execute("DELETE FROM subscriber_editions WHERE subscriber = ?", (subscriber,))
            db.executemany("INSERT INTO subscriber_editions (subscriber, edition) VALUES (?, ?)",
                           [(subscriber, name) for name in chosen])

    def set_locale(self, subscriber: int, locale: str) -> None:
        with self._store.transaction() as db:
            db.execute("UPDATE subscribers SET locale = ? WHERE id = ?", (locale, subscriber))

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
    """One mailing's rows of the send ledger: a week's edition (see sender.py for the states)."""

    def __init__(self, store: Store, week: IsoWeek, key: str = "", among: str = "",
                 edition: str = MAIN) -> None:
        """``edition``: the week's edition mailed, to those who read it; ``key``: the rows of another
        mailing of the week (its correction) than its issue; ``among``: that mailing goes only to
        those the issue's same edition (the ledger's ``among`` rows) reached."""
        self._store = store
        self.week = week
        self.edition = edition
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
        """Queue every confirmed subscriber who reads the edition and is not yet in the ledger;
        return what is left to send.

        ``delivered(uid)`` settles a ``sending`` row left by a killed run where
        the transport can tell (the outbox); without it such rows become ``uncertain``.
        """
        stamp = clock.stamp()
        mailing = (self._week, self.edition)
        with self._committed() as db:
            if delivered is None:
                db.execute("UPDATE email_sends SET state = 'uncertain', updated_at = ?, "
                           "detail = 'the previous run stopped mid-send: the server may or "
                           "may not have it' WHERE week = ? AND edition = ? AND state = 'sending'",
                           (stamp, *mailing))
            else:
                rows = db.execute("SELECT e.subscriber, s.uid FROM email_sends e JOIN subscribers s "
                                  "ON s.id = e.subscriber WHERE e.week = ? AND e.edition = ? "
                                  "AND e.state = 'sending'", mailing).fetchall()
                for subscriber, uid in rows:
                    state, detail = (("sent", "written before the previous run stopped")
                                     if delivered(uid)
                                     else ("queued", "the previous run stopped before writing it"))
                    db.execute("UPDATE email_sends SET state = ?, detail = ?, updated_at = ? "
                               "WHERE week = ? AND edition = ? AND subscriber = ?",
                               (state, detail, stamp, *mailing, subscriber))
            if self._among:
                db.execute("INSERT INTO email_sends (week, edition, subscriber, state, updated_at) "
                           "SELECT ?, ?, s.id, 'queued', ? FROM subscribers s JOIN email_sends e ON "
                           "e.subscriber = s.id WHERE s.status = 'confirmed' AND e.week = ? "
                           "AND e.edition = ? AND e.state = 'sent' AND NOT EXISTS "
                           "(SELECT 1 FROM email_sends o WHERE o.week = ? AND o.edition = ? "
                           "AND o.subscriber = s.id)",
                           (self._week, self.edition, stamp, self._among, self.edition, *mailing))
            else:
                db.execute("INSERT INTO email_sends (week, edition, subscriber, state, updated_at) "
                           "SELECT ?, ?, s.id, 'queued', ? FROM subscribers s "
                           f"WHERE s.status = 'confirmed' AND {_READS} AND NOT EXISTS "
                           "(SELECT 1 FROM email_sends o WHERE o.week = ? AND o.edition = ? "
                           "AND o.subscriber = s.id)",
                           (self._week, self.edition, stamp, self.edition, self.edition, *mailing))
            db.execute("UPDATE email_sends SET attempts = 0 WHERE week = ? AND edition = ? "
                       "AND state = 'deferred'", mailing)
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT s.id, s.uid, s.email, s.locale FROM email_sends e JOIN subscribers s "
                "ON s.id = e.subscriber WHERE e.week = ? AND e.edition = ? "
                "AND e.state IN ('queued', 'deferred') ORDER BY s.id", mailing).fetchall()
        return [Recipient(*row) for row in rows]

    def claim(self, recipient: Recipient) -> bool:
        """Mark the row ``sending`` if the address is still confirmed, and still reads the edition
        (a correction goes to whoever its issue reached). Committed on return."""
        reads, args = ("", ()) if self._among else (f" AND {_READS}", (self.edition, self.edition))
        with self._store.lock:
            self._not_inside_a_transaction()
            # One statement in autocommit mode: committed when execute() returns.
            cursor = self._store.db.execute(
                "UPDATE email_sends SET state = 'sending', updated_at = ? WHERE week = ? AND edition = ? "
                "AND subscriber = ? AND state IN ('queued', 'deferred') AND EXISTS (SELECT 1 FROM "
                f"subscribers s WHERE s.id = ? AND s.status = 'confirmed'{reads})",
                (clock.stamp(), self._week, self.edition, recipient.subscriber, recipient.subscriber,
                 *args))
            return cursor.rowcount == 1

    def record(self, recipient: Recipient, state: SendState, attempts: int, detail: str,
               bounce_after: int) -> None:
        """The outcome of one attempt; a ``failed`` one counts a bounce against the address."""
        stamp = clock.stamp()
        with self._committed() as db:
            db.execute("UPDATE email_sends SET state = ?, attempts = ?, detail = ?, updated_at = ? "
                       "WHERE week = ? AND edition = ? AND subscriber = ?",
                       (state, attempts, detail, stamp, self._week, self.edition, recipient.subscriber))
            if state == SendState.FAILED:
                # (Every expression reads the row as it was before this UPDATE.)
                db.execute("UPDATE subscribers SET bounces = bounces + 1, changed_at = ?, "
                           "reason = CASE WHEN bounces + 1 >= ? AND status = 'confirmed' "
                           "THEN ? ELSE reason END, "
                           "status = CASE WHEN bounces + 1 >= ? AND status = 'confirmed' "
                           "THEN 'bounced' ELSE status END WHERE id = ?",
                           (stamp, bounce_after, f"refused by the server sending {self._mailing}: {detail}",
                            bounce_after, recipient.subscriber))

    @property
    def _mailing(self) -> str:
        """The mailing as the list's reasons name it: 2026-W11, 2026-W11 china edition."""
        return self._week if self.edition == MAIN else f"{self._week} {self.edition} edition"

    def counts(self) -> dict[str, int]:
        """Rows per state."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT state, count(*) FROM email_sends WHERE week = ? "
                                          "AND edition = ? GROUP BY state",
                                          (self._week, self.edition)).fetchall()
        return dict(rows)

    def requeue_uncertain(self) -> int:
        """Let the next send email the copies a killed run may or may not have delivered."""
        with self._committed() as db:
            return db.execute("UPDATE email_sends SET state = 'queued', updated_at = ? WHERE "
                              "week = ? AND edition = ? AND state = 'uncertain'",
                              (clock.stamp(), self._week, self.edition)).rowcount

    def records(self, state: str | None = None) -> list[SendRecord]:
        """Each address's row (or those in ``state``), by address."""
        where, args = ("AND e.state = ?", (state,)) if state else ("", ())
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT s.email, e.state, e.attempts, e.detail FROM email_sends e JOIN subscribers s "
                f"ON s.id = e.subscriber WHERE e.week = ? AND e.edition = ? {where} ORDER BY s.email",
                (self._week, self.edition, *args)).fetchall()
        return [SendRecord(*row) for row in rows]
