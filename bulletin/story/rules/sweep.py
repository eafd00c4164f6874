"""The top N models of the leaderboard all come from one country (or one author).

The event says for how many consecutive complete weeks the same country has
held all N places (``weeks``; "the second consecutive week").
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin.model import Event
from bulletin.story.novelty import run
from bulletin.story.rules import HistoryIndex, Param, Rule, RuleContext, evidence, model_facts
from bulletin.story.rules.leaders import run_back, run_score
from bulletin.weeks import IsoWeek


class Sweep(Rule):
    name = "sweep"
    novelty = {"sweep": run(), "author_sweep": run()}  # the same top three again is old news
    params = {"places": Param(3, "int", minimum=2, maximum=50),
              "by": Param("country", "choice", choices=("country", "author"))}
    places: int
    by: str

    def swept_by(self, index: HistoryIndex, week: IsoWeek) -> str | None:
        top = index.top_owners(week, self.places)
        if not index.complete(week) or len(top) < self.places:
            return None
        # A stealth model has no country, so it breaks a sweep: we cannot say
        # "all Chinese" about a model whose maker is undisclosed.
        owners = {country if self.by == "country" else author for author, country, _ in top}
        if len(owners) != 1 or None in owners or any(excluded for _, _, excluded in top):
            return None
        return owners.pop()

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        owner = self.swept_by(context.index, stats.week)
        if owner is None:
            return
        top = stats.top(self.places)
        run = run_back(context.history, stats.week,
                       lambda week: self.swept_by(context.index, week) == owner)
        models = [model_facts(row) for row in top]
        extra = {"weeks": run.weeks, "open_ended": run.open_ended,
                 "since": run.since.monday.isoformat()}
        score = run_score(55.0 + 5 * (self.places - 3) + 5 * min(run.weeks - 1, 2), run.weeks)
        keys = evidence(stats, [row.model for row in top])
        if self.by == "country":
            facts = {"country": owner, "places": self.places, "models": models} | extra
            yield Event("sweep", (owner,), facts, score, keys)
        else:
            facts = {"author": owner, "places": self.places, "models": models} | extra
            yield Event("author_sweep", (owner,), facts, score - 10, keys)
