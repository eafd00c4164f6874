"""Each rule kind and each STYLEBOOK principle on a few weeks of leaderboard written here: no ../shared.

A rule's test runs that rule alone (a ``rules:`` list of one), so that it fails
when the rule finds nothing, and another rule's event cannot stand in for it;
a near miss beside it shows the rule does not fire where it should not. The
principles' tests read the articles, in English and Chinese, as a run writes them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulletin.model import Event
from support.season import CN, US, Season, T, board

WEEKS = [f"2026-W{n:02d}" for n in range(1, 11)]
SINCE = "2025-12-29"  # the Monday of 2026-W01: where these records begin
BASE = ([500, 400, 300, 200], [150, 120, 100, 90])  # US 1.4 trillion, China 460 billion, total 1.86
SONNET, GEMINI, GROK, GPT = (model for model, _ in US)
KIMI, DEEPSEEK, GLM, MINIMAX = (model for model, _ in CN)


def only(*rules: str) -> str:
    """A config's ``rules:`` list of these entries, as flow mappings ("kind: growth")."""
    return "rules:\n" + "".join(f"  - {{{rule}}}\n" for rule in rules)


def flat(weeks: int) -> dict[str, list[tuple[str, str, int]]]:
    """``weeks`` weeks of the same board."""
    return {week: board(*BASE) for week in WEEKS[:weeks]}


def season(folder: Path, weeks: dict[str, list[tuple[str, str, int]]], *rules: str, **given: str) -> Season:
    folder.mkdir(parents=True, exist_ok=True)
    return Season(folder, weeks, extra=only(*rules) if rules else "", **given)


def kinds(found: dict[str, list[Event]], kind: str) -> list[Event]:
    return found.get(kind, [])


# -- the rules, one kind at a time --------------------------------------------------------------


def test_streak_counts_the_weeks_one_country_has_been_ahead_since_records_began(tmp_path: Path) -> None:
    weeks = flat(4)
    weeks[WEEKS[4]] = board([300, 200, 150, 100], [500, 400, 300, 200])  # China ahead in week five
    s = season(tmp_path, weeks, "kind: streak")
    (streak,) = kinds(s.events(WEEKS[3]), "streak")
    f = streak.facts
    assert (f.leader, f.trailer, f.weeks, f.since) == ("US", "CN", 4, SINCE)  # type: ignore[attr-defined]
    # The week the lead changes hands, the new leader's run is one week, not the old run's five.
    (changed,) = kinds(s.events(WEEKS[4]), "streak")
    assert (changed.facts.leader, changed.facts.weeks) == ("CN", 1)  # type: ignore[attr-defined]


def test_a_growth_streak_counts_the_weeks_the_total_grew_and_a_flat_week_is_no_week_of_it(
        tmp_path: Path) -> None:
    factors = [1.0, 1.1, 1.2, 1.3]
    weeks = {week: scaled(f) for week, f in zip(WEEKS, factors, strict=False)}
    weeks[WEEKS[4]] = scaled(1.303)  # +0.2%: flat, below materiality (STYLEBOOK 2)
    s = season(tmp_path, weeks, "kind: streak, measure: growth, subject: total, min_weeks: 3")
    (run,) = kinds(s.events(WEEKS[3]), "growth_streak")
    assert (run.facts.weeks, run.facts.ended) == (3, False)  # type: ignore[attr-defined]
    assert run.facts.first_tokens == 1860 * T  # type: ignore[attr-defined]
    assert not [e for e in kinds(s.events(WEEKS[4]), "growth_streak")
                if e.facts.weeks >= 4]  # type: ignore[attr-defined]


def test_a_country_lead_change_names_the_new_leader_and_the_run_it_ended(tmp_path: Path) -> None:
    weeks = flat(3)
    weeks[WEEKS[3]] = board([300, 200, 150, 100], [500, 400, 300, 200])
    s = season(tmp_path, weeks, "kind: lead_change")
    (change,) = kinds(s.events(WEEKS[3]), "lead_change")
    f = change.facts
    assert (f.leader, f.trailer, f.ended_weeks, f.retaken) == ("CN", "US", 3, False)  # type: ignore[attr-defined]
    assert (f.leader_tokens, f.trailer_tokens) == (1400 * T, 750 * T)  # type: ignore[attr-defined]


def test_a_country_close_behind_is_no_lead_change(tmp_path: Path) -> None:
    weeks = flat(3)
    weeks[WEEKS[3]] = board([300, 200, 150, 100], [300, 200, 150, 99])  # 749 against 750 billion
    assert not season(tmp_path, weeks, "kind: lead_change").events(WEEKS[3])


