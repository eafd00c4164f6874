"""The editors who sign in to ``bulletin desk``: the table ``editors``.

Only a password's hash is ever stored (argon2id, made by the desk package);
the store neither makes nor checks one. Reached from the store as ``store.editors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE editors (
    user           TEXT PRIMARY KEY,      -- what the editor types to sign in
    name           TEXT NOT NULL,         -- the full name a disclosure gives
    password_hash  TEXT NOT NULL,         -- argon2id, in its PHC string form
    created_at     TEXT NOT NULL,
    changed_at     TEXT NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Editor:
    user: str
    name: str
    password_hash: str
    created_at: str = ""
    changed_at: str = ""


class Editors:
    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, user: str, name: str, password_hash: str, stamp: str) -> str:
        """Add the editor, or give an existing one a new name and password: "added" or "updated"."""
        with self._store.transaction() as db:
            known = db.execute('SELECT 1 FROM editors WHERE "user" = ?', (user,)).fetchone()
            db.execute('INSERT INTO editors VALUES (?, ?, ?, ?, ?) ON CONFLICT ("user") DO UPDATE '
                       "SET name = excluded.name, password_hash = excluded.password_hash, "
                       "changed_at = excluded.changed_at", (user, name, password_hash, stamp, stamp))
        return "updated" if known else "added"

    def count(self) -> int:
        with self._store.lock:
            return int(self._store.db.execute("SELECT count(*) FROM editors").fetchone()[0])

    def get(self, user: str) -> Editor | None:
        with self._store.lock:
            row = self._store.db.execute('SELECT "user", name, password_hash, created_at, changed_at '
                                         'FROM editors WHERE "user" = ?', (user,)).fetchone()
        return Editor(*row) if row else None

    def set_hash(self, user: str, password_hash: str) -> None:
        """A stored hash made again with today's parameters (argon2's ``check_needs_rehash``)."""
        with self._store.transaction() as db:
            db.execute('UPDATE editors SET password_hash = ? WHERE "user" = ?', (password_hash, user))
