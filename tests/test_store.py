import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bulletin.errors import StoreError
from bulletin.model import Collected, ModelName, Observation
from bulletin.store.database import MIGRATIONS, Store
from bulletin.weeks import IsoWeek
from support import digest
from support.postgres import integrity_error, outside


def week(*rows: tuple[str, int]) -> Collected:
    return Collected("board", tuple(Observation("board", "2026-W11", model, tokens, rank, "", "t0")
                                    for rank, (model, tokens) in enumerate(rows, start=1)),
                     (ModelName("a/one", "One", "board"),))


def test_a_new_store_has_the_current_schema_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.db") as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_reimporting_the_same_data_changes_nothing(store_at: Path | str) -> None:
    data = week(("a/one", 10), ("b/two", 5))
    with Store.open(store_at) as store:
        first = store.save([data])
    before = written(store_at)
    with Store.open(store_at) as store:
        again = store.save([data])
        assert len(store.observations()) == 2
    assert (first[0].added, again[0].added, again[0].unchanged) == (2, 0, 2)
    assert written(store_at) == before


def written(location: Path | str) -> object:
    """What tells that something was written: the file's digest; on PostgreSQL, where each row
    version is and the transaction that wrote it (an update or a rewrite moves both)."""
    if isinstance(location, Path):
        return digest(location)
    with outside(location) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables "
                                               "WHERE schemaname = current_schema() ORDER BY 1")]
        return {table: db.execute(f"SELECT xmin::text, ctid::text FROM {table} ORDER BY ctid").fetchall()
                for table in tables}


def test_a_source_file_is_the_whole_truth_for_its_weeks(store_at: Path | str) -> None:
    with Store.open(store_at) as store:
        store.save([week(("a/one", 10), ("b/two", 5))])
        report = store.save([week(("a/one", 12), ("c/three", 4))])[0]
        rows = {(o.model, o.tokens) for o in store.observations()}
    assert rows == {("a/one", 12), ("c/three", 4)}
    assert (report.added, report.changed, report.removed) == (1, 1, 1)


def test_a_failed_save_keeps_nothing(store_at: Path | str) -> None:
    broken = Collected("board", (Observation("board", "2026-W11", "a/one", -1, 1, "", "t0"),))
    with Store.open(store_at) as store:
        store.save([week(("b/two", 5))])
        with pytest.raises(integrity_error(store_at)):
            store.save([week(("a/one", 10)), broken])
        assert [(o.model, o.tokens) for o in store.observations()] == [("b/two", 5)]


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="was written by a newer bulletin"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_text("this is not SQLite " * 100, encoding="utf-8")
    with pytest.raises(StoreError, match=f"^{path}: not a bulletin database"):
        Store.open(path)


def test_every_store_is_opened_for_sharing_whether_or_not_email_is_used(tmp_path: Path) -> None:
    # The web server, a running send and the CLI write the same file.
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.save([week(("a/one", 10))])
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file


def test_the_send_ledger_loses_its_unused_column_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    dropping = next(n for n, script in enumerate(MIGRATIONS) if "DROP COLUMN next_attempt" in script)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for number, script in enumerate(MIGRATIONS[:dropping], start=1):
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                   "VALUES ('u1', 'ana@example.com', 'en', 'confirmed', 't0', 't0')")
        db.execute("INSERT INTO email_sends (week, subscriber, state, next_attempt, updated_at) "
                   "VALUES ('2026-W11', 1, 'sent', 0, 't0')")
    with Store.open(path) as store:
        columns = [row[1] for row in store.db.execute("PRAGMA table_info(email_sends)")]
        assert columns == ["week", "edition", "subscriber", "state", "attempts", "detail", "updated_at"]
        assert store.send_ledger(IsoWeek.parse("2026-W11")).counts() == {"sent": 1}


def test_the_send_ledgers_rows_become_the_main_bulletins_when_it_is_kept_per_edition(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for number, script in enumerate(MIGRATIONS[:-1], start=1):
            db.executescript(script)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                   "VALUES ('u1', 'ana@example.com', 'en', 'confirmed', 't0', 't0')")
        db.execute("INSERT INTO email_sends (week, subscriber, state, attempts, detail, updated_at) "
                   "VALUES ('2026-W11', 1, 'uncertain', 1, 'lost', 't0'), "
                   "('2026-W11.correction.t1', 1, 'sent', 1, '', 't1')")
    with Store.open(path) as store:
        week = IsoWeek.parse("2026-W11")
        assert [(r.email, r.state, r.attempts, r.detail) for r in store.send_ledger(week).records()] == [
            ("ana@example.com", "uncertain", 1, "lost")]
        assert store.send_ledger(week, "china").counts() == {}
        # Still the one copy a week: a second start queues nobody anew.
        assert store.send_ledger(week).start() == []
        assert store.db.execute("SELECT count(*) FROM email_sends WHERE edition = 'main'").fetchone()[0] == 2
        assert store.subscribers.editions(1) == ("main",)
