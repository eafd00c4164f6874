"""Every phrasing of every event kind, in every language, rendered with real numbers.

The events come from the demo data's weeks (real published figures); each
is also rendered with its yes/no facts flipped, so that every branch of every
template is taken with numbers the rules really produced.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bulletin import claims, phrasing, pipeline
from bulletin.config import load_config
from bulletin.model import Event, Story
from bulletin.render import _call, default_templates_dir, environment, prefix
from bulletin.store import Store
from bulletin.weeks import IsoWeek

WEEKS = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")
# Kinds the demo data produces; kinds added later without demo events are reported as skipped.
DEMO_KINDS = {"streak", "lead_change", "sweep", "growth", "new_entrant", "forecast"}
FLAGS = ("returning", "stealth", "retaken", "open_ended", "ended_open_ended")
LEFTOVERS = re.compile(r"\{\{|\{%|None|Undefined|\bnan\b|  ")


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> list[Story]:
    import shutil

    from conftest import ROOT

    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "demo", folder / "demo")
    config = load_config(folder / "config.yaml")
    pipeline.collect(config)
    with Store.open(config.database) as store:
        # Every detected event, not only those an article chose.
        return [replace(story, events=story.detected) for story in
                (pipeline.build_story(config, store, IsoWeek.parse(week)) for week in WEEKS)]


def variants(event: Event) -> list[Event]:
    found = [event]
    for flag in FLAGS:
        if flag in event.facts:
            found.append(replace(event, facts={**event.facts, flag: not event.facts[flag]}))
    if event.kind == "new_entrant":  # a model whose author has no country configured
        found.append(replace(event, facts={**event.facts, "country": None, "stealth": False}))
    return found


def kinds(locale: str) -> list[str]:
    folder = default_templates_dir() / prefix(locale) / "events"
    return sorted(path.name.removesuffix(".md.j2") for path in folder.glob("*.md.j2"))


CASES = [(locale, kind) for locale in ("en", "zh") for kind in kinds(locale)]


@pytest.mark.parametrize(("locale", "kind"), CASES, ids=[f"{loc}-{k}" for loc, k in CASES])
def test_every_phrasing_renders_with_real_numbers(stories: list[Story], locale: str, kind: str) -> None:
    env = environment(None, locale)
    name = f"{prefix(locale)}events/{kind}.md.j2"
    module = env.get_template(name).module
    cases = [(story, variant) for story in stories for event in story.events if event.kind == kind
             for variant in variants(event)]
    if not cases:
        assert kind not in DEMO_KINDS, f"the demo data has no {kind} event"
        pytest.skip(f"the demo data has no {kind} event to render its phrasings with")
    for macro in phrasing.names(module, "paragraph") + phrasing.names(module, "headline"):
        written = set()
        for story, event in cases:
            args = (event, story) if macro.startswith("paragraph") else (event,)
            text = _call(env, name, macro, *args)
            assert text and not LEFTOVERS.search(text), f"{macro}: {text!r}"
            if locale == "zh":
                assert not re.search(r"[A-Za-z]{4,} [a-z]{3,} ", text.replace(event.facts.get(
                    "name", "") or "", "")), f"English words in Chinese text: {text!r}"
            # Every number the phrasing writes is one the store gives.
            table = claims._table(story, locale)
            stray = [n for n in claims.numbers_in(text, locale, claims._names(story, "")) if n not in table]
            assert not stray, f"{macro} wrote {stray} in {text!r}"
            written.add(text)
        assert written


def test_the_demo_weeks_produce_every_built_in_kind(stories: list[Story]) -> None:
    assert {event.kind for story in stories for event in story.events} >= DEMO_KINDS


def test_a_phrasing_is_not_used_twice_in_one_article() -> None:
    picks = phrasing.choose("2026-W11", ["new_entrant", "new_entrant", "sweep"],
                            {"new_entrant": 2, "sweep": 2})
    assert picks[0] != picks[1]
    # A kind with one phrasing (new kinds arrive that way) keeps using it.
    assert phrasing.choose("2026-W11", ["record", "record"], {"record": 1}) == [0, 0]


def test_the_choice_depends_only_on_the_week() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(1, 53)]
    first = [phrasing.choose(week, ["streak"], {"streak": 2})[0] for week in weeks]
    assert first == [phrasing.choose(week, ["streak"], {"streak": 2})[0] for week in weeks]
    assert set(first) == {0, 1}  # both phrasings appear over a year


def test_a_template_with_one_phrasing_still_works(project: Path, bulletin) -> None:
    templates = project / "my-templates" / "events"
    templates.mkdir(parents=True)
    (templates / "sweep.md.j2").write_text(
        "{% macro headline(e) %}Sweep{% endmacro %}"
        "{% macro paragraph(e, story) %}A sweep of {{ e.facts.places }} places.{% endmacro %}",
        encoding="utf-8")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates_dir: my-templates\n",
                      encoding="utf-8")
    assert bulletin("run").code == 0
    article = (project / "output" / "bulletins" / "2026-W11" / "bulletin.md").read_text(encoding="utf-8")
    assert "A sweep of 3 places." in article


def test_a_new_kind_with_one_english_phrasing_is_written_in_english_only(
        stories: list[Story], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from bulletin.render import Settings, render_story

    templates = tmp_path / "templates" / "events"
    templates.mkdir(parents=True)
    (templates / "record.md.j2").write_text(
        "{% macro headline(e) %}A record {{ e.facts.tokens | tokens }} tokens{% endmacro %}\n"
        "{% macro paragraph(e, story) %}A record: {{ e.facts.tokens | tokens }} tokens.{% endmacro %}\n",
        encoding="utf-8")
    story = stories[-1]
    lead = story.events[0]
    record = Event("record", ("CN",), {"tokens": lead.facts["leader_tokens"]}, 99.0, lead.evidence)
    story = replace(story, events=(record, record, *story.events))
    artifacts = {a.filename: a.content for a in render_story(
        story, Settings("T", tmp_path / "templates", ("en", "zh"), chart=False))}
    english, chinese = str(artifacts["bulletin.md"]), str(artifacts["bulletin.zh.md"])
    assert english.startswith("# A record 4.69 trillion tokens\n")
    assert english.count("A record: 4.69 trillion tokens.") == 2  # one phrasing, used twice
    assert "record" not in chinese.lower()
    assert ("no zh wording for record events (templates/zh/events/record.md.j2); "
            "left out of that language's article") in caplog.text
    claims.check(story, {"bulletin.md": ("en", english), "bulletin.zh.md": ("zh", chinese)}, "T")