def test_a_model_lead_change_names_the_model_it_took_first_place_from(tmp_path: Path) -> None:
    weeks = flat(3)
    weeks[WEEKS[3]] = board([500, 400, 300, 200], [600, 120, 100, 90])
    (change,) = kinds(season(tmp_path, weeks, "kind: lead_change, subject: model").events(WEEKS[3]),
                      "subject_lead_change")
    f = change.facts
    assert (f.leader, f.leader_name, f.previous_leader_name) == (  # type: ignore[attr-defined]
        KIMI, "Kimi K2.5", "Claude Sonnet 4.5")
    assert f.ended_weeks == 3  # type: ignore[attr-defined]


def test_a_sweep_names_the_country_its_models_and_its_weeks(tmp_path: Path) -> None:
    s = season(tmp_path, flat(3), "kind: sweep")
    (sweep,) = kinds(s.events(WEEKS[2]), "sweep")
    f = sweep.facts
    assert (f.country, f.places, f.weeks, f.since) == ("US", 3, 3, SINCE)  # type: ignore[attr-defined]
    assert [m.name for m in f.models] == ["Claude Sonnet 4.5", "Gemini 3 Flash", "Grok 4.1 Fast"]  # type: ignore[attr-defined]


def test_the_end_of_a_sweep_names_the_model_that_broke_it(tmp_path: Path) -> None:
    weeks = flat(3)
    weeks[WEEKS[3]] = board([500, 400, 300, 200], [350, 120, 100, 90])  # Kimi K2.5 third
    s = season(tmp_path, weeks, "kind: sweep")
    found = s.events(WEEKS[3])
    assert "sweep" not in found
    (end,) = kinds(found, "sweep_end")
    f = end.facts
    assert (f.country, f.breaker.name, f.breaker.rank, f.ended_weeks) == (  # type: ignore[attr-defined]
        "US", "Kimi K2.5", 3, 3)


def test_a_record_is_the_highest_week_since_records_began(tmp_path: Path) -> None:
    weeks = flat(8)
    weeks[WEEKS[8]] = board([550, 440, 330, 220], [150, 120, 100, 90])  # US +10%, total +7.5%
    found = season(tmp_path, weeks, "kind: record, subject: total").events(WEEKS[8])
    (record,) = kinds(found, "record")
    f = record.facts
    assert (f.subject, f.tokens, f.previous_record) == ("total", 2000 * T, 1860 * T)  # type: ignore[attr-defined]
    assert (f.all_time, f.records_since, f.history_weeks) == (True, SINCE, 8)  # type: ignore[attr-defined]


def test_a_high_after_too_few_weeks_or_by_a_hair_is_no_record(tmp_path: Path) -> None:
    weeks = flat(7)
    weeks[WEEKS[7]] = board([550, 440, 330, 220], [150, 120, 100, 90])  # seven weeks before it: too few
    weeks[WEEKS[8]] = board([551, 440, 330, 220], [150, 120, 100, 90])  # +0.05% on that high
    s = season(tmp_path, weeks, "kind: record, subject: total")
    assert not s.events(WEEKS[7]) and not s.events(WEEKS[8])


def test_a_country_record_is_told_only_when_its_models_grew(tmp_path: Path) -> None:
    weeks = flat(8)
    weeks[WEEKS[8]] = board([500, 400, 300, 200], [300, 120, 100, 90])  # Kimi K2.5 doubles
    (record,) = kinds(season(tmp_path, weeks, "kind: record, subject: country").events(WEEKS[8]), "record")
    f = record.facts
    assert (f.subject, f.tokens, f.previous_record) == ("CN", 610 * T, 460 * T)  # type: ignore[attr-defined]
    assert (f.driver_name, f.driver_tokens) == ("Kimi K2.5", 300 * T)  # type: ignore[attr-defined]


def test_a_country_high_its_top_five_made_while_its_listed_models_were_flat_is_no_record(
        tmp_path: Path) -> None:
    # STYLEBOOK 2: counting the top five, DeepSeek V3.2's entry nearly doubles China's total; all
    # of China's listed models grew 0.7%, below materiality: a change of basis, not a record of use.
    rules = "methodology: {top_n: 5}\n" + only("kind: record, subject: country")
    weeks = {week: board([500, 400, 300, 200], [150, 120]) for week in WEEKS[:8]}
    weeks[WEEKS[8]] = board([500, 400, 300, 100], [151, 121])
    s = Season(tmp_path, weeks, extra=rules)
    subjects = [e.facts.subject for e in kinds(s.events(WEEKS[8]), "record")]  # type: ignore[attr-defined]
    assert "CN" not in subjects


