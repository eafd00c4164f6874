"""The corrections table: one row per stated number revised, per week and language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from bulletin.story.corrections.record import Correction, CorrectionStatus
from bulletin.model import PUBLISHABLE, DeliveryStatus
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE corrections (
    id            INTEGER PRIMARY KEY,
    week          TEXT NOT NULL,
    locale        TEXT NOT NULL,
    quantity      TEXT NOT NULL,          -- the story's name for it: countries.CN.tokens
    sentence      TEXT NOT NULL,          -- as published
    old           TEXT NOT NULL,          -- as written: 4.19 trillion
    new           TEXT NOT NULL,
    source        TEXT NOT NULL,
    revised_by    TEXT NOT NULL,          -- when the collection that revised it ran
    detected_at   TEXT NOT NULL,
    status        TEXT NOT NULL,          -- held, published, rejected
    held_for      TEXT NOT NULL,
    announced_in  TEXT NOT NULL,          -- the week whose email carried the notice; '' not yet
    subject       TEXT NOT NULL,
    UNIQUE (week, locale, quantity, old, new)
);
"""

_COLUMNS = ("week, locale, quantity, sentence, old, new, source, revised_by, detected_at, status, "
            "held_for, announced_in, subject")
_PUBLISHABLE = ", ".join(f"'{status}'" for status in sorted(PUBLISHABLE))


class CorrectionLedger:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, found: Iterable[Correction]) -> list[Correction]:
        """Record new corrections; one already recorded (same week, number, old and new) is not again."""
        added = []
        with self.store.transaction() as db:
            for c in found:
                cursor = db.execute(
                    f"INSERT INTO corrections ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (str(c.week), c.locale, c.quantity, c.sentence, c.old, c.new, c.source,
                     c.revised_by, c.detected_at, str(c.status), c.held_for, c.announced_in, c.subject))
                if cursor.rowcount:
                    added.append(c)
        return added

    def of(self, week: IsoWeek | None = None, status: CorrectionStatus | None = None
           ) -> list[Correction]:
        query, params = f"SELECT {_COLUMNS} FROM corrections WHERE 1", []
        if week is not None:
            query += " AND week = ?"
            params.append(str(week))
        if status is not None:
            query += " AND status = ?"
            params.append(str(status))
        return [_correction(row) for row in self.store.db.execute(query + " ORDER BY week, id", params)]

    def set_status(self, week: IsoWeek, before: CorrectionStatus, after: CorrectionStatus) -> int:
        with self.store.transaction() as db:
            return int(db.execute("UPDATE corrections SET status = ? WHERE week = ? AND status = ?",
                                  (str(after), str(week), str(before))).rowcount)

    def to_announce(self, week: IsoWeek) -> list[Correction]:
        """Published corrections of earlier weeks that no email has told of yet, or that ``week``'s does."""
        rows = self.store.db.execute(
            f"SELECT {_COLUMNS} FROM corrections WHERE status = ? AND week < ? "
            "AND announced_in IN ('', ?) ORDER BY week, id",
            (str(CorrectionStatus.PUBLISHED), str(week), str(week)))
        return [_correction(row) for row in rows]

    def announced(self, corrections: Sequence[Correction], week: IsoWeek) -> None:
        with self.store.transaction() as db:
            db.executemany("UPDATE corrections SET announced_in = ? WHERE week = ? AND locale = ? "
                           "AND quantity = ? AND old = ? AND new = ?",
                           [(str(week), str(c.week), c.locale, c.quantity, c.old, c.new)
                            for c in corrections])

    def published_weeks(self) -> list[IsoWeek]:
        """Weeks readers have seen: publishable, and delivered to at least one target."""
        rows = self.store.db.execute(
            "SELECT DISTINCT b.week FROM bulletins b JOIN deliveries d ON d.week = b.week "
            f"WHERE d.status = '{DeliveryStatus.OK}' AND b.status IN ({_PUBLISHABLE}) ORDER BY b.week")
        return [IsoWeek.parse(row[0]) for row in rows]

    def delivered(self, week: IsoWeek) -> bool:
        """Whether any target has this week already (so its email has gone, or may have)."""
        row = self.store.db.execute("SELECT 1 FROM deliveries WHERE week = ? AND status = ? LIMIT 1",
                                    (str(week), str(DeliveryStatus.OK))).fetchone()
        return row is not None


def _correction(row: Sequence[str]) -> Correction:
    week, *rest = row
    fields = list(rest)
    fields[8] = CorrectionStatus(fields[8])
    return Correction(IsoWeek.parse(week), *fields)  # type: ignore[arg-type]
