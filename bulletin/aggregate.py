"""Weekly statistics from stored observations, exactly as the methodology says.

Per-model totals are a weekly leaderboard's figures or the sum of a week's
days. Author and country totals sum the week's top ``top_n`` leaderboard
models, leaving out excluded authors (stealth models of undisclosed origin)
without giving their places to the models below. Week-over-week changes are
only computed between two complete weeks. The Data API's ``other`` row is the
long tail below the leaderboard, not a model: it is kept out of ranks and
totals and reported on its own. ``:free`` variants count with their base
model only where the methodology says ``free_variants: merge``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bulletin.config import Methodology
from bulletin.model import ModelName, ModelWeek, Observation, Total, WeekStats, author_of
from bulletin.weeks import IsoWeek

LONG_TAIL = "other"  # the Data API's row for every model below its daily top 50


@dataclass(frozen=True)
class _Leaderboard:
    week: IsoWeek
    source: str
    days: int
    tokens: dict[str, int]
    ranks: dict[str, int]
    long_tail: int = 0

    @property
    def complete(self) -> bool:
        return self.days == 7


def weekly_stats(observations: Iterable[Observation], names: dict[str, ModelName],
                 methodology: Methodology, source_order: Sequence[str] = ()
                 ) -> dict[IsoWeek, WeekStats]:
    """Statistics for every week the store holds, keyed and ordered by week."""
    boards = _leaderboards(observations, source_order, methodology.free_variants == "merge")
    raw = {week: _raw_stats(board, names, methodology) for week, board in boards.items()}
    result: dict[IsoWeek, WeekStats] = {}
    for week in sorted(raw):
        before = raw.get(week.previous())
        comparable = before is not None and before.complete and raw[week].complete
        result[week] = _with_previous(raw[week], before if comparable else None)
    return result


def _leaderboards(observations: Iterable[Observation], source_order: Sequence[str],
                  merge_free: bool = False) -> dict[IsoWeek, _Leaderboard]:
    # Per week and source: weekly rows, or daily rows summed. A weekly
    # leaderboard is preferred over summed days, then sources in config order.
    weekly: dict[tuple[IsoWeek, str], list[Observation]] = defaultdict(list)
    daily: dict[tuple[IsoWeek, str], list[Observation]] = defaultdict(list)
    for obs in observations:
        (daily if obs.is_daily else weekly)[(obs.week, obs.source)].append(obs)

    def preference(source: str) -> tuple[int, str]:
        order = list(source_order)
        return (order.index(source) if source in order else len(order), source)

    boards: dict[IsoWeek, _Leaderboard] = {}
    for rows_by_key, is_daily in ((weekly, False), (daily, True)):
        for (week, source) in sorted(rows_by_key, key=lambda key: preference(key[1])):
            if week in boards:
                continue
            rows = rows_by_key[(week, source)]
            tokens: dict[str, int] = defaultdict(int)
            long_tail = 0
            for obs in rows:
                if obs.model == LONG_TAIL:
                    long_tail += obs.tokens
                    continue
                tokens[obs.model.removesuffix(":free") if merge_free else obs.model] += obs.tokens
            given = {obs.model: obs.rank for obs in rows if obs.rank is not None}
            exact = not is_daily and not merge_free and given.keys() == tokens.keys()
            ranks = given if exact else _rank(tokens)
            days = len({obs.period for obs in rows}) if is_daily else 7
            boards[week] = _Leaderboard(week, source, days, dict(tokens), ranks, long_tail)
    return boards


def _rank(tokens: dict[str, int]) -> dict[str, int]:
    ordered = sorted(tokens, key=lambda model: (-tokens[model], model))
    return {model: index for index, model in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class _RawWeek:
    board: _Leaderboard
    models: list[ModelWeek]
    authors: dict[str, list[str]]
    countries: dict[str, list[str]]
    unmapped: list[str]

    @property
    def complete(self) -> bool:
        return self.board.complete


def _raw_stats(board: _Leaderboard, names: dict[str, ModelName],
               methodology: Methodology) -> _RawWeek:
    models = []
    authors: dict[str, list[str]] = defaultdict(list)
    countries: dict[str, list[str]] = defaultdict(list)
    unmapped: list[str] = []
    for model in sorted(board.tokens, key=lambda m: (board.ranks[m], m)):
        author = author_of(model)
        rank = board.ranks[model]
        excluded = author in methodology.exclude_authors
        counted = rank <= methodology.top_n and not excluded
        country = methodology.country_of(author)
        if counted:
            authors[author].append(model)
            if country is not None:
                countries[country].append(model)
            elif not methodology.is_mapped(author) and author not in unmapped:
                unmapped.append(author)
        name = names[model].name if model in names else model
        models.append(ModelWeek(model, name, author, country, board.tokens[model], rank,
                                None, None, counted, excluded))
    return _RawWeek(board, models, authors, countries, unmapped)


def _with_previous(now: _RawWeek, before: _RawWeek | None) -> WeekStats:
    def totals(groups: dict[str, list[str]], previous: dict[str, list[str]] | None) -> tuple[Total, ...]:
        sums = {key: sum(now.board.tokens[m] for m in models) for key, models in groups.items()}
        ordered = sorted(sums, key=lambda key: (-sums[key], key))
        result = []
        for rank, key in enumerate(ordered, start=1):
            prior = None
            if before is not None and previous is not None:
                prior = sum(before.board.tokens[m] for m in previous.get(key, []))
            result.append(Total(key, sums[key], rank, prior, tuple(groups[key])))
        return tuple(result)

    models = []
    for row in now.models:
        prior_rank = before.board.ranks.get(row.model) if before else None
        prior_tokens = before.board.tokens.get(row.model) if before else None
        models.append(ModelWeek(row.model, row.name, row.author, row.country, row.tokens,
                                row.rank, prior_rank, prior_tokens, row.counted, row.excluded))
    return WeekStats(
        week=now.board.week,
        complete=now.complete,
        days=now.board.days,
        source=now.board.source,
        models=tuple(models),
        authors=totals(now.authors, before.authors if before else None),
        countries=totals(now.countries, before.countries if before else None),
        unmapped_authors=tuple(now.unmapped),
        has_previous=before is not None,
        long_tail=now.board.long_tail,
    )
