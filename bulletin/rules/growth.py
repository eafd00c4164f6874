"""Week-over-week change of each lead country's volume."""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.rules import Rule, RuleContext, evidence


class Growth(Rule):
    name = "growth"

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if before is None:
            return
        for code in context.methodology.lead_countries:
            total = stats.country(code)
            if total is None or total.change is None:
                continue
            previous = before.country(code)
            facts = {"country": code, "tokens": total.tokens,
                     "previous_tokens": total.previous_tokens, "change": total.change}
            score = 20.0 + min(60.0, 200 * abs(total.change))
            behind = evidence(before, previous.models) if previous else ()
            yield Event("growth", (code,), facts, score, evidence(stats, total.models) + behind)
