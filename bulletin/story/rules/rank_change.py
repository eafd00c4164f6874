"""Moves on the model leaderboard: a new No. 1, a climb or fall of at least K places.

Debuts in the top 10 are ``new_entrant`` events. A new No. 1 is the same fact
as the model lead change and shares its topic.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, model_facts


class RankChange(Rule):
    name = "rank_change"
    novelty = {"rank_change": NEWS}
    params = {"places": Param(3, "int", minimum=1), "within": Param(10, "int", minimum=1)}
    places: int
    within: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        if not stats.complete or not stats.has_previous:
            return
        for row in stats.models:
            if row.previous_rank is None or min(row.rank, row.previous_rank) > self.within:
                continue
            moved = row.previous_rank - row.rank
            if row.rank == 1 and row.previous_rank != 1:
                move, score, topic = "new_leader", 60.0, f"lead|model|{row.model}"
            elif abs(moved) >= self.places:
                move, topic = ("climb" if moved > 0 else "fall"), ""
                score = 15.0 + 3 * min(abs(moved), 10) + 5 * (row.rank <= 3)
            else:
                continue
            facts = model_facts(row) | {"move": move, "places": abs(moved),
                                        "week_ending": stats.week.sunday.isoformat()}
            yield Event("rank_change", (row.model,), facts, score, evidence(stats, [row.model]),
                        topic=topic)
