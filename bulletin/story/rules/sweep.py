"""The top N models of the leaderboard all come from one country (or one author).

Models, not rows: a model's free tier and its snapshots count as one of the N
(STYLEBOOK 4), so two snapshots of one model are never "two of the top three".

The event says for how many consecutive complete weeks the same country has
held all N places (``weeks``; "the second consecutive week"). The week such
a run of at least ``end_after`` weeks ends is news of its own
(``sweep_end``/``author_sweep_end``): which model broke it, at what place,
after how many weeks ("the top three are no longer all Chinese, after ten
weeks").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import EventKind, ModelFacts, SweepEndFacts, SweepFacts
from bulletin.story.families import family_name
from bulletin.story.novelty import NEWS, run
from bulletin.story.rules import (
    HistoryIndex,
    Param,
    Rule,
    RuleContext,
    evidence,
    model_facts,
    top_families,
)
from bulletin.story.rules.leaders import previous_complete, run_back, run_score
from bulletin.weeks import IsoWeek


class Sweep(Rule):
    name = "sweep"
    # The same top three again is old news; each end of a run is news of its own.
    novelty = {"sweep": run(), "author_sweep": run(), "sweep_end": NEWS, "author_sweep_end": NEWS}
    params = {"places": Param(3, "int", minimum=2, maximum=50,
                   help="how many top places one owner must hold"),
              "by": Param("country", "choice", choices=("country", "author"),
                   help="the owner: a country or an author"),
              "end_after": Param(2, "int", minimum=1,
                   help="a run at least this many weeks long is news when it ends")}
    places: int
    by: str
    end_after: int

    def swept_by(self, index: HistoryIndex, week: IsoWeek) -> str | None:
        top = index.top_family_owners(week, self.places)
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
        yield from self._ended(context, owner)
        if owner is None:
            return
        top = top_families(stats, self.places)
        run = run_back(context.history, stats.week,
                       lambda week: self.swept_by(context.index, week) == owner,
                       context.index.runs("sweep", self.places, self.by, owner))
        models = tuple(_whole_model(stats, row) for row in top)
        weeks = context.index.weeks()
        first = run.weeks == 1 and not run.open_ended and not any(
            self.swept_by(context.index, week) == owner for week in weeks if week < stats.week)
        extra: dict[str, Any] = {"places": self.places, "models": models, "weeks": run.weeks,
                                 "open_ended": run.open_ended, "since": run.since.monday.isoformat(),
                                 "rows": top[-1].rank, "first": first,
                                 "records_since": weeks[0].monday.isoformat() if first else ""}
        score = run_score(55.0 + 5 * (self.places - 3) + 5 * min(run.weeks - 1, 2), run.weeks)
        keys = evidence(stats, [row.model for row in top])
        if self.by == "country":
            yield Event(EventKind.SWEEP, (owner,), SweepFacts(country=owner, **extra), score, keys)
        else:
            yield Event(EventKind.AUTHOR_SWEEP, (owner,), SweepFacts(author=owner, **extra),
                        score - 10, keys)

    def _ended(self, context: RuleContext, owner: str | None) -> Iterable[Event]:
        """The run of sweeps that ended this week, if one of ``end_after`` weeks or more did."""
        stats = context.stats
        if not stats.complete:
            return
        before = previous_complete(context.history, stats.week)
        if before is None:
            return
        ended_by = self.swept_by(context.index, before.week)
        if ended_by is None or ended_by == owner:
            return
        ended = run_back(context.history, before.week,
                         lambda week: self.swept_by(context.index, week) == ended_by,
                         context.index.runs("sweep", self.places, self.by, ended_by))
        if ended.weeks < self.end_after:
            return
        top = top_families(stats, self.places)
        breaker = next((row for row in top if not self._owned(row, ended_by)), None)
        if breaker is None:  # fewer models listed than places: nothing to tell
            return
        facts: dict[str, Any] = {
                 "places": self.places, "models": tuple(_whole_model(stats, row) for row in top),
                 "breaker": ModelFacts(**model_facts(breaker)), "ended_weeks": ended.weeks,
                 "ended_open_ended": ended.open_ended, "ended_since": ended.since.monday.isoformat(),
                 "week_ending": stats.week.sunday.isoformat()}
        # Among the week's biggest stories: a hold on the top places that lasted is over.
        score = 70.0 + 2 * min(ended.weeks, 5)
        keys = evidence(stats, [row.model for row in top])
        if self.by == "country":
            yield Event(EventKind.SWEEP_END, (ended_by,), SweepEndFacts(**facts, country=ended_by),
                        score, keys)
        else:
            yield Event(EventKind.AUTHOR_SWEEP_END, (ended_by,), SweepEndFacts(**facts, author=ended_by),
                        score - 10, keys)

    def _owned(self, row: ModelWeek, owner: str) -> bool:
        return not row.excluded and (row.country if self.by == "country" else row.author) == owner


def _whole_model(stats: WeekStats, row: ModelWeek) -> ModelFacts:
    """A top model as a sweep names it: all its tiers and snapshots (W30: Tencent Hy3's 5.69
    trillion, not its paid tier's 3.94), under the name they share (STYLEBOOK 4)."""
    family = row.family or row.model
    rows = [other for other in stats.models if (other.family or other.model) == family]
    if len(rows) == 1:
        return ModelFacts(**model_facts(row))
    # Its change over all its tiers: the board's where it has one, else where every row was listed.
    before: list[int] = [other.previous_tokens for other in rows if other.previous_tokens is not None]
    change = row.family_change
    if change is None and len(before) == len(rows) and sum(before) > 0:
        change = sum(other.tokens for other in rows) / sum(before) - 1
    return ModelFacts(**(model_facts(row) | {"name": family_name(row.name), "change": change,
                                             "tokens": sum(other.tokens for other in rows)}))
