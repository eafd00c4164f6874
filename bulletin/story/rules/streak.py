"""Consecutive weeks one subject leads another, or a subject's volume grows.

``measure: lead`` (the default): for countries, which of the two lead
countries is ahead (event ``streak``, the facts today's articles are written
from); for authors and models, who is first (event ``subject_streak``). The
week a lead changes hands, the new run of one week is the same fact as the
lead change and shares its topic, so the two collapse into one.

``measure: growth``: consecutive weeks of week-on-week growth of a country,
author or the total (event ``growth_streak``); when a run of at least
``min_weeks`` ends, that is reported too ("ending a six-week run").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import EventKind, GrowthStreakFacts, StreakFacts, SubjectType
from bulletin.story.families import family_name
from bulletin.story.novelty import run
from bulletin.story.rules import (
    Param,
    Rule,
    RuleContext,
    comparable,
    evidence,
    subject_models,
    subject_name,
)
from bulletin.story.rules.leaders import (
    duel_facts,
    followed,
    growth_run,
    leader_of,
    material,
    previous_complete,
    run_back,
    run_score,
    same_leader,
)
from bulletin.weeks import IsoWeek


class Streak(Rule):
    name = "streak"
    novelty = {"streak": run("weeks"), "subject_streak": run("weeks"), "growth_streak": run("weeks")}
    params = {
        "subject": Param("country", "choice", choices=("country", "author", "model", "total"),
                   help="what leads or grows: the lead countries, the first author or model, the total"),
        "measure": Param("lead", "choice", choices=("lead", "growth"),
                   help="`lead`: who is ahead, week after week; `growth`: consecutive weeks of growth"),
        "min_weeks": Param(1, "int", minimum=1,
                   help="the shortest run that is news"),
        "top": Param(5, "int", minimum=1,
                   help="growth of authors: how many of the largest to follow"),
    }
    subject: str
    measure: str
    min_weeks: int
    top: int

    @classmethod
    def from_config(cls, entry, where, problems):  # type: ignore[no-untyped-def]
        rule = super().from_config(entry, where, problems)
        if isinstance(rule, Streak):
            if rule.measure == "lead" and rule.subject == "total":
                problems.append(f"{where}.subject: the total leads nothing; "
                                "use country, author or model (or measure: growth)")
                return None
            if rule.measure == "growth" and rule.subject == "model":
                problems.append(f"{where}.subject: growth streaks follow country, author or total")
                return None
        return rule

    def detect(self, context: RuleContext) -> Iterable[Event]:
        if not context.stats.complete:
            return ()
        if self.measure == "growth":
            return self._growth(context)
        return self._lead(context)

    def _lead(self, context: RuleContext) -> Iterable[Event]:
        stats, pair, kind = context.stats, context.methodology.lead_countries, self.subject
        ahead = leader_of(stats, kind, pair)
        if ahead is None:
            return
        duel = duel_facts(stats, kind, pair, ahead, context.week_before(stats))
        behind = str(duel["trailer"])
        run = run_back(context.history, stats.week,
                       lambda week: same_leader(kind, context.index.leader(week, kind, pair), ahead),
                       context.index.runs("lead", kind, pair, ahead))
        if run.weeks < self.min_weeks:
            return
        before = previous_complete(context.history, stats.week)
        earlier = leader_of(before, kind, pair) if before is not None else None
        changed_hands = earlier is not None and not same_leader(kind, earlier, ahead)
        running: dict[str, Any] = {"weeks": run.weeks, "open_ended": run.open_ended,
                   "since": run.since.monday.isoformat()}
        if kind == "country":
            event_kind = EventKind.STREAK
            facts = StreakFacts(**duel, **running)
            score = run_score(45.0 + 10 * min(run.weeks, 3), run.weeks) - 5 * run.open_ended
            models = tuple(subject_models(stats, kind, ahead)) + tuple(subject_models(stats, kind, behind))
        else:
            facts = StreakFacts(**duel, **running, leader_name=subject_name(stats, kind, ahead),
                                trailer_name=subject_name(stats, kind, behind))
            event_kind, score = EventKind.SUBJECT_STREAK, 20.0 + 5 * min(run.weeks, 8) - 5 * run.open_ended
            models = tuple(subject_models(stats, kind, ahead))
        topic = f"lead|{kind}|{ahead}" if changed_hands else ""
        yield Event(event_kind, (ahead, behind), facts, score, evidence(stats, models), topic=topic)

    def _growth(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        for subject in followed(stats, self.subject, context.methodology, self.top):
            def volume(week: IsoWeek, subject: str = subject) -> int | None:
                return context.index.volumes(week, self.subject).get(subject)

            materiality = context.methodology.materiality
            memo = context.index.runs("growth", self.subject, subject, materiality)
            def alike(week: IsoWeek, other: IsoWeek) -> bool:
                return comparable(context, self.subject, week, other)

            run = growth_run(context.history, stats.week, volume, memo=memo, materiality=materiality,
                             comparable=alike)
            base: dict[str, Any] = {"subject_type": SubjectType(self.subject), "subject": subject,
                    "name": subject_name(stats, self.subject, subject),
                    "week_ending": stats.week.sunday.isoformat()}
            models = evidence(stats, subject_models(stats, self.subject, subject))
            if run.weeks >= self.min_weeks:
                start = previous_complete(context.history, run.since)
                first = volume(start.week) if start else None
                now = volume(stats.week)
                facts = GrowthStreakFacts(**base, weeks=run.weeks, open_ended=run.open_ended,
                                          since=run.since.monday.isoformat(), tokens=now,
                                          first_tokens=first, ended=False,
                                          change=now / first - 1 if now and first else None)
                # Over the same weeks, the run and the span's change are one fact.
                yield Event(EventKind.GROWTH_STREAK, (subject,), facts, 25.0 + 6 * min(run.weeks, 10), models,
                            topic=f"growth|{self.subject}|{subject}|{run.weeks}")
                continue
            # A fall or a stall this week: did it end a run worth having reported? "+0.14%"
            # is no growth, so a run that stops there has ended (W26: flat after six weeks);
            # the article says it held flat, not that it fell (STYLEBOOK 2).
            before = previous_complete(context.history, stats.week)
            if before is None or run.weeks > 0:
                continue
            now, then = volume(stats.week), volume(before.week)
            if now is None or then is None or not alike(stats.week, before.week):
                continue
            ended = growth_run(context.history, before.week, volume, memo=memo, materiality=materiality,
                               comparable=alike)
            first_fall = self.subject == "total" and _first_fall(context, volume, alike, materiality)
            if ended.weeks >= self.min_weeks or first_fall:
                facts = GrowthStreakFacts(
                    **base, weeks=0, open_ended=False, since="", ended=True,
                    tokens=volume(stats.week), first_tokens=volume(before.week),
                    ended_weeks=ended.weeks, ended_open_ended=ended.open_ended,
                    ended_since=ended.since.monday.isoformat(),
                    change=_change(volume(stats.week), volume(before.week)), first_fall=first_fall,
                    stalled=not material(now, then, materiality, falling=True),
                    records_since=context.index.weeks()[0].monday.isoformat() if first_fall else "",
                    **(_fall_driver(stats, then - now) if self.subject == "total" and now < then else {}))
                score = 20.0 + 5 * min(ended.weeks, 10) + (30.0 if first_fall else 0.0)
                yield Event(EventKind.GROWTH_STREAK, (subject,), facts, score, models)


def _fall_driver(stats: WeekStats, fall: int) -> dict[str, Any]:
    """The model (all its tiers and snapshots) that alone lost more tokens than the total did."""
    families: dict[str, list[ModelWeek]] = defaultdict(list)
    for row in stats.models:
        families[row.family or row.model].append(row)
    lost, rows = max(((sum(r.previous_tokens or 0 for r in rows) - sum(r.tokens for r in rows), rows)
                      for rows in families.values()), key=lambda item: item[0], default=(0, []))
    if not rows or lost <= fall:
        return {}
    top = min(rows, key=lambda row: row.rank)
    return {"driver": top.family or top.model, "driver_name": family_name(top.name),
            "driver_tokens": sum(r.tokens for r in rows), "driver_fall": lost}


FIRSTS_AFTER = 8  # weeks on record before a first fall means anything


def _first_fall(context: RuleContext, volume: Callable[[IsoWeek], int | None],
                alike: Callable[[IsoWeek, IsoWeek], bool], materiality: float) -> bool:
    """This week's fall is material and no earlier week on record fell materially."""
    weeks = [week for week in context.index.weeks() if week <= context.stats.week]
    if len(weeks) <= FIRSTS_AFTER:
        return False
    for before, week in pairwise(weeks):
        now, then = volume(week), volume(before)
        if now is None or not then or not alike(week, before):
            return False  # a gap or a change of basis: the record is not whole
        falling = now / then - 1 <= -materiality
        if falling != (week == context.stats.week):
            return False
    return True


def _change(now: int | None, before: int | None) -> float | None:
    return now / before - 1 if now is not None and before else None
