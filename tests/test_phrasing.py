"""Every phrasing of every event kind, in every language, rendered with real numbers.

The events come from the demo data's weeks (real published figures) and, for
the kinds those five weeks never produce, from the recorded weekly
leaderboards (../shared/data, 2025-W46 to 2026-W11) with more rules switched
on. Each is also rendered with its yes/no facts flipped, so that every branch
of every template is taken with numbers the rules really produced;
``BRANCHES`` says which values each kind's real events must show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.model import Event, Story
from bulletin.model.editions import Edition, EditionGenerator, Per, Subject, SubjectKind
from bulletin.model.facts import Facts, ModelFacts, register
from bulletin.render.article import claims, default_templates_dir, environment, phrasing, prefix
from bulletin.store.database import Store
from bulletin.story.editions import edition_story, editions_of_week
from bulletin.story.rules import model_facts
from bulletin.weeks import IsoWeek
from support import SHARED_DATA, override_template

WEEKS = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")
# Kinds the demo data produces; kinds added later without demo events are reported as skipped.
DEMO_KINDS = {"streak", "lead_change", "sweep", "growth", "new_entrant", "forecast"}
FLAGS = ("returning", "stealth", "retaken", "open_ended", "ended_open_ended", "overtook", "told_before")
# Facts that may be missing (None) for a real event: each kind is rendered without them too.
OPTIONAL = {"growth_streak": ("change",), "subject_lead_change": ("leader_change",)}
RECORDED = SHARED_DATA / "openrouter-weekly-top10"
# The built-in rules and more: every subject a rule follows, record lows and spans,
# author sweeps, growth runs. rank_change weighs double so that a new No. 1
# model outranks (and is not collapsed into) the model lead change it repeats.
RECORDED_RULES = """rules:
  - {kind: streak}
  - {kind: lead_change}
  - {kind: sweep}
  - {kind: growth}
  - {kind: new_entrant}
  - {kind: variant_change}
  - {kind: withdrawal}
  - {kind: successor}
  - {kind: forecast}
  - {kind: record, subject: total}
  - {kind: record, subject: country}
  - {kind: record, subject: author}
  - {kind: record, subject: model}
  - {kind: record, subject: total, low: true, min_history: 2}
  - {kind: record, subject: country, span: 4, min_history: 3}
  - {kind: milestone, subject: total, levels: [6.0e+12, 7.0e+12, 8.0e+12, 9.0e+12]}
  - {kind: milestone, subject: country}
  - {kind: milestone, subject: author}
  - {kind: milestone, subject: model}
  - {kind: share, levels: [0.4, 0.5, 0.6]}
  - {kind: rank_change, weight: 2}
  - {kind: lead_change, subject: model}
  - {kind: lead_change, subject: author}
  - {kind: streak, subject: author}
  - {kind: streak, subject: model}
  - {kind: streak, measure: growth, subject: total, min_weeks: 2}
  - {kind: streak, measure: growth, subject: country, min_weeks: 2}
  - {kind: streak, measure: growth, subject: author, min_weeks: 2}
  - {kind: growth, subject: total}
  - {kind: growth, subject: total, span: 4, threshold: 0.2}
  - {kind: growth, subject: author, threshold: 0.5}
  - {kind: sweep, by: author, places: 2}
