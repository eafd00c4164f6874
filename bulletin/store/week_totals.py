"""Each source's totals per ISO week, kept in the store beside the observations.

Every single-week command needs the weekly totals of the whole history (an
all-time record looks at every week), and summing millions of daily rows
each time costs seconds. So the store keeps one row per source and week
(the week's totals per model as JSON: read and parsed far quicker than a row
per model), refreshed in the same transaction as every write to observations.
A write touches only the weeks of the periods it brings, and those weeks are
summed again from the observations themselves, so days kept from an earlier
import, removed rows and partial weeks all come out right; a back-fill of
weeks the store has nothing else of is summed from the rows at hand.

The store's own saves settle the weeks they write before they commit.
Triggers note every (source, period) changed or removed, whoever does it, so
an edit from outside (an editor's SQL, another tool) is settled by the next
reader; rows inserted from outside need ``Store.rebuild_week_totals()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date

from bulletin.store.engine import SQLITE, Connection, dialect
from bulletin.weeks import IsoWeek

# The ISO week of a day column, in SQL: the Thursday of a day's Monday-to-Sunday
# week decides the ISO year, and its day of the year the week number.
_THURSDAY = "date({day}, '-3 days', 'weekday 4')"
ISO_WEEK_SQL = (f"strftime('%Y', {_THURSDAY}) || '-W' || printf('%02d', "
                f"(CAST(strftime('%j', {_THURSDAY}) AS INTEGER) - 1) / 7 + 1)")

_WEEK_OF_PERIOD = ISO_WEEK_SQL.format(day="period")

# Every week summed from the observations, as the first schema of week_boards had it
# (kept as it was: a released migration is never edited).
FILL_V1 = f"""
    INSERT INTO week_boards SELECT source, period, 0, 7, json_group_object(model, tokens),
        json_group_object(model, rank) FROM observations WHERE period LIKE '%-W%'
        GROUP BY source, period;
    WITH summed AS (
        SELECT source, {_WEEK_OF_PERIOD} AS week, model, SUM(tokens) AS tokens FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2, 3),
    counted AS (
        SELECT source, {_WEEK_OF_PERIOD} AS week, COUNT(DISTINCT period) AS days FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2)
    INSERT INTO week_boards SELECT s.source, s.week, 1, c.days, json_group_object(s.model, s.tokens),
        '{{}}' FROM summed s JOIN counted c ON c.source = s.source AND c.week = s.week
        GROUP BY s.source, s.week;
"""

# Every week summed from the observations; ``listed`` holds the days each model
# was listed (the Data API lists each day's top 50 only, so a model below the
# cutoff on some days has a partial week of its own), as bits: 1 for Monday, 2
# for Tuesday ... 64 for Sunday. Which days, not only how many: a free tier last
# listed on Monday ended that Monday.
LISTED_BIT = "(1 << ((CAST(strftime('%w', {period}) AS INTEGER) + 6) % 7))"
FILL = f"""
    INSERT INTO week_boards SELECT source, period, 0, 7, json_group_object(model, tokens),
        json_group_object(model, rank), '{{}}' FROM observations WHERE period LIKE '%-W%'
        GROUP BY source, period;
    WITH summed AS (
        SELECT source, {_WEEK_OF_PERIOD} AS week, model, SUM(tokens) AS tokens,
        SUM({LISTED_BIT.format(period='period')}) AS listed FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2, 3),
    counted AS (
        SELECT source, {_WEEK_OF_PERIOD} AS week, COUNT(DISTINCT period) AS days FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2)
    INSERT INTO week_boards SELECT s.source, s.week, 1, c.days, json_group_object(s.model, s.tokens),
        '{{}}', json_group_object(s.model, s.listed) FROM summed s
        JOIN counted c ON c.source = s.source AND c.week = s.week GROUP BY s.source, s.week;
