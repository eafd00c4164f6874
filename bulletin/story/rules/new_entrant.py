"""Models in this week's top 10 that were not in last week's.

A variant of a model that was there (its paid tier after the free one, a new
snapshot) is no debut: variant_change tells that story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import EventKind, NewEntrantFacts
from bulletin.story.families import family_name, line_of
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, model_facts

DEBUT_AT_THE_TOP = 30.0
# A model listed last week that climbs into the top must have grown this much itself: one that
# fell or stood still entered only because others fell past it (STYLEBOOK 2, W21: Step 3.5 Flash).
CLIMB_RISE = 0.1
REPLACES = 15.0


class NewEntrant(Rule):
    name = "new_entrant"
    novelty = {"new_entrant": NEWS}
    params = {"places": Param(10, "int", minimum=1, maximum=100,
                   help="the top places a debut or a return must reach")}
    places: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if before is None:
            return
        previous_top = {row.model for row in before.top(self.places)}
        previous_families = {row.family or row.model for row in before.top(self.places)}
        first_top = context.index.first_in_top(self.places)
        # A copy of the board that grew (nine rows, then ten): its new last rows say only
        # that the list is longer, not that a model entered (W07's "top nine at No. 10").
        rows_before = len(before.models) if not stats.daily else self.places
        for row in stats.top(self.places):
            if row.model in previous_top or (row.family or row.model) in previous_families:
                continue
            if row.rank > rows_before:
                continue
            if row.previous_rank is not None and row.change is not None and row.change < CLIMB_RISE:
                continue  # in because others fell or left (W27: Step 3.7 Flash, +2.3%, Owl Alpha gone)
            # In the top before the week before (partial weeks too): back after a time away.
            returning = row.model in first_top and first_top[row.model] < before.week
            score = 30.0 + 2 * (self.places - row.rank) + 15 * row.excluded - 10 * returning
            # A debut straight into the top three is among the week's biggest stories
            # (at No. 1 it is the lead change's: "takes first place from ...").
            score += DEBUT_AT_THE_TOP * (1 < row.rank <= 3 and not returning)
            score += DEBUT_AT_THE_TOP / 3 * (3 < row.rank <= 5 and not returning)  # still told
            older = None if returning else predecessor(row, before, stats, self.places)
            score += REPLACES * (older is not None)  # a maker's new model taking over its old one
            # Last week's row when it left the listing: its change is last week's, never told as this week's.
            left = older is not None and all(other.model != older.model for other in stats.models)
            facts = NewEntrantFacts(**model_facts(row), returning=returning,
                                    top=min(self.places, len(before.models), len(stats.models)),
                                    succeeds=family_name(older.name) if older else "",
                                    succeeded_change=older.change if older and not left and older.days == 7
                                    and older.previous_days == 7 else None,
                                    succeeded_left=left)
            yield Event(EventKind.NEW_ENTRANT, (row.model,), facts, score, evidence(stats, [row.model]))


# How much an older model of the line must lose for a new one to be told as taking its place:
# a fall the whole list shared is the season's, not a successor's (weekly W52, Christmas week:
# Gemini 2.5 Flash −13.7% beside Claude Sonnet 4.5 −12.9% and Claude Opus 4.5 −12.1%).
SUCCESSION_FALL = 0.25


def predecessor(row: ModelWeek, before: WeekStats, stats: WeekStats, places: int) -> ModelWeek | None:
    """The same maker's latest model of the same line that stood in last week's top, where it
    lost use now (fell by SUCCESSION_FALL or more, or is leaving the listing: gone, or listed
    some days only). A new model follows the latest of its line, not any older one (weekly W52:
    Gemini 3 Flash Preview follows Gemini 2.5 Flash, not Gemini 2.0 Flash, gone from the nine)."""
    line = line_of(row.name)
    if not line:
        return None
    family = row.family or row.model
    # Its own paid tier or other snapshot is one model, not a successor (STYLEBOOK 4).
    line_before = [older for older in before.top(places) if older.author == row.author
                   and (older.family or older.model) != family and line_of(older.name) == line]
    if not line_before:
        return None
    older = max(line_before, key=lambda older: (version(older.name), -older.rank))
    current = next((other for other in stats.models if other.model == older.model), None)
    if current is None:
        return older if stats.daily or _fell_out(older, stats) else None
    if current.days < 7:
        return current
    if current.change is not None and current.change <= -SUCCESSION_FALL:
        return current
    return None


def _fell_out(older: ModelWeek, stats: WeekStats) -> bool:
    """Whether a model gone from a weekly copy of the top rows must have lost SUCCESSION_FALL of
    its use to be gone: a copy lists its rows only, and one that missed the last row by a few
    billion tokens lost next to nothing (weekly W48: Gemini 2.5 Pro, 156 billion, cut at 151)."""
    cutoff = min((row.tokens for row in stats.models), default=0)
    return older.tokens * (1 - SUCCESSION_FALL) > cutoff


def version(name: str) -> tuple[int, ...]:
    """The version a model's name gives ("Gemini 2.5 Flash": (2, 5); "MiniMax M2.1": (2, 1))."""
    found = re.search(r"(\d+(?:\.\d+)*)", family_name(name))
    return tuple(int(part) for part in found.group(1).split(".")) if found else ()