def test_a_country_record_counts_the_weeks_it_had_no_model_in_the_top_places_as_history(
        tmp_path: Path) -> None:
    # Weekly W03: China's 902 billion, above every week since November 10, two of which had
    # no Chinese model in the top nine; counting only the other weeks, too few were left.
    rules = "methodology: {top_n: 4}\n" + only("kind: record, subject: country")
    weeks = {week: board([500, 400, 300, 200], [450, 120]) for week in WEEKS[:3]}
    weeks |= {week: board([500, 400, 300, 200], [150, 120]) for week in WEEKS[3:8]}  # none in the top 4
    weeks[WEEKS[8]] = board([500, 400, 300, 200], [600, 120])
    s = Season(tmp_path, weeks, extra=rules)
    (record,) = [e for e in kinds(s.events(WEEKS[8]), "record") if e.facts.subject == "CN"]  # type: ignore[attr-defined]
    f = record.facts
    assert (f.tokens, f.previous_record, f.history_weeks) == (600 * T, 450 * T, 8)  # type: ignore[attr-defined]


def test_a_milestone_is_the_first_week_over_a_round_level(tmp_path: Path) -> None:
    weeks = flat(2)
    weeks[WEEKS[2]] = board([600, 450, 300, 200], [150, 120, 100, 90])  # 2.01 trillion
    (milestone,) = kinds(season(tmp_path, weeks, "kind: milestone").events(WEEKS[2]), "milestone")
    f = milestone.facts
    assert (f.subject, f.level, f.tokens, f.previous_best) == (  # type: ignore[attr-defined]
        "total", 2 * 10**12, 2010 * T, 1860 * T)


def test_a_level_passed_before_is_no_milestone_again(tmp_path: Path) -> None:
    weeks = flat(1)
    weeks[WEEKS[1]] = board([600, 450, 300, 200], [150, 120, 100, 90])  # over two trillion
    weeks[WEEKS[2]] = board(*BASE)
    weeks[WEEKS[3]] = board([600, 450, 300, 200], [150, 120, 100, 90])  # over it again
    s = season(tmp_path, weeks, "kind: milestone")
    assert kinds(s.events(WEEKS[1]), "milestone") and not s.events(WEEKS[3])


def test_growth_is_a_lead_countrys_change_on_the_week_above_materiality(tmp_path: Path) -> None:
    weeks = flat(1)
    weeks[WEEKS[1]] = board([500, 400, 300, 201], [180, 144, 120, 108])  # US +0.07%, China +20%
    (growth,) = kinds(season(tmp_path, weeks, "kind: growth").events(WEEKS[1]), "growth")
    f = growth.facts
    assert (f.country, f.tokens, f.previous_tokens) == ("CN", 552 * T, 460 * T)  # type: ignore[attr-defined]
    assert f.change == pytest.approx(0.2)  # type: ignore[attr-defined]


def test_a_climb_of_places_is_told_where_the_models_own_use_rose(tmp_path: Path) -> None:
    weeks = flat(1)
    weeks[WEEKS[1]] = board([500, 400, 300, 200], [150, 120, 100, 350])  # MiniMax 8th to 3rd
    (move,) = kinds(season(tmp_path, weeks, "kind: rank_change").events(WEEKS[1]), "rank_change")
    f = move.facts
    assert (f.model, f.move, f.places, f.rank, f.previous_rank) == (MINIMAX, "climb", 5, 3, 8)  # type: ignore[attr-defined]


def test_a_climb_while_the_models_use_fell_is_the_others_story(tmp_path: Path) -> None:
    weeks = flat(1)
    # MiniMax M2.5 goes from 8th to 3rd with 1% less: the others fell past it (STYLEBOOK 2).
    weeks[WEEKS[1]] = board([500, 400, 80, 80], [80, 80, 80, 89])
    assert not kinds(season(tmp_path, weeks, "kind: rank_change").events(WEEKS[1]), "rank_change")


def test_share_tells_a_country_passing_half_of_the_counted_board(tmp_path: Path) -> None:
    weeks = flat(2)
    weeks[WEEKS[1]] = board([300, 200, 150, 100], [300, 250, 200, 160])  # China 910 of 1660 billion
    weeks[WEEKS[2]] = board([300, 200, 150, 100], [300, 200, 150, 90])  # 740 of 1490: below half again
    s = season(tmp_path, weeks, "kind: share")
    # One fact told from either side: the pair's half changing hands is one event (its topic).
    (above,) = kinds(s.events(WEEKS[1]), "share")
    f = above.facts
    assert (f.country, f.direction, f.level) == ("CN", "above", 0.5)  # type: ignore[attr-defined]
    assert f.share == pytest.approx(910 / 1660)  # type: ignore[attr-defined]
    (below,) = kinds(s.events(WEEKS[2]), "share")
    assert below.facts.direction == "below"  # type: ignore[attr-defined]


