"""Models in this week's top 10 that were not in last week's.

A variant of a model that was there (its paid tier after the free one, a new
snapshot) is no debut: variant_change tells that story.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.model.facts import EventKind, NewEntrantFacts
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, model_facts

DEBUT_AT_THE_TOP = 30.0


class NewEntrant(Rule):
    name = "new_entrant"
    novelty = {"new_entrant": NEWS}
    params = {"places": Param(10, "int", minimum=1, maximum=100)}
    places: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if before is None:
            return
        previous_top = {row.model for row in before.top(self.places)}
        previous_families = {row.family or row.model for row in before.top(self.places)}
        first_top = context.index.first_in_top(self.places)
        for row in stats.top(self.places):
            if row.model in previous_top or (row.family or row.model) in previous_families:
                continue
            # In the top before the week before (partial weeks too): back after a time away.
            returning = row.model in first_top and first_top[row.model] < before.week
            score = 30.0 + 2 * (self.places - row.rank) + 15 * row.excluded - 10 * returning
            # A debut straight into the top three is among the week's biggest stories
            # (at No. 1 it is the lead change's: "takes first place from ...").
            score += DEBUT_AT_THE_TOP * (1 < row.rank <= 3 and not returning)
            facts = NewEntrantFacts(**model_facts(row), returning=returning,
                                    top=min(self.places, len(before.models), len(stats.models)))
            yield Event(EventKind.NEW_ENTRANT, (row.model,), facts, score, evidence(stats, [row.model]))
