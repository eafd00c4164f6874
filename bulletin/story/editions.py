"""An edition's story: the week told for one developer or country, from the main story's week.

The edition shares the main story's statistics and what its rules found; it
keeps the events about its subject and tells them after a first paragraph of
its own (``edition_week``): the subject's counted tokens, how it stands among
the others of its kind, and its models on the leaderboard. That paragraph
tells the subject's own total, rank and run at No. 1, so the events that
would tell them again (its growth, its record, its lead) are left to it, as
are its models' moves, which it lists. The whole field closes the edition in
one sentence (``field``). A week with nothing more about the subject is a
short edition, and says so; it is never padded with the main story.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bulletin.model import Event, Story, Total, WeekStats, author_of
from bulletin.model.editions import (
    Edition,
    EditionGenerator,
    Per,
    Subject,
    SubjectKind,
    name_problem,
    slug_of,
)
from bulletin.model.facts import (
    DuelFacts,
    EditionWeekFacts,
    EventKind,
    FieldFacts,
    GrowthFacts,
    ModelFacts,
    RecordFacts,
    ShareFacts,
    SubjectFacts,
    SubjectType,
)
from bulletin.story.compose import amounts, mark_told
from bulletin.story.families import family_of
from bulletin.story.quantities import model_count
from bulletin.story.rules import evidence, model_facts
from bulletin.story.stats import is_complete
from bulletin.weeks import IsoWeek

LISTED_MODELS = 3  # the first paragraph names at most this many of the subject's models
TREND_WEEKS = 12

_TYPE = {SubjectKind.DEVELOPER: SubjectType.AUTHOR, SubjectKind.COUNTRY: SubjectType.COUNTRY}
# Kinds the first paragraph tells for its own subject: a rise, a record, a lead, a rank.
_TOLD_FIRST = frozenset({EventKind.GROWTH, EventKind.VOLUME_CHANGE, EventKind.RECORD, EventKind.MILESTONE,
                         EventKind.GROWTH_STREAK, EventKind.SHARE, EventKind.RANK_CHANGE})
_DUELS = frozenset({EventKind.LEAD_CHANGE, EventKind.STREAK, EventKind.SUBJECT_LEAD_CHANGE,
                    EventKind.SUBJECT_STREAK})


def editions_of_week(specs: Sequence[Edition | EditionGenerator], stats: WeekStats) -> list[Edition]:
    """The week's editions: those the config names, then a generator's, one per developer counted
    among the week's top N models, by rank. A name the config gives is the config's edition."""
    named = [spec for spec in specs if isinstance(spec, Edition)]
    taken = {edition.name for edition in named}
    made: list[Edition] = []
    for generator in (spec for spec in specs if isinstance(spec, EditionGenerator)):
        if generator.per != Per.DEVELOPER:
            continue
        for author in counted_developers(stats, generator.top):
            name = slug_of(author)
            if name in taken or name_problem(name):
                continue
            taken.add(name)
            made.append(Edition(name, generator.title, Subject(SubjectKind.DEVELOPER, author),
                                generator.title_zh, generated=True))
    return named + made


def counted_developers(stats: WeekStats, top: int) -> list[str]:
    """The developers of the week's first ``top`` counted models (a model's tiers are one), by rank."""
    found: list[str] = []
    families: set[str] = set()
    for row in stats.models:
        if not row.counted:
            continue
        family = row.family or family_of(row.model)
        if family not in families:
            if len(families) == top:
                break
            families.add(family)
        if row.author not in found:
            found.append(row.author)
    return found


def edition_story(story: Story, edition: Edition, history: Mapping[IsoWeek, WeekStats],
                  max_events: int) -> Story:
    """``story``'s week told for ``edition``'s subject (see the module's docstring)."""
    stats, subject = story.stats, edition.subject
    mine = [e for e in story.detected if about(e, subject, stats) and not _told_first(e, subject)]
    first = _week_event(stats, subject, history, quiet=not mine, top_n=story.methodology.get("top_n", 9))
    told = _told_once(mine)[:max(max_events - 2, 1)]
    top_told = any(e.kind in _DUELS and isinstance(e.facts, DuelFacts)
                   and e.facts.subject_type == SubjectType.MODEL for e in told)
    field = _field_event(stats, subject, top_told)
    # Its models' ranks, not their tokens, are what the first paragraph writes of them.
    assert isinstance(first.facts, EditionWeekFacts)
    marked = mark_told([replace(first, facts=replace(first.facts, models=())), *told, field])
    return replace(story, events=(first, *marked[1:]), detected=(first, *mine),
                   notes=tuple(n for n in story.notes if n.get("kind") == "partial"),
                   trend=_trend(stats, subject, history))


def _told_once(events: list[Event]) -> list[Event]:
    """Less a subject's change whose amount an earlier paragraph stated: a developer's one model
    in a sweep is the developer's whole total (STYLEBOOK: no figure told twice)."""
    told: set[int] = set()
    kept = []
    for event in events:
        facts = event.facts
        tokens = getattr(facts, "tokens", None)
        if event.kind in (EventKind.GROWTH, EventKind.VOLUME_CHANGE) and tokens in told:
            continue
        told |= amounts(facts.as_data())
        kept.append(event)
    return kept


def about(event: Event, subject: Subject, stats: WeekStats) -> bool:
    """Whether an event is about the subject: one of its models, the developer, the country."""
    if subject.kind == SubjectKind.DEVELOPER:
        if any(key == subject.key or ("/" in key and author_of(key) == subject.key)
               for key in event.subjects):
            return True
        return getattr(event.facts, "author", "") == subject.key
    # A country's: its code, or a model or developer of it.
    countries = {key: row.country for row in stats.models for key in (row.model, row.author)}
    if any(key == subject.key or countries.get(key) == subject.key for key in event.subjects):
        return True
    return getattr(event.facts, "country", "") == subject.key


def _told_first(event: Event, subject: Subject) -> bool:
    """An event the first paragraph tells already: the subject's own total's, or its models' ranks."""
    facts = event.facts
    if event.kind == EventKind.RANK_CHANGE:
        return True
    own = _TYPE[subject.kind]
    if event.kind in _DUELS and isinstance(facts, DuelFacts):
        return facts.subject_type == own and subject.key in (facts.leader, facts.trailer)
    if isinstance(facts, SubjectFacts):
        return facts.subject_type == own and facts.subject == subject.key and event.kind in _TOLD_FIRST
    if isinstance(facts, (GrowthFacts, ShareFacts)):
        return subject.kind == SubjectKind.COUNTRY and facts.country == subject.key
    return isinstance(facts, RecordFacts) and facts.subject == subject.key


def totals(stats: WeekStats, subject: Subject) -> tuple[Total, ...]:
    return stats.authors if subject.kind == SubjectKind.DEVELOPER else stats.countries


def total_of(stats: WeekStats, subject: Subject) -> Total | None:
    return next((t for t in totals(stats, subject) if t.key == subject.key), None)


def rows_of(stats: WeekStats, subject: Subject) -> list[ModelFacts]:
    """The subject's rows on the week's leaderboard, by rank, stealth models left out."""
    return [ModelFacts(**model_facts(row)) for row in stats.models if not row.excluded and (
        row.author == subject.key if subject.kind == SubjectKind.DEVELOPER else row.country == subject.key)]


def _week_event(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats], quiet: bool,
                top_n: int) -> Event:
    total = total_of(stats, subject)
    previous = _previous(stats, history)
    before = total_of(previous, subject) if previous is not None else None
    rows = rows_of(stats, subject)
    country = ""
    country_total = None
    if subject.kind == SubjectKind.DEVELOPER and rows and rows[0].country:
        country = rows[0].country
        country_total = stats.country(country)
    past = _past_totals(stats, subject, history)
    tokens = total.tokens if total else 0
    first_weeks = _weeks_first(stats, subject, history) if total and total.rank == 1 else 0
    facts = EditionWeekFacts(
        subject_type=_TYPE[subject.kind], subject=subject.key, name=subject.key,
        week_ending=stats.week.sunday.isoformat(), tokens=tokens,
        previous_tokens=total.previous_tokens if total else None,
        change=total.change if total and stats.has_previous else None,
        rank=total.rank if total else None, previous_rank=before.rank if before else None,
        ranked=len(totals(stats, subject)),
        share=stats.share(total) if total else None,
        country=country, country_tokens=country_total.tokens if country_total and total else None,
        country_share=(tokens / country_total.tokens if country_total and total and country_total.tokens
                       else None),
        models=tuple(rows[:LISTED_MODELS]), counted_models=model_count(total.models) if total else 0,
        record=bool(total and len(past) >= 4 and tokens > max(past)),
        records_since=_complete_weeks(stats, history)[0].monday.isoformat() if past else "",
        behind=_neighbour(stats, subject, total, -1), ahead_of=_neighbour(stats, subject, total, +1),
        first_weeks=first_weeks, first_open_ended=first_weeks > 0 and first_weeks == len(past) + 1,
        quiet=quiet, top_n=top_n)
    models = [*(total.models if total else ()), *(row.model for row in rows[:LISTED_MODELS])]
    return Event(EventKind.EDITION_WEEK, (subject.key,), facts, 1.0,
                 evidence(stats, dict.fromkeys(models)))