def test_a_share_below_the_level_both_weeks_is_no_news(tmp_path: Path) -> None:
    weeks = flat(1)
    weeks[WEEKS[1]] = board([300, 200, 150, 100], [300, 250, 200, 100])  # China 850 of 1600: 53%
    weeks[WEEKS[2]] = board([300, 200, 150, 100], [300, 250, 200, 110])
    assert not season(tmp_path, weeks, "kind: share").events(WEEKS[2])


def test_a_new_model_in_the_top_ten_is_a_new_entrant(tmp_path: Path) -> None:
    weeks = flat(2)
    weeks[WEEKS[1]] = [*board(*BASE), ("qwen/qwen3-max", "Qwen3 Max", 450)]
    (debut,) = kinds(season(tmp_path, weeks, "kind: new_entrant").events(WEEKS[1]), "new_entrant")
    f = debut.facts
    assert (f.model, f.name, f.rank, f.country, f.returning) == (  # type: ignore[attr-defined]
        "qwen/qwen3-max", "Qwen3 Max", 2, "CN", False)


def test_a_model_that_climbs_into_the_top_ten_only_as_others_fall_is_no_new_entrant(tmp_path: Path) -> None:
    # Daily W21: Step 3.5 Flash "entered the top 10" at No. 9 while its use fell 6.5%.
    fillers = [(f"meta-llama/llama-{n}", f"Llama {n}", 60 - n) for n in range(3)]
    weeks = {WEEKS[0]: [*board(*BASE), *fillers]}  # Llama 2 at No. 11 with 58 billion
    fell = board([500, 400, 300, 30], [150, 120, 100, 90])  # GPT-5.2 falls out of the top ten
    weeks[WEEKS[1]] = [*fell, *fillers[:2], (*fillers[2][:2], 57)]  # Llama 2 No. 10, its use −1.7%
    assert not kinds(season(tmp_path, weeks, "kind: new_entrant").events(WEEKS[1]), "new_entrant")
    weeks[WEEKS[1]] = [*fell, *fillers[:2], (*fillers[2][:2], 80)]  # +37.9%: its own climb
    (climb,) = kinds(season(tmp_path / "grew", weeks, "kind: new_entrant").events(WEEKS[1]), "new_entrant")
    assert (climb.facts.name, climb.facts.previous_rank) == ("Llama 2", 11)  # type: ignore[attr-defined]


def test_a_new_model_follows_its_makers_older_one_only_where_that_lost_a_quarter(tmp_path: Path) -> None:
    # Weekly W52, Christmas week: "It follows its maker's Gemini 2.5 Flash, which fell 13.7%"
    # blamed the successor for a fall the whole list shared.
    weeks = {week: [*board(*BASE), (*OPUS_OLD, 80)] for week in WEEKS[:2]}
    weeks[WEEKS[2]] = [*board(*BASE), (*OPUS_OLD, 70), (*OPUS_NEW, 110)]  # the older one −12.5%
    weeks[WEEKS[3]] = [*board(*BASE), (*OPUS_OLD, 40), (*OPUS_NEW, 120)]
    s = season(tmp_path, weeks, "kind: new_entrant")
    (arrival,) = kinds(s.events(WEEKS[2]), "new_entrant")
    assert arrival.facts.succeeds == ""  # type: ignore[attr-defined]
    weeks = {week: [*board(*BASE), (*OPUS_OLD, 80)] for week in WEEKS[:2]}
    weeks[WEEKS[2]] = [*board(*BASE), (*OPUS_OLD, 40), (*OPUS_NEW, 110)]  # the older one −50%
    (arrival,) = kinds(season(tmp_path / "fell", weeks, "kind: new_entrant").events(WEEKS[2]), "new_entrant")
    assert arrival.facts.succeeds == "Claude Opus 4.5"  # type: ignore[attr-defined]


def test_a_free_tier_of_a_listed_model_is_no_new_entrant(tmp_path: Path) -> None:
    # STYLEBOOK 4: the free tier is Kimi K2.5, listed last week; it is no debut.
    weeks = flat(2)
    weeks[WEEKS[1]] = [*board(*BASE), (f"{KIMI}:free", "Kimi K2.5 (free)", 450)]
    assert not season(tmp_path, weeks, "kind: new_entrant").events(WEEKS[1])


