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
from dataclasses import fields, replace

from bulletin.model import Event, ModelWeek, Story, WeekStats, author_of, relative_change
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
    Facts,
    FieldFacts,
    GrowthFacts,
    ModelFacts,
    NewEntrantFacts,
    RecordFacts,
    ShareFacts,
    SubjectFacts,
    SubjectType,
)
from bulletin.records import record
from bulletin.story.compose import amounts, mark_told
from bulletin.story.families import family_name, family_of
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
# News of the subject's own that leads its edition, before its week's totals.
_LEADS = frozenset({EventKind.SUBJECT_LEAD_CHANGE, EventKind.NEW_ENTRANT, EventKind.SWEEP,
                    EventKind.SWEEP_END, EventKind.AUTHOR_SWEEP, EventKind.AUTHOR_SWEEP_END,
                    EventKind.SUCCESSOR, EventKind.DROPPED_OUT})
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
    mine = [e for e in story.detected if about(e, subject, stats) and not _told_first(e, subject)
            and not _second_only(e, subject, stats)]
    told = _told_once(mine)[:max(max_events - 2, 1)]
    week = _week_event(stats, subject, history, top_n=story.methodology.get("top_n", 9))
    facts = week.facts
    assert isinstance(facts, EditionWeekFacts)
    flat = facts.change is None or abs(facts.change) < story.methodology.get("materiality", 0.01)
    # A model another paragraph tells of keeps its place in this one's list, not its move.
    named = {family_of(key) for e in told for key in (*e.subjects, getattr(e.facts, "model", "")) if key}
    facts = replace(facts, told_models=tuple(m.model for m in facts.models if family_of(m.model) in named),
                    newcomers=tuple(m for m in facts.newcomers if family_of(m.model) not in named))
    facts = replace(facts, quiet=facts.rank is not None and not told and flat
                    and facts.previous_rank == facts.rank and not facts.newcomers)
    # The week's biggest news of the subject's own leads the edition, and makes its headline.
    lead = next((e for e in told if e.kind in _LEADS and _owned(e, subject, stats)), None)
    top_told = any(e.kind in _DUELS and isinstance(e.facts, DuelFacts)
                   and e.facts.subject_type == SubjectType.MODEL for e in told)
    field = _field_event(stats, subject, top_told, history)
    ordered = [lead, replace(week, facts=facts)] if lead else [replace(week, facts=facts)]
    ordered += [e for e in told if e is not lead]
    # The first paragraph's models are named by rank: their tokens are not told there.
    marked = mark_told([*(_without_models(e) for e in ordered), field])
    events: list[Event] = []
    for i, event in enumerate(marked):
        if event.kind == EventKind.EDITION_WEEK:
            events.append(_told_total(ordered[i], facts, marked[:i]))
        elif any(e.kind == EventKind.EDITION_WEEK for e in events):
            events.append(_without_total(event, facts.tokens))
        else:
            events.append(event)
    return replace(story, events=tuple(events),
                   detected=(week, *mine), notes=tuple(n for n in story.notes if n.get("kind") == "partial"),
                   trend=_trend(stats, subject, history))


def _without_models(event: Event) -> Event:
    facts = event.facts
    return replace(event, facts=replace(facts, models=())) if isinstance(facts, EditionWeekFacts) else event


def _told_total(event: Event, facts: EditionWeekFacts, before: Sequence[Event]) -> Event:
    """The subject's paragraph right after its one model's debut, whose tokens were its whole total:
    "That was all of ...". After any other paragraph the total is written out: "that" would point at
    whichever figure came last (a sweep's third model, another developer's)."""
    if event.kind != EventKind.EDITION_WEEK:
        return event
    last = before[-1].facts if before else None
    alone = (isinstance(last, NewEntrantFacts) and not last.also and last.tokens == facts.tokens > 0
             and last.author == facts.subject and facts.subject_type == SubjectType.AUTHOR)
    return replace(event, facts=replace(facts, told_before=alone))


def _without_total(event: Event, total: int) -> Event:
    """A debut of the one model that makes the subject's total, after the total was told."""
    facts = event.facts
    if event.kind == EventKind.NEW_ENTRANT and isinstance(facts, ModelFacts) and facts.tokens == total:
        return replace(event, facts=replace(facts, told_before=True))
    return event


