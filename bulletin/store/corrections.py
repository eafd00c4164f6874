"""The corrections table: one row per stated number revised, per week and language."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bulletin.model import PUBLISHABLE, DeliveryStatus, EvidenceKey
from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.records import record
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE corrections (
    id            INTEGER PRIMARY KEY,
    week          TEXT NOT NULL,
    locale        TEXT NOT NULL,
    quantity      TEXT NOT NULL,          -- its id (story/quantities.py): country(CN).tokens
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
-- What each written bulletin states (its bulletin.json "numbers", kept here so that a
-- collection finds the weeks a revision touches without reading every edition).
CREATE TABLE stated (
    week    TEXT NOT NULL,
    locale  TEXT NOT NULL,
    text    TEXT NOT NULL,                -- as written: 4.19 trillion
    what    TEXT NOT NULL,                -- JSON list: the ids of the quantities it may be
    PRIMARY KEY (week, locale, text)
);                                        -- rowid: the article's order
CREATE TABLE stated_span (
    week    TEXT PRIMARY KEY,
    since   TEXT NOT NULL                 -- the earliest week its numbers and events reach back to
) WITHOUT ROWID;
CREATE TABLE stated_on (
    source  TEXT NOT NULL,
    period  TEXT NOT NULL,                -- an ISO week, or a figure's period
    week    TEXT NOT NULL,                -- the bulletin with a number resting on it
    PRIMARY KEY (source, period, week)
) WITHOUT ROWID;
"""


def _legacy_ids() -> str:
    """SQL naming each recorded correction's number by its id, as story/quantities.py gives it.

    Corrections recorded before quantities had ids named them by where they
    sat in the story's data: ``countries.CN.tokens``, ``models.x/y.change``,
    ``events[0].facts.leader_tokens`` (the week's bulletin says which event).
    """
    cases = []
    for old, new in (("countries", "country"), ("models", "model")):
        for measure in ("tokens", "change", "share", "models", "rank", "days"):
            start, tail = len(old) + 2, len(measure) + 1
            length = f"length(quantity) - {start - 1} - {tail}"
            cases.append(f"WHEN quantity LIKE '{old}.%.{measure}' THEN '{new}(' || "
                         f"substr(quantity, {start}, {length}) || ').{measure}'")
    event = ("'$[' || CAST(substr(quantity, 8, instr(quantity, ']') - 8) AS INTEGER) || ']'")
    cases.append(
        "WHEN quantity LIKE 'events[%].facts.%' THEN (SELECT json_extract(b.events, " + event
        + " || '.kind') || "
        "coalesce('(' || (SELECT group_concat(value, ',') FROM json_each(b.events, " + event
        + " || '.subjects')) || ')', '') || '.' || substr(quantity, instr(quantity, '].facts.') + 8) "
        "FROM bulletins b WHERE b.week = corrections.week)")
    return ("UPDATE corrections SET quantity = coalesce(CASE " + " ".join(cases) + " END, quantity);")


# Numbers named by ids (story/quantities.py), each kept with the sentence that states it. The
# stated numbers are written again from each bulletin.json by the next run that needs them.
MIGRATION_IDS = f"""
ALTER TABLE stated ADD COLUMN sentence TEXT NOT NULL DEFAULT '';
DELETE FROM stated;
DELETE FROM stated_on;
DELETE FROM stated_span;
{_legacy_ids()}
"""

@record
class Stated:
    """One number a published bulletin states."""

    text: str  # as written: "4.19 trillion"
    ids: tuple[str, ...]  # the quantities it was traced to: "country(CN).tokens"
    sentence: str  # the sentence (or table row) that states it, as published


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
        query, params = f"SELECT {_COLUMNS} FROM corrections WHERE true", []
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

    def last_corrected(self) -> dict[IsoWeek, str]:
        """Week -> when its latest published correction was made: when its page last changed."""
        rows = self.store.db.execute("SELECT week, MAX(detected_at) FROM corrections WHERE status = ? "
                                     "GROUP BY week", (str(CorrectionStatus.PUBLISHED),))
        return {IsoWeek.parse(week): stamp for week, stamp in rows}

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


    def record_stated(self, week: IsoWeek, numbers: Mapping[str, Sequence[Mapping[str, Any]]],
                      keep: Callable[[str], bool], since: IsoWeek) -> None:
        """What a bulletin states (bulletin.json's "numbers"), in place of what it stated before.

        ``keep`` chooses the story names worth keeping (figures, not dates or settings).
        """
        rows, resting = [], set()
        for locale, found in numbers.items():
            for row in found:
                what = [name for name in row.get("what", []) if keep(name)]
                if what:
                    rows.append((str(week), locale, str(row["text"]), json.dumps(what),
                                 str(row.get("sentence") or row["text"])))
                for source in row.get("sources", []):
                    key = EvidenceKey.parse(str(source.get("key", "")))
                    if key is not None:
                        resting.add((key.source, key.period, str(week)))
        with self.store.transaction() as db:
            db.execute("DELETE FROM stated WHERE week = ?", (str(week),))
            db.execute("DELETE FROM stated_on WHERE week = ?", (str(week),))
            db.executemany("INSERT OR IGNORE INTO stated VALUES (?, ?, ?, ?, ?)", rows)
            db.executemany("INSERT OR IGNORE INTO stated_on VALUES (?, ?, ?)", sorted(resting))
            db.execute("INSERT OR REPLACE INTO stated_span VALUES (?, ?)", (str(week), str(since)))

    def stated(self, week: IsoWeek) -> dict[str, list[Stated]]:
        """locale -> each number the week's bulletin states, in the article's order."""
        found: dict[str, list[Stated]] = {}
        for locale, text, what, sentence in self.store.db.execute(
                "SELECT locale, text, what, sentence FROM stated WHERE week = ? ORDER BY rowid",
                (str(week),)):
            found.setdefault(locale, []).append(Stated(text, tuple(json.loads(what)), sentence))
        return found

    def stating(self) -> set[IsoWeek]:
        """The weeks whose stated numbers are kept here."""
        return {IsoWeek.parse(row[0]) for row in self.store.db.execute("SELECT DISTINCT week FROM stated")}

    def reaching(self, week: IsoWeek) -> set[IsoWeek]:
        """The weeks whose bulletins reach back to ``week``: it lies between their span's start and them."""
        rows = self.store.db.execute("SELECT week FROM stated_span WHERE since <= ? AND week >= ?",
                                     (str(week), str(week)))
        return {IsoWeek.parse(row[0]) for row in rows}

    def resting_on(self, revised: Iterable[tuple[str, str | None]]) -> set[IsoWeek]:
        """The weeks stating a number that rests on these (source, period); period None: any of its."""
        weeks: set[IsoWeek] = set()
        for source, period in revised:
            rows = (self.store.db.execute("SELECT DISTINCT week FROM stated_on WHERE source = ?", (source,))
                    if period is None else
                    self.store.db.execute("SELECT week FROM stated_on WHERE source = ? AND period = ?",
                                          (source, period)))
            weeks.update(IsoWeek.parse(row[0]) for row in rows)
        return weeks


def _correction(row: Sequence[str]) -> Correction:
    week, *rest = row
    fields = list(rest)
    fields[8] = CorrectionStatus(fields[8])
    return Correction(IsoWeek.parse(week), *fields)  # type: ignore[arg-type]
