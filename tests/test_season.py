"""What an editor would strike, checked over the recorded daily season (2026-W19 to W33).

Records hedged to the data held, the platform total with the long tail, and
the basis of the country totals. The store is the session's ``season``
(the recorded Data API days, collected through the loopback server).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from bulletin.config.countries import DEFAULT_COUNTRIES
from support import SHARED_DATA, needs_shared_data

DAILY = SHARED_DATA / "openrouter-rankings-daily"
WEEKS = [f"2026-W{n:02d}" for n in range(19, 34)]
pytestmark = needs_shared_data()


def week_events(bulletin, config: Path, week: str) -> list[dict]:
    result = bulletin("events", "--config", config, "--week", week, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["events"]


def article(bulletin, config: Path, week: str, name: str = "bulletin.md") -> str:
    result = bulletin("render", "--config", config, "--week", week)
    assert result.code == 0, result.err
    return (config.parent / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def test_records_are_hedged_to_the_data_held(season: Path, bulletin) -> None:
    told = []
    for week in WEEKS:
        for name in ("bulletin.md", "bulletin.zh.md"):
            text = article(bulletin, season, week, name)
            assert not re.search(r"all-time|\bever\b|records began in|历史最高|有史以来", text), (week, name)
            told += re.findall(r"since these records began on May 4", text)
    assert told  # the season's milestones and records say so


def test_the_platform_total_counts_every_listed_row_and_the_long_tail(season: Path, bulletin) -> None:
    platform: dict[str, int] = defaultdict(int)
    for path in DAILY.glob("2026-05-*.json"):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if "2026-05-04" <= recorded["date"] <= "2026-05-10":
            platform["2026-W19"] += sum(int(row["total_tokens"]) for row in recorded["rows"])
    # The press quoted 25.7 trillion for W19 over all rows, the "other" row included.
    assert round(platform["2026-W19"] / 1e12, 1) == 25.7
    days = [json.loads(p.read_text(encoding="utf-8")) for p in DAILY.glob("*.json")]
    events = [e for week in WEEKS[1:] for e in week_events(bulletin, season, week)
              if e["facts"].get("subject_type") == "total" and "tokens" in e["facts"]]
    assert events
    for event in events:
        week = event["evidence"][0].split("|")[1]
        total = sum(int(row["total_tokens"]) for day in days
                    if _week_of(day["date"]) == week for row in day["rows"])
        assert event["facts"]["tokens"] == total, (week, event["kind"])


def _week_of(day: str) -> str:
    from datetime import date

    year, number, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{number:02d}"


def test_w24_a_change_from_top_nine_churn_is_told_as_such(season: Path, bulletin) -> None:
    [streak] = [e for e in week_events(bulletin, season, "2026-W24") if e["kind"] == "streak"]
    facts = streak["facts"]
    # The US nine-model total rose 78.7%: about half from Claude Opus 4.8 moving into the nine
    # (the same nine models rose 39.7%), the rest from use gathering in them (all US models
    # rose 16.2%). No one cause: the all-models figure is told, without claiming one.
    assert round(facts["trailer_change"], 3) == 0.787
    assert (facts["trailer_gap"], facts["trailer_churn"], facts["leader_churn"]) == (True, False, False)
    listed: dict[str, dict[str, int]] = {"2026-W23": defaultdict(int), "2026-W24": defaultdict(int)}
    for path in DAILY.glob("2026-0[67]-*.json"):
        day = json.loads(path.read_text(encoding="utf-8"))
        week = _week_of(day["date"])
        if week in listed:
            for row in day["rows"]:
                if DEFAULT_COUNTRIES.get(row["model_permaslug"].split("/")[0]) == "US":
                    listed[week][row["model_permaslug"]] += int(row["total_tokens"])
    everything = {week: sum(rows.values()) for week, rows in listed.items()}
    assert facts["trailer_all_change"] == everything["2026-W24"] / everything["2026-W23"] - 1
    text = article(bulletin, season, "2026-W24")
    assert "Both totals count the week's top nine models on the leaderboard." in text
    assert "Over all the United States' listed models, not only the top nine, the volume rose 16.2%." in text
    assert "comes mostly from which models made the top nine" not in text


def test_no_amount_is_told_in_more_than_two_paragraphs(season: Path, bulletin) -> None:
    # W24 told the United States' 5.71 trillion (Anthropic's alone) in three paragraphs,
    # W28 Tencent Hy3's 6.13 trillion as the model, the author and the sweep's leader.
    amount = re.compile(r"\d[\d,.]*\s?(?:trillion|billion)")
    for week in WEEKS:
        story = article(bulletin, season, week).split("\n## ", 1)[0]
        paragraphs = [p for p in story.split("\n\n") if p.strip() and not p.startswith(("#", "!["))]
        told = Counter(found for p in paragraphs for found in set(amount.findall(p)))
        assert not [found for found, n in told.items() if n > 2], week


def top_three(week: str) -> list[str]:
    """The week's three largest models by the recorded days, summed by permaslug."""
    tokens: dict[str, int] = defaultdict(int)
    for path in DAILY.glob("*.json"):
        day = json.loads(path.read_text(encoding="utf-8"))
        if _week_of(day["date"]) == week:
            for row in day["rows"]:
                if row["model_permaslug"] != "other":
                    tokens[row["model_permaslug"]] += int(row["total_tokens"])
    return sorted(tokens, key=lambda model: -tokens[model])[:3]


