"""The email list: the table ``subscribers``, reached from the store as ``store.subscribers``.

Only the SQL is here: checking addresses and the list's rules (an import never
re-subscribes someone who left, the confirmation throttle) belong to the email
package (bulletin/publish/email/subscribers.py).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from bulletin import clock
from bulletin.model import Subscriber

if TYPE_CHECKING:
    from bulletin.store.database import Store

_COLUMNS = "id, uid, email, locale, status, bounces, confirm_sent_at"


class Subscribers:
    """The subscriber list's rows. Addresses arrive normalised (the email package checks them)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, email: str) -> Subscriber | None:
        return self._one("email", email)

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

    def add(self, email: str, locale: str, status: str) -> str:
        """Add the address or set its locale and status: "added", "updated" or "unchanged"."""
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

    def confirmations_since(self, since: str) -> int:
        """How many addresses were last sent a confirmation at or after ``since``."""
        with self._store.lock:
            return int(self._store.db.execute("SELECT count(*) FROM subscribers WHERE "
                                              "confirm_sent_at >= ?", (since,)).fetchone()[0])

    def set_confirm_sent(self, subscriber: int, stamp: str) -> None:
        """When the last confirmation went to this address ("" for never)."""
        with self._store.transaction() as db:
            db.execute("UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?", (stamp, subscriber))
