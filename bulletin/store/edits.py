"""Editors' changes to articles' wording (``edits``) and the record of every change (``edit_log``).

Reached from the store as ``store.edits``. The rules (a change must keep every
number the store supports) are the pipeline's; only the SQL is here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletin.model.edits import Edit
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE edits (
    week       TEXT NOT NULL,
    locale     TEXT NOT NULL,
    generated  TEXT NOT NULL,          -- the paragraph as the story writes it
    text       TEXT NOT NULL,          -- as the editor last wrote it
    editor     TEXT NOT NULL,          -- the user who signed in
    name       TEXT NOT NULL,          -- the editor's full name, for the disclosure
    at         TEXT NOT NULL,
    PRIMARY KEY (week, locale, generated)
) WITHOUT ROWID;
CREATE TABLE edit_log (
    id       INTEGER PRIMARY KEY,
    week     TEXT NOT NULL,
    locale   TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    editor   TEXT NOT NULL,
    name     TEXT NOT NULL,
    at       TEXT NOT NULL
);
"""


class EditLedger:
    def __init__(self, store: Store) -> None:
        self._store = store

    def of(self, week: IsoWeek) -> list[Edit]:
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT week, locale, generated, text, editor, name, at FROM edits WHERE week = ? "
                "ORDER BY locale, at", (str(week),)).fetchall()
        return [Edit(IsoWeek.parse(row[0]), *row[1:]) for row in rows]

    def save(self, edit: Edit, before: str) -> None:
        """Keep ``edit`` (replacing an earlier change to the same paragraph) and log it."""
        with self._store.transaction() as db:
            db.execute("INSERT INTO edits VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (week, locale, generated) "
                       "DO UPDATE SET text = excluded.text, editor = excluded.editor, name = excluded.name, "
                       "at = excluded.at", (str(edit.week), edit.locale, edit.generated, edit.text,
                                            edit.editor, edit.name, edit.at))
            db.execute("INSERT INTO edit_log (week, locale, before, after, editor, name, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (str(edit.week), edit.locale, before, edit.text,
                                                        edit.editor, edit.name, edit.at))

    def log(self, week: IsoWeek) -> list[tuple[str, str, str, str, str]]:
        """(locale, before, after, name, at) of every change to the week, oldest first."""
        with self._store.lock:
            return [tuple(row) for row in self._store.db.execute(  # type: ignore[misc]
                "SELECT locale, before, after, name, at FROM edit_log WHERE week = ? ORDER BY id",
                (str(week),))]
