"""Who is ahead in a week, and for how many complete weeks a condition has held.

Partial weeks are skipped: they neither count towards a run nor end it, since
a few days of data cannot say who led the week. A run that reaches the start
of the stored history, or a week missing from it, is open-ended: "at least"
that long, never claimed as more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from bulletin.model import Methodology, Total, WeekStats
from bulletin.model.facts import SubjectType
from bulletin.records import record
from bulletin.story.families import family_name, family_of
from bulletin.story.stats import is_complete
from bulletin.weeks import IsoWeek


@record
class Run:
    weeks: int
    open_ended: bool
    since: IsoWeek  # the first week of the run


def complete_weeks_back(history: Mapping[IsoWeek, WeekStats], week: IsoWeek) -> Iterator[IsoWeek]:
    """The complete weeks from ``week`` backwards, skipping partial ones, until a gap.

    Weeks rather than their statistics: a run over years of a lazy history
    (aggregate.WeekHistory) asks the rules' index, not every week in full.
    """
    current = week
    while current in history:
        if is_complete(history, current):
            yield current
        current = current.previous()


def walk_back(history: Mapping[IsoWeek, WeekStats], week: IsoWeek) -> Iterator[WeekStats]:
    """The complete weeks' statistics from ``week`` backwards, until a gap."""
    return (history[w] for w in complete_weeks_back(history, week))


def previous_complete(history: Mapping[IsoWeek, WeekStats], week: IsoWeek) -> WeekStats | None:
    """The last complete week before ``week`` with no gap in between."""
    return next(walk_back(history, week.previous()), None)


def run_back(history: Mapping[IsoWeek, WeekStats], week: IsoWeek,
             holds: Callable[[IsoWeek], bool], memo: dict[IsoWeek, Run] | None = None) -> Run:
    """Consecutive complete weeks up to ``week`` for which ``holds`` is true.

    ``memo``: the runs of the same condition already known, by the week they
    end on (HistoryIndex.runs). A walk stops at the first week it knows and
    leaves the weeks it passed known, so that years of weeks each asking for
    a run reaching back to the start cost one step each, not the whole history.
    """
    weeks, since = 0, week
    passed: list[IsoWeek] = []
    found: Run | None = None
    for current in complete_weeks_back(history, week):
        if memo is not None and current in memo:
            found = _joined(weeks, since, memo[current])
            break
        if not holds(current):
            if memo is not None:
                memo[current] = Run(0, False, current)
            found = Run(weeks, False, since)
            break
        passed.append(current)
        weeks, since = weeks + 1, current
    if found is None:
        found = Run(weeks, True, since)
    _remember(memo, passed, found)
    return found


def _joined(weeks: int, since: IsoWeek, rest: Run) -> Run:
    """A run of ``weeks`` (back to ``since``) followed, further back, by ``rest``."""
    return Run(weeks + rest.weeks, rest.open_ended, rest.since if rest.weeks else since)


def _remember(memo: dict[IsoWeek, Run] | None, passed: Sequence[IsoWeek], found: Run) -> None:
    """Each passed week (newest first, each one more week of the run) as the end of its own run."""
    if memo is not None:
        for i, week in enumerate(passed):
            memo[week] = Run(found.weeks - i, found.open_ended, found.since)


def growth_run(history: Mapping[IsoWeek, WeekStats], week: IsoWeek,
               volume: Callable[[IsoWeek], int | None], falling: bool = False,
               memo: dict[IsoWeek, Run] | None = None, materiality: float = 0.0,
               comparable: Callable[[IsoWeek, IsoWeek], bool] | None = None) -> Run:
    """Consecutive complete weeks up to ``week`` whose volume rose (or fell) on the week before
    by at least ``materiality`` (a share): a flat week neither extends a run nor is one.

    ``memo`` as for run_back(): the same subject's, measure's, direction's and materiality's runs.
    ``comparable``: whether two weeks' volumes are counted alike; a run ends where they are not.
    """
    weeks, since = 0, week
    passed: list[IsoWeek] = []
    found: Run | None = None
    walk = complete_weeks_back(history, week)
    current = next(walk, None)
    for before in walk:
        assert current is not None
        if memo is not None and current in memo:
            found = _joined(weeks, since, memo[current])
            break
        now, then = volume(current), volume(before)
        moved = (now is not None and then is not None and material(now, then, materiality, falling)
                 and (comparable is None or comparable(current, before)))
        if not moved:
            if memo is not None:
                memo[current] = Run(0, False, current)
            found = Run(weeks, False, since)
            break
        passed.append(current)
        weeks, since, current = weeks + 1, current, before
    if found is None:
        found = Run(weeks, True, since)
    _remember(memo, passed, found)
    return found


def material(now: int, then: int, materiality: float, falling: bool = False) -> bool:
    """Whether ``now`` rose (or fell) on ``then`` by at least ``materiality`` of it."""
    if falling:
        return now < then and then - now >= then * materiality
    return now > then and now - then >= then * materiality


def pair_leader(stats: WeekStats, pair: tuple[str, str]) -> str | None:
    """The country of the pair ahead of the other; None on a tie or if the week is partial."""
    if not stats.complete:
        return None
    first, second = (stats.country(code) for code in pair)
    a = first.tokens if first else 0
    b = second.tokens if second else 0
    if a == b:
        return None
    return pair[0] if a > b else pair[1]


def ranking(stats: WeekStats, subject_type: str) -> list[tuple[str, int, float | None]]:
    """Authors or models by volume: (key, tokens, week-on-week change)."""
    if subject_type == "author":
        return [(t.key, t.tokens, t.change) for t in stats.authors]
    return [(row.model, row.tokens, row.change) for row in stats.models]


