"""The subscriber list: who gets the bulletin, in which language, and their status.

Addresses are checked for syntax only (no DNS lookups), so the list works
offline and a typo is caught when it is typed, not when the send bounces.
"""

from __future__ import annotations

import csv
import io
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from bulletin import clock
from bulletin.errors import SubscriberError
from bulletin.publish.email import LOCALES, STATUSES

CSV_FIELDS = ("email", "locale", "status")
# The subscribe form sends an address one confirmation an hour at most, so it
# cannot be used to flood somebody's inbox; a link stops working after a week.
CONFIRM_AGAIN_AFTER = timedelta(hours=1)
CONFIRM_LINK_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Subscriber:
    id: int
    uid: str
    email: str
    locale: str
    status: str
    bounces: int = 0
    confirm_sent_at: str = ""  # when the last confirmation email went out ("" never)

    @property
    def confirm_link_expired(self) -> bool:
        return not self.confirm_sent_at or self.confirm_sent_at < _ago(CONFIRM_LINK_LIFETIME)


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    rejected: tuple[str, ...]  # "line 4: ..." for each row not imported


def normalise(address: str) -> str:
    """The address as it will be stored, or SubscriberError saying what is wrong."""
    from email_validator import EmailNotValidError, validate_email

    try:
        # check_deliverability=False: no DNS, so the answer is the same offline.
        # ASCII addresses only: the messages are built as plain 7-bit text.
        found = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
        return found.ascii_email or found.normalized
    except EmailNotValidError as exc:
        raise SubscriberError(f"{address.strip() or '(empty)'}: {exc}") from None


def now() -> str:
    return clock.stamp()


def _ago(delta: timedelta) -> str:
    return (clock.now() - delta).isoformat(timespec="seconds")


def connect_for_sharing(db: sqlite3.Connection) -> None:
    """The sender's own connection: what Store.open sets on the store's."""
    db.execute("PRAGMA busy_timeout = 10000")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    # In WAL mode NORMAL survives a killed process (the OS has the pages); only
    # a power cut can lose the last commits.
    db.execute("PRAGMA synchronous = NORMAL")


def _row(row: Iterable[object]) -> Subscriber:
    return Subscriber(*row)  # type: ignore[arg-type]


_COLUMNS = "id, uid, email, locale, status, bounces, confirm_sent_at"


def get(db: sqlite3.Connection, email: str) -> Subscriber | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE email = ?", (email,)).fetchone()
    return _row(row) if row else None


def by_uid(db: sqlite3.Connection, uid: str) -> Subscriber | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM subscribers WHERE uid = ?", (uid,)).fetchone()
    return _row(row) if row else None


def listing(db: sqlite3.Connection, status: str | None = None) -> list[Subscriber]:
    where, args = ("WHERE status = ?", (status,)) if status else ("", ())
    rows = db.execute(f"SELECT {_COLUMNS} FROM subscribers {where} ORDER BY email", args)
    return [_row(row) for row in rows]


def add(db: sqlite3.Connection, email: str, locale: str = "en", status: str = "confirmed") -> str:
    """Add or update one address; returns "added", "updated" or "unchanged"."""
    if locale not in LOCALES:
        raise SubscriberError(f"{email}: unknown locale {locale!r} (expected one of: {', '.join(LOCALES)})")
    if status not in STATUSES:
        raise SubscriberError(f"{email}: unknown status {status!r} "
                              f"(expected one of: {', '.join(STATUSES)})")
    address = normalise(email)
    old = get(db, address)
    stamp = now()
    if old is None:
        db.execute("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (secrets.token_urlsafe(16), address, locale, status, stamp, stamp))
        return "added"
    if (old.locale, old.status) == (locale, status):
        return "unchanged"
    db.execute("UPDATE subscribers SET locale = ?, status = ?, changed_at = ? WHERE id = ?",
               (locale, status, stamp, old.id))
    return "updated"


def claim_confirmation(db: sqlite3.Connection, subscriber: Subscriber, per_hour: int) -> str:
    """Whether a confirmation email may go to this pending address now.

    "send" (and the time is recorded), "recent" (one went out within the hour:
    the form answers as if it sent another), or "busy" (the list's hourly
    limit is reached).
    """
    if subscriber.confirm_sent_at >= _ago(CONFIRM_AGAIN_AFTER):
        return "recent"
    sent = db.execute("SELECT count(*) FROM subscribers WHERE confirm_sent_at >= ?",
                      (_ago(timedelta(hours=1)),)).fetchone()[0]
    if sent >= per_hour:
        return "busy"
    db.execute("UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?", (now(), subscriber.id))
    return "send"


def unclaim_confirmation(db: sqlite3.Connection, subscriber: Subscriber) -> None:
    """The confirmation could not be sent: let the next attempt try again at once."""
    db.execute("UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?",
               (subscriber.confirm_sent_at, subscriber.id))


def set_status(db: sqlite3.Connection, subscriber_id: int, status: str) -> None:
    db.execute("UPDATE subscribers SET status = ?, changed_at = ? WHERE id = ?",
               (status, now(), subscriber_id))


def remove(db: sqlite3.Connection, email: str) -> None:
    """Unsubscribe (the row stays, so a later import cannot silently re-add them)."""
    found = get(db, normalise(email))
    if found is None:
        raise SubscriberError(f"{email}: not on the list")
    set_status(db, found.id, "unsubscribed")


def import_csv(db: sqlite3.Connection, text: str, source: str) -> ImportReport:
    """Import rows of email[,locale[,status]]; each bad row is reported and skipped.

    An address that unsubscribed or bounced keeps that status: an import must
    never re-subscribe someone who left.
    """
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    rejected: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip() for f in reader.fieldnames]:
        raise SubscriberError(f"{source}: line 1: expected a header row with an 'email' column")
    for record in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k is not None}
        try:
            address = normalise(row.get("email", ""))
            old = get(db, address)
            status = row.get("status") or "confirmed"
            if old is not None and old.status in ("unsubscribed", "bounced"):
                status = old.status
            counts[add(db, address, row.get("locale") or "en", status)] += 1
        except SubscriberError as exc:
            rejected.append(f"{source}: line {line}: {exc}")
    return ImportReport(counts["added"], counts["updated"], counts["unchanged"], tuple(rejected))


def export_csv(db: sqlite3.Connection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for sub in listing(db):
        writer.writerow((sub.email, sub.locale, sub.status))
    return out.getvalue()
