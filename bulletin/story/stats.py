"""Weekly statistics from stored observations, exactly as the methodology says.

Per-model totals are a weekly leaderboard's figures or the sum of a week's
days. Author and country totals sum the week's top ``top_n`` leaderboard
models, a model's tiers and snapshots counted as one model with all its rows
(STYLEBOOK 4), leaving out excluded authors (stealth models of undisclosed
origin) without giving their places to the models below. Week-over-week changes are
only computed between two complete weeks. The Data API's ``other`` row is the
long tail below the leaderboard, not a model: it is kept out of ranks and
totals and reported on its own. ``:free`` variants are rows
of their own unless the methodology says ``free_variants: merge``; either way
they are one model with their base in the top ``top_n``.
"""

from __future__ import annotations

import heapq
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from datetime import date
from functools import cached_property

from bulletin.model import (
    FreeVariants,
    Methodology,
    ModelName,
    ModelWeek,
    Observation,
    SourceWeek,
    Total,
    WeekStats,
    author_of,
)
from bulletin.records import record
from bulletin.story.families import display_name, family_of, variant
from bulletin.weeks import IsoWeek

LONG_TAIL = "other"  # the Data API's row for every model below its daily top 50
DAILY_CUTOFF = 50  # the Data API lists each day's top 50: a weekly rank below that is no rank
HEAD = 10  # how many of a week's first models a lazy history finds at once


@record
class _Leaderboard:
    week: IsoWeek
    source: str
    days: int
    tokens: dict[str, int]
    given_ranks: dict[str, int] | None  # the source's ranks where they fit; None: rank by tokens
    long_tail: int = 0
    # Daily data: model -> the days it was listed, as bits (1 Monday ... 64 Sunday; week_totals.py).
    listed: dict[str, int] = field(default_factory=dict)

    def days_of(self, model: str) -> int:
        """Days of the week a model was listed: every day the data covers, for a weekly board."""
        return self.listed[model].bit_count() if self.listed and model in self.listed else self.days

    def listing_of(self, model: str) -> int:
        """The days a model was listed, as bits; 0 where the board is weekly (no days)."""
        return self.listed.get(model, 0)

    @property
    def complete(self) -> bool:
        return self.days == 7

    @cached_property
    def family_tokens(self) -> dict[str, int]:
        """Each model's tokens over all its tiers and snapshots."""
        found: dict[str, int] = defaultdict(int)
        for model, tokens in self.tokens.items():
            found[family_of(model)] += tokens
        return dict(found)

    @cached_property
    def family_listing(self) -> dict[str, int]:
        """Each model's days listed under any tier or snapshot, as bits (daily data only)."""
        found: dict[str, int] = defaultdict(int)
        for model, bits in self.listed.items():
            found[family_of(model)] |= bits
        return dict(found)

    @cached_property
    def ranks(self) -> dict[str, int]:
        # Ranked when first needed: a single week's command ranks only the weeks it builds.
        return self.given_ranks if self.given_ranks is not None else _rank(self.tokens)

    def head(self, n: int) -> list[str]:
        """The first ``n`` models by rank (then name), without ranking the whole board."""
        if self.given_ranks is None:
            # (-tokens, model) pairs: compared in C, no key function per model.
            pairs = zip(map(operator.neg, self.tokens.values()), self.tokens, strict=True)
            return [model for _, model in heapq.nsmallest(n, pairs)]
        ranks = self.given_ranks
        return heapq.nsmallest(n, ranks, key=lambda model: (ranks[model], model))


def weekly_stats(observations: Iterable[Observation], names: dict[str, ModelName],
                 methodology: Methodology, source_order: Sequence[str] = (),
                 decided: Mapping[str, str] | None = None) -> WeekHistory:
    """Statistics for every week the observations cover, keyed and ordered by week.

    ``decided``: model names editors confirmed or corrected, by id (families.display_name).
    """
    return weekly_stats_from(source_weeks(observations), names, methodology, source_order, decided)


def is_complete(history: Mapping[IsoWeek, WeekStats], week: IsoWeek) -> bool:
    """Whether a stored week is complete, without building its statistics where they are lazy."""
    if isinstance(history, WeekHistory):
        return history.complete(week)
    return history[week].complete


