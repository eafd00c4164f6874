"""Bad answers from the outside world: one line naming the source, its data untouched, others go on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from support import SHARED_DATA, needs_shared_data, write_config
from support.loopback import API_KEY, RANKINGS, Api

pytestmark = needs_shared_data()
FEEDS = SHARED_DATA / "feeds"


def data_tables(db: Path) -> list[tuple[object, ...]]:
    """Everything sources store, apart from the record of how each run went."""
    with sqlite3.connect(db) as connection:
        rows: list[tuple[object, ...]] = []
        for table in ("observations", "model_names", "figures", "feed_items", "http_cache"):
            rows += [(table, *row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3")]
        return rows


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulletin):
    """The API plus a feed read from a file; the week 2026-W20 already collected."""
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    with Api(daily=SHARED_DATA / "openrouter-rankings-daily") as api:
        config = write_config(tmp_path,
                              f"  - {{name: openrouter, type: openrouter, base_url: '{api.base_url}', "
                              f"timeout: 0.5, retry_within: 1.5}}\n"
                              f"  - {{name: deepseek, type: feed, path: '{FEEDS / 'deepseek_news.xml'}'}}")
        assert bulletin("collect", "--config", config, "--from", "2026-05-11",
                        "--to", "2026-05-17").code == 0
        yield api, config, tmp_path / "output" / "bulletin.db"


URL = "{base}/api/v1/datasets/rankings-daily?start_date=2026-05-18&end_date=2026-05-24"


@pytest.mark.parametrize("status, body, headers, message", [
    (200, b"<!DOCTYPE html><html><body>Service unavailable</body></html>", {"Content-Type": "text/html"},
     "{url}: expected JSON, got an HTML page (HTTP 200)"),
    (200, b'{"data": [{"date": "2026-05-18", "model_permaslug": "a/b", "total_tok', {},
     "{url}: invalid JSON at line 1 column 60 (Unterminated string starting at; cut off?)"),
    (200, b"", {}, "{url}: empty response where JSON was expected (HTTP 200)"),
    (200, b'{"rows": []}', {}, "{url}: the JSON has no 'data' list of rows"),
    (200, b'{"data": [{"date": "2026-05-18", "model_permaslug": "a/b", "total_tokens": "-5"}]}', {},
     "{url}: data[0]: total_tokens '-5' is not a whole number of tokens"),
    (200, b'{"data": [{"date": "2026-05-18", "model_permaslug": "a/b", "total_tokens": "1.2e9"}]}', {},
     "{url}: data[0]: total_tokens '1.2e9' is not a whole number of tokens"),
    (401, b'{"error": {"message": "No auth credentials found"}}', {},
     "{url}: HTTP 401 Unauthorized: the API key in OPENROUTER_API_KEY is missing or invalid"),
    (404, b"<html>Not found</html>", {}, "{url}: HTTP 404 Not Found"),
])
def test_a_bad_answer_leaves_the_source_stale(setup, bulletin, status, body, headers, message) -> None:
    api, config, db = setup
    before = data_tables(db)
    api.queue(RANKINGS, status, body, headers, times=3)
    result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-24")
    url = URL.format(base=api.base_url)
    assert result.err == f"warning: openrouter: {message.format(url=url)}\n"
    assert API_KEY not in result.err + result.out
    assert result.out == "openrouter: stale, last good data kept\ndeepseek: unchanged\n"
    assert result.code == 0
    assert data_tables(db) == before
    state = bulletin("sources", "--config", config).out.splitlines()[0]
    assert state.split()[:3] == ["openrouter", "openrouter", "stale"]


def test_a_server_error_is_retried_within_the_bound_then_given_up(setup, bulletin) -> None:
    api, config, db = setup
    before = data_tables(db)
    api.queue(RANKINGS, 500, b"oops", times=10)
    result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-24")
    url = URL.format(base=api.base_url)
    tries = api.count(RANKINGS) - 1
    assert tries >= 2
    assert result.err == (f"warning: openrouter: {url}: HTTP 500 Internal Server Error "
                          f"(gave up after {tries} attempts)\n")
    assert data_tables(db) == before


@pytest.mark.slow
def test_a_slow_server_times_out(setup, bulletin) -> None:
    api, config, db = setup
    before = data_tables(db)
    api.queue(RANKINGS, 200, b'{"data": []}', delay=2.0, times=5)
    result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-24")
    url = URL.format(base=api.base_url)
    assert result.err.startswith(f"warning: openrouter: {url}: no answer within 0.5 s (gave up after ")
    assert data_tables(db) == before


def test_a_missing_key_names_the_variable(setup, bulletin, monkeypatch) -> None:
    api, config, db = setup
    monkeypatch.delenv("OPENROUTER_API_KEY")
    result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-24")
    assert result.err == ("warning: openrouter: no API key: the environment variable "
                          "OPENROUTER_API_KEY is not set\n")
    assert api.count(RANKINGS) == 1  # only the first, successful collection asked


@pytest.mark.slow
def test_run_writes_from_what_it_has_or_says_the_week_is_missing(setup, bulletin) -> None:
    api, config, db = setup
    api.queue(RANKINGS, 503, b"down", times=10)
    kept = bulletin("run", "--config", config, "--week", "2026-W20")
    # Written from the store (held, as it may be: this store has no model catalogue, so the
    # top models' names are made from their ids and wait for an editor).
    assert kept.code in (0, 3), kept.err
    assert "warning: openrouter: " in kept.err
    assert (config.parent / "output" / "bulletins" / "2026-W20" / "bulletin.md").is_file()
    api.queue(RANKINGS, 503, b"down", times=10)
    missing = bulletin("run", "--config", config, "--week", "2026-W21")
    assert missing.code == 1
    assert missing.err.splitlines()[-1].startswith(
        "error: 2026-W21: no statistics for this week: openrouter failed (")


def test_a_wrong_key_is_refused_by_the_server_and_named(setup, bulletin, monkeypatch) -> None:
    api, config, db = setup
    before = data_tables(db)
    monkeypatch.setenv("OPENROUTER_API_KEY", "not-the-key")
    result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-24")
    assert result.err == (f"warning: openrouter: {URL.format(base=api.base_url)}: HTTP 401 Unauthorized: "
                          "the API key in OPENROUTER_API_KEY is missing or invalid\n")
    assert "not-the-key" not in result.err + result.out
    assert api.requests[-1][2]["authorization"] == "Bearer not-the-key"
    assert data_tables(db) == before