def test_a_free_tier_gone_while_its_paid_tier_stays_is_a_variant_change(tmp_path: Path) -> None:
    free = (f"{KIMI}:free", "Kimi K2.5 (free)", 350)
    weeks = {WEEKS[0]: [*board(*BASE), free], WEEKS[1]: [*board(*BASE), free], WEEKS[2]: board(*BASE)}
    s = season(tmp_path, weeks, "kind: variant_change")
    assert not s.events(WEEKS[1])  # still listed: nothing ended
    (ended,) = kinds(s.events(WEEKS[2]), "variant_change")
    f = ended.facts
    assert (f.what, f.family, f.name, f.free_tokens) == ("free_ended", KIMI, "Kimi K2.5", 350 * T)  # type: ignore[attr-defined]
    assert (f.family_tokens, f.family_previous_tokens) == (150 * T, 500 * T)  # type: ignore[attr-defined]


def test_a_new_snapshot_beside_the_old_is_a_variant_change_of_one_model(tmp_path: Path) -> None:
    old, new = f"{DEEPSEEK}-20260101", f"{DEEPSEEK}-20260301"
    weeks = {WEEKS[0]: [*board(*BASE), (old, "DeepSeek V3.2", 250)],
             WEEKS[1]: [*board(*BASE), (old, "DeepSeek V3.2", 100), (new, "DeepSeek V3.2", 300)]}
    (snapshot,) = kinds(season(tmp_path, weeks, "kind: variant_change").events(WEEKS[1]), "variant_change")
    f = snapshot.facts
    assert (f.what, f.snapshot, f.old_snapshot, f.overtook) == ("snapshot", "2026-03-01", "2026-01-01", True)  # type: ignore[attr-defined]


def test_a_stealth_model_gone_from_the_listing_is_withdrawn(tmp_path: Path) -> None:
    weeks = {WEEKS[0]: [*board(*BASE), ("openrouter/owl-alpha", "Owl Alpha", 450)], WEEKS[1]: board(*BASE)}
    (gone,) = kinds(season(tmp_path, weeks, "kind: withdrawal").events(WEEKS[1]), "stealth_withdrawn")
    f = gone.facts
    assert (f.model, f.previous_rank, f.previous_tokens, f.days) == (  # type: ignore[attr-defined]
        "openrouter/owl-alpha", 2, 450 * T, 0)


def test_a_top_five_model_no_longer_listed_has_dropped_out_but_not_one_whose_tier_stays(
        tmp_path: Path) -> None:
    weeks = flat(1)
    weeks[WEEKS[0]] = [*board(*BASE), (f"{GROK}:free", "Grok 4.1 Fast (free)", 250)]
    # GPT-5.2 (4th) is gone; Grok 4.1 Fast's free tier is gone but its paid tier is listed.
    weeks[WEEKS[1]] = board([500, 400, 300], [150, 120, 100, 90])
    (gone,) = kinds(season(tmp_path, weeks, "kind: withdrawal").events(WEEKS[1]), "dropped_out")
    assert (gone.facts.model, gone.facts.previous_rank) == (GPT, 5)  # type: ignore[attr-defined]


OPUS_OLD = ("anthropic/claude-opus-4.5", "Claude Opus 4.5")
OPUS_NEW = ("anthropic/claude-opus-4.6", "Claude Opus 4.6")
FILLERS = [("meta-llama/llama-4", "Llama 4", 60), ("mistralai/mistral-large", "Mistral Large", 55),
           ("google/gemma-4", "Gemma 4", 52)]


def test_a_makers_new_model_below_the_top_ten_as_its_earlier_one_loses_use_is_a_successor(
        tmp_path: Path) -> None:
    # Daily W30: Claude Opus 5 arrived at No. 30 as Opus 4.7 left the top nine and Opus 4.8 fell 30%.
    weeks = {week: [*board(*BASE), (*OPUS_OLD, 80), *FILLERS] for week in WEEKS[:2]}
    weeks[WEEKS[2]] = [*board(*BASE), (*OPUS_OLD, 40), *FILLERS, (*OPUS_NEW, 30)]  # No. 12, old -50%
    weeks[WEEKS[3]] = [*board(*BASE), (*OPUS_OLD, 36), *FILLERS, (*OPUS_NEW, 25),
                       ("anthropic/claude-opus-4.7", "Claude Opus 4.7", 20)]  # Opus 4.5 only -10%
    s = season(tmp_path, weeks, "kind: successor")
    (handover,) = kinds(s.events(WEEKS[2]), "successor")
    f = handover.facts
    assert (f.name, f.tokens) == ("Claude Opus 4.6", 30 * T)  # type: ignore[attr-defined]
    (older,) = f.older  # type: ignore[attr-defined]
    assert (older.name, older.previous_rank, older.change) == ("Claude Opus 4.5", 9, -0.5)
    assert not kinds(s.events(WEEKS[3]), "successor")  # the earlier one lost a tenth: no hand-over