def source_weeks(observations: Iterable[Observation]) -> list[SourceWeek]:
    """Sum observations per source and week (the store does this in SQL)."""
    tokens: dict[tuple[IsoWeek, str, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ranks: dict[tuple[IsoWeek, str, bool], dict[str, int]] = defaultdict(dict)
    days: dict[tuple[IsoWeek, str, bool], set[str]] = defaultdict(set)
    listed: dict[tuple[IsoWeek, str, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for obs in observations:
        key = (obs.week, obs.source, obs.is_daily)
        tokens[key][obs.model] += obs.tokens
        days[key].add(obs.period)
        if obs.is_daily:
            listed[key][obs.model] |= 1 << date.fromisoformat(obs.period).weekday()
        if obs.rank is not None:
            ranks[key][obs.model] = obs.rank
    return [SourceWeek(week, source, daily, len(days[key]) if daily else 7, dict(tokens[key]),
                       ranks.get(key, {}), dict(listed[key]) if daily else {})
            for key in tokens for week, source, daily in [key]]


def weekly_stats_from(totals: Iterable[SourceWeek], names: dict[str, ModelName],
                      methodology: Methodology, source_order: Sequence[str] = (),
                      decided: Mapping[str, str] | None = None) -> WeekHistory:
    boards = _leaderboards(totals, source_order, methodology.free_variants == FreeVariants.MERGE)
    return WeekHistory(boards, names, methodology, decided)


# A subject type's suffix for the totals over every listed model of each country or
# author (Total.all_tokens), beside those over the counted top places: "country" + ALL_LISTED.
ALL_LISTED = "-listed"


class WeekHistory(Mapping[IsoWeek, WeekStats]):
    """Every week's statistics, keyed and ordered by week, each built when first asked for.

    A single week's command on years of history looks at a few weeks in full;
    what the rules need from every week (its volumes, its top models, who
    leads) is read straight from the week's leaderboard, without building the
    week's statistics. A backtest that asks for every week builds every week.
    """

    def __init__(self, boards: dict[IsoWeek, _Leaderboard], names: dict[str, ModelName],
                 methodology: Methodology, decided: Mapping[str, str] | None = None) -> None:
        self._boards = dict(sorted(boards.items()))
        self._names = names
        self._decided = dict(decided or {})
        self._methodology = methodology
        self._stats: dict[IsoWeek, WeekStats] = {}
        self._seen: dict[str, IsoWeek] | None = None
        self._last_raw: _RawWeek | None = None  # a walk forward builds each week once
        self._counted: dict[IsoWeek, list[str]] = {}
        self._volumes: dict[tuple[IsoWeek, str], dict[str, int]] = {}
        self._top: dict[IsoWeek, list[str]] = {}
        self._top_asked: dict[IsoWeek, int] = {}

    def __getitem__(self, week: IsoWeek) -> WeekStats:
        found = self._stats.get(week)
        if found is None:
            now = self._raw(week)  # KeyError for a week not stored
            previous = week.previous()
            before = self._raw(previous) if previous in self._boards else None
            comparable = before is not None and before.complete and now.complete
            found = self._stats[week] = _with_previous(now, before if comparable else None,
                                                       self._first_seen())
            self._last_raw = now
        return found

    def _first_seen(self) -> dict[str, IsoWeek]:
        """Each model's first week in the store, found once."""
        if self._seen is None:
            self._seen = {}
            for week, board in self._boards.items():  # in week order
                for model in board.tokens:
                    self._seen.setdefault(model, week)
        return self._seen

    def _raw(self, week: IsoWeek) -> _RawWeek:
        if self._last_raw is not None and self._last_raw.board.week == week:
            return self._last_raw
        return _raw_stats(self._boards[week], self._names, self._methodology, self._decided)

    def __iter__(self) -> Iterator[IsoWeek]:
        return iter(self._boards)

    def __len__(self) -> int:
        return len(self._boards)

    def __contains__(self, week: object) -> bool:
        return week in self._boards

    def complete(self, week: IsoWeek) -> bool:
        return self._boards[week].complete

    def volumes(self, week: IsoWeek, subject_type: str) -> dict[str, int]:
        """What rules.volumes() gives for the week's statistics (do not modify it)."""
        board = self._boards[week]
        if subject_type == "model":
            return board.tokens
        found = self._volumes.get((week, subject_type))
        if found is None:
            found = self._volumes[(week, subject_type)] = self._sum_volumes(week, subject_type)
        return found

    def _sum_volumes(self, week: IsoWeek, subject_type: str) -> dict[str, int]:
        board = self._boards[week]
        if subject_type == "total":
            return {"total": sum(board.tokens.values()) + board.long_tail}
        if subject_type.endswith(ALL_LISTED):  # Total.all_tokens: every listed model, counted or not
            kind = subject_type.removesuffix(ALL_LISTED)
            counted = self.volumes(week, kind)
            every: dict[str, int] = defaultdict(int)
            for model, tokens in board.tokens.items():
                author = author_of(model)
                if author in self._methodology.exclude_authors:
                    continue
                key = author if kind == "author" else self._methodology.country_of(author)
                if key in counted:
                    every[key] += tokens
            return dict(every)
        sums: dict[str, int] = defaultdict(int)
        for model in self.counted(week):
            author = author_of(model)
            key = author if subject_type == "author" else self._methodology.country_of(author)
            if key is not None:
                sums[key] += board.tokens[model]
        return dict(sums)

    def counted(self, week: IsoWeek) -> list[str]:
        """The models that count towards author and country totals (as _raw_stats decides)."""
        found = self._counted.get(week)
        if found is None:
            board, method = self._boards[week], self._methodology
            # The first top_n models, a model's tiers and snapshots one: a head long enough
            # to hold them, then every row of theirs on the board.
            asked = method.top_n
            while True:
                ranked = (self.top(week, asked) if board.given_ranks is None else
                          sorted((m for m, rank in board.ranks.items() if rank <= asked),
                                 key=lambda m: (board.ranks[m], m)))
                families = first_families(ranked, method.top_n)
                if len(families) == method.top_n or len(ranked) < asked:
                    break
                asked *= 2
            rows = ranked + [m for m in board.tokens if family_of(m) in families and m not in ranked]
            found = self._counted[week] = [model for model in rows if family_of(model) in families
                                           and author_of(model) not in method.exclude_authors]
        return found

    def top(self, week: IsoWeek, n: int) -> list[str]:
        """The models of WeekStats.top(n), in order."""
        found = self._top.get(week)
        if found is None or (len(found) < n and len(found) == self._top_asked[week]):
            # One head per week serves every rule: the top 10 answers a top 3 too.
            asked = self._top_asked[week] = max(n, HEAD)
            found = self._top[week] = self._boards[week].head(asked)
        return found[:n]

    def daily(self, week: IsoWeek) -> bool:
        """WeekStats.daily of the week."""
        return bool(self._boards[week].listed)

    def top_owners(self, week: IsoWeek, n: int) -> list[tuple[str, str | None, bool]]:
        """(author, country, excluded) of each of the week's top ``n`` models, as _raw_stats says."""
        method = self._methodology
        return [(author, method.country_of(author), author in method.exclude_authors)
                for author in map(author_of, self.top(week, n))]

    def top_tokens(self, week: IsoWeek, n: int) -> list[tuple[str, int]]:
        tokens = self._boards[week].tokens
        return [(model, tokens[model]) for model in self.top(week, n)]


def _leaderboards(totals: Iterable[SourceWeek], source_order: Sequence[str],
                  merge_free: bool = False) -> dict[IsoWeek, _Leaderboard]:
    # A weekly leaderboard is preferred over summed days, then sources in config order.
    order = list(source_order)

    def preference(item: SourceWeek) -> tuple[bool, int, str]:
        position = order.index(item.source) if item.source in order else len(order)
        return (item.is_daily, position, item.source)

    boards: dict[IsoWeek, _Leaderboard] = {}
    for item in sorted(totals, key=preference):
        if item.week in boards:
            continue
        tokens: dict[str, int] = item.tokens
        listed = item.listed
        if merge_free or LONG_TAIL in tokens:
            tokens, listed = defaultdict(int), {}
            for model, count in item.tokens.items():
                if model != LONG_TAIL:
                    key = model.removesuffix(":free") if merge_free else model
                    tokens[key] += count
                    # Merged rows: listed on the days either variant was.
                    listed[key] = listed.get(key, 0) | item.listed.get(model, FULL_WEEK)
            tokens = dict(tokens)
            if not item.listed:
                listed = {}
        given = item.ranks
        exact = not item.is_daily and not merge_free and given.keys() == tokens.keys()
        boards[item.week] = _Leaderboard(item.week, item.source, item.days, tokens,
                                         given if exact else None, item.tokens.get(LONG_TAIL, 0),
                                         listed)
    return boards


def _rank(tokens: dict[str, int]) -> dict[str, int]:
    ordered = sorted(tokens, key=lambda model: (-tokens[model], model))
    return {model: index for index, model in enumerate(ordered, start=1)}


# A model's row before the previous week is known: model, name, author,
# country, tokens, rank, counted, excluded, days listed, name made, the days
# listed as bits. A plain tuple, because a store of years of daily data has
# hundreds of thousands of them.
_Row = tuple[str, str, str, str | None, int, int, bool, bool, int, bool, int]

FULL_WEEK = 0b1111111  # every day listed


@record
class _RawWeek:
    board: _Leaderboard
    models: list[_Row]
    authors: dict[str, list[str]]
    countries: dict[str, list[str]]
    unmapped: list[str]
    # Every listed model's tokens by author and by country, counted in the top or not.
    all_authors: dict[str, int] = field(default_factory=dict)
    all_countries: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.board.complete


def first_families(ranked: Iterable[str], n: int) -> set[str]:
    """The first ``n`` models of rows in rank order, each model's tiers and snapshots one
    (STYLEBOOK 4): "the week's top nine models" are nine models, not nine rows."""
    families: dict[str, None] = {}
    for model in ranked:
        families.setdefault(family_of(model))
        if len(families) == n:
            break
    return set(families)


def _raw_stats(board: _Leaderboard, names: dict[str, ModelName],
               methodology: Methodology, decided: Mapping[str, str] | None = None) -> _RawWeek:
    models: list[_Row] = []
    authors: dict[str, list[str]] = defaultdict(list)
    countries: dict[str, list[str]] = defaultdict(list)
    unmapped: list[str] = []
    all_authors: dict[str, int] = defaultdict(int)
    all_countries: dict[str, int] = defaultdict(int)
    ranked = sorted(board.tokens, key=lambda m: (board.ranks[m], m))
    top = first_families(ranked, methodology.top_n)
    for model in ranked:
        author = author_of(model)
        rank = board.ranks[model]
        excluded = author in methodology.exclude_authors
        counted = family_of(model) in top and not excluded
        country = methodology.country_of(author)
        if not excluded:
            all_authors[author] += board.tokens[model]
            if country is not None:
                all_countries[country] += board.tokens[model]
        if counted:
            authors[author].append(model)
            if country is not None:
                countries[country].append(model)
            elif not methodology.is_mapped(author) and author not in unmapped:
                unmapped.append(author)
        name, made = display_name(model, names, decided)
        models.append((model, name, author, country, board.tokens[model], rank, counted, excluded,
                       board.days_of(model), made, board.listing_of(model)))
    _tell_variants_apart(models)
    return _RawWeek(board, models, authors, countries, unmapped, dict(all_authors), dict(all_countries))


def _kin(listed: Mapping[str, int]) -> dict[str, set[str]]:
    """Each model family's listed ids."""
    found: dict[str, set[str]] = defaultdict(set)
    for model in listed:
        found[family_of(model)].add(model)
    return found


def _kin_of(model: str, kin: Mapping[str, set[str]]) -> str:
    """Whether another tier or snapshot of ``model`` is among ``kin`` (ids by family): "tier",
    "snapshot", or ""."""
    others = kin.get(family_of(model), set()) - {model}
    if not others:
        return ""
    base = model.removesuffix(":free")
    return "tier" if any(other.removesuffix(":free") == base for other in others) else "snapshot"


def _family_change(board: _Leaderboard, before: _Leaderboard | None, family: str) -> float | None:
    """The model's week on week over all its tiers and snapshots, where it was listed every day
    of both weeks (daily boards; a weekly board's rows compare on their own)."""
    if before is None or not board.listed or not (_whole_week(board, family) and _whole_week(before, family)):
        return None
    then = before.family_tokens.get(family)
    return board.family_tokens[family] / then - 1 if then else None


def _whole_week(board: _Leaderboard, family: str) -> bool:
    """Whether some tier or snapshot of the model was listed on every day the board covers."""
    if not board.listed:
        return True  # a weekly board: each row is the whole week
    return board.family_listing.get(family, 0).bit_count() >= board.days


def _tell_variants_apart(models: list[_Row]) -> None:
    """Two rows of one model listed in a week share a name: name each one's tier or snapshot.

    A reader must never take two rows for two rival models (STYLEBOOK 4): the free
    tier is "(free)" where its source left that out of the name, and each of two
    snapshots gets its date.
    """
    seen: dict[str, int] = defaultdict(int)
    for row in models:
        seen[row[1]] += 1
    for index, row in enumerate(models):
        if seen[row[1]] < 2:
            continue
        found = variant(row[0])
        if found.free:
            models[index] = (row[0], f"{row[1]} (free)", *row[2:])
        elif found.snapshot is not None:
            models[index] = (row[0], f"{row[1]} ({found.snapshot.isoformat()})", *row[2:])


def _with_previous(now: _RawWeek, before: _RawWeek | None,
                   first_seen: Mapping[str, IsoWeek] | None = None) -> WeekStats:
    def totals(groups: dict[str, list[str]], previous: dict[str, list[str]] | None,
               everything: dict[str, int], everything_before: dict[str, int] | None) -> tuple[Total, ...]:
        sums = {key: sum(now.board.tokens[m] for m in models) for key, models in groups.items()}
        ordered = sorted(sums, key=lambda key: (-sums[key], key))
        result = []
        for rank, key in enumerate(ordered, start=1):
            prior: int | None = None
            all_prior: int | None = None
            entered: tuple[str, ...] = ()
            left: tuple[str, ...] = ()
            same: int | None = None
            same_before: int | None = None
            if before is not None and previous is not None:
                then = previous.get(key, [])
                prior = sum(before.board.tokens[m] for m in then)
                all_prior = everything_before.get(key) if everything_before is not None else None
                # Like for like is model by model: a free tier or a new snapshot of a model
                # counted last week is that model, not an entrant (STYLEBOOK 3 and 4), and a
                # model listed on only some days of either week compares nothing.
                families_now = {family_of(m) for m in groups[key]}
                families_then = {family_of(m) for m in then}
                entered = tuple(m for m in groups[key] if family_of(m) not in families_then)
                left = tuple(m for m in then if family_of(m) not in families_now)
                common = {f for f in families_now & families_then
                          if _whole_week(now.board, f) and _whole_week(before.board, f)}
                same = sum(now.board.tokens[m] for m in groups[key] if family_of(m) in common)
                same_before = sum(before.board.tokens[m] for m in then if family_of(m) in common)
            result.append(Total(key, sums[key], rank, prior, tuple(groups[key]),
                                everything.get(key, sums[key]), all_prior, entered, left, same,
                                same_before))
        return tuple(result)

    # A leaderboard that lists more rows one week than the other (nine, then ten) gives
    # no like-for-like "all its listed models": that change is left unknown (STYLEBOOK 3).
    like_for_like = before is not None and (
        bool(now.board.long_tail) or len(now.models) == len(before.models))
    ranks = before.board.ranks if before else {}
    tokens = before.board.tokens if before else {}
    earlier = before.board if before else None
    kin = _kin(tokens)
    models = [ModelWeek(model, name, author, country, count, rank, ranks.get(model),
                        tokens.get(model), counted, excluded, family_of(model), days,
                        earlier.days_of(model) if earlier and model in tokens else None, made, listing,
                        earlier is not None and model not in tokens and first_seen is not None
                        and first_seen.get(model, now.board.week) < now.board.week.previous(),
                        _kin_of(model, kin),
                        earlier is not None and not now.board.long_tail and model not in tokens
                        and rank > len(before.models) if before else False,
                        _family_change(now.board, earlier, family_of(model)) if model in tokens else None)
              for model, name, author, country, count, rank, counted, excluded, days, made, listing
              in now.models]
    return WeekStats(
        week=now.board.week,
        complete=now.complete,
        days=now.board.days,
        source=now.board.source,
        models=tuple(models),
        authors=totals(now.authors, before.authors if before else None, now.all_authors,
                       before.all_authors if before and like_for_like else None),
        countries=totals(now.countries, before.countries if before else None, now.all_countries,
                         before.all_countries if before and like_for_like else None),
        unmapped_authors=tuple(now.unmapped),
        has_previous=before is not None,
        long_tail=now.board.long_tail,
        daily=bool(now.board.listed),
    )
