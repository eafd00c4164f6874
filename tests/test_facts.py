"""Each event kind's facts: a frozen dataclass, kept as data and read back unchanged."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, asdict, fields, replace
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.model import Event, event_data, event_from_data
from bulletin.model.facts import (
    FACTS,
    EventKind,
    GrowthFacts,
    LeadChangeFacts,
    Move,
    RankChangeFacts,
    StreakFacts,
    SubjectType,
    facts_from_data,
)
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek

WEEKS = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")


@pytest.fixture
def demo_events(project: Path) -> list[Event]:
    config = load_config(project / "config.yaml")
    pipeline.collect(config)
    return [event for week in WEEKS for event in pipeline.week_events(config, IsoWeek.parse(week))[1]]


def test_every_built_in_kind_has_its_facts() -> None:
    assert set(FACTS) >= set(EventKind)


def test_every_event_reads_back_as_it_was_kept(demo_events: list[Event]) -> None:
    assert len({event.kind for event in demo_events}) >= 8
    for event in demo_events:
        read = event_from_data(event_data(event))  # the score is kept rounded, the topic not at all
        assert (read.kind, read.subjects, read.facts, read.evidence) == (
            event.kind, event.subjects, event.facts, event.evidence)


def test_facts_compare_hash_show_and_give_their_data_as_dataclasses_do(demo_events: list[Event]) -> None:
    # Facts take equality, hash and repr from the base class, and make their data without
    # asdict's copies (both for speed): each must still behave as the generated ones would.
    for event in demo_events:
        facts, same = event.facts, replace(event.facts)
        assert facts.as_data() == asdict(facts)
        assert same == facts and hash(same) == hash(facts) and same is not facts
        assert replace(facts, told_before=not facts.told_before) != facts
        assert facts != GrowthFacts(country="CN", tokens=2, previous_tokens=1, change=1.0,
                                    typical_change=None)
        shown = ", ".join(f"{f.name}={getattr(facts, f.name)!r}" for f in fields(facts))
        assert repr(facts) == f"{type(facts).__qualname__}({shown})"


def test_a_kind_and_its_modes_are_enums_whether_given_as_text_or_not(demo_events: list[Event]) -> None:
    moves = [e.facts for e in demo_events if isinstance(e.facts, RankChangeFacts)]
    assert moves and all(isinstance(facts.move, Move) for facts in moves)
    read = facts_from_data("lead_change", event_data(next(
        e for e in demo_events if e.kind == "lead_change"))["facts"])
    assert isinstance(read, LeadChangeFacts) and read.subject_type is SubjectType.COUNTRY
    assert all(isinstance(event.kind, EventKind) for event in demo_events)


def test_an_event_with_another_kinds_facts_is_refused() -> None:
    facts = GrowthFacts(country="CN", tokens=2, previous_tokens=1, change=1.0, typical_change=None)
    with pytest.raises(TypeError, match="a streak event's facts are StreakFacts, not GrowthFacts"):
        Event("streak", ("CN", "US"), facts, 1.0)
    with pytest.raises(ValueError, match="no facts are declared for the event kind 'gossip'"):
        Event("gossip", ("CN",), facts, 1.0)
    with pytest.raises(FrozenInstanceError):
        facts.tokens = 3  # type: ignore[misc]


def test_a_key_an_older_version_wrote_is_ignored_and_a_newer_field_takes_its_default() -> None:
    data = {"country": "CN", "tokens": 2, "previous_tokens": 1, "change": 1.0,
            "typical_change": None, "dropped_since": "2026-01-01"}
    facts = facts_from_data("growth", data)
    assert facts == GrowthFacts(country="CN", tokens=2, previous_tokens=1, change=1.0, typical_change=None)
    assert (facts.basis, facts.background) == ("", False)


def test_the_store_hands_back_reported_events_typed(project: Path, bulletin) -> None:
    assert bulletin("run").code == 0
    with Store.open(project / "output" / "bulletin.db") as store:
        [reported] = store.reported_before(IsoWeek.parse("2026-W12"), 1)
    assert reported and all(isinstance(event, Event) for event in reported)
    [streak] = [event for event in reported if event.kind == EventKind.STREAK]
    assert isinstance(streak.facts, StreakFacts) and streak.facts.weeks == 2
