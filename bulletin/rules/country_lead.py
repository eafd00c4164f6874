"""Which of the two lead countries is ahead, and for how long.

Yields a ``lead_change`` when the other country took first place, otherwise a
``streak`` saying for how many consecutive complete weeks the leader has been
ahead. A streak that reaches back to the start of the stored history (or to a
gap in it) is open-ended: "at least" that long, never claimed as more.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event, WeekStats
from bulletin.rules import Rule, RuleContext, evidence


def leader(stats: WeekStats, pair: tuple[str, str]) -> str | None:
    """The country ahead of the other; None on a tie or if the week is partial."""
    if not stats.complete:
        return None
    first, second = (stats.country(code) for code in pair)
    a = first.tokens if first else 0
    b = second.tokens if second else 0
    if a == b:
        return None
    return pair[0] if a > b else pair[1]


def run_length(context: RuleContext, stats: WeekStats, country: str) -> tuple[int, bool, str]:
    """Consecutive weeks up to ``stats`` that ``country`` led.

    Also says whether the run is open-ended (it reaches the start of the
    stored history, or a gap in it) and the Monday it began.
    """
    weeks, start = 0, stats.week
    current: WeekStats | None = stats
    while current is not None and leader(current, context.methodology.lead_countries) == country:
        weeks, start = weeks + 1, current.week
        before = context.week_before(current)
        if before is None:
            return weeks, True, start.monday.isoformat()
        current = before
    return weeks, False, start.monday.isoformat()


class CountryLead(Rule):
    name = "country_lead"

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        pair = context.methodology.lead_countries
        ahead = leader(stats, pair)
        if ahead is None:
            return
        behind = pair[1] if ahead == pair[0] else pair[0]
        first, second = stats.country(ahead), stats.country(behind)
        assert first is not None
        facts: dict[str, object] = {
            "leader": ahead,
            "trailer": behind,
            "leader_tokens": first.tokens,
            "trailer_tokens": second.tokens if second else 0,
            "leader_change": first.change,
            "trailer_change": second.change if second else None,
            "week_ending": stats.week.sunday.isoformat(),
        }
        models = first.models + (second.models if second else ())
        weeks, open_ended, since = run_length(context, stats, ahead)
        before = context.week_before(stats)
        previous_leader = leader(before, pair) if before else None

        if previous_leader == behind:
            assert before is not None
            ended, ended_open, ended_since = run_length(context, before, behind)
            facts.update(ended_weeks=ended, ended_open_ended=ended_open, ended_since=ended_since,
                         retaken=_led_before(context, stats, ahead))
            yield Event("lead_change", (ahead, behind), facts, 90.0 + min(ended, 6),
                        evidence(stats, models))
            return
        facts.update(weeks=weeks, open_ended=open_ended, since=since)
        yield Event("streak", (ahead, behind), facts, 45.0 + 10 * min(weeks, 6) - 5 * open_ended,
                    evidence(stats, models))


def _led_before(context: RuleContext, stats: WeekStats, country: str) -> bool:
    pair = context.methodology.lead_countries
    return any(leader(other, pair) == country
               for week, other in context.history.items() if week < stats.week)
