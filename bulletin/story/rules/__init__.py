"""Rules: each looks at the week in its history and returns the facts it finds.

A rule produces numbers and flags, never sentences: wording lives in the
templates. Each rule kind registers under its name (see pyproject.toml) and
declares its parameters, so an editor tunes it in ``config.yaml`` (``rules:``)
and a wrong parameter is reported as ``rules[2].threshold: ...``.

A rule's event ``score`` says how unusual the fact is; detect.py multiplies it
by the rule's ``weight`` and by the event's novelty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import Any, ClassVar

from bulletin.config.options import Schema
from bulletin.config.params import Param, rule_schema
from bulletin.model import Event, EvidenceKey, Figure, Methodology, ModelWeek, WeekStats
from bulletin.records import record
from bulletin.story.families import family_name, family_of
from bulletin.story.novelty import Novelty
from bulletin.story.rules.leaders import Run, leader_of
from bulletin.story.stats import ALL_LISTED, WeekHistory, is_complete
from bulletin.weeks import IsoWeek

SUBJECT_TYPES = ("country", "author", "model", "total")


# Every rule accepts a weight: how much its kind of news counts against the others.
WEIGHT = Param(1.0, "number", minimum=0,
               help="how much this kind of news counts against the others (multiplies its scores)")


@record
class HistoryIndex:
    """Each subject's weekly volume over the complete weeks, built once per history.

    A backtest runs the rules over hundreds of weeks of the same history; the
    series are built the first time a rule asks and shared after that. What a
    rule needs from every week goes through here, so that a lazy history
    (aggregate.WeekHistory) answers from its leaderboards without building
    every week's statistics.
    """

    history: Mapping[IsoWeek, WeekStats]
    _series: dict[str, dict[str, list[int | None]]] = field(default_factory=dict)
    _weeks: list[IsoWeek] = field(default_factory=list)
    _position: dict[IsoWeek, int] = field(default_factory=dict)
    _leaders: dict[tuple[IsoWeek, str, tuple[str, str]], str | None] = field(default_factory=dict)
    _runs: dict[tuple[object, ...], dict[IsoWeek, Run]] = field(default_factory=dict)
    _first_in_top: dict[int, dict[str, IsoWeek]] = field(default_factory=dict)
    _daily: dict[IsoWeek, bool] = field(default_factory=dict)

    def weeks(self) -> list[IsoWeek]:
        """The complete weeks, in order."""
        if not self._weeks and self.history:
            self._weeks.extend(w for w in sorted(self.history) if is_complete(self.history, w))
            self._position.update((w, i) for i, w in enumerate(self._weeks))
        return self._weeks

    def position(self, week: IsoWeek) -> int | None:
        self.weeks()
        return self._position.get(week)

    def series(self, subject_type: str) -> dict[str, list[int | None]]:
        """Subject -> its volume in each complete week (None where it had none)."""
        if subject_type not in self._series:
            weeks = self.weeks()
            table: dict[str, list[int | None]] = {}
            for index, week in enumerate(weeks):
                for subject, tokens in self.volumes(week, subject_type).items():
                    table.setdefault(subject, [None] * len(weeks))[index] = tokens
            self._series[subject_type] = table
        return self._series[subject_type]

    def volumes(self, week: IsoWeek, subject_type: str) -> dict[str, int]:
        if isinstance(self.history, WeekHistory):
            return self.history.volumes(week, subject_type)
        return volumes(self.history[week], subject_type)

    def top_models(self, week: IsoWeek, n: int) -> list[str]:
        """The models of the week's top ``n``, in order."""
        if isinstance(self.history, WeekHistory):
            return self.history.top(week, n)
        return [row.model for row in self.history[week].top(n)]

    def top_owners(self, week: IsoWeek, n: int) -> list[tuple[str, str | None, bool]]:
        """(author, country, excluded) of each of the week's top ``n`` models."""
        if isinstance(self.history, WeekHistory):
            return self.history.top_owners(week, n)
        return [(row.author, row.country, row.excluded) for row in self.history[week].top(n)]

    def top_family_owners(self, week: IsoWeek, n: int) -> list[tuple[str, str | None, bool]]:
        """top_owners() of the week's first ``n`` models, a model's tiers and snapshots as one."""
        rows = n * 3  # enough for each of the n to be listed twice or three times
        found, seen = [], set()
        for model, owner in zip(self.top_models(week, rows), self.top_owners(week, rows), strict=True):
            if family_of(model) not in seen:
                seen.add(family_of(model))
                found.append(owner)
        return found[:n]

    def first_in_top(self, n: int) -> dict[str, IsoWeek]:
        """Model -> the first stored week (partial ones too) it was among the top ``n``.

        Built once: asking every week "was it ever in the top before?" walked the whole history.
        """
        if n not in self._first_in_top:
            first: dict[str, IsoWeek] = {}
            for week in sorted(self.history):
                for model in self.top_models(week, n):
                    first.setdefault(model, week)
            self._first_in_top[n] = first
        return self._first_in_top[n]

    def runs(self, *condition: object) -> dict[IsoWeek, Run]:
        """The runs of one condition ("lead", kind, pair, leader) found so far, by their last week.

        A condition must name everything its test depends on besides this
        history: one recheck or backtest asks each week for runs reaching back
        years, and each walk stops where an earlier one left off.
        """
        return self._runs.setdefault(condition, {})

    def complete(self, week: IsoWeek) -> bool:
        return is_complete(self.history, week)

    def daily(self, week: IsoWeek) -> bool:
        """Whether the week was summed from daily listings (WeekStats.daily).

        Kept once per week: a backtest's records compare each week with every one before it.
        """
        found = self._daily.get(week)
        if found is None:
            history = self.history
            found = self._daily[week] = (history.daily(week) if isinstance(history, WeekHistory)
                                         else history[week].daily)
        return found

    def leader(self, week: IsoWeek, subject_type: str, pair: tuple[str, str]) -> str | None:
        """leaders.leader_of() the week's statistics."""
        key = (week, subject_type, pair)
        if key not in self._leaders:
            self._leaders[key] = self._leader(week, subject_type, pair)
        return self._leaders[key]

    def _leader(self, week: IsoWeek, subject_type: str, pair: tuple[str, str]) -> str | None:
        history = self.history
        if not isinstance(history, WeekHistory):
            return leader_of(history[week], subject_type, pair)
        if not history.complete(week):
            return None
        if subject_type == "country":
            tokens = history.volumes(week, "country")
            first, second = tokens.get(pair[0], 0), tokens.get(pair[1], 0)
            if first == second:
                return None
            return pair[0] if first > second else pair[1]
        if subject_type == "author":
            authors = history.volumes(week, "author")
            ordered = sorted(authors.items(), key=lambda item: (-item[1], item[0]))[:2]
        else:
            ordered = history.top_tokens(week, 2)
        if not ordered or (len(ordered) > 1 and ordered[0][1] == ordered[1][1]):
            return None
        return ordered[0][0]

    def before(self, subject_type: str, subject: str, week: IsoWeek,
               span: int = 0, absent: int | None = None) -> list[tuple[IsoWeek, int]]:
        """The subject's volumes in the complete weeks before ``week`` (the last ``span``, or all).

        A week it had no volume in is left out, or counted as ``absent`` where that is what
        the week held (a country with no model in the top nine counted 0 tokens).
        """
        at = self.position(week)
        if at is None:
            return []
        row = self.series(subject_type).get(subject)
        if row is None:
            return []
        start = max(0, at - span) if span else 0
        weeks = self.weeks()
        return [(weeks[i], value) for i in range(start, at)
                if (value := row[i] if row[i] is not None else absent) is not None]


