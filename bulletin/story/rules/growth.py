"""Change of a subject's volume over one week or several, beyond a threshold.

Week on week for the two lead countries is the event ``growth`` (the facts
today's articles are written from); any other subject or span is a
``volume_change``. How unusual a change is depends on the subject's own
history: a 10% move for a series that usually moves 2% counts more than for
one that usually moves 30%.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from statistics import fmean

from bulletin.model import Event, WeekStats
from bulletin.model.facts import EventKind, GrowthFacts, SubjectType, VolumeChangeFacts
from bulletin.story.novelty import NEWS
from bulletin.story.rules import (
    Param,
    Rule,
    RuleContext,
    comparable,
    evidence,
    subject_models,
    subject_name,
    volumes,
)
from bulletin.story.rules.leaders import followed
from bulletin.weeks import IsoWeek

# How many earlier changes make a subject's "usual" move.
HISTORY_WEEKS = 12


class Growth(Rule):
    name = "growth"
    novelty = {"growth": NEWS, "volume_change": NEWS}
    params = {
        "subject": Param("country", "choice", choices=("country", "author", "total"),
                   help="whose growth: the lead countries (week on week), the largest authors or the total"),
        "span": Param(1, "int", minimum=1, maximum=52,
                   help="weeks compared; 1: week on week"),
        "threshold": Param(0.0, "number", minimum=0,
                   help="the smallest change that is news (never below `methodology.materiality`)"),
        "top": Param(5, "int", minimum=1,
                   help="authors: how many of the largest to follow"),
    }
    subject: str
    span: int
    threshold: float
    top: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        if not stats.complete:
            return
        then = context.history.get(weeks_before(stats.week, self.span))
        if then is None or not then.complete or not comparable(context, self.subject, stats.week, then.week):
            return
        now_volumes, then_volumes = volumes(stats, self.subject), volumes(then, self.subject)
        for subject in followed(stats, self.subject, context.methodology, self.top):
            tokens, previous = now_volumes.get(subject), then_volumes.get(subject)
            if tokens is None or not previous:
                continue
            change = tokens / previous - 1
            # Below the materiality threshold a change is flat: no rise or fall to tell.
            if abs(change) < max(self.threshold, context.methodology.materiality):
                continue
            if self.span > 1 and not _moved_every_week(context, self.subject, subject, change, self.span):
                # W26: "up 46.8% over four weeks" in the week growth stalled is no news; W03: "rose
                # 61.4% over four weeks" from a low, with a fall between, is no rise of four weeks.
                continue
            typical = typical_change(context, self.subject, subject, self.span)
            unusual = min(2.0, max(0.5, abs(change) / typical)) if typical else 1.0
            score = (20.0 + min(60.0, 200 * abs(change))) * unusual
            models = subject_models(stats, self.subject, subject)
            before = subject_models(then, self.subject, subject)
            # A developer's change where one of its models was listed only some days
            # measures the listing, not use (W30: Tencent's "fall" with Hy3 listed 6 of 7 days).
            if self.subject == "author" and (_partly_listed(stats, models) or _partly_listed(then, before)):
                continue
            behind = evidence(then, before)
            if self.subject == "country" and self.span == 1:
                total = stats.country(subject)
                churn = total is not None and total.churn
                facts = GrowthFacts(country=subject, tokens=tokens, previous_tokens=previous,
                                    change=change, typical_change=typical, churn=churn,
                                    same_change=total.same_change if total is not None and churn else None,
                                    membership=total is not None and total.churn_mostly)
                yield Event(EventKind.GROWTH, (subject,), facts, score, evidence(stats, models) + behind)
                continue
            volume = VolumeChangeFacts(
                subject_type=SubjectType(self.subject), subject=subject,
                name=subject_name(stats, self.subject, subject), weeks=self.span, tokens=tokens,
                previous_tokens=previous, change=change, typical_change=typical,
                week_ending=stats.week.sunday.isoformat())
            # Less central than the lead countries' week: half the weight per move.
            score = (10.0 + min(30.0, 50 * abs(change))) * unusual
            topic = f"growth|{self.subject}|{subject}|{self.span}" if change > 0 else ""
            yield Event(EventKind.VOLUME_CHANGE, (subject,), volume, score, evidence(stats, models) + behind,
                        topic=topic)


def weeks_before(week: IsoWeek, span: int) -> IsoWeek:
    return IsoWeek.of(week.monday - timedelta(days=7 * span))


def typical_change(context: RuleContext, subject_type: str, subject: str, span: int) -> float | None:
    """The mean size of the subject's earlier changes over the same span (None if too few)."""
    points = dict(context.index.before(subject_type, subject, context.stats.week,
                                       HISTORY_WEEKS + span))
    changes = []
    for week, tokens in points.items():
        earlier = points.get(weeks_before(week, span))
        if earlier:
            changes.append(abs(tokens / earlier - 1))
    return fmean(changes) if len(changes) >= 4 and any(changes) else None


def _partly_listed(stats: WeekStats, models: Sequence[str]) -> bool:
    """Whether any of ``models`` was listed on fewer than seven days of the week."""
    counted = set(models)
    return any(row.days < 7 for row in stats.models if row.model in counted)


def _moved_every_week(context: RuleContext, subject_type: str, subject: str, change: float,
                      span: int) -> bool:
    """Whether the subject moved the window's way in each of its weeks, and by more than noise
    in the week itself: a change over weeks is told as a run, never across a turn."""
    week = context.stats.week
    for back in range(span):
        now = context.stats if back == 0 else context.history.get(week)
        then = context.history.get(week.previous())
        tokens = volumes(now, subject_type).get(subject) if now is not None else None
        previous = volumes(then, subject_type).get(subject) if then is not None else None
        if not previous or tokens is None:
            return False
        moved = tokens / previous - 1
        if moved * change <= 0 or (back == 0 and abs(moved) < context.methodology.materiality):
            return False
        week = week.previous()
    return True