def test_w33_the_end_of_ten_weeks_of_chinese_top_threes_leads(season: Path, bulletin) -> None:
    def chinese(model: str) -> bool:
        return DEFAULT_COUNTRIES.get(model.split("/")[0]) == "CN"

    # The recorded days themselves: all Chinese from W23 to W32, not in W22 or W33.
    swept = [week for week in WEEKS if all(map(chinese, top_three(week)))]
    assert swept == WEEKS[WEEKS.index("2026-W23"):WEEKS.index("2026-W32") + 1]
    breaker = next(model for model in top_three("2026-W33") if not chinese(model))
    [event] = [e for e in week_events(bulletin, season, "2026-W33") if e["kind"] == "sweep_end"]
    assert event["facts"]["breaker"]["model"] == breaker
    assert (event["facts"]["ended_weeks"], event["facts"]["ended_open_ended"]) == (10, False)
    english = article(bulletin, season, "2026-W33")
    chinese_text = article(bulletin, season, "2026-W33", "bulletin.zh.md")
    assert english.startswith("# OpenRouter's top three are no longer all Chinese, after 10 weeks\n")
    assert "ending 10 weeks in which Chinese models held all three places" in english
    assert chinese_text.startswith("# OpenRouter前三名不再全是中国模型，此前已连续十周\n")
    # The claim check traces the ending's numbers to the event: the breaker's tokens and rank.
    traced = json.loads((season.parent / "output" / "bulletins" / "2026-W33" / "bulletin.json")
                        .read_text(encoding="utf-8"))["numbers"]
    for locale, amount in (("en", "5.31 trillion"), ("zh", "5.31万亿")):
        [row] = [row for row in traced[locale] if row["text"] == amount]
        assert any(i.startswith("sweep_end") and i.endswith(".breaker.tokens") for i in row["what"]), locale
        assert row["sources"], locale
    # While the run lasts, no end is told.
    assert not [e for e in week_events(bulletin, season, "2026-W32") if e["kind"] == "sweep_end"]