def comparable_before(context: RuleContext, subject_type: str, subject: str, span: int = 0,
                      absent: int | None = None) -> list[tuple[IsoWeek, int]]:
    """HistoryIndex.before() this week, only the weeks counted like it (comparable())."""
    week = context.stats.week
    prior = context.index.before(subject_type, subject, week, span, absent)
    if subject_type != "total":
        return prior  # countries and developers count the same top places every week
    return [(other, value) for other, value in prior if comparable(context, subject_type, week, other)]


def comparable(context: RuleContext, subject_type: str, week: IsoWeek, other: IsoWeek) -> bool:
    """Whether a subject's volumes in two weeks are counted alike (STYLEBOOK 3).

    The total of a leaderboard's listed models (no long tail) over ten rows one
    week and nine the other measures the list, not use. Country and developer
    totals count the same top places every week.
    """
    if subject_type != "total":
        return True
    index = context.index
    if index.daily(week) and index.daily(other):
        return True  # each day's top N, every day: the same list
    rows, other_rows = index.volumes(week, "model"), index.volumes(other, "model")
    # Without a long tail the total is the listed rows' sum, and the number of rows matters.
    listed_only = sum(rows.values()) == index.volumes(week, "total").get("total")
    return not listed_only or len(rows) == len(other_rows)