def test_a_former_no_1_leaving_the_list_is_news_wherever_it_stood_last_week(tmp_path: Path) -> None:
    # Weekly W10: Claude Sonnet 4.5, No. 1 five weeks before and No. 9 the week before, left.
    weeks = {WEEKS[0]: board([900, 400, 300, 200], [150, 120, 100, 90])}  # Sonnet 4.5 No. 1
    weeks[WEEKS[1]] = board([60, 400, 300, 200], [150, 120, 100, 90])  # Sonnet 4.5 last, No. 8
    weeks[WEEKS[2]] = [row for row in board([60, 400, 300, 200], [150, 120, 100, 90]) if row[0] != SONNET]
    (gone,) = kinds(season(tmp_path, weeks, "kind: withdrawal").events(WEEKS[2]), "dropped_out")
    f = gone.facts
    assert (f.model, f.previous_rank, f.last_led) == (SONNET, 8, "2026-01-04")  # type: ignore[attr-defined]


FIGURES = """\
- subject: China's AI inference token consumption
  subject_zh: 中国AI推理Token消耗量
  organisation: JPMorgan
  kind: forecast
  value: 10
  unit: quadrillion tokens
  period: 2025
  source: https://news.example.com/630.html
  published: 2026-01-05
- subject: China's AI inference token consumption
  organisation: JPMorgan
  kind: forecast
  value: 3900
  unit: quadrillion tokens
  period: 2030
  source: https://news.example.com/630.html
  quote: {quote}
  published: 2026-01-05
"""


def forecast_season(folder: Path, quote: str) -> Season:
    (folder / "figures.yaml").write_text(FIGURES.format(quote=quote), encoding="utf-8")
    sources = "\n  - {name: desk-figures, type: figures, path: figures.yaml, attribution: the editors}"
    return Season(folder, flat(2), sources=sources, extra=only("kind: forecast"))


def test_a_forecast_series_gives_its_multiple_and_yearly_growth(tmp_path: Path) -> None:
    found = forecast_season(tmp_path, "an estimated 390-fold increase").events(WEEKS[1])
    (forecast,) = kinds(found, "forecast")
    f = forecast.facts
    assert (f.organisation, f.multiple, f.years) == ("JPMorgan", 390, 5)  # type: ignore[attr-defined]
    assert f.cagr == pytest.approx(390 ** (1 / 5) - 1, rel=1e-3)  # type: ignore[attr-defined]
    assert "claim_check" not in found  # the text's multiple is the figures' own


def test_a_multiple_the_figures_contradict_is_a_claim_check(tmp_path: Path) -> None:
    found = forecast_season(tmp_path, "an estimated 370-fold increase over five years").events(WEEKS[1])
    (claim,) = kinds(found, "claim_check")
    f = claim.facts
    assert (f.stated_multiple, f.figures_multiple, f.quoted_by) == (370, 390, "news.example.com")  # type: ignore[attr-defined]


def scaled(factor: float) -> list[tuple[str, str, int]]:
    """The usual board with every model's volume times ``factor``."""
    return board([round(n * factor) for n in BASE[0]], [round(n * factor) for n in BASE[1]])


# -- the stylebook's principles, read in the articles -------------------------------------------


def story(text: str) -> str:
    """An article's headline and paragraphs: up to its chart, before the tables and notes."""
    return text[:text.index("![")] if "![" in text else text[:text.index("\n## ")]


def folder(tmp_path: Path, name: str) -> Path:
    """A folder of its own for each fixture's season: a test may take several."""
    (tmp_path / name).mkdir()
    return tmp_path / name


@pytest.fixture
def debut(tmp_path: Path) -> Season:
    """Four flat weeks, then Qwen3 Max new at No. 2: China's top nine gains a model."""
    weeks = flat(4)
    weeks[WEEKS[4]] = [*board(*BASE), ("qwen/qwen3-max", "Qwen3 Max", 450)]
    return Season(folder(tmp_path, "debut"), weeks)


@pytest.fixture
def record(tmp_path: Path) -> Season:
    """Eight flat weeks, then the US up 10%: a record of the total and of the US."""
    weeks = flat(8)
    weeks[WEEKS[8]] = board([550, 440, 330, 220], [150, 120, 100, 90])
    return Season(folder(tmp_path, "record"), weeks, name="feed-alpha")


@pytest.fixture
def free_tier(tmp_path: Path) -> Season:
    """Claude Sonnet 4.5's free tier listed beside it, and in the fifth week above it."""
    free = (f"{SONNET}:free", "Claude Sonnet 4.5 (free)")
    weeks = {week: [*board(*BASE), (*free, 450)] for week in WEEKS[:4]}
    weeks[WEEKS[4]] = [*board(*BASE), (*free, 550)]
    return Season(folder(tmp_path, "free_tier"), weeks)