def _neighbour(stats: WeekStats, subject: Subject, total: Total | None, step: int) -> str:
    """The key of the one of its kind ranked ``step`` places from the subject ("" where none)."""
    if total is None:
        return ""
    return next((t.key for t in totals(stats, subject) if t.rank == total.rank + step), "")


def _field_event(stats: WeekStats, subject: Subject, top_told: bool) -> Event:
    """The field: the two largest countries and the most used model."""
    first, second = (list(stats.countries) + [None, None])[:2]
    top = next(row for row in stats.models if not row.excluded)
    facts = FieldFacts(leader=first.key if first else "", leader_tokens=first.tokens if first else 0,
                       trailer=second.key if second else "", trailer_tokens=second.tokens if second else 0,
                       top_model=top.model, top_name=top.name, top_author=top.author,
                       top_country=top.country, top_tokens=top.tokens,
                       platform_tokens=stats.platform_tokens, subject_type=_TYPE[subject.kind],
                       subject=subject.key, top_told=top_told)
    models = [*(first.models if first else ()), *(second.models if second else ()), top.model]
    return Event(EventKind.FIELD, (), facts, 0.0, evidence(stats, dict.fromkeys(models)))


def _previous(stats: WeekStats, history: Mapping[IsoWeek, WeekStats]) -> WeekStats | None:
    week = stats.week.previous()
    return history[week] if stats.has_previous and week in history else None


