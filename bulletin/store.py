"""The history: observations, figures and bulletins in SQLite.

Each collection is saved in one transaction, so a failure leaves the store as
it was. A source's file is its whole truth for the periods it covers: rows
that disappeared from it are removed, and re-importing the same data writes
nothing at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bulletin.errors import StoreError
from bulletin.model import Collected, Delivery, Figure, ModelName, Observation

# One script per schema version; user_version says how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE observations (
        source      TEXT NOT NULL,
        period      TEXT NOT NULL,          -- 2026-03-09 (a day) or 2026-W11 (a week)
        model       TEXT NOT NULL,
        tokens      INTEGER NOT NULL CHECK (typeof(tokens) = 'integer' AND tokens >= 0),
        rank        INTEGER,
        source_url  TEXT NOT NULL,
        fetched_at  TEXT NOT NULL,
        PRIMARY KEY (source, period, model)
    ) WITHOUT ROWID;
    CREATE TABLE model_names (
        model   TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        source  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE figures (
        source        TEXT NOT NULL,
        subject       TEXT NOT NULL,
        organisation  TEXT NOT NULL,
        kind          TEXT NOT NULL,
        period        TEXT NOT NULL,
        value         TEXT NOT NULL,        -- exact decimal, in the base unit
        unit          TEXT NOT NULL,
        scale         TEXT NOT NULL,
        link          TEXT NOT NULL,
        quote         TEXT NOT NULL,
        published_at  TEXT NOT NULL,
        fetched_at    TEXT NOT NULL,
        PRIMARY KEY (source, subject, organisation, kind, period)
    ) WITHOUT ROWID;
    CREATE TABLE bulletins (
        week         TEXT PRIMARY KEY,
        headline     TEXT NOT NULL,
        events       TEXT NOT NULL,          -- JSON: the events the story reported
        rendered_at  TEXT NOT NULL,
        status       TEXT NOT NULL,          -- ready, held, approved, rejected
        reasons      TEXT NOT NULL           -- JSON list: why it is held or rejected
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        week          TEXT NOT NULL,
        target        TEXT NOT NULL,         -- the publisher's name in the config
        status        TEXT NOT NULL,         -- ok, failed, gone (deleted on the remote side)
        remote_id     TEXT NOT NULL,         -- e.g. a WordPress post id; '' where none
        location      TEXT NOT NULL,         -- URL or path of what was published
        detail        TEXT NOT NULL,
        attempts      INTEGER NOT NULL,
        delivered_at  TEXT NOT NULL,
        PRIMARY KEY (week, target)
    ) WITHOUT ROWID;
    """,
    # Email subscribers and the per-(bulletin, subscriber) send ledger.
    """
    CREATE TABLE subscribers (
        id               INTEGER PRIMARY KEY,
        uid              TEXT NOT NULL UNIQUE,   -- random; what tokens name, never the row id
        email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        locale           TEXT NOT NULL,          -- en, zh
        status           TEXT NOT NULL,          -- pending, confirmed, unsubscribed, bounced
        bounces          INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        changed_at       TEXT NOT NULL
    );
    CREATE TABLE email_sends (
        week           TEXT NOT NULL,
        subscriber     INTEGER NOT NULL REFERENCES subscribers (id),
        state          TEXT NOT NULL,  -- queued, sending, sent, deferred, failed, skipped, uncertain
        attempts       INTEGER NOT NULL DEFAULT 0,
        next_attempt   REAL NOT NULL DEFAULT 0,
        detail         TEXT NOT NULL DEFAULT '',
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (week, subscriber)
    ) WITHOUT ROWID;
    """,
)


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements the way SQLite's own tokenizer sees them.

    (executescript() would commit first, outside our transaction.)
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise StoreError(f"incomplete SQL in a migration: {pending.strip()[:60]}")