def test_1_a_debut_high_in_the_table_leads_the_article_over_a_lead_that_merely_continues(
        debut: Season, bulletin) -> None:
    en = debut.article(bulletin, WEEKS[4]).splitlines()[0]
    zh = debut.article(bulletin, WEEKS[4], "zh").splitlines()[0]
    assert "Qwen3 Max" in en and "stay ahead" not in en, en
    assert "Qwen3 Max" in zh and "连续" not in zh, zh


def test_2_a_change_of_a_fraction_of_a_percent_is_told_as_flat_in_both_languages(
        tmp_path: Path, bulletin) -> None:
    weeks = flat(4)
    weeks[WEEKS[4]] = board([500, 400, 300, 206], [150, 120, 100, 90])  # the US +0.4%
    s = Season(tmp_path, weeks)
    assert not {"growth", "growth_streak", "record"} & set(s.events(WEEKS[4]))
    en, zh = story(s.article(bulletin, WEEKS[4])), story(s.article(bulletin, WEEKS[4], "zh"))
    assert "flat on the previous week (+0.4%)" in en
    assert not re.search(r"\b(up|grew|grows|rose|rises)\b", en), en
    assert "较前一周基本持平（+0.4%）" in zh
    assert not re.search(r"增长|上升|新高", zh), zh


def test_3_a_country_total_a_new_model_swelled_is_told_with_its_basis(debut: Season, bulletin) -> None:
    # China's top nine gained Qwen3 Max: the total nearly doubled while its other models were flat.
    en, zh = story(debut.article(bulletin, WEEKS[4])), story(debut.article(bulletin, WEEKS[4], "zh"))
    assert "Both totals count the week's top nine models on the leaderboard." in en
    assert ("China's change comes mostly from which models made the top nine: its models counted in "
            "both weeks together were flat (0.0%).") in en
    assert "两国数据均按本周调用量前九的模型统计。" in zh
    assert "按两周都计入的模型计算，中国基本持平（0.0%）" in zh


def test_3_a_countrys_growth_told_alone_gives_the_change_of_its_models_counted_in_both_weeks(
        tmp_path: Path, bulletin) -> None:
    weeks = flat(4)
    weeks[WEEKS[4]] = [*board(*BASE), ("qwen/qwen3-max", "Qwen3 Max", 450)]
    s = season(tmp_path, weeks, "kind: growth", "kind: new_entrant")
    en, zh = story(s.article(bulletin, WEEKS[4])), story(s.article(bulletin, WEEKS[4], "zh"))
    assert "counted in both weeks" in en, en
    assert "按两周都计入的模型计算" in zh, zh
    # A change the list made is no headline: the newcomer that made it is (STYLEBOOK 3).
    assert "rises 97.8%" not in s.article(bulletin, WEEKS[4]).splitlines()[0]


def test_4_a_free_tier_above_its_paid_model_is_no_new_leader_and_no_place_in_a_sweep(tmp_path: Path) -> None:
    free = (f"{SONNET}:free", "Claude Sonnet 4.5 (free)")
    # Sonnet's free tier overtakes its paid tier, then a Chinese model stands third among models.
    weeks = {WEEKS[0]: [*board(*BASE), (*free, 450)], WEEKS[1]: [*board(*BASE), (*free, 550)],
             WEEKS[2]: [*board([500, 400, 100, 90], [350, 120, 100, 90]), (*free, 450)]}
    s = season(tmp_path, weeks, "kind: lead_change, subject: model", "kind: sweep")
    assert "subject_lead_change" not in s.events(WEEKS[1])
    # Rows 1 to 3 are American, but the top three models are Sonnet, Gemini and Kimi.
    found = s.events(WEEKS[2])
    assert "sweep" not in found
    (end,) = kinds(found, "sweep_end")
    assert end.facts.breaker.name == "Kimi K2.5"  # type: ignore[attr-defined]


def test_4_a_models_free_tier_and_its_paid_tier_are_never_told_as_first_and_second(
        free_tier: Season, bulletin) -> None:
    # The free tier leads the rows; the runner-up is the next model, not its own paid tier.
    en, zh = story(free_tier.article(bulletin, WEEKS[4])), story(free_tier.article(bulletin, WEEKS[4], "zh"))
    assert "Claude Sonnet 4.5 was second" not in en
    assert "Claude Sonnet 4.5位居其后" not in zh