def _owned(event: Event, subject: Subject, stats: WeekStats) -> bool:
    """Whether the event's first subject is the edition's own: its model, developer or country."""
    if event.subjects and _owns(event.subjects[0], subject, stats):
        return True
    # A developer's model in a sweep of the top places, or the one that ended it.
    return subject.kind == SubjectKind.DEVELOPER and event.kind in (EventKind.SWEEP, EventKind.SWEEP_END) \
        and any(m.author == subject.key for m in _models_in(event.facts))


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
        # A sweep of the top places by a country's models is news of each model's maker.
        return any(m.author == subject.key for m in _models_in(event.facts))
    # A country's: its code, or a model or developer of it.
    countries = {key: row.country for row in stats.models for key in (row.model, row.author)}
    if any(key == subject.key or countries.get(key) == subject.key for key in event.subjects):
        return True
    return getattr(event.facts, "country", "") == subject.key


def _models_in(facts: Facts) -> list[ModelFacts]:
    """The models an event's facts name: itself where it is a model's, and those it lists."""
    found = [facts] if isinstance(facts, ModelFacts) else []
    for value in (getattr(facts, field.name) for field in fields(facts)):
        if isinstance(value, ModelFacts):
            found.append(value)
        elif isinstance(value, tuple):
            found += [item for item in value if isinstance(item, ModelFacts)]
    return found


def _second_only(event: Event, subject: Subject, stats: WeekStats) -> bool:
    """A run at No. 1 in which the subject is only the one behind: the leader's story, not its own
    (its place is in its first paragraph)."""
    facts = event.facts
    if event.kind not in (EventKind.STREAK, EventKind.SUBJECT_STREAK) or not isinstance(facts, DuelFacts):
        return False
    return not _owns(facts.leader, subject, stats)


def _owns(key: str, subject: Subject, stats: WeekStats) -> bool:
    """Whether a model id, developer or country code is the subject's."""
    if subject.kind == SubjectKind.DEVELOPER:
        return key == subject.key or ("/" in key and author_of(key) == subject.key)
    countries = {k: row.country for row in stats.models for k in (row.model, row.author)}
    return key == subject.key or countries.get(key) == subject.key


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


@record
class Listed:
    """A developer's or a country's models on one week's leaderboard: their tokens, its rank."""

    key: str
    tokens: int
    rank: int
    models: tuple[str, ...]


class Listings:
    """Each week's developers (or countries) by the tokens of all their models on the leaderboard.

    An edition tells its subject's week over all its listed models, not only those among the
    week's top N: the table under the story lists them all, and a developer's week is all of
    them. Stealth models, whose maker is undisclosed, are no one's.
    """

    def __init__(self, history: Mapping[IsoWeek, WeekStats], kind: SubjectKind) -> None:
        self.history, self.kind = history, kind
        self._weeks: dict[IsoWeek, dict[str, Listed]] = {}

    def of(self, stats: WeekStats) -> dict[str, Listed]:
        found = self._weeks.get(stats.week)
        if found is None:
            tokens: dict[str, int] = {}
            models: dict[str, list[str]] = {}
            for row in stats.models:
                key = row.author if self.kind == SubjectKind.DEVELOPER else row.country
                if row.excluded or not key:
                    continue
                tokens[key] = tokens.get(key, 0) + row.tokens
                models.setdefault(key, []).append(row.model)
            ranked = sorted(tokens, key=lambda key: (-tokens[key], key))
            found = {key: Listed(key, tokens[key], rank, tuple(models[key]))
                     for rank, key in enumerate(ranked, start=1)}
            self._weeks[stats.week] = found
        return found

    def get(self, stats: WeekStats | None, key: str) -> Listed | None:
        return self.of(stats).get(key) if stats is not None else None

    def ranked(self, stats: WeekStats, rank: int) -> str:
        """The key at ``rank`` ("" where none)."""
        return next((found.key for found in self.of(stats).values() if found.rank == rank), "")


def _new(row: ModelWeek) -> bool:
    """A model listed this week for the first time: not back, not another tier or snapshot of one."""
    return (row.previous_tokens is None and not row.returning and not row.kin_before
            and not row.beyond_last_list)


def rows_of(stats: WeekStats, subject: Subject) -> list[ModelFacts]:
    """The subject's rows on the week's leaderboard, by rank, stealth models left out."""
    return [ModelFacts(**model_facts(row)) for row in stats.models if not row.excluded and (
        row.author == subject.key if subject.kind == SubjectKind.DEVELOPER else row.country == subject.key)]


