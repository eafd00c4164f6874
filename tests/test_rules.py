"""The rules on the demo history (OpenRouter's leaderboards for 2026-W07 to W11)."""

from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.model import Event
from bulletin.weeks import IsoWeek


@pytest.fixture
def events_of(project: Path):
    config = load_config(project / "config.yaml")
    pipeline.collect(config)

    def events(week: str) -> dict[str, list[Event]]:
        found: dict[str, list[Event]] = {}
        for event in pipeline.week_events(config, IsoWeek.parse(week))[1]:
            found.setdefault(event.kind, []).append(event)
        return found

    return events


def test_week_11_china_leads_for_the_second_consecutive_week(events_of) -> None:
    events = events_of("2026-W11")
    [streak] = events["streak"]
    assert streak.facts.leader == "CN" and streak.facts.trailer == "US"
    assert (streak.facts.weeks, streak.facts.open_ended) == (2, False)
    assert (streak.facts.leader_tokens, streak.facts.trailer_tokens) == (
        4_690_000_000_000, 3_294_000_000_000)
    assert "lead_change" not in events


def test_the_best_event_comes_first(events_of) -> None:
    events = events_of("2026-W11")
    ordered = sorted((e for kind in events.values() for e in kind), key=lambda e: -e.score)
    assert ordered[0].kind == "streak"


def test_week_11_top_three_are_all_chinese(events_of) -> None:
    [sweep] = events_of("2026-W11")["sweep"]
    assert sweep.facts.country == "CN"
    assert [m.name for m in sweep.facts.models] == [
        "MiniMax M2.5", "Step 3.5 Flash (free)", "DeepSeek V3.2"]


def test_week_9_the_us_takes_the_lead_ending_chinas_two_weeks(events_of) -> None:
    events = events_of("2026-W09")
    [change] = events["lead_change"]
    assert (change.facts.leader, change.facts.trailer) == ("US", "CN")
    assert change.facts.ended_weeks == 2
    assert change.facts.retaken is False
    assert "streak" not in events


def test_week_10_china_retakes_the_lead(events_of) -> None:
    [change] = events_of("2026-W10")["lead_change"]
    assert (change.facts.leader, change.facts.ended_weeks, change.facts.retaken) == (
        "CN", 1, True)


def test_the_first_week_on_record_claims_no_streak(events_of) -> None:
    events = events_of("2026-W07")
    [streak] = events["streak"]
    assert (streak.facts.weeks, streak.facts.open_ended) == (1, True)
    assert "growth" not in events and "new_entrant" not in events  # nothing to compare with


def test_week_on_week_growth_of_both_countries(events_of) -> None:
    growth = {e.facts.country: e.facts.change for e in events_of("2026-W11")["growth"]}
    assert round(growth["CN"], 4) == 0.1183
    assert round(growth["US"], 4) == -0.0933


def test_new_entrants_in_the_top_10(events_of) -> None:
    [hunter] = events_of("2026-W11")["new_entrant"]
    assert (hunter.facts.model, hunter.facts.rank, hunter.facts.stealth) == (
        "openrouter/hunter-alpha", 7, True)
    entrants = {e.facts.model: e.facts.returning for e in events_of("2026-W10")["new_entrant"]}
    assert entrants == {"stepfun/step-3.5-flash:free": False, "google/gemini-2.5-flash": True}


def test_the_jpmorgan_forecast_series(events_of) -> None:
    [forecast] = events_of("2026-W11")["forecast"]
    assert forecast.facts.organisation == "JPMorgan"
    assert forecast.facts.multiple == 390
    assert forecast.facts.years == 5
    assert round(forecast.facts.cagr, 3) == 2.298
    assert forecast.facts.first.value == 10 * 10**15
    assert forecast.facts.last.value == 3_900 * 10**15


def test_events_command_lists_kind_score_and_facts(project, bulletin) -> None:
    import json

    bulletin("collect")
    result = bulletin("events", "--week", "2026-W11", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["week"] == "2026-W11"
    kinds = [e["kind"] for e in data["events"]]
    assert kinds[0] == "streak"
    assert set(kinds) == {"streak", "sweep", "growth", "new_entrant", "forecast", "claim_check",
                          "rank_change", "volume_change", "subject_streak"}
    assert all({"kind", "score", "facts"} <= set(e) for e in data["events"])
    text = bulletin("events", "--week", "2026-W11").out.splitlines()
    assert text[0] == "2026-W11: 12 events"
    assert "streak" in text[1] and "weeks=2" in text[1]


def test_runs_remembered_between_weeks_are_the_runs_walked_in_full() -> None:
    """A recheck asks every week for its run; the memo must give what a walk over the whole history gives."""
    import random
    from types import SimpleNamespace

    from bulletin.story.rules.leaders import growth_run, run_back

    rng = random.Random(3)
    start = IsoWeek(2020, 1)
    weeks = [start]
    for _ in range(150):
        weeks.append(weeks[-1].next())
    # Partial weeks (skipped, ending nothing) and a gap (ending every run) among them.
    history = {week: SimpleNamespace(complete=rng.random() > 0.1) for week in weeks if week != weeks[70]}
    leader = {week: rng.choice("AAAB") for week in history}
    tokens = {week: rng.randint(0, 10) for week in history}
    for order in (sorted(history), sorted(history, reverse=True), rng.sample(sorted(history), len(history))):
        leads: dict = {}
        grows: dict = {}
        for week in order:
            for who in "AB":
                def holds(w: IsoWeek, who: str = who) -> bool:
                    return leader[w] == who

                remembered = run_back(history, week, holds, leads.setdefault(who, {}))
                assert remembered == run_back(history, week, holds)
            assert growth_run(history, week, tokens.get, memo=grows) == growth_run(history, week, tokens.get)
    assert max(run_back(history, week, lambda w: leader[w] == "A").weeks for week in history) >= 4