@dataclass(frozen=True)
class SaveReport:
    source: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, isolation_level=None)
            store = cls(connection, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a bulletin database ({exc})") from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: schema version {version} was written by a newer "
                             f"bulletin (this one knows {len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as db:
                for statement in _statements(script):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    # -- writing -----------------------------------------------------------

    def save(self, collections: Sequence[Collected]) -> list[SaveReport]:
        """Store every source's data in one transaction: all of it or none."""
        with self.transaction() as db:
            return [self._save_one(db, collected) for collected in collections]

    def _save_one(self, db: sqlite3.Connection, collected: Collected) -> SaveReport:
        counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
        by_period: dict[str, set[str]] = {}
        for obs in collected.observations:
            by_period.setdefault(obs.period, set()).add(obs.model)
            old = db.execute("SELECT tokens, rank FROM observations WHERE source=? AND period=? "
                             "AND model=?", (obs.source, obs.period, obs.model)).fetchone()
            if old is None:
                counts["added"] += 1
            elif old == (obs.tokens, obs.rank):
                counts["unchanged"] += 1
                continue
            else:
                counts["changed"] += 1
            db.execute("INSERT OR REPLACE INTO observations VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (obs.source, obs.period, obs.model, obs.tokens, obs.rank,
                        obs.source_url, obs.fetched_at))
        for period, models in by_period.items():
            stale = [row[0] for row in db.execute(
                "SELECT model FROM observations WHERE source=? AND period=?",
                (collected.source, period)) if row[0] not in models]
            for model in stale:
                db.execute("DELETE FROM observations WHERE source=? AND period=? AND model=?",
                           (collected.source, period, model))
            counts["removed"] += len(stale)
        for name in collected.names:
            db.execute("INSERT INTO model_names VALUES (?, ?, ?) ON CONFLICT (model) DO UPDATE "
                       "SET name=excluded.name, source=excluded.source "
                       "WHERE name IS NOT excluded.name", (name.model, name.name, name.source))
        if collected.figures or not collected.observations:
            self._replace_figures(db, collected, counts)
        return SaveReport(collected.source, **counts)

    def _replace_figures(self, db: sqlite3.Connection, collected: Collected,
                         counts: dict[str, int]) -> None:
        keep = set()
        for fig in collected.figures:
            key = (fig.source, fig.subject, fig.organisation, fig.kind, fig.period)
            keep.add(key)
            row = (str(fig.value), fig.unit, fig.scale, fig.link, fig.quote, fig.published_at)
            old = db.execute("SELECT value, unit, scale, link, quote, published_at FROM figures "
                             "WHERE source=? AND subject=? AND organisation=? AND kind=? "
                             "AND period=?", key).fetchone()
            if old == row:
                counts["unchanged"] += 1
                continue
            counts["added" if old is None else "changed"] += 1
            db.execute("INSERT OR REPLACE INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*key, *row, fig.fetched_at))
        for key in db.execute("SELECT source, subject, organisation, kind, period FROM figures "
                              "WHERE source=?", (collected.source,)).fetchall():
            if tuple(key) not in keep:
                db.execute("DELETE FROM figures WHERE source=? AND subject=? AND organisation=? "
                           "AND kind=? AND period=?", key)
                counts["removed"] += 1

    def record_bulletin(self, week: str, headline: str, events: list[dict[str, Any]],
                        rendered_at: str, status: str = "ready", reasons: Sequence[str] = ()) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO bulletins VALUES (?, ?, ?, ?, ?, ?)",
                       (week, headline, json.dumps(events, sort_keys=True), rendered_at, status,
                        json.dumps(list(reasons))))

    def record_delivery(self, delivery: Delivery) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (delivery.week, delivery.target, delivery.status, delivery.remote_id,
                        delivery.location, delivery.detail, delivery.attempts,
                        delivery.delivered_at))

    def delivery(self, week: str, target: str) -> Delivery | None:
        row = self.db.execute("SELECT week, target, status, remote_id, location, detail, attempts, "
                              "delivered_at FROM deliveries WHERE week=? AND target=?",
                              (week, target)).fetchone()
        return Delivery(*row) if row else None

    # -- reading -----------------------------------------------------------

    def observations(self) -> list[Observation]:
        rows = self.db.execute("SELECT source, period, model, tokens, rank, source_url, fetched_at "
                               "FROM observations ORDER BY period, source, model")
        return [Observation(*row) for row in rows]

    def model_names(self) -> dict[str, ModelName]:
        rows = self.db.execute("SELECT model, name, source FROM model_names")
        return {row[0]: ModelName(*row) for row in rows}

    def figures(self) -> list[Figure]:
        rows = self.db.execute(
            "SELECT source, subject, organisation, kind, value, unit, period, link, quote, scale, "
            "published_at, fetched_at FROM figures ORDER BY subject, organisation, period")
        return [Figure(row[0], row[1], row[2], row[3], Decimal(row[4]), *row[5:]) for row in rows]

    def bulletin(self, week: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT headline, events, rendered_at, status, reasons FROM bulletins "
                              "WHERE week=?", (week,)).fetchone()
        if row is None:
            return None
        return {"headline": row[0], "events": json.loads(row[1]), "rendered_at": row[2],
                "status": row[3], "reasons": json.loads(row[4])}