def test_the_basis_of_a_developers_total_is_said_where_one_first_appears(season: Path, bulletin) -> None:
    # Where a model's tiers take the nine past the ninth row, the sentence goes on to say so.
    said = {"en": "A developer's total counts its models among the week's top nine on the leaderboard",
            "zh": "开发商数据按其进入本周调用量前九的模型统计"}
    seen = 0
    for week in WEEKS:
        for locale, name in (("en", "bulletin.md"), ("zh", "bulletin.zh.md")):
            story = article(bulletin, season, week, name).split("\n## ", 1)[0]
            paragraphs = [p for p in story.split("\n\n") if p.strip() and not p.startswith(("#", "!["))]
            about = [i for i, p in enumerate(paragraphs) if re.search(
                r"'s models|模型开发商|旗下模型", p)]
            if not about:
                assert said[locale] not in story, (week, locale)
                continue
            seen += 1
            # Once, in the first paragraph that tells a developer's total.
            assert said[locale] in paragraphs[about[0]], (week, locale)
            assert story.count(said[locale]) == 1, (week, locale)
    assert seen >= 10


def test_the_seasons_headlines_vary_with_the_news(season: Path, bulletin) -> None:
    for name in ("bulletin.md", "bulletin.zh.md"):
        headlines = [article(bulletin, season, week, name).splitlines()[0] for week in WEEKS]
        assert len(set(headlines)) == len(WEEKS), [h for h, n in Counter(headlines).items() if n > 1]


def test_w32_a_free_model_with_no_paid_tier_that_ends_is_told_that_week(season: Path, bulletin) -> None:
    # Ling 3.0 Flash (free), No. 11 with 1.39 trillion in W31, listed up to August 6 and never after.
    text = article(bulletin, season, "2026-W32")
    assert "Ling 3.0 Flash (free), a free model with no paid tier, was listed for the last time on August 6" \
        in text, text
    assert "Ling 3.0 Flash（免费版）没有付费版，最后一次出现在榜单上是8月6日" in article(
        bulletin, season, "2026-W32", "bulletin.zh.md")


def test_what_an_editor_struck_in_the_season_stays_struck(season: Path, bulletin) -> None:
    texts = {week: article(bulletin, season, week)
             for week in ("2026-W20", "2026-W23", "2026-W26", "2026-W27", "2026-W28", "2026-W30")}
    # W20: Owl Alpha is new in the top 10; its climb from No. 17 is the same story, told once.
    assert texts["2026-W20"].count("Owl Alpha") == 3  # the story, the table and the data note
    assert "climbed from No. 17 to No. 8" not in texts["2026-W20"]
    # W23: MiniMax M3 debuts at No. 3, the week's biggest story, ahead of the sixth week of a lead.
    assert texts["2026-W23"].startswith("# MiniMax M3 enters OpenRouter's top 10 at No. 3\n")
    # W26: the platform total grew 0.14%, and in W27 fell by less than 0.05%: flat weeks,
    # neither a seventh week of growth nor its end (STYLEBOOK 2), never "fell 0.0%".
    assert "seventh week running" not in texts["2026-W26"]
    assert "fell slightly" not in texts["2026-W27"] and "0.0%" not in texts["2026-W27"]
    # W28: the total already names OpenRouter.
    assert "passed 50 trillion tokens in a week, with 52.62 trillion" in texts["2026-W28"]
    # W30: Xiaomi's lead among the developers is MiMo V2.5's own, said in its paragraph.
    assert ("MiMo V2.5 is Xiaomi's only model among the week's top nine, and its volume alone puts Xiaomi "
            "first among the developers too.") in texts["2026-W30"]
    assert "Xiaomi's models took first place" not in texts["2026-W30"]


def test_w30_no_developers_change_against_a_model_listed_some_days(season: Path, bulletin) -> None:
    # Tencent Hy3's free tier was listed on only some days of W30: Tencent's total
    # "fell 50.5%" by the listing, not by use. No change is computed for it.
    events = week_events(bulletin, season, "2026-W30")
    assert not [e for e in events if e["kind"] == "volume_change" and e["facts"]["subject"] == "tencent"]
    text = article(bulletin, season, "2026-W30")
    assert "Tencent's models fell" not in text and "Tencent's models rose" not in text
    # A developer whose models were all listed every day still has its change told (W29).
    w29 = week_events(bulletin, season, "2026-W29")
    assert [e for e in w29 if e["kind"] == "volume_change" and e["facts"]["subject_type"] == "author"]
