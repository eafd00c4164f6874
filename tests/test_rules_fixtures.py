"""Rules and stylebook principles on small leaderboards written here, in the CSV an editor keeps.

Each test writes the few weeks its case needs (no ../shared), renders them as a
run would, and reads the story and the article in both languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.model import Event
from bulletin.weeks import IsoWeek
from support.season import Season, T, board

WEEKS = [f"2026-W{n:02d}" for n in range(1, 9)]


def models_lead(found: dict[str, list[Event]]) -> list[Event]:
    return [e for e in found.get("subject_lead_change", []) if e.facts.subject_type == "model"]  # type: ignore[attr-defined]


@pytest.fixture
def first_chinese_no_1(tmp_path: Path) -> Season:
    """Five weeks of American No. 1s, then Kimi K2.5 on top in the sixth."""
    weeks = {week: board([500, 400, 300, 200], [150, 120, 100, 90]) for week in WEEKS[:5]}
    weeks[WEEKS[5]] = board([500, 400, 300, 200], [700, 120, 100, 90])
    weeks[WEEKS[6]] = board([800, 400, 300, 200], [700, 120, 100, 90])  # Sonnet back on top
    weeks[WEEKS[7]] = board([500, 400, 300, 200], [900, 120, 100, 90])  # Kimi again: no first
    return Season(tmp_path, weeks)


def test_a_countrys_first_no_1_on_record_is_told_hedged_and_only_once(first_chinese_no_1: Season,
                                                                       bulletin) -> None:
    season = first_chinese_no_1
    (change,) = models_lead(season.events(WEEKS[5]))
    assert change.facts.first_of_country == "CN"  # type: ignore[attr-defined]
    assert change.facts.records_since == "2025-12-29"  # type: ignore[attr-defined]
    text = season.article(bulletin, WEEKS[5])
    # No hedge in a headline (STYLEBOOK 5); the paragraph says since when.
    assert text.startswith("# Kimi K2.5 puts a Chinese model in first place on OpenRouter\n")
    assert "Kimi K2.5 is the first Chinese model at No. 1 since these records began on December 29." in text
    zh = season.article(bulletin, WEEKS[5], "zh")
    assert zh.startswith("# 中国模型Kimi K2.5登上OpenRouter模型调用量榜首\n")
    assert "这是自12月29日有记录以来，中国模型首次位居榜首。" in zh
    # Taken back two weeks later: a Chinese No. 1 is no longer a first.
    (again,) = models_lead(season.events(WEEKS[7]))
    assert again.facts.first_of_country == ""  # type: ignore[attr-defined]
    assert "first Chinese model" not in season.article(bulletin, WEEKS[7])


def test_too_few_weeks_on_record_make_no_first(tmp_path: Path) -> None:
    weeks = {WEEKS[0]: board([500, 400], [150, 120]), WEEKS[1]: board([500, 400], [700, 120])}
    (change,) = models_lead(Season(tmp_path, weeks).events(WEEKS[1]))
    assert change.facts.first_of_country == ""  # type: ignore[attr-defined]


def test_a_change_below_materiality_is_flat_not_growth(tmp_path: Path, bulletin) -> None:
    """STYLEBOOK 2: +0.1% is no rise, no run of growth, no record."""
    weeks = {week: board([500, 400, 300, 200], [150, 120, 100, 90]) for week in WEEKS[:3]}
    weeks[WEEKS[3]] = board([500, 400, 300, 201], [150, 120, 100, 90])  # +0.07% for the US
    season = Season(tmp_path, weeks)
    found = season.events(WEEKS[3])
    assert "growth_streak" not in found and "record" not in found
    for locale, rise in (("en", "grows"), ("zh", "增")):
        headline = season.article(bulletin, WEEKS[3], locale).splitlines()[0]
        assert rise not in headline and "0.1%" not in headline, headline


def test_a_model_that_drops_out_is_named_as_last_weeks_table_named_it(tmp_path: Path) -> None:
    free = ("xiaomi/mimo-v2-flash:free", "MiMo-V2-Flash", 450)
    weeks = {week: board([500, 400, 300, 200], [150, 120, 100]) + [free] for week in WEEKS[:3]}
    weeks[WEEKS[3]] = board([500, 400, 300, 200], [150, 120, 100, 90])
    season = Season(tmp_path, weeks)
    (gone,) = season.events(WEEKS[3])["dropped_out"]
    assert gone.facts.name == "MiMo-V2-Flash (free)"  # type: ignore[attr-defined]


def test_a_new_snapshot_or_free_tier_of_a_counted_model_is_that_model_like_for_like(tmp_path: Path) -> None:
    """STYLEBOOK 3 and 4: "the models counted in both weeks" are models, not rows."""
    old, new = "deepseek/deepseek-v4-flash-20260423", "deepseek/deepseek-v4-flash-20260731"
    weeks = {WEEKS[0]: board([500, 400], [150, 120]) + [(old, "DeepSeek V4 Flash", 600)],
             WEEKS[1]: board([500, 400], [150, 120]) + [(old, "DeepSeek V4 Flash", 300),
                                                         (new, "DeepSeek V4 Flash", 600)]}
    stats, _ = pipeline.week_events(Season(tmp_path, weeks).config, IsoWeek.parse(WEEKS[1]))
    china = stats.country("CN")
    assert china is not None
    assert new not in china.entered  # the model's new snapshot, not a new model
    assert (china.same_tokens, china.same_previous_tokens) == (1170 * T, 870 * T)


def scaled(factor: float) -> list[tuple[str, str, int]]:
    """The same board with every model's volume times ``factor``."""
    return board([round(n * factor) for n in (500, 400, 300, 200)],
                 [round(n * factor) for n in (150, 120, 100, 90)])