def _complete_weeks(stats: WeekStats, history: Mapping[IsoWeek, WeekStats]) -> list[IsoWeek]:
    return [w for w in sorted(history) if w < stats.week and is_complete(history, w)]


def _past_totals(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats]) -> list[int]:
    """The subject's counted tokens in each complete week before this one (0 where none counted)."""
    if not stats.complete:
        return []
    return [(t.tokens if (t := total_of(history[w], subject)) else 0)
            for w in _complete_weeks(stats, history)]


def _weeks_first(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats]) -> int:
    """How many weeks running, this one included, the subject has been No. 1 of its kind."""
    weeks, expected = 1, stats.week.previous()
    for week in reversed(_complete_weeks(stats, history)):
        if week != expected:
            break
        expected = week.previous()
        found = total_of(history[week], subject)
        if found is None or found.rank != 1:
            break
        weeks += 1
    return weeks


def _trend(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats]
           ) -> dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]]:
    """The subject's weekly counted tokens over the last complete weeks, for its chart."""
    weeks = [w for w in sorted(history) if w <= stats.week and is_complete(history, w)][-TREND_WEEKS:]
    if len(weeks) < 2:
        return {}
    points = []
    for week in weeks:
        total = total_of(history[week], subject)
        points.append((str(week), total.tokens if total else 0,
                       evidence(history[week], total.models) if total else ()))
    return {subject.key: tuple(points)}
