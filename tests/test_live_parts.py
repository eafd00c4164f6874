"""The parts of live collection that need no recorded data: windows, limits, settings."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bulletin.collect.http import RateLimit
from bulletin.collect.openrouter import OpenRouter, complete_until, windows
from bulletin.collect.source import CollectContext
from bulletin.model import Collected
from bulletin.store.database import Store
from support import write_config
from support.loopback import API_KEY, RANKINGS, Api


def test_missing_days_are_asked_for_in_windows_of_at_most_31_days(tmp_path: Path) -> None:
    source = OpenRouter(name="openrouter", attribution="", licence="", backfill_weeks=8)
    with Store.open(tmp_path / "s.db") as store:
        rows = tuple(("openrouter", f"2026-05-{d:02d}", "a/b", 1, None, "", "") for d in range(10, 13))
        store.save([Collected("openrouter", rows=rows)])
        context = CollectContext(store, None, datetime(2026, 7, 1, 9, tzinfo=UTC))
        days = source.wanted_days(context)
    # Eight weeks before the week of yesterday (Tuesday 30 June), less the three stored days.
    assert (days[0], days[-1], len(days)) == (date(2026, 5, 4), date(2026, 6, 30), 58 - 3)
    assert windows(days, 31) == [(date(2026, 5, 4), date(2026, 5, 9)),
                                 (date(2026, 5, 13), date(2026, 6, 12)),
                                 (date(2026, 6, 13), date(2026, 6, 30))]


def test_a_day_is_complete_once_it_has_ended() -> None:
    now = datetime(2026, 8, 22, 9, tzinfo=UTC)
    assert complete_until("2026-08-22T04:00:00Z", now) == "2026-08-21"
    assert complete_until("2026-08-21", now) == "2026-08-21"
    assert complete_until("", now) == "2026-08-21"


def test_the_rate_limit_spaces_requests_beyond_the_budget() -> None:
    limit = RateLimit(requests=2, per=0.4)

    async def three() -> float:
        start = time.monotonic()
        for _ in range(3):
            await limit.wait()
        return time.monotonic() - start

    # The third request waits for the first to leave the 0.4 s window.
    assert asyncio.run(three()) >= 0.35


def test_a_retry_after_beyond_the_bound_gives_up_at_once(tmp_path, bulletin, monkeypatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    with Api() as api:
        api.queue(RANKINGS, 429, b"slow down", {"Retry-After": "3600"})
        config = write_config(tmp_path, f"  - {{name: openrouter, type: openrouter, "
                                        f"base_url: '{api.base_url}', retry_within: 5}}")
        # One attempt: waiting an hour would break the 5 s bound, so it gives up at once.
        result = bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-18")
        url = f"{api.base_url}{RANKINGS}?start_date=2026-05-18&end_date=2026-05-18"
        assert result.err == (f"warning: openrouter: {url}: HTTP 429 Too Many Requests "
                              "(gave up after 1 attempt)\nerror: no source could be read; "
                              "the store keeps its last good data\n")
        assert result.code == 1


def test_live_source_settings_are_checked_all_at_once(tmp_path, bulletin) -> None:
    config = write_config(tmp_path, "  - {name: api, type: openrouter, window_days: 40, timeout: 0}\n"
                                    "  - {name: news, type: feed}\n"
                                    "  - {name: both, type: feed, url: 'https://a.example/f', path: f.xml}")
    result = bulletin("collect", "--config", config)
    assert result.code == 2  # a config error
    assert result.err == (
        f"error: {config}: sources[0].window_days: the API accepts at most 31 days\n"
        f"error: {config}: sources[0].timeout: must be more than 0, got 0\n"
        f"error: {config}: sources[1]: give either url or path (one of them)\n"
        f"error: {config}: sources[2]: give either url or path (one of them)\n")


def test_from_needs_to(tmp_path, bulletin) -> None:
    config = write_config(tmp_path, "  - {name: news, type: feed, path: f.xml}")
    result = bulletin("collect", "--config", config, "--from", "2026-05-18")
    assert result.code == 2
    assert "give --from and --to together" in result.err


def test_sources_lists_every_source_and_its_state(tmp_path, bulletin) -> None:
    (tmp_path / "f.xml").write_text("", encoding="utf-8")
    config = write_config(tmp_path, "  - {name: news, type: feed, path: f.xml}\n"
                                    "  - {name: api, type: openrouter}")
    before = bulletin("sources", "--config", config).out
    assert before.splitlines()[0].split() == ["news", "feed", "never", "collected", "last", "success",
                                              "never"]
    bulletin("collect", "--config", config, "--from", "2026-05-18", "--to", "2026-05-18")
    lines = bulletin("sources", "--config", config).out.splitlines()
    assert lines[0].split()[:3] == ["news", "feed", "stale"]
    assert lines[0].endswith(f"last success never ({tmp_path / 'f.xml'}: empty (0 bytes), "
                             "not an RSS or Atom feed)")


def test_a_first_collection_that_fails_leaves_no_store(tmp_path, bulletin) -> None:
    (tmp_path / "board.csv").write_text("week,model,tokens\n2026-W11,a/b,12x\n", encoding="utf-8")
    config = write_config(tmp_path, "  - {name: board, type: csv, path: board.csv}")
    result = bulletin("collect", "--config", config)
    assert result.err == (f"error: {tmp_path / 'board.csv'}:2: column 'tokens': "
                          "'12x' is not a whole number of tokens\n")
    assert not (tmp_path / "output" / "bulletin.db").exists()
