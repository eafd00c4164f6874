"""STYLEBOOK.md's principles, each a property of both recorded seasons in both languages.

The daily season (2026-W19 to W33, the Data API's days) and the weekly copies
(2025-W46 to 2026-W11, a top-ten leaderboard) are composed and rendered as a
weekly run would; each test is one principle, and fails when a rule or a
template breaks it in any week.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.model import Story, Total
from bulletin.model.facts import (
    DroppedOutFacts,
    DuelFacts,
    EventKind,
    LeadChangeFacts,
    MilestoneFacts,
    NewEntrantFacts,
    RankChangeFacts,
    RecordFacts,
    SubjectType,
    SweepFacts,
    VolumeChangeFacts,
)
from bulletin.render import numbers_zh
from bulletin.render.article import Settings, render_story
from bulletin.store.database import Store
from bulletin.story import compose, sense
from bulletin.story.families import family_name, family_of
from bulletin.weeks import IsoWeek
from support import ROOT, SHARED_DATA, write_config
from support.recorded import leaderboard_csv

WEEKLY = SHARED_DATA / "openrouter-weekly-top10"


@dataclass(frozen=True)
class Week:
    story: Story
    en: str
    zh: str


def _weeks(config_path: Path) -> list[Week]:
    config = load_config(config_path)
    found = []
    with Store.open(config.database) as store:
        history = pipeline.stats_history(config, store)
        for week in sorted(w for w, stats in history.items() if stats.complete):
            story = pipeline.build_story(config, store, week, history=history)
            files = {a.filename: a.content for a in render_story(
                story, Settings(config.title, None, ("en", "zh"), chart=False))}
            found.append(Week(story, str(files["bulletin.md"]), str(files["bulletin.zh.md"])))
    return found


@pytest.fixture(scope="module")
def seasons(season: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Week]:
    """Both recorded seasons, every complete week, composed and written in en and zh."""
    folder = tmp_path_factory.mktemp("weekly-copies")
    leaderboard_csv(folder, sorted(path.name for path in WEEKLY.glob("*.json")))
    shutil.copy(ROOT / "demo" / "figures.yaml", folder / "figures.yaml")
    weekly = write_config(folder, "  - {name: board, type: csv, path: leaderboard.csv, "
                                  "url: 'https://openrouter.ai/rankings'}\n"
                                  "  - {name: editor-figures, type: figures, path: figures.yaml}",
                          "locales: [en, zh]\n")
    pipeline.collect(load_config(weekly))
    weeks = _weeks(season) + _weeks(weekly)
    assert len(weeks) == 33
    return weeks


def test_1_the_headline_leads_with_a_change_when_the_week_has_one(seasons: list[Week]) -> None:
    # A lead that merely continues leads only a week when nothing else moved.
    changes = {EventKind.LEAD_CHANGE, EventKind.SUBJECT_LEAD_CHANGE, EventKind.SWEEP_END,
               EventKind.VARIANT_CHANGE, EventKind.STEALTH_WITHDRAWN}
    wrong = [str(w.story.week) for w in seasons if w.story.events and any(
        e.kind in changes for e in w.story.events) and w.story.events[0].kind in (
        EventKind.STREAK, EventKind.SUBJECT_STREAK)]
    assert wrong == []


def test_2_no_change_below_the_materiality_threshold_is_told(seasons: list[Week]) -> None:
    # The sense check declares each kind's conditions; here, over every told event.
    assert [p for w in seasons for p in sense.problems(w.story)] == []
    for w in seasons:
        assert not re.search(r"[−-]0\.0%|\+0\.0%|fell 0\.0%|rose 0\.0%", w.en), w.story.week


def test_3_a_section_title_counts_what_is_under_it(seasons: list[Week]) -> None:
    for w in seasons:
        rows = len(w.story.stats.top(10))
        # Rows, not models: W19 lists Hy3 Preview and its free tier, two rows of one model.
        assert f"## Top {rows} on the leaderboard\n" in w.en, w.story.week
        table = w.en.split(f"## Top {rows} on the leaderboard\n")[1].split("\n\n")[0].strip()
        assert len(table.splitlines()) == rows + 2, w.story.week  # header, rule, rows


def test_3_no_change_of_all_listed_models_across_lists_of_another_length(seasons: list[Week]) -> None:
    for w in seasons:
        if "listed models together" in w.en:
            assert w.story.stats.daily or w.story.stats.week.previous() in {
                x.story.week for x in seasons if len(x.story.stats.models) == len(w.story.stats.models)}


def test_4_one_model_one_name(seasons: list[Week]) -> None:
    for w in seasons:
        names = [row.name for row in w.story.stats.top(10)]
        assert len(names) == len(set(names)), w.story.week
        for event in w.story.events:
            if isinstance(event.facts, SweepFacts):
                families = [family_of(m.model) for m in event.facts.models]
                assert len(families) == len(set(families)), w.story.week


def test_5_records_are_hedged_to_the_first_week_held(seasons: list[Week]) -> None:
    for w in seasons:
        for text in (w.en, w.zh):
            assert not re.search(r"all-time|\bever\b|records began in|历史最高|有史以来", text)
        for began in re.findall(r"since these records began on (\w+ \d+)", w.en):
            assert began in ("May 4", "November 10"), (w.story.week, began)


def test_6_sources_are_credited_by_their_publisher_and_quotes_by_their_report(
        seasons: list[Week]) -> None:
    for w in seasons:
        assert "Source: OpenRouter (openrouter.ai/rankings)" in w.en, w.story.week
        assert not re.search(r"Source: (board|days|openrouter)\b", w.en)
        assert "JPMorgan's text" not in w.en


def test_7_the_chinese_desk(seasons: list[Week]) -> None:
    for w in seasons:
        assert "你" not in w.zh and "；它来自" not in w.zh, w.story.week
        assert not re.search(r"\b(Tencent|Google|Xiaomi|Baidu)\b", w.zh), w.story.week
        # A row's tier in brackets: 腾讯Hy3（免费版）.
        rows = [line for line in w.zh.splitlines() if line.startswith("| ")]
        assert not [row for row in rows if re.search(r"[^（]免费版", row)], w.story.week


def test_8_articles_agree_with_what_follows(seasons: list[Week]) -> None:
    for w in seasons:
        assert not re.search(r"\ba (eight|eleven|eighteen|8|11\b|18\b|80)", w.en), w.story.week
        assert not re.search(r"\ban (one|[1-79]\d*\b)", w.en), w.story.week


def test_2_a_country_outside_the_counted_list_is_not_charted_as_zero(
        seasons: list[Week], tmp_path: Path) -> None:
    # The weekly copies' December weeks have no Chinese model in the top nine: the
    # chart's text says so rather than "0", which would read as no use at all.
    weeks = [w for w in seasons if any(tokens == 0 for points in w.story.trend.values()
                                       for _, tokens, _ in points)]
    assert weeks
    for w in weeks[:2]:
        files = {a.filename: str(a.content) for a in render_story(
            w.story, Settings("Bulletin", locales=("en", "zh"), folder=tmp_path))}
        alt_en = next(line for line in files["bulletin.md"].splitlines() if line.startswith("![Chart"))
        alt_zh = next(line for line in files["bulletin.zh.md"].splitlines() if line.startswith("![图表"))
        assert "none in the top nine in the week to" in alt_en
        assert not re.search(r"\b0 (in the week )?to ", alt_en)
        assert "无模型进入前九名" in alt_zh and "止一周0Token" not in alt_zh


def test_1_a_successors_predecessor_is_told_with_this_weeks_change_or_as_gone(seasons: list[Week]) -> None:
    # A maker's old model out of this week's list has no change this week: the one it had is last week's.
    told = 0
    for w in seasons:
        for event in w.story.events:
            facts = event.facts
            if not isinstance(facts, NewEntrantFacts) or not facts.succeeds:
                continue
            rows = [row for row in w.story.stats.models if family_of(row.name) == family_of(facts.succeeds)]
            assert facts.succeeded_left == (not rows), w.story.week
            if facts.succeeded_change is not None:
                told += 1
                assert any(row.change == facts.succeeded_change for row in rows), w.story.week
    assert told


def test_1_a_debut_or_a_new_no_1_model_outranks_what_continues(seasons: list[Week]) -> None:
    wrong = []
    for w in seasons:
        events, lead = w.story.events, w.story.events[0] if w.story.events else None
        if lead is None:
            continue
        debut = any(isinstance(e.facts, NewEntrantFacts) and not e.facts.returning for e in events)
        if compose.continues(lead) and debut:
            wrong.append(f"{w.story.week}: {lead.kind} leads over a debut")
        new_no_1 = any(isinstance(e.facts, LeadChangeFacts) and e.facts.subject_type == SubjectType.MODEL
                       and not e.facts.retaken for e in events)
        developers = isinstance(lead.facts, LeadChangeFacts) and lead.facts.subject_type == SubjectType.AUTHOR
        if developers and new_no_1:
            wrong.append(f"{w.story.week}: a developer's lead leads over a new No. 1 model")
    assert wrong == []


def test_2_a_first_or_a_high_is_one_all_listed_models_share(seasons: list[Week]) -> None:
    # A top-nine total past a level or at a high that all the subject's listed models had
    # reached before is the list's doing: a model entered the nine.
    wrong = []
    for i, w in enumerate(seasons):
        season = [x for x in seasons[:i] if (x.story.week >= WEEK_19) == (w.story.week >= WEEK_19)]
        for event in w.story.events:
            facts = event.facts
            if isinstance(facts, MilestoneFacts):
                level = facts.level
            elif isinstance(facts, RecordFacts) and not facts.low:
                now = _listed(w.story, facts.subject_type, facts.subject)
                level = now.all_tokens if now else 0
            else:
                continue
            for earlier in season:
                total = _listed(earlier.story, facts.subject_type, facts.subject)
                if level and total is not None and total.all_tokens >= level:
                    wrong.append(f"{w.story.week}: {event.kind} {facts.subject} ({earlier.story.week})")
                    break
    assert wrong == []


WEEK_19 = IsoWeek(2026, 19)


def _listed(story: Story, subject_type: str, subject: str) -> Total | None:
    if subject_type not in (SubjectType.COUNTRY, SubjectType.AUTHOR):
        return None
    totals = story.stats.countries if subject_type == SubjectType.COUNTRY else story.stats.authors
    return next((t for t in totals if t.key == subject), None)


def test_3_a_developers_change_made_by_the_list_says_so(seasons: list[Week]) -> None:
    # "Google's models ... down 3.7%" where the Google models counted in both weeks rose 9.3%.
    wrong = []
    for w in seasons:
        for event in w.story.events:
            f = event.facts
            if isinstance(f, LeadChangeFacts) and f.subject_type == SubjectType.AUTHOR and f.leader_churn \
                    and f.leader_change is not None and f.leader_same_change is not None:
                if "those counted in both weeks" not in w.en or "按两周都计入的模型计算" not in w.zh:
                    wrong.append(str(w.story.week))
    assert wrong == []


def test_1_a_top_models_move_by_half_leads_over_what_merely_goes_on(seasons: list[Week]) -> None:
    # Daily W24 led on "Chinese AI models stay ahead" while MiniMax M3 rose 73.0% to No. 2.
    wrong = []
    for w in seasons:
        first = w.story.events[0] if w.story.events else None
        if first is not None and compose.continues(first) and not compose.big_move(first) \
                and any(compose.big_move(e) for e in w.story.events):
            wrong.append(str(w.story.week))
    assert wrong == []


def test_1_a_former_no_1_leaving_leads_over_a_developers_new_lead(seasons: list[Week]) -> None:
    # Weekly W50 led on "Google's models take first place among developers" while Grok 4.1 Fast
    # (free), No. 1 two weeks before, left the list: the cause of xAI's −52.1%.
    wrong = []
    for w in seasons:
        first = w.story.events[0] if w.story.events else None
        if first is not None and compose._developers_lead(first) and any(
                isinstance(e.facts, DroppedOutFacts) and e.facts.last_led for e in w.story.events):
            wrong.append(str(w.story.week))
    assert wrong == []


def test_3_where_a_models_rows_reach_past_the_nines_row_the_basis_says_so(seasons: list[Week]) -> None:
    # Daily W32: "4" US models in the top nine over a table whose first nine rows hold three;
    # Poolside Laguna S 2.1 (free), counted, is row 10 (Grok 4.1 Fast's two rows above it).
    wrong = []
    for w in seasons:
        stats = w.story.stats
        basis = "count the week's top nine" in w.en or "counts its models among the week's top nine" in w.en
        if stats.counted_to > 9 and basis and (
                "some of them below row nine" not in w.en or "行之后" not in w.zh):
            wrong.append(str(w.story.week))
    assert wrong == []


def test_3_a_change_the_list_made_names_the_models_that_entered_it(seasons: list[Week]) -> None:
    # Daily W32: "The United States' change comes mostly from which models made the top nine"
    # named none of them (Gemini 3.6 Flash and Poolside Laguna S 2.1, new among its nine).
    wrong = []
    for w in seasons:
        for e in w.story.events:
            f = e.facts
            if not (isinstance(f, DuelFacts) and f.subject_type == SubjectType.COUNTRY):
                continue
            for side in ("leader", "trailer"):
                total = w.story.stats.country(getattr(f, side))
                names = {family_name(row.name) for row in w.story.stats.models
                         if total is not None and row.model in total.entered}
                # In the countries' paragraph, or in another that tells the model (weekly W07).
                en, zh = w.en.split("\n## ")[0], w.zh.split("\n## ")[0]
                if getattr(f, f"{side}_churn") and 0 < len(names) <= 3 and not all(
                        name in en and numbers_zh.model_name(name) in zh for name in names):
                    wrong.append(f"{w.story.week} {side}")
    assert wrong == []


def test_3_a_high_the_list_made_never_leads(seasons: list[Week]) -> None:
    # Daily W32 led on the United States' record, 2.5-fold, "mostly from which models made the
    # top nine" (its same models +56.5%), over DeepSeek V4 Flash's new snapshot at No. 1.
    wrong = [str(w.story.week) for w in seasons if w.story.events
             and isinstance(f := w.story.events[0].facts, RecordFacts) and f.membership]
    assert wrong == []


def test_4_a_free_tier_of_a_model_listed_before_is_not_new(seasons: list[Week]) -> None:
    # 2025-W48: Grok 4.1 Fast's free tier led; Grok 4.1 Fast itself was No. 3 the week before.
    wrong = []
    for i, w in enumerate(seasons):
        season = [x for x in seasons[:i] if (x.story.week >= WEEK_19) == (w.story.week >= WEEK_19)]
        for event in w.story.events:
            f = event.facts
            if not (isinstance(f, LeadChangeFacts) and f.subject_type == SubjectType.MODEL and f.leader_new):
                continue
            family = family_of(f.leader) or f.leader
            rows = [row for x in season for row in x.story.stats.models]
            if any((family_of(row.model) or row.model) == family for row in rows):
                wrong.append(str(w.story.week))
    assert wrong == []


def test_1_a_debut_in_the_table_is_told_before_what_continues(seasons: list[Week]) -> None:
    # W28's Nemotron 3 Ultra at No. 8 was left out for "DeepSeek's models led for a ninth week".
    # A sweep that tells a top model's move by half or more is that move's news, not a run
    # going on (W32: Tencent Hy3 up 66.9% to No. 2, over Gemini 3.6 Flash entering at No. 9).
    wrong = []
    for w in seasons:
        debuts = [e for e in w.story.detected if isinstance(e.facts, NewEntrantFacts)
                  and not e.facts.returning and e.facts.rank > 1 and not e.facts.background]
        told = any(isinstance(e.facts, NewEntrantFacts) and not e.facts.returning for e in w.story.events)
        instead = [e for e in w.story.events[1:] if compose.continues(e) and e.kind not in compose.LEAD_KINDS
                   and not compose.big_move(e)]
        if debuts and not told and instead:
            wrong.append(str(w.story.week))
    assert wrong == []


def test_8_a_model_a_new_one_follows_is_not_told_leaving_in_a_paragraph_of_its_own(
        seasons: list[Week]) -> None:
    # Weekly W07: "MiniMax M2.5, new on OpenRouter this week, following MiniMax M2.1, took first
    # place", then paragraphs later "MiniMax M2.1 ... is no longer among the top 10".
    wrong = []
    for w in seasons:
        followed = {f.succeeds for e in w.story.events
                    if isinstance(f := e.facts, (LeadChangeFacts, NewEntrantFacts)) and f.succeeds}
        if any(isinstance(e.facts, DroppedOutFacts) and family_name(e.facts.name) in followed
               for e in w.story.events):
            wrong.append(str(w.story.week))
    assert wrong == []


def test_8_the_old_no_1s_fall_is_told_once(seasons: list[Week]) -> None:
    # Weekly W04: "Claude Opus 4.5 fell 41.6% in the week." then, paragraphs later, "Claude Opus
    # 4.5 fell from No. 1 to No. 7 with 364 billion tokens."
    wrong = []
    for w in seasons:
        fallen = {e.facts.previous_leader for e in w.story.events if isinstance(e.facts, LeadChangeFacts)
                  and e.facts.subject_type == SubjectType.MODEL and e.facts.previous_change is not None
                  and e.facts.previous_change < 0}
        if any(isinstance(e.facts, RankChangeFacts) and e.facts.move == "fall" and e.facts.model in fallen
               for e in w.story.events):
            wrong.append(str(w.story.week))
    assert wrong == []


def test_8_a_developers_new_lead_and_its_change_are_one_paragraph(seasons: list[Week]) -> None:
    # 2026-W09: "Anthropic's models took back first place ... up 52.8%", then again
    # "Week on week, the token volume of Anthropic's models rose 52.8%".
    wrong = []
    for w in seasons:
        led = {e.facts.leader for e in w.story.events if isinstance(e.facts, LeadChangeFacts)
               and e.facts.subject_type == SubjectType.AUTHOR}
        wrong += [str(w.story.week) for e in w.story.events if isinstance(e.facts, VolumeChangeFacts)
                  and e.facts.subject_type == SubjectType.AUTHOR and e.facts.weeks == 1
                  and e.facts.subject in led]
    assert wrong == []
