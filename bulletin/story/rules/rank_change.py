"""Moves on the model leaderboard: a new No. 1, a climb or fall of at least K places.

Debuts in the top 10 are ``new_entrant`` events. A new No. 1 is the same fact
as the model lead change and shares its topic; a variant of last week's No. 1
(its paid tier, a new snapshot) is no new leader. A move is only measured
between two weeks in which the model was listed every day: against a partial
week it measures the listing (the Data API lists each day's top 50 only).
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.model.facts import EventKind, Move, RankChangeFacts
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, model_facts
from bulletin.story.rules.leaders import same_leader
from bulletin.story.stats import DAILY_CUTOFF


class RankChange(Rule):
    name = "rank_change"
    novelty = {"rank_change": NEWS}
    params = {"places": Param(3, "int", minimum=1,
                   help="the smallest climb or fall that is news"),
              "within": Param(10, "int", minimum=1,
                   help="only moves within the top this many places")}
    places: int
    within: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        if not stats.complete or not stats.has_previous:
            return
        before = context.week_before(stats)
        leader = before.models[0].model if before is not None and before.models else None
        materiality = context.methodology.materiality
        for row in stats.models:
            if row.previous_rank is None or min(row.rank, row.previous_rank) > self.within:
                continue
            if not row.full_weeks or max(row.rank, row.previous_rank) > DAILY_CUTOFF:
                continue
            moved = row.previous_rank - row.rank
            if row.rank == 1 and row.previous_rank != 1 and same_leader("model", leader, row.model):
                continue  # the family kept first place; its variants are a story of their own
            if row.rank == 1 and row.previous_rank != 1:
                move, score, topic = "new_leader", 60.0, f"lead|model|{row.model}"
            elif abs(moved) >= self.places:
                # Told only where its own use moved the same way: a fall while it rose, or
                # places swapped within a near tie, is the others' story (STYLEBOOK 2).
                change = row.change
                if change is None or (change > -materiality if moved < 0 else change < materiality):
                    continue
                move, topic = ("climb" if moved > 0 else "fall"), ""
                score = 15.0 + 3 * min(abs(moved), 10) + 5 * (row.rank <= 3)
            else:
                continue
            facts = RankChangeFacts(**model_facts(row), move=Move(move), places=abs(moved),
                                    week_ending=stats.week.sunday.isoformat())
            yield Event(EventKind.RANK_CHANGE, (row.model,), facts, score, evidence(stats, [row.model]),
                        topic=topic)