def over_weeks(found: dict[str, list[Event]]) -> list[Event]:
    return [e for e in found.get("volume_change", [])
            if e.facts.subject_type == "total" and e.facts.weeks > 1]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("third_week", "told"), [(1.25, False), (1.35, True)])
def test_a_rise_over_four_weeks_is_told_only_as_a_run(tmp_path: Path, third_week: float, told: bool) -> None:
    # +50% from the second week to the sixth; with a fall in the fourth it is no rise of four weeks
    # (STYLEBOOK 3: a window that starts at a low and turns inside is not a run).
    factors = [1.0, 1.0, 1.3, third_week, 1.4, 1.5]
    season = Season(tmp_path, {week: scaled(f) for week, f in zip(WEEKS, factors, strict=False)})
    found = season.events(WEEKS[5])
    # A run is told as one ("grew for the fourth week running"), the window's change with it.
    runs = [e for e in found.get("growth_streak", []) if e.facts.weeks == 4]  # type: ignore[attr-defined]
    assert bool(over_weeks(found) or runs) is told


def test_a_fall_one_model_outweighs_is_told_with_it(tmp_path: Path, bulletin) -> None:
    # Four weeks of growth, then Claude Sonnet 4.5 loses 400 billion while the rest grow: the
    # total falls by less than that model alone did.
    weeks = {week: scaled(1 + n / 10) for n, week in enumerate(WEEKS[:5])}
    weeks[WEEKS[5]] = board([100, 600, 450, 300], [250, 180, 150, 140])
    season = Season(tmp_path, weeks)
    [ended] = [e for e in season.events(WEEKS[5]).get("growth_streak", []) if e.facts.ended]  # type: ignore[attr-defined]
    facts = ended.facts
    assert (facts.driver_name, facts.driver_fall) == ("Claude Sonnet 4.5", 600 * T)  # type: ignore[attr-defined]
    assert facts.first_tokens - facts.tokens < facts.driver_fall  # type: ignore[attr-defined]


def test_a_new_tier_of_a_listed_model_is_not_new_in_the_table(tmp_path: Path, bulletin) -> None:
    weeks = {WEEKS[0]: board([500, 400, 300, 200], [150, 120, 100, 90])}
    weeks[WEEKS[1]] = [*board([500, 400, 300, 200], [150, 120, 100, 90]),
                       ("x-ai/grok-4.1-fast:free", "Grok 4.1 Fast (free)", 350)]
    season = Season(tmp_path, weeks)
    assert "| Grok 4.1 Fast (free) | US | 350 | new tier |" in season.article(bulletin, WEEKS[1])
    assert "| 新增版本 |" in season.article(bulletin, WEEKS[1], "zh")


def test_two_tiers_of_one_model_take_one_of_the_top_nine(tmp_path: Path, bulletin) -> None:
    # Kimi K2.5's free tier ranks sixth: nine rows hold eight models, so the tenth row, an
    # American model, is the ninth model and counts (STYLEBOOK 4: one model, one place).
    week = [*board([500, 400, 300, 200], [150, 120, 100, 90]),
            ("moonshotai/kimi-k2.5:free", "Kimi K2.5 (free)", 140),
            ("meta-llama/llama-4-maverick", "Llama 4 Maverick", 80),
            ("qwen/qwen3-max", "Qwen3 Max", 70)]
    season = Season(tmp_path, {WEEKS[0]: week})
    article = season.article(bulletin, WEEKS[0])
    [us] = [line for line in article.splitlines() if line.startswith("| US |")]
    [cn] = [line for line in article.splitlines() if line.startswith("| China |")]
    assert "| Country | Tokens (billions) |" in article
    assert us.startswith("| US | 1,480 |") and us.endswith("| 5 |")
    assert cn.startswith("| China | 600 |") and cn.endswith("| 4 |")


