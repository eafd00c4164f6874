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
from datetime import date, timedelta
from typing import Any

from bulletin.model import Event, ModelWeek, WeekStats
from bulletin.model.facts import EventKind, VariantChangeFacts, VariantWhat
from bulletin.records import record
from bulletin.story.families import family_name, variant
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence


class VariantChange(Rule):
    name = "variant_change"
    novelty = {"variant_change": NEWS}
    params = {"within": Param(10, "int", minimum=1,
                   help="how high a family must stand for a tier's end or a new snapshot to be news")}
    within: int

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if not stats.complete:
            return
        now = families(stats.models)
        then = families(before.models) if before is not None else {}
        for family, rows in now.items():
            best = min(row.rank for row in rows)
            earlier = then.get(family, [])
            if before is None and not context.index.position(stats.week):
                ended = first_week_free_end(stats, rows, self.within)  # nothing before it held
            elif not earlier or min(best, min(row.rank for row in earlier)) > self.within:
                continue
            else:
                ended = free_tier_end(stats, rows, earlier, self.within)
            if ended is not None:
                tier = ended.paid
                facts = VariantChangeFacts(
                    **_base(tier, stats.week.sunday.isoformat()),
                    what=VariantWhat.FREE_ENDED, free_tokens=ended.free.tokens,
                    # A rank over the days it was still listed is no week's rank.
                    free_rank=ended.free.rank if ended.free.days == 7 else None,
                    free_this_week=ended.free in rows, last_listed=ended.last_listed.isoformat(),
                    first_week=before is None,
                    family_tokens=ended.family_tokens, family_previous_tokens=ended.family_previous)
                score = 55.0 + 3 * max(0, 10 - min(ended.free.rank, tier.rank))
                keys = evidence(stats, [row.model for row in rows]) + (evidence(
                    before, [row.model for row in earlier]) if before is not None else ())
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
                    old_tokens=old.tokens, old_rank=old.rank, overtook=overtook,
                    family_tokens=sum(row.tokens for row in rows))
                # The model's own news, told with its total: two snapshots are never rivals
                # (STYLEBOOK 4), so a new one overtaking the old is no headline of its own.
                score = 30.0 + 2 * max(0, 10 - new.rank)
                yield Event(EventKind.VARIANT_CHANGE, (family,), facts, score,
                            evidence(stats, [new.model, old.model]))
                continue
            arrived = _arrived_snapshot(rows, earlier)
            first_day = arrived[0].first_day if arrived is not None else None
            if arrived is not None and first_day is not None:
                new, old = arrived
                facts = VariantChangeFacts(
                    **_base(new, stats.week.sunday.isoformat()),
                    what=VariantWhat.SNAPSHOT, snapshot=_date(new), old_snapshot=_date(old),
                    old_tokens=old.tokens, old_rank=old.rank, overtook=new.tokens > old.tokens,
                    first_listed=(stats.week.monday + timedelta(days=first_day)).isoformat(),
                    days=new.days)
                yield Event(EventKind.VARIANT_CHANGE, (family,), facts,
                            35.0 + 2 * max(0, 10 - old.rank), evidence(stats, [new.model, old.model]))


@record
class FreeEnd:
    """A model's free tier that stopped being listed this week, its paid tier staying."""

    free: ModelWeek  # its last row: this week's (listed some days) or last week's (all seven)
    paid: ModelWeek  # this week's best other tier
    last_listed: date
    family_tokens: int  # the model, all tiers, this week
    family_previous: int  # and last week


def free_tier_end(stats: WeekStats, rows: list[ModelWeek], earlier: list[ModelWeek],
                  within: int) -> FreeEnd | None:
    """The free tier of a model (``rows`` this week, ``earlier`` last week) that ended this week.

    Told the week it happens (STYLEBOOK 1): listed every day of last week, high
    in it, and this week not on its last day, or on no day. The day it was last
    listed is the listing's own (daily data keeps which days); a weekly board
    has no days, and its free tier is gone the week it is no longer on it.
    """
    paid = [row for row in rows if not variant(row.model).free]
    if not paid:
        return None
    for free_before in earlier:
        if not variant(free_before.model).free or free_before.rank > within or free_before.days != 7:
            continue
        still = next((row for row in rows if row.model == free_before.model), None)
        if still is not None and (still.days == 7 or still.last_day is None or still.last_day == 6):
            continue
        if still is not None and still.last_day is not None:
            last = stats.week.monday + timedelta(days=still.last_day)
        else:  # listed every day of last week, and on none of this one
            last = stats.week.monday - timedelta(days=1)
        return FreeEnd(still or free_before, paid[0], last, sum(row.tokens for row in rows),
                       sum(row.tokens for row in earlier))
    return None


def first_week_free_end(stats: WeekStats, rows: list[ModelWeek], within: int) -> FreeEnd | None:
    """In the first week held: a free tier listed from the Monday and no longer by its end, its
    paid tier listed only after it (Hy3 Preview's, May 4 to 8, 2026): the same story, told then.
    """
    for free in rows:
        if (not variant(free.model).free or free.rank > within or free.first_day != 0
                or free.last_day is None or free.last_day == 6):
            continue
        after = [row for row in rows if not variant(row.model).free and row.first_day is not None
                 and row.first_day > free.last_day]
        if after:
            return FreeEnd(free, after[0], stats.week.monday + timedelta(days=free.last_day),
                           sum(row.tokens for row in rows), 0)
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


def _arrived_snapshot(rows: list[ModelWeek], earlier: list[ModelWeek]
                      ) -> tuple[ModelWeek, ModelWeek] | None:
    """A newer snapshot first listed this week (days of it only), beside an older one listed
    last week: its arrival is news that week, before its first full week (STYLEBOOK 1)."""
    for new in rows:
        when = variant(new.model).snapshot
        if when is None or variant(new.model).free or new.previous_days is not None or new.days == 7:
            continue
        older = [row for row in earlier if not variant(row.model).free
                 and (variant(row.model).snapshot or when) < when]
        current = next((row for row in rows if older and row.model == older[0].model), None)
        if current is not None:
            return new, current
    return None


def _date(row: ModelWeek) -> str:
    found = variant(row.model).snapshot
    return found.isoformat() if found else ""


def _base(row: ModelWeek, week_ending: str) -> dict[str, Any]:
    return {"model": row.model, "family": row.family, "name": family_name(row.name),
            "author": row.author, "country": row.country, "rank": row.rank, "tokens": row.tokens,
            "week_ending": week_ending}
