"""A different subject takes first place: a country of the lead pair, an author or a model.

For countries the event is ``lead_change`` with the facts today's articles are
written from; for authors and models it is ``subject_lead_change``. The
streak the change ends is part of the event ("ending China's two-week lead").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from bulletin.model import Event, WeekStats
from bulletin.model.facts import EventKind, LeadChangeFacts
from bulletin.story.families import family_name, family_of, variant
from bulletin.story.novelty import NEWS
from bulletin.story.rules import Param, Rule, RuleContext, evidence, subject_models, subject_name
from bulletin.story.rules.leaders import (
    duel_facts,
    leader_of,
    previous_complete,
    ranking,
    run_back,
    same_leader,
)
from bulletin.story.rules.new_entrant import predecessor
from bulletin.story.rules.variant_change import families, free_tier_end


class LeadChange(Rule):
    name = "lead_change"
    novelty = {"lead_change": NEWS, "subject_lead_change": NEWS}
    params = {"subject": Param("country", "choice", choices=("country", "author", "model"),
                   help="whose lead changing hands: the lead countries', the first author's or model's")}
    subject: str

    def detect(self, context: RuleContext) -> Iterable[Event]:
        stats, pair, kind = context.stats, context.methodology.lead_countries, self.subject
        ahead = leader_of(stats, kind, pair)
        before = previous_complete(context.history, stats.week)
        if ahead is None or before is None:
            return
        previous = leader_of(before, kind, pair)
        if previous is None or same_leader(kind, previous, ahead):
            return
        duel = duel_facts(stats, kind, pair, ahead, context.week_before(stats))
        behind = str(duel["trailer"])
        ended = run_back(context.history, before.week,
                         lambda week: same_leader(kind, context.index.leader(week, kind, pair), previous),
                         context.index.runs("lead", kind, pair, previous))
        retaken = any(same_leader(kind, context.index.leader(week, kind, pair), ahead)
                      for week in context.history if week < stats.week)
        ending: dict[str, Any] = {"ended_weeks": ended.weeks, "ended_open_ended": ended.open_ended,
                  "ended_since": ended.since.monday.isoformat(), "retaken": retaken}
        if kind == "country":
            models = tuple(subject_models(stats, kind, ahead)) + tuple(subject_models(stats, kind, behind))
            yield Event(EventKind.LEAD_CHANGE, (ahead, behind), LeadChangeFacts(**duel, **ending),
                        90.0 + min(ended.weeks, 6), evidence(stats, models), topic=f"lead|{kind}|{ahead}")
            return
        if kind == "author":
            ending.update(_free_tier_gone(stats, before, previous))
            ending.update(_only_model(stats, ahead))
        if kind == "model":
            ending.update(_free_tier_cause(stats, before, previous))
            ending.update(_newcomer(context, before, ahead))
        ending.update(_first_of_country(context, kind, pair, ahead))
        change = next((change for key, _, change in ranking(stats, kind) if key == previous), None)
        # The old leader's fall is told as how it lost first place only where it is a fall of note
        # (daily W28: "DeepSeek V4 Flash fell 2.2%" read as the cause of Hy3's first place).
        ending["previous_change"] = change if change is not None and change <= -PREVIOUS_FALL else None
        facts = LeadChangeFacts(**duel, **ending, previous_leader=previous,
                                previous_leader_name=subject_name(before, kind, previous),
                                leader_name=subject_name(stats, kind, ahead),
                                trailer_name=subject_name(stats, kind, behind))
        # A country's first No. 1 on record is bigger news than a hold on the top places it ends.
        score = 60.0 + 2 * min(ended.weeks, 6) + (25.0 if facts.first_of_country else 0.0)
        yield Event(EventKind.SUBJECT_LEAD_CHANGE, (ahead, previous), facts, score,
                    evidence(stats, subject_models(stats, kind, ahead)), topic=f"lead|{kind}|{ahead}")


def _free_tier_cause(stats: WeekStats, before: WeekStats, previous: str) -> dict[str, Any]:
    """The cause to tell with the lead change (STYLEBOOK 1), where the old leader's free tier
    stopped being listed this week: when, and how far the model fell."""
    if before.week != stats.week.previous():
        return {}
    family = family_of(previous)
    ended = free_tier_end(stats, families(stats.models).get(family, []),
                          families(before.models).get(family, []), within=10)
    if ended is None:
        return {}
    return {"free_ended_on": ended.last_listed.isoformat(), "fell_from": ended.family_previous,
            "fell_to": ended.family_tokens}


FIRSTS_AFTER = 4  # weeks on record before a No. 1 can be its country's first: fewer prove little


def _country(context: RuleContext, stats: WeekStats, kind: str, key: str) -> str | None:
    if kind == "author":
        return context.methodology.country_of(key)
    return next((row.country for row in stats.models if row.model == key), None)


def _first_of_country(context: RuleContext, kind: str, pair: tuple[str, str], ahead: str
                      ) -> dict[str, Any]:
    """A new No. 1 from a country no No. 1 of an earlier week on record came from (STYLEBOOK:
    a first is told with the records' start, and only where every earlier week is known)."""
    stats = context.stats
    country = _country(context, stats, kind, ahead)
    earlier = [week for week in context.index.weeks() if week < stats.week]
    if not country or len(earlier) < FIRSTS_AFTER:
        return {}
    for week in earlier:
        leader = context.index.leader(week, kind, pair)
        if leader is None or _country(context, context.history[week], kind, leader) in (country, None):
            return {}
    return {"first_of_country": country, "records_since": earlier[0].monday.isoformat()}


def _only_model(stats: WeekStats, author: str) -> dict[str, Any]:
    """The developer's one model among the counted ones, where it has only one (its tiers and
    snapshots one): a reader should not take "its models" for a range (STYLEBOOK 1)."""
    rows = sorted((row for row in stats.models if row.author == author and row.counted),
                  key=lambda row: row.rank)
    if not rows or len({row.family or row.model for row in rows}) != 1:
        return {}
    return {"leader_only_model": family_name(rows[0].name)}


def _free_tier_gone(stats: WeekStats, before: WeekStats, author: str) -> dict[str, Any]:
    """A free tier of the developer's that was listed last week and is listed on no day of this
    one, its paid tier still listed: the cause to tell with the developer's fall (STYLEBOOK 1)."""
    if before.week != stats.week.previous():
        return {}
    now = {row.model for row in stats.models}
    families_now = {row.family or row.model for row in stats.models}
    gone = [row for row in before.models if row.author == author and variant(row.model).free
            and row.model not in now and (row.family or row.model) in families_now
            and row.last_day is not None]
    if not gone:
        return {}
    row = max(gone, key=lambda row: row.tokens)
    last = before.week.monday + timedelta(days=row.last_day or 0)
    return {"free_gone_model": family_name(row.name), "free_gone_on": last.isoformat()}


LISTED = 1000  # more places than any listing has: "in the top LISTED" is "listed"
PREVIOUS_FALL = 0.1  # the old leader's own fall, told beside its lost lead from this much


def _newcomer(context: RuleContext, before: WeekStats, leader: str) -> dict[str, Any]:
    """Whether the new No. 1 model is new to the listing or a free tier, and whose place in its
    maker's line it takes (STYLEBOOK 1: "new" and "free" where they hold)."""
    stats = context.stats
    row = next((row for row in stats.models if row.model == leader), None)
    if row is None:
        return {}
    family = row.family or row.model
    # A model listed last week under any tier or snapshot takes no one's place this week (weekly
    # W48: Grok 4.1 Fast's free tier, a week after Grok 4.1 Fast itself followed Grok 4 Fast).
    listed_before = any((other.family or other.model) == family for other in before.models)
    older = None if listed_before else predecessor(row, before, stats, 10)
    # New: the first week the store has it listed at all, under any tier or snapshot (a free
    # tier of a model listed before is not a new model).
    listed = context.index.first_in_top(LISTED)
    first = min((week for model, week in listed.items() if (family_of(model) or model) == family),
                default=None)
    # The one it follows, still listed this week but not on its last day, was last listed then.
    ended = older is not None and older in stats.models and older.last_day is not None and older.last_day < 6
    last_week = next((other for other in before.models if older is not None and other.model == older.model),
                     None)
    return {"leader_new": first == stats.week,
            "leader_free": variant(leader).free,
            "succeeded_previous_rank": last_week.rank if ended and last_week else None,
            "succeeded_previous_tokens": last_week.tokens if ended and last_week else None,
            "succeeds": family_name(older.name) if older is not None else "",
            "succeeded_last_listed": (stats.week.monday + timedelta(days=older.last_day or 0)).isoformat()
            if ended and older is not None else ""}
