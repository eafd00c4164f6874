"""A model that stops being listed: a stealth model withdrawn, or a leader gone from the list.

Stealth models (an excluded author, ``openrouter/owl-alpha``) appear under a
code name and are taken down without notice; so are free models with no paid
tier (``inclusionai/ling-3.0-flash:free``, daily W32). One that stood in last week's
top places all week and this week is listed on its first days only, or on
none, has left the listing: news the week it happens (STYLEBOOK 1), told
with the day it was last listed. Days are counted from the Monday, as a
listing that ends runs from the start of the week.

Any other model of last week's top ``top``, or a former No. 1 wherever it
stood, of which no row (no tier, no snapshot) is listed this week has dropped
out: a weekly leaderboard's top ten no longer has it, or the Data API's daily
top 50 no longer lists it (``dropped_out``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import DroppedOutFacts, EventKind, StealthWithdrawnFacts
from bulletin.story.families import family_of, variant
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence


class Withdrawal(Rule):
    name = "withdrawal"
    novelty = {"stealth_withdrawn": NEWS, "dropped_out": NEWS}
    params = {"within": Param(12, "int", minimum=1,
                   help="how high a stealth model, or a free one with no paid tier, stood last week "
                        "for its leaving to be news"),
              "top": Param(5, "int", minimum=1,
                   help="how high any other model stood last week for its leaving to be news")}
    within: int
    top: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if not stats.complete or before is None:
            return
        now = {row.model: row for row in stats.models}
        yield from self._dropped(context, before)
        for row in before.top(self.within):
            free = stats.daily and _free_only(row, before, stats)
            if not (row.excluded or free) or row.days != 7:
                continue
            still = now.get(row.model)
            if still is not None and still.days == 7:
                continue
            listed = still.days if still is not None else 0
            if still is not None and still.last_day == 6:
                continue  # listed on the week's last day: not gone
            day = still.last_day if still is not None and still.last_day is not None else listed - 1
            last = stats.week.monday + timedelta(days=day)
            facts = StealthWithdrawnFacts(
                model=row.model, name=row.name, last_listed=last.isoformat(),
                previous_rank=row.rank, previous_tokens=row.tokens,
                tokens=still.tokens if still is not None else 0, days=listed,
                week_ending=stats.week.sunday.isoformat(), listed=0 if stats.daily else len(stats.models),
                maker="" if row.excluded else row.author)
            keys = evidence(before, [row.model]) + (evidence(stats, [row.model]) if still else ())
            yield Event(EventKind.STEALTH_WITHDRAWN, (row.model,), facts,
                        40.0 + 3 * (self.within - row.rank), keys)

    def _dropped(self, context: RuleContext, before: WeekStats) -> Iterable[Event]:
        stats = context.stats
        families = {row.family or row.model for row in stats.models}
        told: set[str] = set()
        for row in before.models:
            family = row.family or row.model
            if row.excluded or family in families or family in told:
                continue
            # Below the top places, only a former No. 1 leaving is news (weekly W10: Claude
            # Sonnet 4.5, No. 1 five weeks before, No. 9 the week before).
            led = _last_led(context, family)
            if row.rank > self.top and not led:
                continue
            told.add(family)
            facts = DroppedOutFacts(
                model=row.model, name=row.name, country=row.country,
                previous_rank=row.rank, previous_tokens=row.tokens,
                listed=0 if stats.daily else len(stats.models),
                week_ending=stats.week.sunday.isoformat(), last_led=led)
            yield Event(EventKind.DROPPED_OUT, (row.model,), facts,
                        35.0 + 4 * max(0, self.top - row.rank) + (20.0 if led else 0.0),
                        evidence(before, [row.model]))


LED_WITHIN = 8  # weeks back a former No. 1 is remembered when it leaves the list


def _free_only(row: ModelWeek, before: WeekStats, stats: WeekStats) -> bool:
    """A free tier of a model no paid tier of which was listed either week: when its listing
    ends, the model has gone, as a stealth model goes (not a free tier ending beside a paid one)."""
    if not variant(row.model).free:
        return False
    family = row.family or row.model
    return not any((other.family or other.model) == family and not variant(other.model).free
                   for week in (before, stats) for other in week.models)


def _last_led(context: RuleContext, family: str) -> str:
    """The Sunday of the last week, of the LED_WITHIN before this one, the model was No. 1."""
    pair = context.methodology.lead_countries
    earlier = [week for week in context.index.weeks() if week < context.stats.week][-LED_WITHIN:]
    for week in reversed(earlier):
        leader = context.index.leader(week, "model", pair)
        if leader is not None and family_of(leader) == family:
            return week.sunday.isoformat()
    return ""
