"""Which numbers published bulletins stated that the store, after a collection, may no longer give.

Each touched published week's story is recomputed from the store as it is
now (the same statistics, rules and composition that wrote it, at the time
it was written), and each number its bulletin stated (kept by
``stated.remember``) is paired with the recomputed quantities it was traced
to, by id. Whether one still reads as it was written is the render stage's
to say (render/restate.py): only it knows how a number is written. A number
no bulletin stated is none, however much it moved. A recomputed story whose
events differ from the published one (another lead, a streak broken or
lengthened, an event gone or new) changed the story itself: its corrections
wait for an editor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bulletin.config.sections import ReviewMode
from bulletin.config.settings import Config
from bulletin.model import Event, EvidenceKey, Story, WeekStats, event_data
from bulletin.records import record
from bulletin.store.corrections import Stated
from bulletin.store.database import SaveReport, Store
from bulletin.story.compose import TREND_WEEKS, choose, compose, mark_basis
from bulletin.story.detect import detect
from bulletin.story.quantities import FIGURES, Quantity, QuantityId, quantities
from bulletin.story.rules import HistoryIndex
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")


@record
class Restated:
    """A number a published bulletin states, beside what the store now gives its quantities."""

    locale: str
    stated: Stated  # as published: its text, the ids it was traced to, its sentence
    now: tuple[Quantity, ...]  # the recomputed quantities of those ids (dates left out)
    quantity: str  # the id a note names it by: the most describable of them (FIGURES' order)
    source: str  # the source behind it
    subject: str  # what it is of: a country code or a model's name; "" for others


@record
class Revision:
    """One published week the collection touched: its stated numbers, recomputed."""

    week: IsoWeek
    restated: tuple[Restated, ...]
    # Why the story itself changed (events gone, new or lengthened); () if it did not.
    story_change: tuple[str, ...]
    held: bool  # its corrections wait for an editor (the story changed, or review: always)


def revisions(config: Config, store: Store, history: Mapping[IsoWeek, WeekStats],
              revised: Sequence[tuple[str, str | None]]) -> list[Revision]:
    """The published weeks a revision may have changed a stated number of, recomputed.

    ``revised``: the (source, ISO week) pairs the collection changed; a week
    None means any (a figures file). Only the weeks with a stated number
    resting on one of them, and the week after each revised week (whose
    changes compare with it), are recomputed. Every published week's stated
    numbers must be in the store (``stated.remember``).
    """
    published = [week for week in store.corrections.published_weeks() if week in history]
    weeks = touched(store, revised, published)
    if not weeks:
        return []
    figures = store.figures()
    index = HistoryIndex(history)  # shared: the rules' look-ups over history are built once
    found = []
    for week in weeks:
        record = store.bulletin(week)
        assert record is not None  # published
        reported = store.reported_before(week, config.story.memory_weeks)
        events = detect(week, history, figures, config.methodology, config.rules, reported,
                        config.story.repeat_factor, index)
        if _unchanged(week, revised, index, events, record.events, config.story.max_events):
            continue
        story = compose(history[week], events, config, {}, datetime.fromisoformat(record.rendered_at),
                        history)
        restated = tuple(pair(store.corrections.stated(week), story))
        if not restated:
            continue
        change = tuple(story_changes(record.events, story))
        if config.review.mode == ReviewMode.ALWAYS:
            change = change or ("review: always (every bulletin waits for an editor)",)
        # Held like any anomaly: `review: auto` publishes it, its reasons recorded.
        found.append(Revision(week, restated, change, bool(change) and config.review.mode != ReviewMode.AUTO))
    return found


def _unchanged(week: IsoWeek, revised: Sequence[tuple[str, str | None]], index: HistoryIndex,
               events: list[Event], published: Sequence[Mapping[str, Any]], limit: int) -> bool:
    """Whether the week's story gives every number it gave when published, without composing it.

    So when the revised weeks are neither the week nor the one before (its
    statistics and changes), nor among its trend's weeks, and the events it
    tells come out as they were published, facts and all: every quantity its
    numbers were traced to is what it was. Most of a long history's weeks are
    only reached by a run or a record over the revised week, which stays as
    it was; composing and checking each was most of a recheck's time.
    """
    at = index.position(week)
    if at is None:
        return False
    trend = set(index.weeks()[max(0, at - TREND_WEEKS + 1):at + 1])  # compose._trend()'s weeks
    for _, period in revised:
        if not period or "-W" not in period:
            return False  # a figures file: any note or forecast may rest on it
        changed = IsoWeek.parse(period)
        if changed in (week, week.previous()) or changed in trend:
            return False
    told = mark_basis(choose(events, limit))
    return [json.loads(json.dumps(event_data(e), sort_keys=True)) for e in told] == list(published)


def touched(store: Store, revised: Sequence[tuple[str, str | None]], published: Sequence[IsoWeek]
            ) -> list[IsoWeek]:
    """The published weeks with a number the revision can have changed."""
    found = store.corrections.resting_on(revised)
    for _, period in revised:
        if period and "-W" in period:
            # Its own bulletin, the next week's (whose changes compare with it), and every later
            # one with a number reaching back over it (a run of weeks, a record "since records began").
            found |= store.corrections.reaching(IsoWeek.parse(period)) | {IsoWeek.parse(period).next()}
    return [week for week in published if week in found]


def revised_in(reports: Sequence[SaveReport]) -> list[tuple[str, str | None]]:
    """What a collection's writes changed: (source, ISO week), or (source, None) for any of its weeks.

    A figures file or a news feed has no weeks of its own: any bulletin citing
    it may be touched. Display names change no number.
    """
    revised: set[tuple[str, str | None]] = set()
    for report in reports:
        if report.periods:
            revised.update((report.source, str(IsoWeek.parse(p) if "-W" in p
                                               else IsoWeek.of(date.fromisoformat(p))))
                           for p in report.periods)
        elif report.added or report.changed or report.removed:
            revised.add((report.source, None))
    return sorted(revised, key=lambda pair: (pair[0], pair[1] or ""))


def pair(stated: Mapping[str, Sequence[Stated]], story: Story) -> list[Restated]:
    """Each stated figure with the quantities it was traced to, as the recomputed story gives them."""
    values: dict[str, Quantity] = {}
    for quantity in quantities(story):
        values.setdefault(quantity.id, quantity)
    model_names = {row.model: row.name for row in story.stats.models}
    found = []
    for locale, rows in stated.items():
        for row in rows:
            # Dates ("the week to March 15") are the calendar's, not the source's.
            ids = [i for i in row.ids if not (i in values and isinstance(values[i].value, date))]
            now = tuple(values[i] for i in ids if i in values)
            if not ids or (not now and row.text.isdigit()):
                continue  # a plain number of an event that is gone (a rank): the story's change says it
            primary = min(ids, key=_preference)
            given = values.get(primary) or (now[0] if now else None)
            found.append(Restated(locale, row, now, primary, _source(given, story),
                                  _subject(primary, model_names)))
    return found


def story_changes(published: Sequence[Mapping[str, Any]], story: Story) -> list[str]:
    """How the recomputed story differs from the published one (its events), beyond its figures."""
    before = [(str(e["kind"]), tuple(e.get("subjects", ()))) for e in published]
    after = [(e.kind, tuple(e.subjects)) for e in story.events]
    reasons = []
    if before[:1] != after[:1]:
        was = _event(before[0]) if before else "no event"
        now = _event(after[0]) if after else "no event"
        reasons.append(f"the lead story changes: it was {was}, it is now {now}")
    elif set(before) != set(after):
        gone = [_event(e) for e in before if e not in after]
        new = [_event(e) for e in after if e not in before]
        reasons.append("the events change: " + "; ".join(
            [*(f"{e} no longer holds" for e in gone), *(f"{e} is new" for e in new)]))
    old_facts = {(str(e["kind"]), tuple(e.get("subjects", ()))): e.get("facts", {})
                 for e in published}
    for event in story.events:
        facts = old_facts.get((event.kind, tuple(event.subjects)), {})
        for key, value in event.facts.as_data().items():
            # A run of weeks is written in words ("the second week in a row"), which the
            # number check does not read: its length is compared here.
            if "weeks" in key and key in facts and facts[key] != value:
                reasons.append(f"{_event((event.kind, tuple(event.subjects)))}: {key} was "
                               f"{facts[key]}, is now {value}")
    return reasons


def _preference(name: str) -> tuple[int, str]:
    parsed = QuantityId.parse(name)
    family = parsed.family if parsed else ""
    return (FIGURES.index(family) if family in FIGURES else len(FIGURES)), name


def _subject(name: str, model_names: Mapping[str, str]) -> str:
    parsed = QuantityId.parse(name)
    if parsed is None or parsed.kind not in ("country", "model"):
        return ""
    return model_names.get(parsed.subject, parsed.subject) if parsed.kind == "model" else parsed.subject


def _source(quantity: Quantity | None, story: Story) -> str:
    for key in quantity.evidence if quantity else ():
        parsed = EvidenceKey.parse(key)
        if parsed is not None:
            return parsed.source
    return story.stats.source


def _event(event: tuple[str, tuple[str, ...]]) -> str:
    kind, subjects = event
    return f"{kind} ({', '.join(subjects)})" if subjects else kind
