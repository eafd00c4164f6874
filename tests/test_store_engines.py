"""The store on PostgreSQL: the same bulletins as on SQLite, its schema, its checks and its errors.

Run against a throwaway cluster (tests/support/postgres.py); skipped where the
server binaries or psycopg are not installed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bulletin.errors import StoreError
from bulletin.model import Collected, Observation
from bulletin.store import postgres_schema
from bulletin.store.database import Store
from bulletin.store.migrations import MIGRATIONS
from support import FIXED_EPOCH, copy_demo
from support.postgres import outside

WEEKS = ("2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11")
SQLITE_HEADER = b"SQLite format 3\x00"


def _season(folder: Path, bulletin, monkeypatch: pytest.MonkeyPatch, store: str = "") -> dict[str, bytes]:
    """The demo run, then every week rendered: each file written under output/bulletins and site/."""
    folder.mkdir()
    config = copy_demo(folder, targets=True)
    if store:
        config.write_text(config.read_text(encoding="utf-8") + f"\nstore: {store}\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    done = bulletin("run")
    assert done.code == 0, done.err
    for week in WEEKS:
        done = bulletin("render", "--week", week)
        assert done.code == 0, (week, done.err)
    output = folder / "output"
    return {str(path.relative_to(output)): path.read_bytes()
            for path in sorted(output.rglob("*")) if path.is_file()
            and path.parts[len(output.parts)] in ("bulletins", "site")}


def test_a_season_on_postgresql_is_byte_for_byte_the_season_on_sqlite(
        tmp_path: Path, postgres_url: str, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    on_sqlite = _season(tmp_path / "sqlite", bulletin, monkeypatch)
    on_postgresql = _season(tmp_path / "postgresql", bulletin, monkeypatch, postgres_url)
    assert sorted(on_postgresql) == sorted(on_sqlite)
    assert all(f"bulletins/{week}/bulletin.md" in on_sqlite for week in WEEKS)
    different = [name for name in on_sqlite if on_postgresql[name] != on_sqlite[name]]
    assert different == []
    assert (tmp_path / "sqlite" / "output" / "bulletin.db").exists()
    made = [path for path in (tmp_path / "postgresql").rglob("*") if path.is_file()
            and path.open("rb").read(16) == SQLITE_HEADER]
    assert made == []
    with outside(postgres_url) as db:
        assert db.execute("SELECT count(*) FROM bulletins").fetchone()[0] == len(WEEKS)


def test_doctor_checks_the_connection_the_server_and_the_schema(project: Path, postgres_url: str,
                                                                  bulletin) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nstore: {postgres_url}\n", encoding="utf-8")
    assert bulletin("run").code == 0
    result = bulletin("doctor")
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    assert lines[:2] == ["config: ok", "store: ok"]
    assert lines[2].startswith("store server (PostgreSQL ") and lines[2].endswith("): ok")
    assert lines[3] == "store schema: ok"
    with outside(postgres_url) as db:
        db.execute(f"UPDATE schema_version SET version = {postgres_schema.VERSION + 1}")
    result = bulletin("doctor")
    assert result.code == 1
    assert (f"store schema: {postgres_url}: schema version {postgres_schema.VERSION + 1} was written by "
            "a newer bulletin") in result.out


def test_an_unreachable_server_is_one_line_naming_it(project: Path, postgres_cluster, bulletin) -> None:
    url = f"postgresql://bulletin@127.0.0.1:{postgres_cluster.port}/no_such_database"
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nstore: {url}\n", encoding="utf-8")
    result = bulletin("collect")
    assert result.code != 0
    assert result.err.startswith(f"error: {url}: cannot connect to the store (")
    assert 'database "no_such_database" does not exist' in result.err
    assert len(result.err.splitlines()) == 1
    assert "store: " + url + ": cannot connect" in bulletin("doctor").out


@pytest.mark.parametrize(("value", "problem"), [
    ("mysql://db/x", "expected a PostgreSQL URL, postgresql://USER@HOST:PORT/DB, not 'mysql://db/x'"),
    ("postgresql://ana:secret@db/x", "a password must not be written in the config: set PGPASSWORD, "
                                     "or use ~/.pgpass or a service file"),
    ("postgresql://ana@db:port/x", "not a valid URL (Port could not be cast to integer value as 'port'); "
                                   "expected postgresql://USER@HOST:PORT/DB"),
    ("postgresql://ana@db:5432", "the URL names no database; expected postgresql://USER@HOST:PORT/DB"),
])
def test_a_store_that_is_not_a_postgresql_url_is_refused(project: Path, bulletin, value: str,
                                                         problem: str) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nstore: '{value}'\n", encoding="utf-8")
    result = bulletin("collect")
    assert result.code == 2
    assert result.err == f"error: config.yaml: store: {problem}\n"
    assert not (project / "output" / "bulletin.db").exists()


def test_postgresql_reaches_the_schema_version_sqlite_reaches() -> None:
    assert postgres_schema.VERSION == len(MIGRATIONS)
    steps = postgres_schema.STEPS
    assert [start for start, _, _ in steps] == [0] + [end for _, end, _ in steps[:-1]]


def test_a_new_store_has_the_current_schema_and_refuses_a_newer_one(postgres_url: str) -> None:
    with Store.open(postgres_url) as store:
        assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    with Store.open(postgres_url):  # opened again: nothing to run
        pass
    with outside(postgres_url) as db:
        db.execute(f"UPDATE schema_version SET version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match=f"^{postgres_url}: schema version {len(MIGRATIONS) + 1} was "
                                         "written by a newer bulletin"):
        Store.open(postgres_url)


def test_a_database_of_another_program_is_refused(postgres_url: str) -> None:
    with outside(postgres_url) as db:
        db.execute("CREATE TABLE orders (id integer)")
    with pytest.raises(StoreError, match=f"^{postgres_url}: not a bulletin database"):
        Store.open(postgres_url)
    with outside(postgres_url) as db:
        assert db.execute("SELECT to_regclass('observations')").fetchone()[0] is None


def test_token_counts_stay_exact_integers_past_two_to_the_sixty_three(postgres_url: str) -> None:
    # Two days of 2**62 tokens: the week's sum is past BIGINT, summed as NUMERIC, read as an int.
    huge = 2**62 + 1
    rows = tuple(("api", day, "a/one", huge, None, "", "t0") for day in ("2026-03-09", "2026-03-10"))
    with Store.open(postgres_url) as store:
        store.save([Collected("api", rows=rows, figures_replace=False)])
        assert [o.tokens for o in store.observations()] == [huge, huge]
        (week,) = store.source_weeks()
        assert week.tokens == {"a/one": 2 * huge}
        assert isinstance(week.tokens["a/one"], int)


def test_text_sorts_by_its_bytes_as_in_sqlite(store_at: Path | str) -> None:
    # A locale's collation would put "a/b" before "B/c" and ignore the punctuation.
    models = ["a/b", "B/c", "_x/y", "a-b/c", "ab/c", "中/文"]
    with Store.open(store_at) as store:
        store.save([Collected("board", tuple(Observation("board", "2026-W11", model, 1, None, "", "t0")
                                             for model in models))])
        assert [o.model for o in store.observations()] == sorted(models)


@pytest.mark.parametrize(("sqlite", "postgresql"), [
    ("SELECT 1 FROM t WHERE a = ? AND b LIKE '%-W%' AND c = '?'",
     "SELECT 1 FROM t WHERE a = %s AND b LIKE '%%-W%%' AND c = '?'"),
    ("INSERT OR IGNORE INTO stated VALUES (?, ?)",
     "INSERT INTO stated VALUES (%s, %s) ON CONFLICT DO NOTHING"),
    ("UPDATE t SET a = 1 WHERE b IS NOT c AND d IS NOT NULL",
     "UPDATE t SET a = 1 WHERE b IS DISTINCT FROM c AND d IS NOT NULL"),
    ("CREATE TEMP TABLE IF NOT EXISTS incoming (period TEXT PRIMARY KEY, tokens INTEGER) WITHOUT ROWID",
     'CREATE TEMP TABLE IF NOT EXISTS incoming (period TEXT COLLATE "C" PRIMARY KEY, tokens BIGINT) '),
    ("SELECT 'it''s ?' FROM t WHERE a = ?", "SELECT 'it''s ?' FROM t WHERE a = %s"),
])
def test_sqlite_words_are_rewritten_for_postgresql_once(sqlite: str, postgresql: str) -> None:
    postgres = pytest.importorskip("bulletin.store.postgres")
    assert postgres.rewrite(sqlite) == postgresql


def test_one_writer_at_a_time_as_on_sqlite(postgres_url: str) -> None:
    # A transaction holds the store's write lock from BEGIN to COMMIT; another waits for it.
    order: list[str] = []
    with Store.open(postgres_url) as first, Store.open(postgres_url) as second:
        def write_second() -> None:
            with second.transaction():
                order.append("second")

        with first.transaction() as db:
            db.execute("INSERT INTO http_cache VALUES ('https://x', '', '')")
            other = threading.Thread(target=write_second)
            other.start()
            other.join(0.5)
            assert other.is_alive()  # waiting for the lock
            order.append("first")
        other.join(10)
        assert order == ["first", "second"]
        assert second.validators("https://x") is not None


def test_a_current_store_opens_while_a_writer_holds_the_lock(postgres_url: str) -> None:
    # The web server opens the store for each request; a long collection must not stop it.
    read: list[object] = []

    def open_and_read() -> None:
        with Store.open(postgres_url) as reader:
            read.append(reader.bulletins())

    with Store.open(postgres_url) as writer, writer.transaction():
        other = threading.Thread(target=open_and_read)
        other.start()
        other.join(5)
        assert read == [[]]
    other.join(10)