def _week_event(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats], top_n: int
                ) -> Event:
    listings = Listings(history, subject.kind)
    mine = listings.get(stats, subject.key)
    before = listings.get(_previous(stats, history), subject.key)
    rows = rows_of(stats, subject)
    tokens = mine.tokens if mine else 0
    country = rows[0].country or "" if subject.kind == SubjectKind.DEVELOPER and rows else ""
    country_tokens = Listings(history, SubjectKind.COUNTRY).get(stats, country) if country else None
    past = [listed.tokens if (listed := listings.get(history[week], subject.key)) else 0
            for week in _complete_weeks(stats, history)] if stats.complete else []
    first_weeks = _weeks_first(stats, subject.key, history, listings) if mine and mine.rank == 1 else 0
    platform = stats.platform_tokens
    facts = EditionWeekFacts(
        subject_type=_TYPE[subject.kind], subject=subject.key, name=subject.key,
        week_ending=stats.week.sunday.isoformat(), tokens=tokens,
        previous_tokens=before.tokens if before else None,
        change=relative_change(tokens, before.tokens) if mine and before and stats.has_previous else None,
        rank=mine.rank if mine else None, previous_rank=before.rank if before else None,
        ranked=len(listings.of(stats)),
        share=tokens / platform if mine and platform else None,
        country=country, country_tokens=country_tokens.tokens if country_tokens and mine else None,
        # The only developer of its country on the list has all of it: nothing to say.
        country_share=(tokens / country_tokens.tokens if country_tokens and mine
                       and country_tokens.tokens != tokens else None),
        models=tuple(rows[:LISTED_MODELS]), counted_models=model_count([row.model for row in rows]),
        listed_rows=len(rows),
        newcomers=tuple(ModelFacts(**model_facts(row)) for row in stats.models if stats.has_previous
                        and _owns(row.model, subject, stats) and not row.excluded and _new(row)),
        # A record needs a history: the subject on the list in every week since records began, four
        # at least.
        record=bool(mine and len(past) >= 4 and all(past) and tokens > max(past)),
        records_since=_complete_weeks(stats, history)[0].monday.isoformat() if past else "",
        behind=listings.ranked(stats, mine.rank - 1) if mine else "",
        ahead_of=listings.ranked(stats, mine.rank + 1) if mine else "",
        first_weeks=first_weeks, first_open_ended=first_weeks > 0 and first_weeks == len(past) + 1,
        top_n=top_n, compared=stats.has_previous)
    return Event(EventKind.EDITION_WEEK, (subject.key,), facts, 1.0,
                 evidence(stats, mine.models if mine else ()))


def _field_event(stats: WeekStats, subject: Subject, top_told: bool, history: Mapping[IsoWeek, WeekStats]
                 ) -> Event:
    """The field: the two countries with the most tokens on the leaderboard, and the most used model."""
    countries = Listings(history, SubjectKind.COUNTRY).of(stats)
    first, second = (list(countries.values()) + [None, None])[:2]
    top = next(row for row in stats.models if not row.excluded)
    facts = FieldFacts(leader=first.key if first else "", leader_tokens=first.tokens if first else 0,
                       trailer=second.key if second else "", trailer_tokens=second.tokens if second else 0,
                       top_model=top.model, top_name=family_name(top.name), top_author=top.author,
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


def _weeks_first(stats: WeekStats, key: str, history: Mapping[IsoWeek, WeekStats], listings: Listings
                 ) -> int:
    """How many weeks running, this one included, the subject has been No. 1 of its kind."""
    weeks, expected = 1, stats.week.previous()
    for week in reversed(_complete_weeks(stats, history)):
        if week != expected:
            break
        expected = week.previous()
        found = listings.get(history[week], key)
        if found is None or found.rank != 1:
            break
        weeks += 1
    return weeks


def _trend(stats: WeekStats, subject: Subject, history: Mapping[IsoWeek, WeekStats]
           ) -> dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]]:
    """The subject's weekly tokens on the leaderboard over the last complete weeks, for its chart."""
    weeks = [w for w in sorted(history) if w <= stats.week and is_complete(history, w)][-TREND_WEEKS:]
    if len(weeks) < 2:
        return {}
    listings = Listings(history, subject.kind)
    points = []
    for week in weeks:
        found = listings.get(history[week], subject.key)
        points.append((str(week), found.tokens if found else 0,
                       evidence(history[week], found.models) if found else ()))
    return {subject.key: tuple(points)}