def volumes(stats: WeekStats, subject_type: str) -> dict[str, int]:
    """Tokens of each subject in a week: countries and authors over the counted models."""
    if subject_type == "country":
        return {t.key: t.tokens for t in stats.countries}
    if subject_type == "author":
        return {t.key: t.tokens for t in stats.authors}
    if subject_type == "model":
        return {row.model: row.tokens for row in stats.models}
    if subject_type.endswith(ALL_LISTED):  # every listed model of each counted country or author
        totals = stats.countries if subject_type == "country" + ALL_LISTED else stats.authors
        return {t.key: t.all_tokens for t in totals}
    # The platform total: every listed row and the long tail below the daily cutoff.
    return {"total": sum(row.tokens for row in stats.models) + stats.long_tail}


@record
class RuleContext:
    stats: WeekStats
    history: Mapping[IsoWeek, WeekStats]  # every week in the store, this one included
    figures: tuple[Figure, ...]
    methodology: Methodology
    index: HistoryIndex = None  # type: ignore[assignment]
    # The events of the bulletins before this week, most recent first (what readers were told).
    reported: Sequence[Sequence[Event]] = ()

    def __post_init__(self) -> None:
        if self.index is None:
            object.__setattr__(self, "index", HistoryIndex(self.history))

    def week_before(self, stats: WeekStats) -> WeekStats | None:
        """The previous week if it is in the store and comparable with this one."""
        if not stats.has_previous:
            return None
        return self.history.get(stats.week.previous())


class Rule:
    name: ClassVar[str] = ""
    params: ClassVar[Mapping[str, Param]] = {}
    # For each kind of event the rule makes, how it stays news when told again
    # (novelty.NEWS, run(), fact()); a kind left out is a plain fact.
    novelty: ClassVar[Mapping[str, Novelty]] = {}

    def __init__(self, **values: Any) -> None:
        self.weight: float = values.pop("weight", WEIGHT.default)
        for key, param in self.params.items():
            setattr(self, key, values.pop(key, param.default))
        if values:
            raise TypeError(f"{self.name}: unknown parameters {sorted(values)}")

    @classmethod
    def options(cls) -> Schema:
        """Its parameters as options: the weight every rule takes, then its own."""
        return rule_schema(cls.name, {"weight": WEIGHT, **cls.params})

    @classmethod
    def from_config(cls, entry: Mapping[str, Any], where: str, problems: list[str]) -> Rule | None:
        """The rule an entry of ``rules:`` describes; problems name ``where.parameter``."""
        values = cls.options().read(dict(entry), where, problems, also={"kind"})  # type: ignore[arg-type]
        return cls(**values) if values.ok else None

    def describe(self) -> dict[str, Any]:
        return {"kind": self.name, "weight": self.weight,
                **{key: getattr(self, key) for key in self.params}}

    def detect(self, context: RuleContext) -> Iterable[Event]:
        raise NotImplementedError


def top_families(stats: WeekStats, n: int) -> tuple[ModelWeek, ...]:
    """The week's first ``n`` models, each by its best row: two rows of one model are one model."""
    found: list[ModelWeek] = []
    seen: set[str] = set()
    for row in stats.models:
        if (row.family or row.model) not in seen:
            seen.add(row.family or row.model)
            found.append(row)
            if len(found) == n:
                break
    return tuple(found)


def evidence(stats: WeekStats, models: Iterable[str]) -> tuple[str, ...]:
    """Keys naming the observations behind a number: ``source|week|model``.

    str(EvidenceKey.of(...)) written out: a backtest makes hundreds of thousands of them.
    """
    prefix = str(EvidenceKey.of(stats.source, stats.week, ""))
    return tuple(prefix + model for model in models)


def model_facts(row: ModelWeek) -> dict[str, Any]:
    """A row's ModelFacts fields (for the facts of a kind that extends them)."""
    return {"model": row.model, "name": row.name, "author": row.author, "country": row.country,
            "rank": row.rank, "tokens": row.tokens, "previous_rank": row.previous_rank,
            "stealth": row.excluded, "change": row.change}


def subject_models(stats: WeekStats, subject_type: str, subject: str) -> Sequence[str]:
    """The models whose observations make up a subject's volume, for evidence."""
    if subject_type == "country":
        total = stats.country(subject)
        return total.models if total else ()
    if subject_type == "author":
        return next((t.models for t in stats.authors if t.key == subject), ())
    if subject_type == "model":
        return (subject,)
    return tuple(row.model for row in stats.models)


def subject_name(stats: WeekStats, subject_type: str, subject: str) -> str:
    """How the article names a model (its family's display name); other subjects by their key.

    Stories are told of the model, not the row: "Tencent Hy3", whichever tier led. The
    total is "listed" where the source gives no long tail (a top-10 leaderboard).
    """
    if subject_type == "model":
        return next((family_name(row.name) for row in stats.models if row.model == subject), subject)
    if subject_type == "total" and not stats.long_tail:
        # A leaderboard without its long tail is not the platform: "the listed models", not "all".
        return "listed"
    return subject