"""

# Appended to the store's MIGRATIONS: the table, filled from what is already stored.
MIGRATION = """
    CREATE TABLE week_boards (
        source  TEXT NOT NULL,
        week    TEXT NOT NULL,      -- 2026-W11
        daily   INTEGER NOT NULL,   -- 1: the week's days summed; 0: a weekly leaderboard
        days    INTEGER NOT NULL,   -- days of the week with rows (7 for a weekly leaderboard)
        tokens  TEXT NOT NULL,      -- JSON object: model -> tokens
        ranks   TEXT NOT NULL,      -- JSON object: model -> the rank given (null: none; {} for days)
        PRIMARY KEY (source, week, daily)
    ) WITHOUT ROWID;
    CREATE TABLE week_boards_stale (
        source  TEXT NOT NULL,
        period  TEXT NOT NULL,
        PRIMARY KEY (source, period)
    ) WITHOUT ROWID;
    -- NOT EXISTS rather than INSERT OR IGNORE: an upsert's conflict clause would override it.
    -- No trigger on INSERT: it would slow a back-fill by half; the store's saves name
    -- the periods they add (a row inserted from outside needs Store.rebuild_week_totals()).
    CREATE TRIGGER observations_changed AFTER UPDATE ON observations BEGIN
        INSERT INTO week_boards_stale SELECT OLD.source, OLD.period WHERE NOT EXISTS
            (SELECT 1 FROM week_boards_stale WHERE source = OLD.source AND period = OLD.period);
        INSERT INTO week_boards_stale SELECT NEW.source, NEW.period WHERE NOT EXISTS
            (SELECT 1 FROM week_boards_stale WHERE source = NEW.source AND period = NEW.period);
    END;
    CREATE TRIGGER observations_removed AFTER DELETE ON observations BEGIN
        INSERT INTO week_boards_stale SELECT OLD.source, OLD.period WHERE NOT EXISTS
            (SELECT 1 FROM week_boards_stale WHERE source = OLD.source AND period = OLD.period);
    END;
""" + FILL_V1

# The days each model was listed, per week (the schema's later migration).
MIGRATION_LISTED = """
    ALTER TABLE week_boards ADD COLUMN listed TEXT NOT NULL DEFAULT '{}';  -- model -> days listed
    DELETE FROM week_boards;
""" + FILL


# The same sums on PostgreSQL: json_object_agg for json_group_object (ordered by model, the order
# SQLite's GROUP BY reads them in), ISO weeks and weekdays from to_char and extract.
_PG_WEEK_OF_PERIOD = "to_char(CAST(period AS date), 'IYYY-\"W\"IW')"
_PG_LISTED_BIT = "(1 << (CAST(extract(isodow FROM CAST({period} AS date)) AS INTEGER) - 1))"
_PG_REFRESH_WEEKLY = (
    "INSERT INTO week_boards SELECT ?, w.week, 0, 7, json_object_agg(o.model, o.tokens ORDER BY o.model), "
    "json_object_agg(o.model, o.rank ORDER BY o.model), '{}' FROM touched_weeks w JOIN observations o "
    "ON o.source = ? AND o.period = w.week GROUP BY w.week")
_PG_REFRESH_DAILY = (
    "WITH summed AS (SELECT d.week, o.model, SUM(o.tokens) AS tokens, "
    f"SUM({_PG_LISTED_BIT.format(period='o.period')}) AS listed "
    "FROM touched_days d JOIN observations o ON o.source = ? AND o.period = d.period "
    "GROUP BY d.week, o.model), "
    "counted AS (SELECT d.week, COUNT(*) AS days FROM touched_days d WHERE EXISTS "
    "(SELECT 1 FROM observations o WHERE o.source = ? AND o.period = d.period) GROUP BY d.week) "
    "INSERT INTO week_boards SELECT ?, s.week, 1, c.days, "
    "json_object_agg(s.model, s.tokens ORDER BY s.model), '{}', "
    "json_object_agg(s.model, s.listed ORDER BY s.model) FROM summed s "
    "JOIN counted c ON c.week = s.week GROUP BY s.week, c.days")
_PG_FILL = f"""
    INSERT INTO week_boards SELECT source, period, 0, 7, json_object_agg(model, tokens ORDER BY model),
        json_object_agg(model, rank ORDER BY model), '{{}}' FROM observations WHERE period LIKE '%-W%'
        GROUP BY source, period;
    WITH summed AS (
        SELECT source, {_PG_WEEK_OF_PERIOD} AS week, model, SUM(tokens) AS tokens,
        SUM({_PG_LISTED_BIT.format(period='period')}) AS listed FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2, 3),
    counted AS (
        SELECT source, {_PG_WEEK_OF_PERIOD} AS week, COUNT(DISTINCT period) AS days FROM observations
        WHERE period NOT LIKE '%-W%' GROUP BY 1, 2)
    INSERT INTO week_boards SELECT s.source, s.week, 1, c.days,
        json_object_agg(s.model, s.tokens ORDER BY s.model), '{{}}',
        json_object_agg(s.model, s.listed ORDER BY s.model) FROM summed s
        JOIN counted c ON c.source = s.source AND c.week = s.week GROUP BY s.source, s.week, c.days;
