"""A change between a model's variants: its free tier left the listing, or a new snapshot arrived.

The Data API lists a model's ``:free`` tier and its dated snapshots as rows of
their own (story/families.py). When the free row of a top model stops being
listed while its paid row is, the free tier is gone (Hy3 Preview's in May
2026, Hy3's on July 20, a Monday: told that week); when a new snapshot has
its first full week beside the one it follows, the maker has replaced it
(DeepSeek V4 Flash's in August 2026).
These are the model's stories; rank_change and lead_change leave such moves
to this rule instead of telling them as a new leader or a debut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import EventKind, VariantChangeFacts, VariantWhat
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
        now = families(stats.models)
        then = families(before.models)
        for family, rows in now.items():
            best = min(row.rank for row in rows)
            earlier = then.get(family, [])
            if not earlier or min(best, min(row.rank for row in earlier)) > self.within:
                continue
            ended = free_tier_end(stats, rows, earlier, self.within, first_held=not before.has_previous)
            if ended is not None:
                tier = ended.paid
                facts = VariantChangeFacts(
                    **_base(tier, stats.week.sunday.isoformat()),
                    what=VariantWhat.FREE_ENDED, free_tokens=ended.free.tokens,
                    # A rank over the days it was still listed is no week's rank.
                    free_rank=ended.free.rank if ended.free.days == 7 else None,
                    free_this_week=ended.free in rows, last_listed=ended.last_listed.isoformat(),
                    first_held=ended.free.days != 7 and ended.free not in rows,
                    family_tokens=ended.family_tokens, family_previous_tokens=ended.family_previous)
                score = 55.0 + 3 * max(0, 10 - min(ended.free.rank, tier.rank))
                keys = evidence(stats, [row.model for row in rows]) + evidence(
                    before, [row.model for row in earlier])
                yield Event(EventKind.VARIANT_CHANGE, (family,), facts, score, keys,
                            topic=f"free_ended|{family}")
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


@dataclass(frozen=True)
class FreeEnd:
    """A model's free tier that stopped being listed this week, its paid tier staying."""

    free: ModelWeek  # its last row: this week's (listed some days) or last week's (all seven)
    paid: ModelWeek  # this week's best other tier
    last_listed: date
    family_tokens: int  # the model, all tiers, this week
    family_previous: int  # and last week


def free_tier_end(stats: WeekStats, rows: list[ModelWeek], earlier: list[ModelWeek],
                  within: int, first_held: bool = False) -> FreeEnd | None:
    """The free tier of a model (``rows`` this week, ``earlier`` last week) that ended this week.

    Told the week it happens (STYLEBOOK 1): listed every day of last week, high
    in it, and this week on its first days only, or on none. A listing that ends
    runs from the Monday, so its last day is the Monday plus its days less one.
    A free tier already partly gone last week was told then, not again, unless
    last week was the first held (``first_held``): nothing before it to tell it by.
    """
    paid = [row for row in rows if not variant(row.model).free]
    if not paid:
        return None
    for free_before in earlier:
        if not variant(free_before.model).free or free_before.rank > within:
            continue
        still = next((row for row in rows if row.model == free_before.model), None)
        if (still is not None and still.days == 7) or (free_before.days != 7 and (
                still is not None or not first_held)):
            continue
        if still is not None:
            last = stats.week.monday + timedelta(days=still.days - 1)
        else:  # its listing ended last week, on its last day or (first_held) on its Nth
            last = stats.week.monday - timedelta(days=8 - free_before.days)
        return FreeEnd(still or free_before, paid[0], last, sum(row.tokens for row in rows),
                       sum(row.tokens for row in earlier))
    return None


def families(rows: Iterable[ModelWeek]) -> dict[str, list[ModelWeek]]:
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
