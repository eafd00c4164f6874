"""A country's share of the counted leaderboard crossing a level (e.g. above half)."""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event, WeekStats
from bulletin.model.facts import Direction, EventKind, ShareFacts
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, subject_models
from bulletin.story.rules.leaders import pair_leader, previous_complete


def shares(stats: WeekStats) -> dict[str, float]:
    """Each country's part of the tokens of the week's counted models."""
    counted = sum(t.tokens for t in stats.authors)
    return {t.key: t.tokens / counted for t in stats.countries} if counted else {}


class Share(Rule):
    name = "share"
    novelty = {"share": NEWS}
    params = {"levels": Param([0.5], "numbers", minimum=0, maximum=1,
                   help="shares of the counted models (0.5 is half) whose crossing by a country is news")}
    levels: list[float]

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = previous_complete(context.history, stats.week)
        if not stats.complete or before is None:
            return
        now, then = shares(stats), shares(before)
        for country in sorted(set(now) | set(then)):
            share, previous = now.get(country, 0.0), then.get(country, 0.0)
            for level in sorted(self.levels, reverse=True):
                if previous < level <= share:
                    direction = "above"
                elif share < level <= previous:
                    direction = "below"
                else:
                    continue
                facts = ShareFacts(country=country, share=share, previous_share=previous,
                                   level=level, direction=Direction(direction),
                                   tokens=total.tokens if (total := stats.country(country)) else 0,
                                   week_ending=stats.week.sunday.isoformat())
                # Half the board changing hands between the lead pair is their
                # lead changing (or one fact told from either side).
                pair = context.methodology.lead_countries
                topic = f"lead|country|{pair_leader(stats, pair)}" if (
                    level == 0.5 and country in pair) else ""
                yield Event(EventKind.SHARE, (country, str(level)), facts, 50.0,
                            evidence(stats, subject_models(stats, "country", country)), topic=topic)
                break
