"""The weekly totals the store keeps beside its observations stay what summing them gives."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bulletin.config.load import load_config
from bulletin.model import Collected, SourceWeek
from bulletin.pipeline import stats_history
from bulletin.store.database import MIGRATIONS, Store
from bulletin.story import stats as aggregate
from bulletin.story.detect import detect
from bulletin.story.rules import HistoryIndex
from bulletin.story.stats import WeekHistory
from support import write_config
from support.postgres import outside

Boards = dict[tuple[str, str, bool], tuple[int, dict[str, int], dict[str, int]]]


def boards(found: list[SourceWeek]) -> Boards:
    # Summed days carry no ranks: only a weekly leaderboard gives them.
    return {(item.source, str(item.week), item.is_daily):
            (item.days, dict(item.tokens), {} if item.is_daily else dict(item.ranks))
            for item in found}


def summed(store: Store) -> Boards:
    """What summing every stored observation gives, row by row."""
    return boards(aggregate.source_weeks(store.observations()))


def kept(store: Store) -> Boards:
    return boards(store.source_weeks())


def days(source: str, first: date, count: int, models: dict[str, int]) -> Collected:
    rows = tuple((source, (first + timedelta(days=n)).isoformat(), model, tokens + n, None,
                  "https://example.org", "t0")
                 for n in range(count) for model, tokens in models.items())
    return Collected(source, rows=rows, figures_replace=False)


MONDAY = date(2026, 3, 2)  # 2026-W10


def test_a_back_fill_keeps_each_week_summed(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.save([days("api", MONDAY, 12, {"a/one": 100, "b/two": 50})])
        assert kept(store) == summed(store)
        assert kept(store)[("api", "2026-W10", True)] == (
            7, {"a/one": sum(100 + n for n in range(7)), "b/two": sum(50 + n for n in range(7))}, {})
        assert kept(store)[("api", "2026-W11", True)][0] == 5  # a partial week: five days


def test_the_rest_of_a_partial_week_completes_it(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.save([days("api", MONDAY, 3, {"a/one": 100})])
        assert kept(store)[("api", "2026-W10", True)] == (3, {"a/one": 303}, {})
        # New days only: the store takes the back-fill path, and the week is summed whole.
        store.save([days("api", MONDAY + timedelta(days=3), 4, {"a/one": 1000})])
        assert kept(store)[("api", "2026-W10", True)] == (7, {"a/one": 303 + 4006}, {})
        assert kept(store) == summed(store)


def test_a_reimport_writes_nothing_and_the_totals_stay(store_at: Path | str) -> None:
    path = store_at
    data = days("api", MONDAY, 10, {"a/one": 100, "b/two": 50})
    with Store.open(path) as store:
        store.save([data])
        before = kept(store)
        report = store.save([data])[0]
        assert not report.wrote
        assert kept(store) == before == summed(store)


def test_changed_and_removed_rows_are_summed_again(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.save([days("api", MONDAY, 14, {"a/one": 100, "b/two": 50, "c/three": 7})])
        # The same two weeks again: one figure changed, one model gone from the second week.
        rows = [row for row in days("api", MONDAY, 14, {"a/one": 100, "b/two": 50, "c/three": 7}).rows
                if not (row[2] == "c/three" and row[1] >= "2026-03-09")]
        rows = [(*row[:3], 999, *row[4:]) if row[1:3] == ("2026-03-04", "a/one") else row
                for row in rows]
        report = store.save([Collected("api", rows=tuple(rows), figures_replace=False)])[0]
        assert (report.changed, report.removed) == (1, 7)
        totals = kept(store)
        assert totals == summed(store)
        assert totals[("api", "2026-W10", True)][1]["a/one"] == sum(100 + n for n in range(7)) - 102 + 999
        assert "c/three" not in totals[("api", "2026-W11", True)][1]
        assert totals[("api", "2026-W10", True)][1]["c/three"] == sum(7 + n for n in range(7))


def test_a_model_removed_from_every_day_of_a_week_leaves_it(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.save([days("api", MONDAY, 7, {"a/one": 100, "b/two": 50})])
        store.save([days("api", MONDAY, 7, {"a/one": 100})])
        assert kept(store) == summed(store)
        assert kept(store)[("api", "2026-W10", True)] == (7, {"a/one": sum(100 + n for n in range(7))}, {})


def test_weekly_rows_keep_their_ranks_and_sources_stay_apart(store_at: Path | str) -> None:
    weekly = Collected("board", rows=(("board", "2026-W10", "a/one", 10, 2, "", "t0"),
                                      ("board", "2026-W10", "b/two", 20, 1, "", "t0")))
    with Store.open(store_at) as store:
        store.save([weekly, days("api", MONDAY, 7, {"a/one": 1})])
        assert kept(store)[("board", "2026-W10", False)] == (7, {"a/one": 10, "b/two": 20},
                                                             {"a/one": 2, "b/two": 1})
        # The weekly board without one of its models: the row goes, the daily source is untouched.
        store.save([Collected("board", rows=(("board", "2026-W10", "b/two", 20, 1, "", "t0"),))])
        totals = kept(store)
        assert totals[("board", "2026-W10", False)] == (7, {"b/two": 20}, {"b/two": 1})
        assert totals[("api", "2026-W10", True)] == (7, {"a/one": 7 + 21}, {})
        assert totals == summed(store)


def test_an_edit_from_outside_is_summed_by_the_next_reader(store_at: Path | str) -> None:
    path = store_at
    with Store.open(path) as store:
        store.save([days("api", MONDAY, 14, {"a/one": 100, "b/two": 50})])
    with outside(path) as db:
        db.execute("UPDATE observations SET tokens = 5 WHERE period = '2026-03-03' AND model = 'a/one'")
        db.execute("DELETE FROM observations WHERE period >= '2026-03-09'")
    with Store.open(path) as store:
        totals = kept(store)
        assert totals == summed(store)
        assert ("api", "2026-W11", True) not in totals
        assert totals[("api", "2026-W10", True)][1]["a/one"] == sum(100 + n for n in range(7)) - 101 + 5


def test_rows_inserted_from_outside_count_after_a_rebuild(store_at: Path | str) -> None:
    path = store_at
    with Store.open(path) as store:
        store.save([days("api", MONDAY, 7, {"a/one": 100})])
    with outside(path) as db:
        db.execute("INSERT INTO observations VALUES ('api', '2026-03-09', 'a/one', 4, NULL, '', '')")
    with Store.open(path) as store:
        store.rebuild_week_totals()
        assert kept(store) == summed(store)
        assert kept(store)[("api", "2026-W11", True)] == (1, {"a/one": 4}, {})


def test_an_older_store_is_summed_when_it_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:  # the schema before the weekly totals
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    rows = [("api", (date(2020, 12, 28) + timedelta(days=n)).isoformat(), m, n * 10 + i, None, "", "")
            for n in range(20) for i, m in enumerate(["a/one", "b/two"])]
    rows += [("board", "2021-W01", "a/one", 77, 1, "", "")]
    db.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()
    with Store.open(path) as store:
        totals = kept(store)
        assert totals == summed(store)
        # 2020-12-28 is a Monday of ISO week 2020-W53; the days run into 2021-W02.
        assert sorted(week for _, week, _ in totals) == ["2020-W53", "2021-W01", "2021-W01",
                                                         "2021-W02"]


def random_store(path: Path) -> None:
    """Three years of daily data with gaps and partial weeks, and some weekly leaderboards."""
    rng = random.Random(11)
    authors = ["openai", "anthropic", "google", "deepseek", "qwen", "moonshotai", "openrouter"]
    models = [f"{authors[i % len(authors)]}/m{i}" for i in range(25)]
    level = {model: rng.randrange(10**9, 10**12) for model in models}
    rows = []
    day = date(2023, 1, 2)
    for _ in range(3 * 364):
        day += timedelta(days=1)
        if rng.random() < 0.03:
            continue  # a missing day: its week is partial
        for model in rng.sample(models, 18):
            level[model] = int(level[model] * rng.uniform(0.9, 1.12))
            rows.append(("api", day.isoformat(), model, level[model], None, "", "t0"))
    weekly = [("board", f"2024-W{w:02d}", model, rng.randrange(10**9, 10**12), rank, "", "t0")
              for w in range(10, 20) for rank, model in enumerate(rng.sample(models, 12), start=1)]
    with Store.open(path) as store:
        store.save([Collected("api", rows=tuple(rows[: len(rows) // 2]), figures_replace=False),
                    Collected("board", rows=tuple(weekly))])
        store.save([Collected("api", rows=tuple(rows[len(rows) // 2:]), figures_replace=False)])


def plain(event: Any) -> tuple[Any, ...]:
    return (event.kind, event.subjects, event.facts, round(event.score, 9), event.evidence,
            event.topic)


def test_the_lazy_history_finds_what_the_full_history_finds(tmp_path: Path) -> None:
    random_store(tmp_path / "output" / "bulletin.db")
    (tmp_path / "empty.csv").write_text("date,model,tokens\n", encoding="utf-8")
    config = load_config(write_config(tmp_path, "  - {name: api, type: csv, path: empty.csv}"))
    with Store.open(config.database) as store:
        assert kept(store) == summed(store)
        lazy = stats_history(config, store)
        observed = stats_history(config, store, store.observations())
    assert isinstance(lazy, WeekHistory)
    full = {week: observed[week] for week in observed}  # a plain dict: every week built
    assert list(lazy) == list(full)
    weeks = [week for week in full if full[week].complete]
    assert len(weeks) > 100 and len(weeks) < len(full)  # partial weeks in between
    lazy_index, full_index = HistoryIndex(lazy), HistoryIndex(full)
    found = 0
    for week in list(full)[::3]:
        expected = detect(week, full, (), config.methodology, config.rules, index=full_index)
        got = detect(week, lazy, (), config.methodology, config.rules, index=lazy_index)
        assert [plain(e) for e in got] == [plain(e) for e in expected], week
        found += len(expected)
    assert found > 50
    assert all(lazy[week] == full[week] for week in full)


def test_a_corrected_file_collected_again_gives_what_a_fresh_store_gives(project: Path,
                                                                          bulletin: Any) -> None:
    assert bulletin("collect").code == 0
    before = bulletin("stats", "--week", "2026-W11", "--format", "json").out
    csv = project / "demo" / "openrouter-weekly.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    # A figure corrected and a model withdrawn from 2026-W11; ranks as the corrected board gives them.
    lines = [line.replace("1750000000000", "1650000000000") for line in lines
             if "2026-W11,8,google/gemini-2.5-flash" not in line]
    lines = [line.replace("2026-W11,9,", "2026-W11,8,").replace("2026-W11,10,", "2026-W11,9,")
             for line in lines]
    csv.write_text("".join(lines), encoding="utf-8")
    assert bulletin("collect").code == 0
    again = bulletin("stats", "--week", "2026-W11", "--format", "json").out
    database = project / "output" / "bulletin.db"
    database.unlink()
    assert bulletin("collect").code == 0
    fresh = bulletin("stats", "--week", "2026-W11", "--format", "json").out
    assert again == fresh != before
    assert "google/gemini-2.5-flash" not in again and "1650000000000" in again.replace(",", "")
