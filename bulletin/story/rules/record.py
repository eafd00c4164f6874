"""A high (or low) of a subject's weekly volume since records began, or over N weeks.

The event carries the previous record and the week it was set. A record over
the whole history needs ``min_history`` earlier complete weeks: beating two
weeks of data is no record. It is told as "the highest since these records
began on May 4", never "all-time": the store reaches back only so far. A
model's record is only measured in a week it was listed every day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bulletin.model import Event, ModelWeek, Total, WeekStats
from bulletin.model.facts import EventKind, RecordFacts, SubjectType
from bulletin.story.families import family_name
from bulletin.story.novelty import fact
from bulletin.story.rules import (
    SUBJECT_TYPES,
    Param,
    Rule,
    RuleContext,
    comparable,
    comparable_before,
    evidence,
    subject_models,
    subject_name,
    volumes,
)
from bulletin.story.rules.leaders import material
from bulletin.story.stats import ALL_LISTED
from bulletin.weeks import IsoWeek


def leading_subjects(stats: WeekStats, subject_type: str, top: int) -> list[str]:
    """The subjects a rule follows: every country, the ``top`` authors or models, the total."""
    found = volumes(stats, subject_type)
    if subject_type in ("author", "model"):
        return sorted(found, key=lambda key: (-found[key], key))[:top]
    return sorted(found)


class Record(Rule):
    name = "record"
    novelty = {"record": fact("tokens")}  # a higher record is news again
    params = {
        "subject": Param("total", "choice", choices=SUBJECT_TYPES,
                   help="whose record: every country, the largest authors or models, or the total"),
        "span": Param(0, "int", minimum=0,
                   help="weeks looked back; 0: all-time"),
        "low": Param(False, "bool",
                   help="a record low instead of a high"),
        "min_history": Param(8, "int", minimum=1,
                   help="weeks of history before a record is news"),
        "top": Param(10, "int", minimum=1,
                   help="authors and models: how many of the largest to follow"),
    }
    subject: str
    span: int
    low: bool
    min_history: int
    top: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        if not stats.complete:
            return
        now = volumes(stats, self.subject)
        partial = {row.model for row in stats.models if row.days < 7} if self.subject == "model" else set()
        for subject in leading_subjects(stats, self.subject, self.top):
            if subject in partial:
                continue
            # A week a country had no model in the top nine is a week of its history, at zero
            # (weekly W03: China's 902 billion, above every week since November 10, two of them empty).
            absent = 0 if self.subject == "country" else None
            # Only weeks counted alike: a record over a list of ten rows is not one over nine.
            prior = comparable_before(context, self.subject, subject, self.span, absent)
            if len(prior) < self.min_history:
                continue
            pick = min if self.low else max
            week, best = pick(reversed(prior), key=lambda point: point[1])  # latest of equals
            tokens = now[subject]
            if not material(tokens, best, context.methodology.materiality, falling=self.low):
                continue  # a new high by a hair is noise, not news
            if basis_changed(context, self.subject, subject):
                continue
            listed = _listed_total(stats, self.subject, subject)
            if not self.low and listed is not None and listed_reached(
                    context, self.subject, subject, [w for w, _ in prior], listed.all_tokens):
                continue  # all its listed models had as much before: the nine's high is the list's
            margin = tokens / best - 1 if best else None
            all_time = self.span == 0 or self.span >= len(context.index.weeks())
            facts = RecordFacts(
                subject_type=SubjectType(self.subject),
                subject=subject,
                name=subject_name(stats, self.subject, subject),
                tokens=tokens,
                previous_record=best,
                previous_record_week=str(week),
                previous_record_week_ending=week.sunday.isoformat(),
                margin=margin,
                span=self.span,
                all_time=all_time,
                low=self.low,
                history_weeks=len(prior),
                # The store's first complete week: "all-time" means since then, and says so.
                records_since=_records_since(context, self.subject).monday.isoformat(),
                week_ending=stats.week.sunday.isoformat(),
                **({} if self.low else _driver(stats, self.subject, subject)),
                membership=listed is not None and listed.churn_mostly,
            )
            score = 25.0 + min(30.0, 100 * abs(margin or 0)) + 5 * all_time
            if self.subject in ("author", "model"):
                score -= 10
            # A new all-time high that passes a round level is one fact told twice.
            topic = f"high|{self.subject}|{subject}" if all_time and not self.low else ""
            yield Event(EventKind.RECORD, (self.subject, subject), facts, score,
                        evidence(stats, subject_models(stats, self.subject, subject)), topic=topic)


DRIVER_SHARE = 0.4  # of the rise on last week: one model did that much or more of it


def _driver(stats: WeekStats, subject_type: str, subject: str) -> dict[str, Any]:
    """The model (all its tiers and snapshots) behind most of a country's or developer's rise."""
    if subject_type not in ("country", "author"):
        return {}
    total = next((t for t in (stats.countries if subject_type == "country" else stats.authors)
                  if t.key == subject), None)
    if total is None or total.previous_tokens is None or total.tokens <= total.previous_tokens:
        return {}
    families: dict[str, list[ModelWeek]] = defaultdict(list)
    for row in stats.models:
        if row.model in total.models:
            families[row.family or row.model].append(row)
    gains = []
    for rows in families.values():
        known = [row.previous_tokens for row in rows if row.previous_tokens is not None]
        before = sum(known) if known else None
        now = sum(row.tokens for row in rows)
        gains.append((now - (before or 0), now, before, min(rows, key=lambda row: row.rank)))
    gain, now, before, top = max(gains, key=lambda item: item[0])
    if gain < DRIVER_SHARE * (total.tokens - total.previous_tokens):
        return {}
    return {"driver": top.family or top.model, "driver_name": family_name(top.name),
            "driver_tokens": now, "driver_change": now / before - 1 if before else None}


def _records_since(context: RuleContext, subject_type: str) -> IsoWeek:
    """The first week held that is counted like this one: where "these records began"."""
    weeks = context.index.weeks()
    return next((w for w in weeks if comparable(context, subject_type, context.stats.week, w)), weeks[0])


def _listed_total(stats: WeekStats, subject_type: str, subject: str) -> Total | None:
    if subject_type not in ("country", "author"):
        return None
    totals = stats.countries if subject_type == "country" else stats.authors
    return next((t for t in totals if t.key == subject), None)


def listed_reached(context: RuleContext, subject_type: str, subject: str,
                   weeks: list[IsoWeek], level: float) -> bool:
    """Whether all of a country's or developer's listed models together reached ``level`` in one of ``weeks``.

    Its top-nine total then reaches a level or a high only because a model
    entered the nine (STYLEBOOK 2): "first" or "highest" would tell the reader
    something use never did.
    """
    if subject_type not in ("country", "author"):
        return False
    asked = set(weeks)
    return any(tokens >= level for week, tokens in context.index.before(subject_type + ALL_LISTED, subject,
                                                                        context.stats.week) if week in asked)


def basis_changed(context: RuleContext, subject_type: str, subject: str) -> bool:
    """Whether a new high would come from what is counted rather than from use (STYLEBOOK 2).

    A top-nine total that rose while all of the subject's listed models did not
    grow is no record of use (a longer list is kept out of ``prior`` by comparable()).
    """
    stats = context.stats
    if subject_type in ("country", "author"):
        totals = stats.countries if subject_type == "country" else stats.authors
        total = next((t for t in totals if t.key == subject), None)
        # A record of use is one all its listed models share: they grew too (STYLEBOOK 2).
        return total is not None and total.all_change is not None \
            and total.all_change < context.methodology.materiality
    return False