"""


def touched_weeks(periods: Iterable[str]) -> set[str]:
    """The ISO weeks that periods (days or weeks) belong to."""
    weeks = set()
    for period in periods:
        weeks.add(period if "-W" in period else str(IsoWeek.of(date.fromisoformat(period))))
    return weeks


Row = tuple[str, str, str, int, int | None, str, str]


def add_new(db: Connection, source: str, rows: Sequence[Row], periods: Sequence[str]) -> None:
    """Boards for a back-fill of periods the store had not seen, just inserted.

    Where the store holds nothing else of those weeks for the source, the
    boards are summed from the rows at hand (quicker than asking SQLite to sum
    them again); otherwise the weeks are summed from the store.
    """
    weeks = touched_weeks(periods)
    _touch(db, weeks)
    stored = db.execute("SELECT COUNT(*) FROM (SELECT period FROM touched_days UNION ALL "
                        "SELECT week FROM touched_weeks) p WHERE EXISTS (SELECT 1 FROM observations o "
                        "WHERE o.source = ? AND o.period = p.period)", (source,)).fetchone()[0]
    if stored != len(periods):
        refresh(db, source, weeks)
        return
    week_of = {period: period if "-W" in period else str(IsoWeek.of(date.fromisoformat(period)))
               for period in periods}
    tokens: dict[tuple[str, int], dict[str, int]] = {}
    # Each period's board looked up once, not per row: this loop runs over every row ingested.
    board_of = {period: tokens.setdefault((week, "-W" not in period), {})
                for period, week in week_of.items()}
    listed: dict[tuple[str, int], dict[str, int]] = {}
    listed_of = {period: listed.setdefault((week, "-W" not in period), {})
                 for period, week in week_of.items()}
    bit_of = {period: 1 << date.fromisoformat(period).weekday() for period in periods if "-W" not in period}
    for _, period, model, count, _, _, _ in rows:
        board = board_of[period]
        board[model] = board.get(model, 0) + count
        if period in bit_of:
            days_listed = listed_of[period]
            days_listed[model] = days_listed.get(model, 0) | bit_of[period]
    ranks: dict[str, dict[str, int | None]] = {}
    if any("-W" in period for period in periods):  # weekly leaderboards carry ranks
        for _, period, model, _, rank, _, _ in rows:
            if "-W" in period:
                ranks.setdefault(period, {})[model] = rank
    days: dict[str, int] = {}
    for period in periods:
        if "-W" not in period:
            days[week_of[period]] = days.get(week_of[period], 0) + 1
    db.executemany("INSERT INTO week_boards VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(source, week, daily, days[week] if daily else 7, json.dumps(board),
                     "{}" if daily else json.dumps(ranks[week]),
                     json.dumps(listed[(week, daily)]) if daily else "{}")
                    for (week, daily), board in tokens.items()])
    _untouch(db)


def _touch(db: Connection, weeks: Iterable[str]) -> None:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_days (period TEXT PRIMARY KEY, week TEXT) "
               "WITHOUT ROWID")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_weeks (week TEXT PRIMARY KEY) WITHOUT ROWID")
    _untouch(db)
    db.executemany("INSERT INTO touched_weeks VALUES (?)", [(week,) for week in weeks])
    db.executemany("INSERT INTO touched_days VALUES (?, ?)",
                   [(day.isoformat(), week) for week in weeks
                    for day in IsoWeek.parse(week).days()])


def _untouch(db: Connection) -> None:
    db.execute("DELETE FROM touched_days")
    db.execute("DELETE FROM touched_weeks")


def refresh(db: Connection, source: str, weeks: Iterable[str]) -> None:
    """Sum these weeks of a source again from its observations (inside the caller's transaction)."""
    wanted = sorted(set(weeks))
    if not wanted:
        return
    _touch(db, wanted)
    db.execute("DELETE FROM week_boards WHERE source = ? AND week IN (SELECT week FROM touched_weeks)",
               (source,))
    if dialect(db) != SQLITE:
        db.execute(_PG_REFRESH_WEEKLY, (source, source))
        db.execute(_PG_REFRESH_DAILY, (source, source, source))
        _untouch(db)
        return
    # CROSS JOIN keeps the few touched periods outside, so SQLite looks them up by primary key.
    db.execute("INSERT INTO week_boards SELECT ?, w.week, 0, 7, json_group_object(o.model, o.tokens), "
               "json_group_object(o.model, o.rank), '{}' FROM touched_weeks w CROSS JOIN observations o "
               "WHERE o.source = ? AND o.period = w.week GROUP BY w.week", (source, source))
    db.execute("WITH summed AS (SELECT d.week, o.model, SUM(o.tokens) AS tokens, "
               f"SUM({LISTED_BIT.format(period='o.period')}) AS listed "
               "FROM touched_days d CROSS JOIN observations o "
               "WHERE o.source = ? AND o.period = d.period GROUP BY d.week, o.model), "
               "counted AS (SELECT d.week, COUNT(*) AS days FROM touched_days d WHERE EXISTS "
               "(SELECT 1 FROM observations o WHERE o.source = ? AND o.period = d.period) "
               "GROUP BY d.week) "
               "INSERT INTO week_boards SELECT ?, s.week, 1, c.days, "
               "json_group_object(s.model, s.tokens), '{}', json_group_object(s.model, s.listed) "
               "FROM summed s "
               "JOIN counted c ON c.week = s.week GROUP BY s.week", (source, source, source))
    _untouch(db)


def settle(db: Connection, source: str = "", added: Iterable[str] = ()) -> None:
    """Sum again the weeks written since the last settle, and those of ``added`` periods."""
    by_source: dict[str, list[str]] = {source: list(added)} if source else {}
    stale = db.execute("SELECT source, period FROM week_boards_stale").fetchall()
    for name, period in stale:
        by_source.setdefault(name, []).append(period)
    for name, periods in by_source.items():
        refresh(db, name, touched_weeks(periods))
    if stale:
        db.execute("DELETE FROM week_boards_stale")


def is_settled(db: Connection) -> bool:
    return db.execute("SELECT 1 FROM week_boards_stale LIMIT 1").fetchone() is None


def rebuild(db: Connection) -> None:
    """Sum every week again from the observations (inside the caller's transaction)."""
    db.execute("DELETE FROM week_boards")
    db.execute("DELETE FROM week_boards_stale")
    for statement in (FILL if dialect(db) == SQLITE else _PG_FILL).split(";"):
        if statement.strip():
            db.execute(statement)


# Which days each model was listed, not only how many (the listing's later migration).
MIGRATION_LISTED_DAYS = """
    DELETE FROM week_boards;
""" + FILL
