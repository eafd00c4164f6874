"""Aggregation checked against the figures the press published."""

import csv
import json
from datetime import date, timedelta

import pytest

from support import needs_shared_data, write_config
from support.recorded import DAILY, leaderboard_csv


@needs_shared_data()
def test_week_7_country_totals_match_the_press(tmp_path, bulletin) -> None:
    leaderboard_csv(tmp_path, ["2026-02-16.json"])
    config = write_config(tmp_path, "  - {name: board, type: csv, path: leaderboard.csv}")
    assert bulletin("collect", "--config", config).code == 0
    result = bulletin("stats", "--config", config, "--week", "2026-W07", "--format", "json")
    assert result.code == 0, result.err
    countries = {row["country"]: row["tokens"] for row in json.loads(result.out)["countries"]}
    # The press reported 4.12 trillion against 2.94 trillion; to the billion:
    assert countries["CN"] // 10**9 == 4_126
    assert countries["US"] // 10**9 == 2_935


@needs_shared_data()
def test_week_11_totals_and_changes_match_the_press(tmp_path, bulletin) -> None:
    leaderboard_csv(tmp_path, ["2026-03-09.json", "2026-03-16.json"])
    config = write_config(tmp_path, "  - {name: board, type: csv, path: leaderboard.csv}")
    bulletin("collect", "--config", config)
    data = json.loads(bulletin("stats", "--config", config, "--format", "json").out)
    assert data["week"] == "2026-W11"
    countries = {row["country"]: row for row in data["countries"]}
    assert countries["CN"]["tokens"] == 4_690_000_000_000
    assert countries["US"]["tokens"] == 3_294_000_000_000
    assert round(countries["CN"]["change"] * 100, 2) == 11.83
    assert round(countries["US"]["change"] * 100, 2) == -9.33
    hunter = next(m for m in data["models"] if m["model"] == "openrouter/hunter-alpha")
    assert (hunter["rank"], hunter["counted"], hunter["country"]) == (7, False, None)


@needs_shared_data()
def test_the_demo_data_is_the_recorded_leaderboard(tmp_path, project, bulletin) -> None:
    recorded = leaderboard_csv(tmp_path, [f"{day}.json" for day in (
        "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16")])
    with recorded.open(encoding="utf-8") as a, (project / "demo" / "openrouter-weekly.csv").open(
            encoding="utf-8") as b:
        ours = [(r["week"], r["rank"], r["model"], r["tokens"]) for r in csv.DictReader(b)]
        theirs = [(r["week"], r["rank"], r["model"], r["tokens"]) for r in csv.DictReader(a)]
    assert sorted(ours) == sorted(theirs)


@needs_shared_data()
def test_daily_rows_sum_into_weeks_and_a_short_week_is_partial(tmp_path, bulletin) -> None:
    # Recorded days 2026-05-04 (a Monday) to 2026-05-20 (a Wednesday): two
    # complete weeks and three days of a third.
    path = tmp_path / "days.csv"
    expected: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "model", "tokens"])
        day = date(2026, 5, 4)
        while day <= date(2026, 5, 20):
            rows = json.loads((DAILY / f"{day}.json").read_text(encoding="utf-8"))["rows"]
            for row in rows:
                if row["model_permaslug"] == "other":  # the long tail, not a model
                    continue
                writer.writerow([day.isoformat(), row["model_permaslug"], row["total_tokens"]])
                if day < date(2026, 5, 11):
                    expected[row["model_permaslug"]] = (expected.get(row["model_permaslug"], 0)
                                                        + int(row["total_tokens"]))
            day += timedelta(days=1)
    config = write_config(tmp_path, "  - {name: days, type: csv, path: days.csv}")
    bulletin("collect", "--config", config)

    latest = json.loads(bulletin("stats", "--config", config, "--format", "json").out)
    assert latest["week"] == "2026-W20"  # the latest complete week, not the partial one
    first = json.loads(bulletin("stats", "--config", config, "--week", "2026-W19",
                                "--format", "json").out)
    assert {m["model"]: m["tokens"] for m in first["models"]} == expected
    partial = json.loads(bulletin("stats", "--config", config, "--week", "2026-W21",
                                  "--format", "json").out)
    assert (partial["complete"], partial["days"]) == (False, 3)
    assert all(row["change"] is None for row in partial["countries"])


def test_stats_as_text(project, bulletin) -> None:
    bulletin("collect")
    result = bulletin("stats", "--week", "2026-W11")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "2026-W11 (complete, from openrouter-weekly)"
    assert any("CN" in line and "4,690,000,000,000" in line and "+11.83%" in line for line in lines)


@pytest.mark.parametrize("week, code, message", [
    ("2026-W30", 1, "error: 2026-W30: no statistics for this week in the store "
                    "(it holds 2026-W07 to 2026-W11)\n"),
    ("2026-11", 2, "error: Invalid value for '--week': '2026-11' is not an ISO week like 2026-W11 "
                   "(see `bulletin stats --help`)\n"),
])
def test_a_week_outside_the_store_is_an_error(project, bulletin, week, code, message) -> None:
    bulletin("collect")
    result = bulletin("stats", "--week", week)
    assert result.code == code
    assert result.err == message  # one line: a usage error is no three-line block
