"""A change between a model's variants: its free tier left the listing, or a new snapshot arrived.

The Data API lists a model's ``:free`` tier and its dated snapshots as rows of
their own (story/families.py). When last week's free row of a top model is
no longer listed while its paid row is, the free tier is gone (Hy3 Preview's
in May 2026); when a new snapshot has its first full week beside the one it
follows, the maker has replaced it (DeepSeek V4 Flash's in August 2026).
These are the model's stories; rank_change and lead_change leave such moves
to this rule instead of telling them as a new leader or a debut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bulletin.facts import EventKind, VariantChangeFacts, VariantWhat
from bulletin.model import Event, ModelWeek
from bulletin.story.families import family_name, variant
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence


class VariantChange(Rule):
    name = "variant_change"
    novelty = {"variant_change": NEWS}
    params = {"within": Param(10, "int", minimum=1)}  # how high a family must stand to be news
    within: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if not stats.complete or before is None:
            return
        now = _families(stats.models)
        then = _families(before.models)
        for family, rows in now.items():
            best = min(row.rank for row in rows)
            earlier = then.get(family, [])
            if not earlier or min(best, min(row.rank for row in earlier)) > self.within:
                continue
            paid = [row for row in rows if not variant(row.model).free]
            # Only a free tier that stood high last week: a row summed from a day or
            # two below the daily cutoff has no rank worth telling.
            ended = [row for row in earlier if variant(row.model).free and row.rank <= self.within
                     and all(row.model != other.model for other in rows)]
            if ended and paid:
                free, tier = ended[0], paid[0]
                facts = VariantChangeFacts(
                    **_base(tier, stats.week.sunday.isoformat()),
                    what=VariantWhat.FREE_ENDED, free_tokens=free.tokens,
                    # A rank over the days it was still listed is no week's rank.
                    free_rank=free.rank if free.days == 7 else None)
                score = 55.0 + 3 * max(0, 10 - min(free.rank, tier.rank))
                yield Event(EventKind.VARIANT_CHANGE, (family,), facts, score,
                            evidence(stats, [tier.model]) + evidence(before, [free.model]))
                continue
            snapshot = _new_snapshot(rows, earlier)
            if snapshot is not None:
                new, old = snapshot
                overtook = new.tokens > old.tokens
                facts = VariantChangeFacts(
                    **_base(new, stats.week.sunday.isoformat()),
                    what=VariantWhat.SNAPSHOT, snapshot=_date(new), old_snapshot=_date(old),
                    old_tokens=old.tokens, old_rank=old.rank, overtook=overtook)
                score = 45.0 + 3 * max(0, 10 - new.rank) + 10 * overtook
                yield Event(EventKind.VARIANT_CHANGE, (family,), facts, score,
                            evidence(stats, [new.model, old.model]))


def _families(rows: Iterable[ModelWeek]) -> dict[str, list[ModelWeek]]:
    found: dict[str, list[ModelWeek]] = defaultdict(list)
    for row in rows:
        found[row.family or row.model].append(row)
    return found


def _new_snapshot(rows: list[ModelWeek], earlier: list[ModelWeek]) -> tuple[ModelWeek, ModelWeek] | None:
    """The snapshot in its first full week and the older one it follows, if any."""
    dated = [row for row in rows if variant(row.model).snapshot and not variant(row.model).free]
    for new in sorted(dated, key=lambda row: row.rank):
        if new.days != 7 or new.previous_days == 7:
            continue  # not its first full week
        when = variant(new.model).snapshot
        older = [row for row in rows if row is not new and not variant(row.model).free
                 and (variant(row.model).snapshot or when) < when]  # type: ignore[operator]
        if older and any(row.model == older[0].model for row in earlier):
            return new, older[0]
    return None


def _date(row: ModelWeek) -> str:
    found = variant(row.model).snapshot
    return found.isoformat() if found else ""


def _base(row: ModelWeek, week_ending: str) -> dict[str, Any]:
    return {"model": row.model, "family": row.family, "name": family_name(row.name),
            "author": row.author, "country": row.country, "rank": row.rank, "tokens": row.tokens,
            "week_ending": week_ending}
