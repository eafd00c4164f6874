"""The top N models of the leaderboard all come from one country."""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.rules import Rule, RuleContext, evidence, model_facts


class Sweep(Rule):
    name = "sweep"

    def __init__(self, places: int = 3) -> None:
        self.places = places

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        top = stats.top(self.places)
        if not stats.complete or len(top) < self.places:
            return
        # A stealth model has no country, so it breaks a sweep: we cannot say
        # "all Chinese" about a model whose maker is undisclosed.
        countries = {row.country for row in top}
        if len(countries) != 1 or None in countries:
            return
        country = top[0].country
        facts = {"country": country, "places": self.places,
                 "models": [model_facts(row) for row in top]}
        yield Event("sweep", (str(country),), facts, 55.0 + 5 * (self.places - 3),
                    evidence(stats, [row.model for row in top]))
