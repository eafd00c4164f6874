"""The Data API collector against a real loopback server serving the recorded days."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from bulletin.config.countries import DEFAULT_COUNTRIES
from support import SHARED_DATA, needs_shared_data, write_config
from support.loopback import API_KEY, MODELS, RANKINGS, Api

DAILY = SHARED_DATA / "openrouter-rankings-daily"
WEEKLY = SHARED_DATA / "openrouter-weekly-top10"
pytestmark = needs_shared_data()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", API_KEY)
    with Api(daily=DAILY, weekly=WEEKLY) as server:
        yield server


def openrouter_config(folder: Path, api: Api, extra: str = "", methodology: str = "") -> Path:
    return write_config(folder, f"  - {{name: openrouter, type: openrouter, base_url: '{api.base_url}', "
                                f"timeout: 1, retry_within: 3{extra}}}", methodology)


def recorded(first: str, last: str) -> list[tuple[str, str, int]]:
    rows = []
    day = date.fromisoformat(first)
    while day <= date.fromisoformat(last):
        data = json.loads((DAILY / f"{day}.json").read_text(encoding="utf-8"))
        rows += [(data["date"], r["model_permaslug"], int(r["total_tokens"])) for r in data["rows"]]
        day += timedelta(days=1)
    return rows


def test_a_week_of_daily_rows_sums_to_the_weekly_statistics(tmp_path, api, bulletin) -> None:
    config = openrouter_config(tmp_path, api)
    result = bulletin("collect", "--config", config, "--from", "2026-05-04", "--to", "2026-08-21")
    assert result.code == 0, result.err
    assert result.out == "openrouter: ok, 5610 added, 0 changed, 0 removed, 0 unchanged\n"
    # 110 days in windows of at most 31 days, every one with the key.
    assert api.count(RANKINGS) == 4
    # A back-fill says how far it has got (not under -q).
    assert result.err.splitlines() == [
        "progress: openrouter: 2026-05-04 to 2026-06-03 read (1 of 4 requests)",
        "progress: openrouter: 2026-06-04 to 2026-07-04 read (2 of 4 requests)",
        "progress: openrouter: 2026-07-05 to 2026-08-04 read (3 of 4 requests)",
        "progress: openrouter: 2026-08-05 to 2026-08-21 read (4 of 4 requests)"]
    assert {h["authorization"] for p, _, h in api.requests} == {f"Bearer {API_KEY}"}

    stats = bulletin("stats", "--config", config, "--week", "2026-W20", "--format", "json")
    data = json.loads(stats.out)
    sums: dict[str, int] = defaultdict(int)
    for _, model, tokens in recorded("2026-05-11", "2026-05-17"):
        sums[model] += tokens
    long_tail = sums.pop("other")
    assert {m["model"]: m["tokens"] for m in data["models"]} == sums
    assert data["long_tail_tokens"] == long_tail
    assert (data["complete"], data["days"]) == (True, 7)
    # Countries: the week's top 9 models, stealth openrouter/* left out without refilling; a
    # model's free tier and dated snapshots are one model, with all their rows.
    def family(model: str) -> str:
        return re.sub(r"(:free|-\d{8})+$", "", model)

    ranked = sorted(sums, key=lambda m: (-sums[m], m))
    first = list(dict.fromkeys(family(m) for m in ranked))[:9]
    top = [m for m in ranked if family(m) in first]
    countries: dict[str, int] = defaultdict(int)
    for model in top:
        author = model.split("/")[0]
        if author != "openrouter" and DEFAULT_COUNTRIES.get(author):
            countries[DEFAULT_COUNTRIES[author]] += sums[model]
    assert {c["country"]: c["tokens"] for c in data["countries"]} == countries


def test_a_second_collect_asks_for_nothing_already_stored(tmp_path, api, bulletin) -> None:
    config = openrouter_config(tmp_path, api)
    bulletin("collect", "--config", config, "--from", "2026-05-04", "--to", "2026-05-31")
    asked = api.count(RANKINGS)
    again = bulletin("collect", "--config", config, "--from", "2026-05-04", "--to", "2026-05-31")
    assert again.out == "openrouter: unchanged\n"
    assert api.count(RANKINGS) == asked == 1
    [state] = json.loads(bulletin("sources", "--config", config, "--format", "json").out)
    assert (state["state"], state["as_of"]) == ("unchanged", "2026-08-22T04:00:00Z")
    assert state["last_success"] == state["checked_at"]
    # Widening the period asks only for the new days.
    bulletin("collect", "--config", config, "--from", "2026-05-20", "--to", "2026-06-03")
    _, query, _ = api.requests[-1]
    assert query == {"start_date": "2026-06-01", "end_date": "2026-06-03"}


def test_days_after_as_of_are_not_yet_complete(tmp_path, api, bulletin) -> None:
    api.as_of = "2026-05-14T06:00:00Z"
    config = openrouter_config(tmp_path, api)
    bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17")
    text = bulletin("stats", "--config", config, "--week", "2026-W20").out
    assert text.startswith("2026-W20 (partial: 3 of 7 days, from openrouter)")
    sources = bulletin("sources", "--config", config, "--format", "json")
    [state] = json.loads(sources.out)
    assert (state["state"], state["as_of"]) == ("ok", "2026-05-14T06:00:00Z")
    # The unfinished days are asked for again next time.
    api.as_of = "2026-08-22T04:00:00Z"
    bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17")
    assert api.requests[-1][1] == {"start_date": "2026-05-14", "end_date": "2026-05-17"}


def test_free_variants_count_with_their_base_model_when_merged(tmp_path, api, bulletin) -> None:
    config = openrouter_config(tmp_path, api, methodology="methodology: {free_variants: merge}\n")
    bulletin("collect", "--config", config, "--from", "2026-08-10", "--to", "2026-08-16")
    data = json.loads(bulletin("stats", "--config", config, "--format", "json").out)
    sums: dict[str, int] = defaultdict(int)
    for _, model, tokens in recorded("2026-08-10", "2026-08-16"):
        if model != "other":
            sums[model.removesuffix(":free")] += tokens
    assert not any(m["model"].endswith(":free") for m in data["models"])
    assert {m["model"]: m["tokens"] for m in data["models"]} == sums


@pytest.mark.slow
def test_429_with_retry_after_and_a_5xx_are_retried(tmp_path, api, bulletin) -> None:
    api.queue(RANKINGS, 429, b'{"error": "rate limited"}', {"Retry-After": "1"})
    api.queue(RANKINGS, 503, b"busy")
    config = openrouter_config(tmp_path, api)
    result = bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17")
    assert result.code == 0, result.err
    assert result.out == "openrouter: ok, 357 added, 0 changed, 0 removed, 0 unchanged\n"
    assert api.count(RANKINGS) == 3


def test_names_come_from_the_model_catalogue(tmp_path, api, bulletin) -> None:
    config = write_config(tmp_path, f"  - {{name: openrouter, type: openrouter, "
                                    f"base_url: '{api.base_url}'}}\n"
                                    f"  - {{name: catalogue, type: openrouter-models, "
                                    f"base_url: '{api.base_url}'}}")
    result = bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17")
    assert result.code == 0, result.err
    slugs = {model["slug"] for path in WEEKLY.glob("*.json")
             for model in json.loads(path.read_text(encoding="utf-8"))["models"]}
    assert f"catalogue: ok, {len(slugs)} model names added or renamed\n" in result.out
    again = bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17")
    assert "catalogue: unchanged\n" in again.out
    data = json.loads(bulletin("stats", "--config", config, "--format", "json").out)
    names = {m["model"]: m["name"] for m in data["models"]}
    assert names["anthropic/claude-4.6-sonnet-20260217"] == "Claude Sonnet 4.6"
    with sqlite3.connect(tmp_path / "output" / "bulletin.db") as db:
        assert db.execute("SELECT created FROM model_names LIMIT 1").fetchone() == ("2026-01-01",)


@pytest.mark.parametrize("status, body", [
    (500, b"internal error"),
    (200, b"<!doctype html><title>Maintenance</title>"),
    (200, b'{"data": [{"id": "minimax/minimax-m2.5", "name": "MiniMax'),  # cut short
    (200, b'{"data": []}'),  # lists nothing
    (200, b'{"data": [{"id": "anthropic/claude-4.6-sonnet-20260217", "name": ""}]}'),
], ids=["5xx", "html", "truncated", "empty", "blank-name"])
def test_a_failing_catalogue_keeps_the_last_good_names(tmp_path, api, bulletin, status: int,
                                                       body: bytes) -> None:
    config = write_config(tmp_path, f"  - {{name: openrouter, type: openrouter, "
                                    f"base_url: '{api.base_url}'}}\n"
                                    f"  - {{name: catalogue, type: openrouter-models, "
                                    f"base_url: '{api.base_url}', retry_within: 0.5}}")
    assert bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-17"
                    ).code == 0
    database = tmp_path / "output" / "bulletin.db"
    with sqlite3.connect(database) as db:
        before = db.execute("SELECT * FROM model_names ORDER BY model").fetchall()
    assert len(before) > 10

    api.queue(MODELS, status, body, times=20)  # (a 5xx is retried, within half a second)
    failed = bulletin("collect", "--config", config)

    assert "catalogue: stale, last good data kept\n" in failed.out, failed.out + failed.err
    assert "warning: catalogue: " in failed.err
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT * FROM model_names ORDER BY model").fetchall() == before
    data = json.loads(bulletin("stats", "--config", config, "--format", "json").out)
    names = {m["model"]: m["name"] for m in data["models"]}
    assert names["anthropic/claude-4.6-sonnet-20260217"] == "Claude Sonnet 4.6"


@pytest.mark.parametrize("name", ["DeepSeek <V4> Flash", "DeepSeek V4 &amp; Flash", "# DeepSeek V4 Flash"])
def test_a_catalogue_name_with_markup_is_text_and_never_stops_the_bulletin(tmp_path, api, bulletin,
                                                                           name: str) -> None:
    config = write_config(tmp_path, f"  - {{name: openrouter, type: openrouter, "
                                    f"base_url: '{api.base_url}'}}\n"
                                    f"  - {{name: catalogue, type: openrouter-models, "
                                    f"base_url: '{api.base_url}'}}", "locales: [en, zh]\n")
    catalogue = {"data": [{"id": "deepseek/deepseek-v4-flash-20260423",
                           "canonical_slug": "deepseek/deepseek-v4-flash-20260423", "name": name,
                           "created": 1767225600}]}
    api.queue(MODELS, 200, json.dumps(catalogue).encode(), times=5)
    assert bulletin("collect", "--config", config, "--from", "2026-05-11", "--to", "2026-05-31").code == 0
    result = bulletin("render", "--config", config, "--week", "2026-W22")
    assert result.code == 0, result.err
    page = (tmp_path / "output" / "bulletins" / "2026-W22" / "bulletin.html").read_text(encoding="utf-8")
    assert "<V4>" not in page and "<h1>DeepSeek" not in page