def test_a_developers_lead_that_is_one_model_names_it(tmp_path: Path, bulletin) -> None:
    # xAI overtakes Anthropic among developers with one model, which was No. 1 already.
    opus = ("anthropic/claude-opus-4.5", "Claude Opus 4.5")
    first = [*board([500, 400, 700, 200], [150, 120, 100, 90]), (*opus, 350)]
    second = [*board([400, 400, 750, 200], [150, 120, 100, 90]), (*opus, 300)]
    season = Season(tmp_path, {WEEKS[0]: first, WEEKS[1]: second})
    [lead] = [e for e in season.events(WEEKS[1]).get("subject_lead_change", [])
              if e.facts.subject_type == "author"]  # type: ignore[attr-defined]
    assert (lead.facts.leader, lead.facts.leader_only_model) == ("x-ai", "Grok 4.1 Fast")  # type: ignore[attr-defined]
    assert "All of it came from Grok 4.1 Fast" in season.article(bulletin, WEEKS[1])


def test_a_sweep_gives_each_model_all_its_tiers(tmp_path: Path) -> None:
    week = [*board([300, 200, 150, 100], [900, 800, 700, 90]),
            ("moonshotai/kimi-k2.5:free", "Kimi K2.5 (free)", 100)]
    season = Season(tmp_path, {WEEKS[0]: week})
    [sweep] = season.events(WEEKS[0])["sweep"]
    first = sweep.facts.models[0]  # type: ignore[attr-defined]
    assert (first.name, first.tokens) == ("Kimi K2.5", 1000 * T)


def test_a_change_partly_from_the_top_nines_churn_says_partly(tmp_path: Path, bulletin) -> None:
    # GLM 5 drops out of the nine: China's nine-model total falls 37.8%, the same models 20.0%.
    # Under half the change, yet 17.8 points: told, and told as part of it (W09 weekly).
    extra = [("meta-llama/llama-4-maverick", "Llama 4 Maverick", 100),
             ("openai/gpt-oss-120b", "gpt-oss-120b", 85), ("qwen/qwen3-max", "Qwen3 Max", 60)]
    season = Season(tmp_path, {WEEKS[0]: [*board([500, 400, 300, 200], [300, 250, 200, 150]), *extra],
                               WEEKS[1]: [*board([500, 400, 300, 200], [230, 200, 80, 130]), *extra]})
    english = season.article(bulletin, WEEKS[1])
    # The United States' +5.7% is all Llama's entry (the same models flat): "mostly" there.
    assert "The United States' change comes mostly from which models made the top nine, China's " \
           "partly: the models counted in both weeks were flat (0.0%) for the United States and " \
           "fell 20.0% for China." in english
    assert "美国的变化主要、中国的变化部分来自进出前九的模型：按两周都计入的模型计算，" \
           "美国基本持平（0.0%），中国下降20.0%。" in season.article(bulletin, WEEKS[1], "zh")



def test_a_list_of_the_top_three_says_which_of_them_moved_by_half(tmp_path: Path, bulletin) -> None:
    # Gemini 3 Flash rises 60% to second place: the top three's paragraph says so (a mover the
    # cap on events would drop), and says nothing of the models that barely moved.
    season = Season(tmp_path, {WEEKS[0]: board([500, 300, 250, 200], [150, 120, 100, 90]),
                               WEEKS[1]: board([520, 480, 250, 200], [150, 120, 100, 90])})
    english = season.article(bulletin, WEEKS[1])
    # Nothing else changed: the move leads the article, in its first sentence (STYLEBOOK 1).
    assert english.split("\n\n")[2].startswith("Gemini 3 Flash rose 60.0% in the week."), english
    assert "(up 4.0%)" not in english and "(up 60.0%)" not in english
    chinese = season.article(bulletin, WEEKS[1], "zh")
    assert chinese.split("\n\n")[2].startswith("Gemini 3 Flash本周调用量增长60.0%"), chinese


def test_a_former_no_1_that_leaves_the_list_is_told_as_one(tmp_path: Path, bulletin) -> None:
    # Claude Sonnet 4.5 leads three weeks, falls to No. 3, then is no longer listed (weekly W06:
    # Grok Code Fast 1, No. 1 up to the week to January 4, left the list from No. 4).
    weeks = {week: board([500, 400, 300, 200], [150, 120, 100, 90]) for week in WEEKS[:3]}
    weeks[WEEKS[3]] = board([250, 400, 300, 200], [150, 120, 100, 90])
    weeks[WEEKS[4]] = [row for row in board([0, 400, 300, 200], [150, 120, 100, 90]) if row[2]]
    season = Season(tmp_path, weeks)
    [gone] = season.events(WEEKS[4])["dropped_out"]
    assert (gone.facts.previous_rank, gone.facts.last_led) == (3, "2026-01-18")  # type: ignore[attr-defined]
    assert "Claude Sonnet 4.5, which was No. 1 as recently as the week to January 18" in season.article(
        bulletin, WEEKS[4])