"""
# What the real events of each kind must show between them, so that every branch of
# its wording is taken by a real event (flags are flipped on top of that, see variants()).
BRANCHES: dict[str, dict[str, set[object]]] = {
    "claim_check": {},
    "milestone": {"subject_type": {"country", "author", "model", "total"}},
    "volume_change": {"subject_type": {"author", "total"}, "weeks": {1, 4},
                      "change > 0": {True, False}},
    "subject_lead_change": {"subject_type": {"author", "model"}, "retaken": {True, False},
                            "ended_weeks > 1": {True, False}, "ended_open_ended": {True, False},
                            "leader_change is None": {True, False}},
    "subject_streak": {"subject_type": {"author", "model"}, "weeks > 1": {True, False},
                       "open_ended": {True, False}},
    "growth_streak": {"subject_type": {"country", "author", "total"}, "ended": {True, False},
                      "open_ended": {True, False}, "ended_open_ended": {True, False}},
    "rank_change": {"move": {"new_leader", "climb", "fall"}},
    "record": {"subject_type": {"country", "author", "model", "total"}, "all_time": {True, False},
               "low": {True, False}},
    "share": {"direction": {"above", "below"}},
    "author_sweep": {"weeks > 1": {True, False}},
    "sweep_end": {"ended_weeks > 1": {True}},
    "author_sweep_end": {"ended_weeks > 1": {True}},
    "variant_change": {"what": {"free_ended", "snapshot"}},
    "stealth_withdrawn": {"days > 0": {True}},
    "dropped_out": {"listed > 0": {True}},
    "successor": {"days > 0": {True}},
    "edition_week": {"subject_type": {"author", "country"}, "record": {True, False}, "quiet": {True, False},
                     "rank is None": {True, False}, "told_before": {True, False}},
    "field": {"subject_type": {"author", "country"}, "top_told": {True, False}},
}
LEFTOVERS = re.compile(r"\{\{|\{%|None|Undefined|\bnan\b|  ")


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> list[Story]:
    import shutil

    from support import ROOT

    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "demo", folder / "demo")
    config = load_config(folder / "config.yaml")
    pipeline.collect(config)
    with Store.open(config.database) as store:
        # Every detected event, not only those an article chose; and the week's editions' events.
        history = pipeline.stats_history(config, store)
        told = [pipeline.build_story(config, store, IsoWeek.parse(week), history=history) for week in WEEKS]
        return [replace(story, events=story.detected) for story in told] + editions_of(told, history)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[Story]:
    """Every complete recorded week (none where ../shared/data is absent), all events kept."""
    import shutil

    from support import ROOT, write_config
    from support.recorded import daily_csv, leaderboard_csv

    if not RECORDED.is_dir():
        return []
    found = []
    # The weekly leaderboards, then the daily season (variants, partial weeks, the long tail).
    for name, source in (("weekly", "  - {name: board, type: csv, path: leaderboard.csv}"),
                         ("daily", "  - {name: days, type: csv, path: days.csv}")):
        folder = tmp_path_factory.mktemp(name)
        leaderboard_csv(folder, sorted(path.name for path in RECORDED.glob("*.json")))
        daily_csv(folder)
        shutil.copy(ROOT / "demo" / "figures.yaml", folder / "figures.yaml")  # the claim to check
        config = load_config(write_config(folder, (
            f"{source}\n  - {{name: editor-figures, type: figures, path: figures.yaml}}"),
            RECORDED_RULES))
        pipeline.collect(config)
        with Store.open(config.database) as store:
            weeks = [week for week, stats in pipeline.stats_history(config, store).items()
                     if stats.complete]
            history = pipeline.stats_history(config, store)
            told = [pipeline.build_story(config, store, week, history=history) for week in sorted(weeks)]
            found += [replace(story, events=story.detected) for story in told] + editions_of(told, history)
    return found


# Editions of each week: one per developer among its top eight models, China's, and France's
# (no model of France's is listed: its edition says so).
EDITIONS = (EditionGenerator(Per.DEVELOPER, 8), Edition("china", "China", Subject(SubjectKind.COUNTRY, "CN")),
            Edition("france", "France", Subject(SubjectKind.COUNTRY, "FR")))


def editions_of(stories: list[Story], history) -> list[Story]:
    return [edition_story(story, edition, history, 5) for story in stories
            for edition in editions_of_week(EDITIONS, story.stats)]


@dataclass(frozen=True, kw_only=True)
class TallyFacts(Facts):
    """The facts of a kind of event a rule of one's own makes."""

    tokens: int


def variants(event: Event, story: Story) -> list[Event]:
    found = [event]
    for flag in FLAGS:
        if hasattr(event.facts, flag):
            found.append(replace(event, facts=replace(event.facts, **{flag: not getattr(event.facts, flag)})))
    if event.kind == "new_entrant":  # a model whose author has no country configured
        found.append(replace(event, facts=replace(event.facts, country=None, stealth=False)))
    for fact in OPTIONAL.get(event.kind, ()):
        found.append(replace(event, facts=replace(event.facts, **{fact: None})))
    if event.kind == "author_sweep":
        # No recorded week has one author in the top three; the week's next model
        # stands in, so that a list of three (“A、B和C”) is written too.
        places = int(event.facts.places) + 1
        extra = ModelFacts(**model_facts(story.stats.top(places)[-1]))
        found.append(replace(event, facts=replace(event.facts, places=places,
                                                  models=(*event.facts.models, extra))))
    return found


def branch(facts: dict, name: str) -> object:
    """A fact, or a simple test of one ("weeks > 1", "change is None"), as BRANCHES names it."""
    fact, _, test = name.partition(" ")
    value = facts.get(fact)
    if test == "is None":
        return value is None
    if test == "> 0":
        return value > 0
    if test == "> 1":
        return value > 1
    return value


def kinds(locale: str) -> list[str]:
    folder = default_templates_dir() / prefix(locale) / "events"
    return sorted(path.name.removesuffix(".md.j2") for path in folder.glob("*.md.j2"))


CASES = [(locale, kind) for locale in ("en", "zh") for kind in kinds(locale)]