def test_5_a_record_is_hedged_to_when_records_began_in_both_languages_never_in_the_headline(
        record: Season, bulletin) -> None:
    en, zh = story(record.article(bulletin, WEEKS[8])), story(record.article(bulletin, WEEKS[8], "zh"))
    # Told in the countries' paragraph, after the run it hedges to the records' start.
    assert "since these records began on December 29. The United States' total is also its highest " \
           "in that time" in en
    assert "自12月29日有记录以来，美国已连续九周领先。美国的合计也是这段时间以来的最高值" in zh, zh
    assert not re.search(r"all-time|ever\b|in history", en, re.IGNORECASE), en
    assert not re.search(r"历史|史上", zh), zh
    assert "since" not in en.splitlines()[0] and "以来" not in zh.splitlines()[0]


def test_6_the_credit_line_names_the_sources_attribution_never_its_name_in_the_config(
        record: Season, bulletin) -> None:
    en, zh = record.article(bulletin, WEEKS[8]), record.article(bulletin, WEEKS[8], "zh")
    assert "Source: OpenRouter (openrouter.ai/rankings), as of March 1, 2026." in en
    assert "数据来源：OpenRouter (openrouter.ai/rankings)，截至2026年3月1日。" in zh
    assert "feed-alpha" not in en and "feed-alpha" not in zh


def test_7_the_chinese_edition_writes_numbers_in_wan_yi_and_yi_and_names_no_raw_id(
        record: Season, free_tier: Season, bulletin) -> None:
    zh = record.article(bulletin, WEEKS[8], "zh")
    assert "2万亿Token" in zh and "1.86万亿Token" in zh and "5500亿" in zh
    assert not re.search(r"billion|trillion|\d{5,}|\d,\d{3}", zh), zh
    free = free_tier.article(bulletin, WEEKS[4], "zh")
    for text in (zh, free):
        assert not [model for model, _ in US + CN if model in text]
        assert "(free)" not in text and "free" not in story(text)
    # The top three give the model all its tiers under its one name (STYLEBOOK 4).
    assert "Claude Sonnet 4.5（1.05万亿Token）" in free


DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
EMPTY = re.compile(r"\(\s*\)|（\s*）|\[\s*\]")
A_BEFORE_VOWEL = re.compile(r"\b[Aa] (?:[aeio]\w|8|11th|18th|eighth|eleventh)")


def test_8_no_article_doubles_a_word_leaves_an_empty_bracket_or_mistakes_a_for_an(
        debut: Season, free_tier: Season, record: Season, bulletin) -> None:
    for s, week in ((debut, WEEKS[4]), (free_tier, WEEKS[4]), (record, WEEKS[8])):
        for locale in ("en", "zh"):
            text = s.article(bulletin, week, locale)
            assert not DOUBLED.search(text), (locale, DOUBLED.search(text))
            assert not EMPTY.search(text), (locale, EMPTY.search(text))
            assert not re.search(r"  |。。|，，|,,| ,| \.", story(text)), (locale, story(text))
            if locale == "en":
                assert not A_BEFORE_VOWEL.search(text), A_BEFORE_VOWEL.search(text)


def test_8_a_debut_that_ends_a_sweep_is_told_in_one_paragraph(debut: Season, bulletin) -> None:
    for locale, told, new in (("en", "450 billion", "new in the table this week"),
                              ("zh", "4500亿", "本周新上榜")):
        paragraphs = story(debut.article(bulletin, WEEKS[4], locale)).split("\n\n")[2:]
        assert sum(told in paragraph for paragraph in paragraphs) == 1, (locale, paragraphs)
        # The sweep's end says the model is new: its debut is not lost.
        assert any(told in paragraph and new in paragraph for paragraph in paragraphs), (locale, paragraphs)


def test_8_a_headline_names_the_platform_once(tmp_path: Path, bulletin) -> None:
    weeks = flat(9)
    weeks[WEEKS[9]] = board([600, 500, 300, 200], [300, 250, 200, 90])  # the total +31%: a record
    s = Season(tmp_path, weeks)
    for locale in ("en", "zh"):
        headline = s.article(bulletin, WEEKS[9], locale).splitlines()[0]
        assert headline.count("OpenRouter") == 1, headline


def test_8_a_lead_countrys_record_is_told_in_the_countries_paragraph_once(record: Season, bulletin) -> None:
    # The United States' total is both its record and the lead's figure: one paragraph, said once,
    # its hedge given once ("since these records began on December 29 ... also its highest in that time").
    for locale, total, said in (
            ("en", "1.54 trillion", "The United States' total is also its highest in that time, above the "
                                    "previous record of 1.4 trillion"),
            ("zh", "1.54万亿", "美国的合计也是这段时间以来的最高值，"
                              "高于截至2月22日的一周所创下的1.4万亿Token")):
        paragraphs = story(record.article(bulletin, WEEKS[8], locale)).split("\n\n")[2:]
        holding = [p for p in paragraphs if total in p]
        assert len(holding) == 1 and said in holding[0], (locale, paragraphs)
