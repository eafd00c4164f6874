"""A maker's new model arriving while its older models of the same line lose use.

A successor that enters the top ten is new_entrant's story ("It follows its
maker's ..."), and one at No. 1 the lead change's. One that arrives lower down,
often on the week's last days, is still the week's cause: daily W30, Claude
Opus 5 was first listed on Saturday July 25 with 144 billion tokens, while
Claude Opus 4.7 (No. 8 the week before) left the top nine and Claude Opus 4.8
fell 30.0%: most of the United States' fall of 48.1%. Told the week it
happens, with its effect (STYLEBOOK 1), or the fall is told without its cause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from bulletin.model import Event, ModelWeek, relative_change
from bulletin.model.facts import EventKind, OlderModelFacts, SuccessorFacts
from bulletin.story.families import family_name, family_of, line_of
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence
from bulletin.story.rules.lead_change import LISTED
from bulletin.story.rules.new_entrant import SUCCESSION_FALL


class Successor(Rule):
    name = "successor"
    novelty = {"successor": NEWS}
    params = {"top": Param(10, "int", minimum=1,
                   help="how high an older model of the line stood last week for its loss to be news"),
              "fall": Param(SUCCESSION_FALL, "number", minimum=0,
                   help="how much the line's older models lost together, as a share of last week")}
    top: int
    fall: float

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats = context.stats
        before = context.week_before(stats)
        if not stats.complete or before is None:
            return
        now = _by_family(stats.models)
        then: dict[str, list[ModelWeek]] | None = None
        for row in stats.models:
            family = row.family or row.model
            # In the top ten, new_entrant tells it; listed last week, it is not arriving.
            if row.excluded or row.rank <= self.top or row.previous_tokens is not None:
                continue
            line = line_of(row.name)
            older = [o for o in before.top(self.top) if line and o.author == row.author and not o.excluded
                     and line_of(o.name) == line and (o.family or o.model) != family]
            olds = list(dict.fromkeys(o.family or o.model for o in older))
            if not olds or not _first_listed_now(context, family):
                continue
            then = then if then is not None else _by_family(before.models)
            previous = sum(r.tokens for f in olds for r in then[f])
            current = sum(r.tokens for f in olds for r in now.get(f, []))
            if not previous or current / previous - 1 > -self.fall:
                continue
            counted = {r.family or r.model for r in stats.models if r.counted}
            facts = SuccessorFacts(
                model=row.model, name=family_name(row.name), author=row.author, country=row.country,
                first_listed=(stats.week.monday + timedelta(days=row.first_day or 0)).isoformat(),
                tokens=row.tokens, days=row.days, week_ending=stats.week.sunday.isoformat(),
                older=tuple(_older(family, then[family], now.get(family, []), family in counted)
                            for family in olds))
            # Below a debut high in the top ten (W22: MiMo V2.5 at No. 6), above a model's climb.
            best = min(o.rank for o in older)
            score = 25.0 + 2 * (self.top - best) + min(10.0, 20 * (1 - current / previous))
            models = [r.model for f in olds for r in now.get(f, [])] + [row.model]
            yield Event(EventKind.SUCCESSOR, (row.model,), facts, score,
                        evidence(stats, models) + evidence(before, [r.model for f in olds for r in then[f]]))


def _first_listed_now(context: RuleContext, family: str) -> bool:
    """Whether this is the first week the store has the model listed, under any tier or snapshot."""
    first = [week for model, week in context.index.first_in_top(LISTED).items()
             if (family_of(model) or model) == family]
    return min(first, default=None) == context.stats.week


def _by_family(rows: Iterable[ModelWeek]) -> dict[str, list[ModelWeek]]:
    found: dict[str, list[ModelWeek]] = defaultdict(list)
    for row in rows:
        found[row.family or row.model].append(row)
    return found


def _older(family: str, then: list[ModelWeek], now: list[ModelWeek], counted: bool) -> OlderModelFacts:
    best = min(then, key=lambda r: r.rank)
    tokens = sum(r.tokens for r in now)
    # A change only where it was listed every day of both weeks: otherwise it measures the listing.
    full = bool(now) and all(r.full_weeks for r in now) and len(now) == len(then)
    return OlderModelFacts(
        model=family, name=family_name(best.name), previous_rank=best.rank,
        previous_tokens=sum(r.tokens for r in then), tokens=tokens,
        change=relative_change(tokens, sum(r.tokens for r in then)) if full else None,
        counted=counted, days=max((r.days for r in now), default=0))