@pytest.mark.parametrize(("locale", "kind"), CASES, ids=[f"{loc}-{k}" for loc, k in CASES])
def test_every_phrasing_renders_with_real_numbers(stories: list[Story], recorded: list[Story],
                                                  locale: str, kind: str) -> None:
    env = environment(None, locale)
    name = f"{prefix(locale)}events/{kind}.md.j2"
    module = env.get_template(name).module
    cases = [(story, variant) for story in stories + recorded for event in story.events
             if event.kind == kind for variant in variants(event, story)]
    if not cases:
        assert kind not in DEMO_KINDS, f"the demo data has no {kind} event"
        assert not recorded, f"the recorded weeks have no {kind} event"
        pytest.skip(f"the demo data has no {kind} event, and the recorded data that has one "
                    f"is not found at {RECORDED}")
    for macro in phrasing.names(module, "paragraph") + phrasing.names(module, "headline"):
        written = set()
        for story, event in cases:
            args = (event, story) if macro.startswith("paragraph") else (event,)
            text = str(getattr(module, macro)(*args)).strip()
            assert text and not LEFTOVERS.search(text), f"{macro}: {text!r}"
            if locale == "zh":
                assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} ", text.replace(getattr(
                    event.facts, "name", "") or "", "")), f"English words in Chinese text: {text!r}"
            # Every number the phrasing writes is one the store gives.
            try:
                claims.check(story, {macro: (locale, text)}, "")
            except claims.ClaimError as exc:
                pytest.fail(f"{exc} in {text!r}")
            written.add(text)
        assert written


def test_the_demo_weeks_produce_every_built_in_kind(stories: list[Story]) -> None:
    assert {event.kind for story in stories for event in story.events} >= DEMO_KINDS


@pytest.mark.parametrize("kind", sorted(BRANCHES))
def test_the_recorded_weeks_take_every_branch_of_the_newer_kinds(recorded: list[Story], kind: str) -> None:
    if not recorded:
        pytest.skip(f"recorded data not found at {RECORDED}")
    events = [event for story in recorded for event in story.events if event.kind == kind]
    assert events, f"the recorded weeks have no {kind} event"
    for name, wanted in BRANCHES[kind].items():
        seen = {branch(event.facts.as_data(), name) for event in events
                if hasattr(event.facts, name.partition(" ")[0])}
        assert seen >= wanted, f"{kind}: {name} takes {seen}, not every one of {wanted}"


def test_every_kind_has_wording_in_every_language() -> None:
    assert kinds("zh") == kinds("en")
    assert set(BRANCHES) | DEMO_KINDS == set(kinds("en"))


def test_two_events_of_one_kind_are_told_in_one_phrasing() -> None:
    # STYLEBOOK 8: two debuts in one article are not told in two styles.
    picks = phrasing.choose("2026-W11", ["new_entrant", "new_entrant", "sweep"],
                            {"new_entrant": 2, "sweep": 2})
    assert picks[0] == picks[1]
    # A kind with one phrasing (new kinds arrive that way) keeps using it.
    assert phrasing.choose("2026-W11", ["record", "record"], {"record": 1}) == [0, 0]


def test_the_choice_depends_only_on_the_week() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(1, 53)]
    first = [phrasing.choose(week, ["streak"], {"streak": 2})[0] for week in weeks]
    assert first == [phrasing.choose(week, ["streak"], {"streak": 2})[0] for week in weeks]
    assert set(first) == {0, 1}  # both phrasings appear over a year


def test_a_template_with_one_phrasing_still_works(project: Path, bulletin) -> None:
    override_template(project, "events/sweep.md.j2",
        "{% macro headline(e) %}Sweep{% endmacro %}"
        "{% macro paragraph(e, story) %}A sweep of {{ e.facts.places }} places.{% endmacro %}")
    assert bulletin("run").code == 0
    article = (project / "output" / "bulletins" / "2026-W11" / "bulletin.md").read_text(encoding="utf-8")
    assert "A sweep of 3 places." in article


def test_a_new_kind_with_one_english_phrasing_is_written_in_english_only(
        stories: list[Story], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bulletin.render.article import Settings, render_story

    templates = tmp_path / "templates" / "events"
    templates.mkdir(parents=True)
    (templates / "tally.md.j2").write_text(
        "{% macro headline(e) %}A record {{ e.facts.tokens | tokens }} tokens{% endmacro %}\n"
        "{% macro paragraph(e, story) %}A record: {{ e.facts.tokens | tokens }} tokens.{% endmacro %}\n",
        encoding="utf-8")
    story = stories[len(WEEKS) - 1]  # W11: the main story (its editions follow)
    lead = story.events[0]
    register("tally", TallyFacts)
    record = Event("tally", ("CN",), TallyFacts(tokens=lead.facts.leader_tokens), 99.0, lead.evidence)
    story = replace(story, events=(record, record, *story.events))
    artifacts = {a.filename: a.content for a in render_story(
        story, Settings("T", tmp_path / "templates", ("en", "zh"), chart=False))}
    english, chinese = str(artifacts["bulletin.md"]), str(artifacts["bulletin.zh.md"])
    assert english.startswith("# A record 4.69 trillion tokens\n")
    assert english.count("A record: 4.69 trillion tokens.") == 2  # one phrasing, used twice
    assert "record" not in chinese.lower() and "tally" not in chinese
    assert ("no zh wording for tally events (templates/zh/events/tally.md.j2); "
            "left out of that language's article") in caplog.text
    claims.check(story, {"bulletin.md": ("en", english), "bulletin.zh.md": ("zh", chinese)}, "T")