def top_leader(stats: WeekStats, subject_type: str) -> str | None:
    """The first author or model; None on a tie for first or if the week is partial."""
    if not stats.complete:
        return None
    ordered = ranking(stats, subject_type)
    if not ordered or (len(ordered) > 1 and ordered[0][1] == ordered[1][1]):
        return None
    return ordered[0][0]


# A run is news as it builds; from its fourth week on, the same fact told again
# weighs a little less each week, so that the week's other news can lead.
RUN_PEAK = 3


def run_score(score: float, weeks: int) -> float:
    return max(score - 2.0 * max(0, weeks - RUN_PEAK), score * 0.6)


def same_leader(subject_type: str, first: str | None, second: str | None) -> bool:
    """Whether two leaders are one subject: a model's variants are one model.

    A paid tier taking first place from its own free tier, or a new snapshot
    from the old one, is no change of leader (it is a variant story).
    """
    if first is None or second is None:
        return first is second
    if subject_type == "model":
        return family_of(first) == family_of(second)
    return first == second


def leader_of(stats: WeekStats, subject_type: str, pair: tuple[str, str]) -> str | None:
    if subject_type == "country":
        return pair_leader(stats, pair)
    return top_leader(stats, subject_type)


def duel_facts(stats: WeekStats, subject_type: str, pair: tuple[str, str], ahead: str,
               before: WeekStats | None = None) -> dict[str, Any]:
    """What every lead event says of the week (DuelFacts' fields): who leads whom, with both
    sides' tokens and changes; ``before``, last week, names the models that left a side's top."""
    behind, lead_tokens, rival_tokens, lead_change, rival_change = duel(stats, subject_type, pair, ahead)
    return {
        "subject_type": SubjectType(subject_type),
        "leader": ahead,
        "trailer": behind,
        "leader_tokens": lead_tokens,
        "trailer_tokens": rival_tokens,
        "leader_change": lead_change,
        "trailer_change": rival_change,
        **_basis(stats, subject_type, ahead, behind, before),
        "week_ending": stats.week.sunday.isoformat(),
    }


def _basis(stats: WeekStats, subject_type: str, ahead: str, behind: str,
           before: WeekStats | None = None) -> dict[str, Any]:
    """What the totals count, and each side's change over all its models where the top's churn drove it."""
    if subject_type == "model":
        return {}
    totals = stats.countries if subject_type == "country" else stats.authors
    found: dict[str, Any] = {}
    for side, key in (("leader", ahead), ("trailer", behind)):
        total = next((t for t in totals if t.key == key), None)
        gap = total is not None and total.gap
        # Where all the side's listed models tell the basis (W24), a partial churn gives way to it.
        churn = total is not None and (total.churn or (total.churn_in_part and not gap))
        found[f"{side}_churn"] = churn
        found[f"{side}_same_change"] = total.same_change if total is not None and churn else None
        found[f"{side}_entered"] = _named(stats, total.entered) if total is not None and churn else ()
        found[f"{side}_left"] = _named(before, total.left) if total is not None and churn and before else ()
        found[f"{side}_same_only"] = _same_only(stats, total) if total is not None and churn else ""
        found[f"{side}_gap"] = gap and not churn
        found[f"{side}_all_change"] = total.all_change if total is not None and gap and not churn else None
    return found


ENTERED_NAMED = 3  # the most models entering (or leaving) a side's top nine its paragraph names


def _named(stats: WeekStats, models: tuple[str, ...]) -> tuple[str, ...]:
    """The names of ``models`` as ``stats`` lists them (a model's tiers once), largest first; none
    where there are more than ENTERED_NAMED of them."""
    wanted = set(models)
    rows = sorted((row for row in stats.models if row.model in wanted), key=lambda row: row.rank)
    names = list(dict.fromkeys(family_name(row.name) for row in rows))
    return tuple(names) if len(names) <= ENTERED_NAMED else ()


def _same_only(stats: WeekStats, total: Total) -> str:
    """The name of the one model counted in both weeks, where only one was ("" otherwise)."""
    entered = set(total.entered)
    names = {family_name(row.name) for row in stats.models
             if row.model in total.models and row.model not in entered}
    return names.pop() if len(names) == 1 else ""


def duel(stats: WeekStats, subject_type: str, pair: tuple[str, str], ahead: str
         ) -> tuple[str, int, int, float | None, float | None]:
    """The leader's rival and both sides' tokens and changes."""
    if subject_type == "country":
        behind = pair[1] if ahead == pair[0] else pair[0]
        first, second = stats.country(ahead), stats.country(behind)
        assert first is not None
        return (behind, first.tokens, second.tokens if second else 0, first.change,
                second.change if second else None)
    ordered = ranking(stats, subject_type)
    lead = next(item for item in ordered if item[0] == ahead)
    # A model's rival is another model: its own free tier or snapshot is not (STYLEBOOK 4).
    mine = family_of(ahead) if subject_type == "model" else ahead
    rival = next((item for item in ordered
                  if (family_of(item[0]) if subject_type == "model" else item[0]) != mine), ("", 0, None))
    return rival[0], lead[1], rival[1], lead[2], rival[2]


def followed(stats: WeekStats, subject_type: str, methodology: Methodology, top: int) -> list[str]:
    """What a rule of countries, authors or the total looks at: the lead pair, the top authors."""
    if subject_type == "country":
        return list(methodology.lead_countries)
    if subject_type == "author":
        return [key for key, _, _ in ranking(stats, "author")[:top]]
    return ["total"]
