"""The sense check: what a right number may still not say (STYLEBOOK), checked on every story.

The claim check proves each number the article writes is one the store
gives; this one proves each event the article tells may be told. Every kind
of event declares its conditions here, from its typed facts: a change above
the materiality threshold, a whole week, a model's tiers and snapshots
counted once, news in the week it happened, a total's basis stated where it
is first given. The rules are written to keep them; a story that still
breaks one is held for an editor with the reason (review.py), never
published as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from bulletin.model import Event, Methodology, Story
from bulletin.model.facts import (
    DuelFacts,
    EventKind,
    Facts,
    ForecastFacts,
    GrowthFacts,
    GrowthStreakFacts,
    RankChangeFacts,
    RecordFacts,
    StealthWithdrawnFacts,
    SubjectFacts,
    SubjectType,
    SweepEndFacts,
    SweepFacts,
    VariantChangeFacts,
    VariantWhat,
    VolumeChangeFacts,
)
from bulletin.story.families import family_of

MATERIALITY = Methodology.materiality  # where a story composed before it was recorded says none


def problems(story: Story) -> list[str]:
    """What the story's events say that they may not, one line each ("sense check: ...")."""
    found = [f"sense check: {problem}" for problem in _problems(story)]
    return list(dict.fromkeys(found))


def _problems(story: Story) -> Iterator[str]:
    materiality = float(story.methodology.get("materiality", MATERIALITY))
    for event in story.events:
        for check in CHECKS:
            problem = check(story, event, materiality)
            if problem:
                yield f"{story.week} {event.kind} ({', '.join(event.subjects)}): {problem}"
    yield from _names_once(story)
    yield from _basis_stated(story)


def _material(story: Story, event: Event, materiality: float) -> str:
    """STYLEBOOK 2: a change below the threshold is flat, not a rise, fall, run's end or record."""
    facts = event.facts
    change: float | None = None
    if isinstance(facts, (GrowthFacts, VolumeChangeFacts)):
        change = facts.change
    elif isinstance(facts, RecordFacts) and facts.margin is not None:
        change = facts.margin
    elif isinstance(facts, GrowthStreakFacts) and facts.ended and not facts.stalled:
        change = facts.change
    if change is not None and abs(change) < materiality:
        return f"a change of {change:+.2%} is below the materiality threshold ({materiality:.0%})"
    return ""


def _whole_week(story: Story, event: Event, materiality: float) -> str:
    """STYLEBOOK 3: a model listed only some days of either week is compared with nothing.

    (A partial week of the data as a whole is held by review.missing_days.)
    """
    facts = event.facts
    model = (facts.model if isinstance(facts, RankChangeFacts) else facts.subject
             if isinstance(facts, RecordFacts) and facts.subject_type == SubjectType.MODEL else "")
    row = next((row for row in story.stats.models if row.model == model), None) if model else None
    if row is not None and not row.full_weeks:
        return f"{row.name} was listed {row.days} of 7 days (or part of the week before)"
    return ""


def _families_once(story: Story, event: Event, materiality: float) -> str:
    """STYLEBOOK 4: a model's tiers and snapshots are one of the top N, never two."""
    facts = event.facts
    if not isinstance(facts, (SweepFacts, SweepEndFacts)):
        return ""
    families = [family_of(model.model) for model in facts.models]
    if len(set(families)) != len(families):
        return "counts two rows of one model as two of the top places"
    return ""


def _in_its_week(story: Story, event: Event, materiality: float) -> str:
    """STYLEBOOK 1 and 6: news the week it happened; a figure told once, in its week."""
    facts: Facts = event.facts
    monday = story.week.monday
    if isinstance(facts, ForecastFacts) and facts.background:
        return "a forecast told after the week it was news"
    last = ""
    if isinstance(facts, VariantChangeFacts) and facts.what == VariantWhat.FREE_ENDED:
        last = facts.last_listed
    elif isinstance(facts, StealthWithdrawnFacts):
        last = facts.last_listed
    if last and date.fromisoformat(last) < monday - timedelta(days=1):
        return f"it ended on {last}, before this week: told late"
    return ""


CHECKS: tuple[Callable[[Story, Event, float], str], ...] = (
    _material, _whole_week, _families_once, _in_its_week)


def _names_once(story: Story) -> Iterator[str]:
    """STYLEBOOK 4: no two rows of the table read as two models of one name."""
    names = [row.name for row in story.stats.top(10)]
    for name in sorted({name for name in names if names.count(name) > 1}):
        yield f"{story.week}: two rows of the table are both named {name!r}"


def _basis_stated(story: Story) -> Iterator[str]:
    """STYLEBOOK 3: the first paragraph that gives a country's or developer's total says what
    it counts."""
    seen: set[str] = set()
    for event in story.events:
        facts = event.facts
        kind = ("country" if event.kind in (EventKind.LEAD_CHANGE, EventKind.STREAK, EventKind.GROWTH)
                else facts.subject_type if isinstance(facts, (DuelFacts, SubjectFacts))
                and facts.subject_type in ("country", "author") else "")
        if not kind or kind in seen:
            continue
        seen.add(kind)
        if facts.basis != kind:
            yield f"{story.week}: the first {kind} total ({event.kind}) does not say what it counts"
