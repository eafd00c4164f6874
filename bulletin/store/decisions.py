"""Editors' lasting decisions: model names they confirmed or corrected (``model_name_decisions``)
and the article text of each week as it was when approved (``approved_texts``).

Reached from the store as ``store.decisions``. A decided name is the renderer's name for the
model from then on, and the review gate no longer holds a week for it; an approved text is
what the desk compares a week held again with. Only the SQL is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE model_name_decisions (
    model     TEXT PRIMARY KEY,      -- the leaderboard's id: moonshotai/kimi-k2.5-0127
    name      TEXT NOT NULL,         -- the name articles give it
    decision  TEXT NOT NULL,         -- confirmed (the made-up name stands) or corrected
    editor    TEXT NOT NULL,         -- who decided: the desk's user, or the command's
    at        TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE approved_texts (
    week    TEXT NOT NULL,
    locale  TEXT NOT NULL,
    text    TEXT NOT NULL,           -- the article's Markdown when the week was approved
    at      TEXT NOT NULL,
    PRIMARY KEY (week, locale)
) WITHOUT ROWID;
"""

CONFIRMED, CORRECTED = "confirmed", "corrected"


@dataclass(frozen=True)
class DecidedName:
    model: str
    name: str
    decision: str  # CONFIRMED or CORRECTED
    editor: str
    at: str


class Decisions:
    def __init__(self, store: Store) -> None:
        self._store = store

    def names(self) -> dict[str, DecidedName]:
        """Every decided name, by model id."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT model, name, decision, editor, at "
                                          "FROM model_name_decisions ORDER BY model").fetchall()
        return {row[0]: DecidedName(*row) for row in rows}

    def decide_name(self, decided: DecidedName) -> None:
        """Keep ``decided`` (replacing an earlier decision on the same model)."""
        with self._store.transaction() as db:
            db.execute("INSERT INTO model_name_decisions VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (model) DO UPDATE SET name = excluded.name, "
                       "decision = excluded.decision, editor = excluded.editor, at = excluded.at",
                       (decided.model, decided.name, decided.decision, decided.editor,
                                            decided.at))

    def forget_name(self, model: str) -> bool:
        """Drop the decision on ``model``: False when there was none."""
        with self._store.transaction() as db:
            return db.execute("DELETE FROM model_name_decisions WHERE model = ?", (model,)).rowcount > 0

    def approved(self, week: IsoWeek, texts: dict[str, str], at: str) -> None:
        """The week's article texts (by locale) as an editor approved them, replacing earlier ones."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM approved_texts WHERE week = ?", (str(week),))
            db.executemany("INSERT INTO approved_texts VALUES (?, ?, ?, ?)",
                           [(str(week), locale, text, at) for locale, text in sorted(texts.items())])

    def approved_texts(self, week: IsoWeek) -> tuple[dict[str, str], str]:
        """The week's last approved article texts by locale, and when; ({}, "") if never approved."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT locale, text, at FROM approved_texts WHERE week = ?",
                                          (str(week),)).fetchall()
        return {row[0]: row[1] for row in rows}, max((row[2] for row in rows), default="")

    def listed(self, model: str) -> bool:
        """Whether any source listed ``model`` (a decision on an id never seen is a typing error)."""
        with self._store.lock:
            return self._store.db.execute("SELECT 1 FROM observations WHERE model = ? LIMIT 1",
                                          (model,)).fetchone() is not None
