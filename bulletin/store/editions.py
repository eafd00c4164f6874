"""The editions of each week (``edition_bulletins``) and where each went (``edition_deliveries``).

Reached from the store as ``store.editions``. An edition has no review status
of its own: it goes out with its week's main bulletin, as an editor decided
that one. Only the SQL is here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bulletin.model import PUBLISHABLE, Delivery, DeliveryStatus
from bulletin.records import record
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

MIGRATION = """
CREATE TABLE edition_bulletins (
    week         TEXT NOT NULL,
    edition      TEXT NOT NULL,          -- its name: deepseek (model/editions.py)
    headline     TEXT NOT NULL,
    events       TEXT NOT NULL,          -- JSON: the events its story reported
    titles       TEXT NOT NULL,          -- JSON: its title by language
    rendered_at  TEXT NOT NULL,
    PRIMARY KEY (week, edition)
) WITHOUT ROWID;
CREATE TABLE edition_deliveries (
    week          TEXT NOT NULL,
    edition       TEXT NOT NULL,
    target        TEXT NOT NULL,
    status        TEXT NOT NULL,         -- ok, failed, gone
    remote_id     TEXT NOT NULL,
    location      TEXT NOT NULL,
    detail        TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    delivered_at  TEXT NOT NULL,
    PRIMARY KEY (week, edition, target)
) WITHOUT ROWID;
"""


@record
class EditionRecord:
    week: IsoWeek
    edition: str
    headline: str
    events: tuple[Mapping[str, Any], ...]
    titles: Mapping[str, str]
    rendered_at: str


class Editions:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, edition: EditionRecord) -> None:
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO edition_bulletins VALUES (?, ?, ?, ?, ?, ?)",
                       (str(edition.week), edition.edition, edition.headline,
                        json.dumps(list(edition.events), sort_keys=True),
                        json.dumps(dict(edition.titles), sort_keys=True, ensure_ascii=False),
                        edition.rendered_at))

    def of(self, week: IsoWeek) -> list[EditionRecord]:
        """The week's editions, by name."""
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {_EDITION} FROM edition_bulletins WHERE week = ? ORDER BY edition",
                (str(week),)).fetchall()
        return [_edition(row) for row in rows]

    def get(self, week: IsoWeek, name: str) -> EditionRecord | None:
        with self._store.lock:
            row = self._store.db.execute(
                f"SELECT {_EDITION} FROM edition_bulletins WHERE week = ? AND edition = ?",
                (str(week), name)).fetchone()
        return _edition(row) if row else None

    def names(self) -> list[str]:
        """Every edition any week had, by name."""
        with self._store.lock:
            rows = self._store.db.execute("SELECT DISTINCT edition FROM edition_bulletins ORDER BY edition")
            return [row[0] for row in rows]

    def newest(self) -> dict[str, EditionRecord]:
        """Each edition's newest week, by name: what a list of the editions shows."""
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {_EDITION} FROM edition_bulletins e WHERE week = (SELECT max(week) "
                "FROM edition_bulletins WHERE edition = e.edition) ORDER BY edition").fetchall()
        return {row[1]: _edition(row) for row in rows}

    def record_delivery(self, delivery: Delivery) -> None:
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO edition_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (str(delivery.week), delivery.edition, delivery.target, str(delivery.status),
                        delivery.remote_id, delivery.location, delivery.detail, delivery.attempts,
                        delivery.delivered_at))

    def delivery(self, week: IsoWeek, name: str, target: str) -> Delivery | None:
        with self._store.lock:
            row = self._store.db.execute(
                f"SELECT {_DELIVERY} FROM edition_deliveries WHERE week = ? AND edition = ? AND target = ?",
                (str(week), name, target)).fetchone()
        return _delivery(row) if row else None

    def deliveries(self, week: IsoWeek) -> list[Delivery]:
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {_DELIVERY} FROM edition_deliveries WHERE week = ? ORDER BY edition, target",
                (str(week),)).fetchall()
        return [_delivery(row) for row in rows]

    def delivered(self, name: str, target: str) -> list[tuple[IsoWeek, str, str]]:
        """(week, headline, rendered_at) of every week of an edition delivered to ``target`` whose main
        bulletin may still be shown (see ``Store.delivered``)."""
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT e.week, e.headline, e.rendered_at FROM edition_deliveries d "
                "JOIN edition_bulletins e ON e.week = d.week AND e.edition = d.edition "
                "JOIN bulletins b ON b.week = d.week "
                f"WHERE d.edition = ? AND d.target = ? AND d.status = '{DeliveryStatus.OK}' "
                f"AND b.status IN ({_PUBLISHABLE}) ORDER BY e.week", (name, target)).fetchall()
        return [(IsoWeek.parse(week), headline, rendered_at) for week, headline, rendered_at in rows]

    def published_to(self, target: str) -> dict[str, list[tuple[IsoWeek, str, str, str]]]:
        """Every edition's weeks delivered to ``target``, by name, as ``Store.delivered`` gives the main
        bulletin's: (week, headline, rendered_at, remote_id), in one query for them all."""
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT e.edition, e.week, e.headline, e.rendered_at, d.remote_id FROM edition_deliveries d "
                "JOIN edition_bulletins e ON e.week = d.week AND e.edition = d.edition "
                "JOIN bulletins b ON b.week = d.week "
                f"WHERE d.target = ? AND d.status = '{DeliveryStatus.OK}' "
                f"AND b.status IN ({_PUBLISHABLE}) ORDER BY e.edition, e.week", (target,)).fetchall()
        found: dict[str, list[tuple[IsoWeek, str, str, str]]] = {}
        for name, week, headline, rendered_at, remote_id in rows:
            found.setdefault(name, []).append((IsoWeek.parse(week), headline, rendered_at, remote_id))
        return found


_EDITION = "week, edition, headline, events, titles, rendered_at"
_PUBLISHABLE = ", ".join(f"'{status}'" for status in sorted(PUBLISHABLE))
_DELIVERY = "week, target, status, remote_id, location, detail, attempts, delivered_at, edition"


def _edition(row: Sequence[Any]) -> EditionRecord:
    week, name, headline, events, titles, rendered_at = row
    return EditionRecord(IsoWeek.parse(week), name, headline, tuple(json.loads(events)), json.loads(titles),
                         rendered_at)


def _delivery(row: Sequence[Any]) -> Delivery:
    week, target, status, remote_id, location, detail, attempts, delivered_at, edition = row
    return Delivery(IsoWeek.parse(week), target, DeliveryStatus(status), remote_id, location, detail,
                    attempts, delivered_at, edition)
