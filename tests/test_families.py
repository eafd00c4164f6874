"""Model identity on the recorded daily season: families, made names, coverage.

The recorded Data API days are served on loopback and collected once into one
store; each test reads a week as an editor would see it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bulletin.story.families import family_of, made_name, variant
from support import SHARED_DATA, needs_shared_data

DAILY = SHARED_DATA / "openrouter-rankings-daily"
pytestmark = needs_shared_data()
RAW_ID = re.compile(r"(?<!\.)\b[a-z][a-z0-9-]+/[a-z0-9][a-z0-9.:_-]*[a-z0-9]\b")


def recorded_ids() -> set[str]:
    return {row["model_permaslug"] for path in DAILY.glob("*.json")
            for row in json.loads(path.read_text(encoding="utf-8"))["rows"]} - {"other"}


def week_events(bulletin, config: Path, week: str) -> list[dict]:
    result = bulletin("events", "--config", config, "--week", week, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["events"]


def rendered(bulletin, config: Path, week: str, name: str = "bulletin.md") -> str:
    result = bulletin("render", "--config", config, "--week", week)
    assert result.code == 0, result.err
    return (config.parent / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def test_every_recorded_id_gets_a_name_the_way_openrouter_names_models() -> None:
    ids = recorded_ids()
    assert len(ids) > 100
    for model in ids:
        name = made_name(model)
        assert "/" not in name and not RAW_ID.search(name), (model, name)
        assert not re.search(r"20\d{6}", name), (model, name)  # no snapshot date
        assert name.endswith(" (free)") == model.endswith(":free"), (model, name)
    assert made_name("anthropic/claude-4.7-opus-20260416") == "Claude Opus 4.7"
    assert made_name("tencent/hy3-preview-20260421:free") == "Tencent Hy3 Preview (free)"
    assert made_name("deepseek/deepseek-v4-flash-20260731") == "DeepSeek V4 Flash"
    assert made_name("openai/gpt-5.4-mini-20260317") == "GPT-5.4 Mini"
    assert made_name("openrouter/owl-alpha") == "Owl Alpha"  # a stealth model: no maker to name


def test_free_tiers_and_snapshots_are_one_family() -> None:
    assert family_of("tencent/hy3-preview-20260421:free") == family_of("tencent/hy3-preview-20260421")
    assert (family_of("deepseek/deepseek-v4-flash-20260423")
            == family_of("deepseek/deepseek-v4-flash-20260731") == "deepseek/deepseek-v4-flash")
    assert family_of("deepseek/deepseek-v4-flash") != family_of("deepseek/deepseek-v4-pro-20260423")
    # Digits that are no date stay part of the model: Kimi K2.5 0127 is its own model.
    assert variant("moonshotai/kimi-k2.5-0127").snapshot is None


def test_w19_the_free_tier_of_hy3_preview_ends_that_week_and_no_model_takes_first_place_from_itself(
        season: Path, bulletin) -> None:
    # Listed May 4 to 8 (the first week held), its paid tier from May 9: told in W19, the week it
    # happened, with its last day; W20 does not tell it again.
    events = week_events(bulletin, season, "2026-W19")
    [ended] = [e for e in events if e["kind"] == "variant_change"]
    assert ended["subjects"] == ["tencent/hy3-preview"]
    assert (ended["facts"]["what"], ended["facts"]["last_listed"]) == ("free_ended", "2026-05-08")
    assert ended["facts"]["first_week"] is True
    assert not [e for e in events if e["kind"] == "rank_change" and e["facts"]["move"] == "new_leader"]
    text = rendered(bulletin, season, "2026-W19")
    assert text.splitlines()[0] == "# The free tier of Tencent Hy3 Preview leaves OpenRouter's listing"
    assert "listed for the last time on May 8" in text
    zh = rendered(bulletin, season, "2026-W19", "bulletin.zh.md")
    assert zh.splitlines()[0] == "# 腾讯Hy3 Preview（免费版）退出OpenRouter榜单"
    w20 = week_events(bulletin, season, "2026-W20")
    assert not [e for e in w20 if e["kind"] == "variant_change"]
    assert not [e for e in w20 if e["kind"] == "subject_lead_change"
                and e["facts"]["subject_type"] == "model"]
    assert "takes first place on OpenRouter from Tencent Hy3" not in rendered(bulletin, season, "2026-W20")


def test_w32_a_new_snapshot_is_its_models_story_not_a_new_leader(season: Path, bulletin) -> None:
    events = week_events(bulletin, season, "2026-W32")
    [snapshot] = [e for e in events if e["kind"] == "variant_change"]
    facts = snapshot["facts"]
    assert snapshot["subjects"] == ["deepseek/deepseek-v4-flash"]
    assert (facts["what"], facts["snapshot"], facts["old_snapshot"], facts["overtook"]) == (
        "snapshot", "2026-07-31", "2026-04-23", True)
    assert not [e for e in events if e["kind"] in ("rank_change", "new_entrant")
                and e["facts"]["model"].startswith("deepseek/deepseek-v4-flash")]
    text = rendered(bulletin, season, "2026-W32")
    # Its first week had three days: no "up 570.4%" against them.
    assert "570.4%" not in text
    assert "DeepSeek V4 Flash (2026-07-31)" in text  # two snapshots listed: told apart


def test_no_raw_id_is_printed_in_a_season_of_articles(season: Path, bulletin) -> None:
    for week in ("2026-W19", "2026-W20", "2026-W26", "2026-W32"):
        for name in ("bulletin.md", "bulletin.zh.md"):
            text = rendered(bulletin, season, week, name)
            assert not RAW_ID.findall(text), (week, name, RAW_ID.findall(text))


def test_w22_no_change_or_move_against_a_partial_week_of_the_model(season: Path, bulletin) -> None:
    events = week_events(bulletin, season, "2026-W22")
    # MiMo V2.5 was listed one day of W21: "climbed from No. 44 to No. 6" measured the listing.
    assert not [e for e in events if e["facts"].get("model") == "xiaomi/mimo-v2.5-20260422"
                and e["kind"] == "rank_change"]
    result = bulletin("stats", "--config", season, "--week", "2026-W22", "--format", "json")
    rows = {row["model"]: row for row in json.loads(result.out)["models"]}
    assert rows["xiaomi/mimo-v2.5-20260422"]["change"] is None
    assert rows["deepseek/deepseek-v4-flash-20260423"]["change"] is not None  # listed every day
    # Step 3.5 Flash "fell from No. 9 to No. 59": below the daily top 50 a weekly rank is no rank.
    assert not [e for e in events if e["facts"].get("model") == "stepfun/step-3.5-flash"]
    text = rendered(bulletin, season, "2026-W22")
    assert "1,452.9%" not in text and "No. 44" not in text and "No. 59" not in text
    assert "| MiMo V2.5 | China | 1,463 | first full week |" in text  # in billions, as its header says


def test_w27_a_withdrawn_stealth_model_has_no_fall(season: Path, bulletin) -> None:
    # Owl Alpha was listed two days of W27, then withdrawn: no "fell from No. 4 to No. 14".
    events = week_events(bulletin, season, "2026-W27")
    assert not [e for e in events if e["kind"] == "rank_change"
                and e["facts"]["model"] == "openrouter/owl-alpha"]
    text = rendered(bulletin, season, "2026-W27")
    assert "No. 4 to No. 14" not in text


def test_a_top_ten_model_named_from_its_id_is_a_reason_to_review(season: Path) -> None:
    from bulletin import pipeline
    from bulletin.config.load import load_config
    from bulletin.config.settings import Review
    from bulletin.store.database import Store
    from bulletin.story import review
    from bulletin.weeks import IsoWeek

    config = load_config(season)
    with Store.open(config.database) as store:
        story = pipeline.build_story(config, store, IsoWeek.parse("2026-W20"))
    found = review.reasons(story, {}, Review(), [])
    # No catalogue in this store: every top-ten name was made, and each one is listed.
    made = [reason for reason in found if "no name in the model catalogue" in reason]
    assert len(made) == 10
    assert made[0] == ("Tencent Hy3 Preview (No. 1): no name in the model catalogue; "
                       "made from its id tencent/hy3-preview-20260421, check it")
    # Hy3 Preview's paid tier was listed two days of W19: its jump is the listing, not use.
    assert not [reason for reason in found if reason.startswith("Tencent Hy3 Preview: volume")]


def test_a_makers_name_keeps_its_own_casing() -> None:
    from bulletin.model import ModelName
    from bulletin.story.families import catalogue_name

    # The weekly copies write "Minimax M2.5" and "Deepseek V3.2" (2026-03-16.json).
    names = {"minimax/minimax-m2.5": ModelName("minimax/minimax-m2.5", "Minimax M2.5", "board"),
             "deepseek/deepseek-v3.2": ModelName("deepseek/deepseek-v3.2", "Deepseek V3.2", "board")}
    assert catalogue_name("minimax/minimax-m2.5", names) == "MiniMax M2.5"
    assert catalogue_name("deepseek/deepseek-v3.2:free", names) == "DeepSeek V3.2 (free)"
    assert catalogue_name("anthropic/claude-sonnet-4.5", {"anthropic/claude-sonnet-4.5": ModelName(
        "anthropic/claude-sonnet-4.5", "Anthropic: Claude Sonnet 4.5", "board")}) == "Claude Sonnet 4.5"


def test_a_routing_shortcut_in_a_sources_name_is_no_part_of_the_models_name() -> None:
    from bulletin.model import ModelName
    from bulletin.story.families import catalogue_name

    # The weekly copies name openai/gpt-oss-120b "OpenAI: gpt-oss-120b (exacto)" (2026-W05).
    exacto = "OpenAI: gpt-oss-120b (exacto)"
    assert catalogue_name("openai/gpt-oss-120b", {"openai/gpt-oss-120b": ModelName(
        "openai/gpt-oss-120b", exacto, "board")}) == "gpt-oss-120b"
    # A row that is the routing variant itself keeps the word: it is what tells it apart.
    assert catalogue_name("openai/gpt-oss-120b:exacto", {"openai/gpt-oss-120b:exacto": ModelName(
        "openai/gpt-oss-120b:exacto", exacto, "board")}) == "gpt-oss-120b (exacto)"


def test_w30_the_free_tier_of_hy3_ends_that_week_told_as_the_cause_of_the_new_leader(
        season: Path, bulletin) -> None:
    # Hy3's free tier was last listed on Monday, July 20 (2026-W30): its end is W30's news,
    # told with its effect (Hy3 fell from 11.5 to 5.69 trillion) where MiMo V2.5 takes first place.
    events = week_events(bulletin, season, "2026-W30")
    [lead] = [e for e in events if e["kind"] == "subject_lead_change"
              and e["facts"]["subject_type"] == "model"]
    assert lead["facts"]["free_ended_on"] == "2026-07-20"
    assert (lead["facts"]["fell_from"], lead["facts"]["fell_to"]) == (11_501_965_125_282, 5_692_303_112_486)
    text = rendered(bulletin, season, "2026-W30")
    assert text.splitlines()[0] == (
        "# MiMo V2.5 takes first place on OpenRouter as Tencent Hy3's free tier ends")
    [paragraph] = [p for p in text.split("\n\n") if "took first place among the models" in p]
    assert "free tier was listed for the last time on July 20" in paragraph
    assert "fell from 11.5 trillion tokens to 5.69 trillion" in paragraph
    assert text.count("free tier") == 2  # the headline and that paragraph: told once
    # W31 does not tell it again, a week late.
    assert "free tier" not in rendered(bulletin, season, "2026-W31")


def test_w23_a_makers_new_model_is_told_as_taking_over_from_its_old_one(season: Path, bulletin) -> None:
    # Claude Opus 4.8 enters at No. 10 as Claude Opus 4.7 falls 38%: a replacement, told as one.
    [debut] = [e for e in week_events(bulletin, season, "2026-W23") if e["kind"] == "new_entrant"
               and e["facts"]["name"] == "Claude Opus 4.8"]
    assert debut["facts"]["succeeds"] == "Claude Opus 4.7"
    assert round(debut["facts"]["succeeded_change"], 3) == -0.381
    assert "It follows its maker's Claude Opus 4.7, which fell 38.1% this week." in rendered(
        bulletin, season, "2026-W23")


def test_a_name_an_editor_decided_is_the_models_ahead_of_the_catalogues_and_never_made_up() -> None:
    from bulletin.model import ModelName
    from bulletin.story.families import display_name

    catalogue = {"x-ai/grok-4.1-fast": ModelName("x-ai/grok-4.1-fast", "xAI: Grok 4.1 Fast", "catalogue")}
    decided = {"moonshotai/kimi-k2.5-0127": "Kimi K2.5", "x-ai/grok-4.1-fast": "Grok 4.1 Fast (beta)"}
    assert display_name("moonshotai/kimi-k2.5-0127", catalogue) == ("Kimi K2.5 0127", True)
    assert display_name("moonshotai/kimi-k2.5-0127", catalogue, decided) == ("Kimi K2.5", False)
    assert display_name("x-ai/grok-4.1-fast", catalogue, decided) == ("Grok 4.1 Fast (beta)", False)
