"""What each kind of event states: its facts, one frozen dataclass per kind.

The rules build them, the templates read their fields (``f.leader_tokens``),
the claim check and the corrections walk them as data (``as_data()``), and the
store keeps that data as JSON, read back with ``facts_from_data()``. A field
renamed here is renamed for all of them, and the type checker sees every use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from enum import StrEnum
from typing import Any, ClassVar, TypeVar, get_type_hints

from bulletin.records import record


class EventKind(StrEnum):
    LEAD_CHANGE = "lead_change"  # the lead countries swapped places
    SUBJECT_LEAD_CHANGE = "subject_lead_change"  # a new No. 1 developer or model
    STREAK = "streak"  # one lead country ahead for N weeks
    SUBJECT_STREAK = "subject_streak"  # one developer or model first for N weeks
    GROWTH_STREAK = "growth_streak"  # volume up N weeks running (or such a run ended)
    GROWTH = "growth"  # a lead country's week on week
    VOLUME_CHANGE = "volume_change"  # any subject's change over N weeks
    MILESTONE = "milestone"  # a round level passed for the first time
    RECORD = "record"  # the highest (or lowest) week on record
    NEW_ENTRANT = "new_entrant"  # a model new in (or back in) the top ten
    RANK_CHANGE = "rank_change"  # a model's climb, fall or new first place
    SHARE = "share"  # a country's share of the board crossed a level
    SWEEP = "sweep"  # one country holds every top place
    AUTHOR_SWEEP = "author_sweep"  # one developer holds every top place
    SWEEP_END = "sweep_end"  # such a run of a country's ended
    AUTHOR_SWEEP_END = "author_sweep_end"
    VARIANT_CHANGE = "variant_change"  # a free tier ended, a new snapshot's first full week
    FORECAST = "forecast"  # a series of forecast figures: multiple and yearly growth
    CLAIM_CHECK = "claim_check"  # a multiple a source states that its own figures do not give
    STEALTH_WITHDRAWN = "stealth_withdrawn"  # a stealth model high last week left the listing
    DROPPED_OUT = "dropped_out"  # a top-five model of last week is not listed at all this week
    SUCCESSOR = "successor"  # a maker's new model arrives as its older ones of the line lose use
    # Editions only (story/editions.py): a subject's week, and the whole field's in one sentence.
    EDITION_WEEK = "edition_week"
    FIELD = "field"


class SubjectType(StrEnum):
    COUNTRY = "country"
    AUTHOR = "author"
    MODEL = "model"
    TOTAL = "total"  # every model on the platform


class Move(StrEnum):
    NEW_LEADER = "new_leader"
    CLIMB = "climb"
    FALL = "fall"


class VariantWhat(StrEnum):
    FREE_ENDED = "free_ended"  # the free tier is no longer listed; the paid tier stays
    SNAPSHOT = "snapshot"  # a newer dated snapshot in its first full week


class Direction(StrEnum):
    ABOVE = "above"
    BELOW = "below"


@record(kw_only=True)
class Facts:
    """What every event's facts may carry besides its own."""

    # Which top-nine total this event is the first in the article to state
    # ("country", "author"): its paragraph says what the total counts. Set by compose.
    basis: str = ""
    # Detected but no longer news (a forecast after the week it was published): not told.
    background: bool = False
    # Its amount was stated in an earlier paragraph of the article: not written again (compose).
    told_before: bool = False

    # Fields holding other facts, read back from data as that type (a tuple for a list).
    nested: ClassVar[Mapping[str, type[Facts]]] = {}

    def __post_init__(self) -> None:
        # A kind, a mode or a direction given as its text (stored data, a rule) becomes its enum.
        for name, enum in _enum_fields(type(self)).items():
            value = getattr(self, name)
            if not isinstance(value, enum):
                object.__setattr__(self, name, enum(value))

    def as_data(self) -> dict[str, Any]:
        """Plain data: JSON output, the bulletins table, the claim check's walk.

        What ``dataclasses.asdict`` gives, made without its deep copies: the fields hold
        only immutable values, tuples and other facts.
        """
        return {f.name: _as_data(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_data(cls: type[F], data: Mapping[str, Any]) -> F:
        """The facts ``as_data()`` gave; keys a later version dropped are ignored."""
        known = {f.name for f in fields(cls) if f.init}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            inner = cls.nested.get(key)
            if inner is not None and isinstance(value, (list, tuple)):
                value = tuple(inner.from_data(item) for item in value)
            elif inner is not None and isinstance(value, Mapping):
                value = inner.from_data(value)
            values[key] = value
        return cls(**values)


F = TypeVar("F", bound=Facts)


def _as_data(value: Any) -> Any:
    if isinstance(value, Facts):
        return value.as_data()
    if isinstance(value, tuple):
        return tuple(_as_data(item) for item in value)
    return value


_ENUM_FIELDS: dict[type, dict[str, type[StrEnum]]] = {}


def _enum_fields(cls: type[Facts]) -> dict[str, type[StrEnum]]:
    """The fields of ``cls`` whose type is an enum, found once per class."""
    if cls not in _ENUM_FIELDS:
        hints = get_type_hints(cls)
        _ENUM_FIELDS[cls] = {f.name: hints[f.name] for f in fields(cls)
                             if isinstance(hints[f.name], type) and issubclass(hints[f.name], StrEnum)}
    return _ENUM_FIELDS[cls]


@record(kw_only=True)
class ModelFacts(Facts):
    """One leaderboard row as an event states it."""

    model: str
    name: str
    author: str
    country: str | None
    rank: int
    tokens: int
    previous_rank: int | None
    stealth: bool  # an excluded (stealth) author's model: counted in no country's total
    change: float | None = None  # week on week (a listed model's, all its tiers where it names them)


@record(kw_only=True)
class DuelFacts(Facts):
    """Who leads whom this week, with both sides' tokens and changes."""

    subject_type: SubjectType
    leader: str
    trailer: str
    leader_tokens: int
    trailer_tokens: int
    leader_change: float | None
    trailer_change: float | None
    week_ending: str
    # For a country's or developer's top-nine total: whether the change comes mostly
    # from which models made the nine, and then the change of all its listed models.
    leader_churn: bool = False
    trailer_churn: bool = False
    # Not the membership but how concentrated use is: all its listed models moved otherwise.
    leader_gap: bool = False
    trailer_gap: bool = False
    leader_all_change: float | None = None
    trailer_all_change: float | None = None
    # Where membership moved it: the change of the models counted in both weeks, and the names
    # of the models that entered the top nine (W32: Gemini 3.6 Flash, Poolside Laguna S 2.1).
    leader_same_change: float | None = None
    trailer_same_change: float | None = None
    leader_entered: tuple[str, ...] = ()
    trailer_entered: tuple[str, ...] = ()
    leader_left: tuple[str, ...] = ()  # and those that left it
    trailer_left: tuple[str, ...] = ()
    # Where one model was counted in both weeks, its name: "its models together" would be wrong.
    leader_same_only: str = ""
    trailer_same_only: str = ""
    leader_name: str = ""  # a developer's or model's name (countries are named by the templates)
    trailer_name: str = ""
    # A lead country's record this week, told in this paragraph rather than one of its own
    # (compose): since when records run, and the record it beat. "" / None: no record.
    leader_record_since: str = ""
    leader_previous_record: int | None = None
    leader_previous_record_week_ending: str = ""
    trailer_record_since: str = ""
    trailer_previous_record: int | None = None
    trailer_previous_record_week_ending: str = ""
    # The record's cause, as RecordFacts gives it, and whose record it is ("leader", "trailer").
    driver_side: str = ""
    driver: str = ""
    driver_name: str = ""
    driver_tokens: int | None = None
    driver_change: float | None = None


@record(kw_only=True)
class LeadChangeFacts(DuelFacts):
    ended_weeks: int  # the lead this change ended
    ended_open_ended: bool
    ended_since: str
    retaken: bool  # the new leader had led before
    previous_leader: str = ""
    previous_leader_name: str = ""
    developer_too: str = ""  # a model's lead that is its developer's new lead too (compose)
    # Why a model lost first place, where its free tier stopped being listed this week:
    # the day it was last listed, and the model's volume (every tier) last week and this.
    free_ended_on: str = ""
    fell_from: int | None = None
    fell_to: int | None = None
    # The old leader's own change this week: where it fell, that is how the lead changed.
    previous_change: float | None = None
    # Where the old No. 1 model fell several places, its place now, told with its fall (compose:
    # weekly W04, "Claude Opus 4.5 fell 41.6% in the week, to No. 7", not a paragraph again).
    previous_rank_now: int | None = None
    # A new No. 1 model: first listed this week ("new"), a free tier ("free"), and the same
    # maker's model of its line it takes over from ("Hy3 after Hy3 Preview").
    leader_new: bool = False
    leader_free: bool = False
    succeeds: str = ""
    succeeded_left: bool = False  # the model it follows left the list this week (compose)
    # The model it follows was listed for the last time this week, on this day (daily W28: Tencent
    # Hy3 Preview, No. 4 the week before, last listed on July 8). "": listed to the week's end.
    succeeded_last_listed: str = ""
    succeeded_previous_rank: int | None = None  # and where it stood the week before, with how much
    succeeded_previous_tokens: int | None = None
    # A No. 1 model or developer from a country none of the earlier No. 1s came from: the
    # country, and the first week on record ("the first Chinese model at No. 1 on record").
    first_of_country: str = ""
    records_since: str = ""
    # A developer whose lead ended in its first week without a model's free tier, gone since
    # the week before (W20: Tencent, after Hy3 Preview's free tier last listed on May 8).
    free_gone_model: str = ""
    free_gone_on: str = ""
    # A developer's new lead that is one model's (its tiers and snapshots together), its only
    # one among the week's counted models (W29: Tencent's 11.5 trillion is Tencent Hy3's).
    leader_only_model: str = ""


@record(kw_only=True)
class StreakFacts(DuelFacts):
    weeks: int
    open_ended: bool  # the run reaches the start of the data: "at least"
    since: str
    # A developer's or model's runner-up whose amount an earlier paragraph stated (W27: Xiaomi's
    # 4.38 trillion, MiMo V2.5's alone): not written again (compose).
    trailer_told_before: bool = False


@record(kw_only=True)
class GrowthFacts(Facts):
    country: str
    tokens: int
    previous_tokens: int
    change: float
    typical_change: float | None
    # The top nine's change came from which models made it (Total.churn), and then the change of
    # the models counted in both weeks; "mostly" (Total.churn_mostly): a change of the list.
    churn: bool = False
    same_change: float | None = None
    membership: bool = False


@record(kw_only=True)
class SubjectFacts(Facts):
    """Facts of one subject: a country, a developer, a model or the platform."""

    subject_type: SubjectType
    subject: str
    name: str
    week_ending: str


@record(kw_only=True)
class VolumeChangeFacts(SubjectFacts):
    weeks: int  # the span compared
    tokens: int
    previous_tokens: int
    change: float
    typical_change: float | None


@record(kw_only=True)
class GrowthStreakFacts(SubjectFacts):
    weeks: int  # 0 when the run ended this week
    open_ended: bool
    since: str
    tokens: int | None
    first_tokens: int | None
    ended: bool
    change: float | None
    ended_weeks: int = 0
    ended_open_ended: bool = False
    ended_since: str = ""
    # The platform total's first material fall on record, after weeks of only growth and
    # stalls (W30): told as that first, hedged to the records' start.
    first_fall: bool = False
    records_since: str = ""
    # A platform's fall one model's own fall outweighs (W30: Tencent Hy3 lost more tokens than
    # the platform did): its cause, told with it. "" : none.
    driver: str = ""
    driver_name: str = ""
    driver_tokens: int | None = None
    driver_fall: int | None = None  # tokens it lost, all its tiers and snapshots together
    # Flat after a run (W26): told as flat ("held flat after six weeks of growth"), never as
    # a fall or the run's end (STYLEBOOK 2).
    stalled: bool = False


@record(kw_only=True)
class MilestoneFacts(SubjectFacts):
    level: int
    tokens: int
    previous_best: int
    previous_best_week: str
    first_week_on_record: str
    records_since: str


@record(kw_only=True)
class RecordFacts(SubjectFacts):
    tokens: int
    previous_record: int
    previous_record_week: str
    previous_record_week_ending: str
    margin: float | None
    span: int  # weeks looked back; 0 for the whole history
    all_time: bool  # over all the data held: "since these records began"
    low: bool
    history_weeks: int
    records_since: str
    # The model that did most of a country's or developer's rise on last week, where one did
    # (STYLEBOOK 1: a record is told with its cause): its name, volume and change.
    driver: str = ""
    driver_name: str = ""
    driver_tokens: int | None = None
    driver_change: float | None = None  # None: not listed the week before
    # A country's or developer's high whose rise came mostly from which models made the top nine
    # (Total.churn_mostly): a record of the list as much as of use, never the week's lead story.
    membership: bool = False


@record(kw_only=True)
class NewEntrantFacts(ModelFacts):
    returning: bool  # among the top before: "back", not "new"
    # The top it entered: ten, or the rows of a shorter list (a copy of nine rows cannot say
    # a model was outside the top ten the week before).
    top: int = 10
    # The maker's model of the same line it follows ("Claude Opus 4.7" for 4.8), where that
    # one stood in last week's top and lost use this week: the story is a replacement.
    succeeds: str = ""
    succeeded_change: float | None = None  # this week's, over a full week against a full week
    succeeded_left: bool = False  # not in this week's listing at all
    # The week's other models new to the table, told in the same paragraph (compose): every
    # debut is told, and several take one paragraph, not one each.
    also: tuple[ModelFacts, ...] = ()

    nested = {"also": ModelFacts}


@record(kw_only=True)
class RankChangeFacts(ModelFacts):
    move: Move
    places: int
    week_ending: str


@record(kw_only=True)
class ShareFacts(Facts):
    country: str
    share: float
    previous_share: float
    level: float
    direction: Direction
    tokens: int
    week_ending: str


@record(kw_only=True)
class SweepFacts(Facts):
    places: int
    models: tuple[ModelFacts, ...]
    weeks: int
    open_ended: bool
    since: str
    country: str = ""  # the owner: a country (sweep) or a developer (author_sweep)
    author: str = ""
    # The leaderboard places the models take: more than ``places`` where one of them
    # is listed twice (two snapshots), and then "places" is not what they hold.
    rows: int = 0
    # A sweep no earlier week held had by this owner: "for the first time since these records
    # began" (STYLEBOOK 5), from the first week held (records_since).
    first: bool = False
    records_since: str = ""

    nested = {"models": ModelFacts}


@record(kw_only=True)
class SweepEndFacts(Facts):
    places: int
    models: tuple[ModelFacts, ...]
    breaker: ModelFacts  # the first model of the top places not the owner's
    ended_weeks: int
    ended_open_ended: bool
    ended_since: str
    week_ending: str
    country: str = ""
    author: str = ""
    # The breaker is new in the table this week: its debut is told here, not again (compose).
    breaker_new: bool = False

    nested = {"models": ModelFacts, "breaker": ModelFacts}


@record(kw_only=True)
class VariantChangeFacts(Facts):
    what: VariantWhat
    model: str
    family: str
    name: str
    author: str
    country: str | None
    rank: int
    tokens: int
    week_ending: str
    free_tokens: int | None = None  # free_ended: the free tier's last (part of a) week
    free_rank: int | None = None  # None where it was listed only some days
    free_this_week: bool = False  # listed on this week's first days (else until last Sunday)
    last_listed: str = ""  # the last day the free tier was listed
    family_tokens: int | None = None  # the model, every tier, this week and last
    family_previous_tokens: int | None = None
    # It ended in the first week held: nothing before it to compare (no family_previous_tokens).
    first_week: bool = False
    snapshot: str = ""  # snapshot: the new one's date and the one it follows
    old_snapshot: str = ""
    old_tokens: int | None = None
    old_rank: int | None = None
    overtook: bool = False
    first_listed: str = ""  # a snapshot's arrival: the day it was first listed (else its full week)
    days: int = 7  # days of this week it was listed


@record(kw_only=True)
class StealthWithdrawnFacts(Facts):
    model: str
    name: str
    last_listed: str  # the last day it was listed (the Sunday before, if it is gone all week)
    previous_rank: int  # last week, listed every day
    previous_tokens: int
    tokens: int  # this week, on the days it was still listed (0: none)
    days: int
    week_ending: str
    # A weekly board's rows (0: the Data API's days): a copy of the top nine shows a model
    # gone from it, never the day it was last listed (W47).
    listed: int = 0
    # A free model without a paid tier, ended like a stealth one (W32: inclusionAI's Ling 3.0
    # Flash (free), last listed August 6): its maker. "": a stealth model.
    maker: str = ""


@record(kw_only=True)
class DroppedOutFacts(Facts):
    model: str
    name: str
    country: str | None
    previous_rank: int
    previous_tokens: int
    listed: int  # how many rows the listing has: a weekly top ten, or each day's top 50 (0)
    week_ending: str
    # The last week (its Sunday) it was No. 1, within LED_WITHIN weeks: a former No. 1 leaving is
    # news whatever its rank last week (weekly W06: Grok Code Fast 1, No. 1 up to W02). "": none.
    last_led: str = ""


@record(kw_only=True)
class OlderModelFacts(Facts):
    """A maker's older model of a line, every tier, last week and this."""

    model: str  # its family
    name: str
    previous_rank: int
    previous_tokens: int
    tokens: int  # this week, on the days it was listed (0: none)
    change: float | None  # None where it was listed only some days of either week
    counted: bool  # still among the week's counted models (the top nine)
    days: int


@record(kw_only=True)
class SuccessorFacts(Facts):
    model: str
    name: str
    author: str
    country: str | None
    first_listed: str  # the day it was first listed
    tokens: int  # its first days
    days: int
    week_ending: str
    older: tuple[OlderModelFacts, ...]

    nested = {"older": OlderModelFacts}


@record(kw_only=True)
class FigurePoint(Facts):
    """One figure of a forecast series, as its source gave it."""

    value: int | str  # exact: an integer, or a decimal's text
    unit: str
    scale: str
    period: str
    link: str
    quote: str
    source: str


@record(kw_only=True)
class ForecastFacts(Facts):
    subject: str
    subject_zh: str
    organisation: str
    unit: str
    first: FigurePoint
    last: FigurePoint
    multiple: int | float
    years: int
    cagr: float

    nested = {"first": FigurePoint, "last": FigurePoint}


@record(kw_only=True)
class ClaimCheckFacts(ForecastFacts):
    stated_multiple: int | float
    stated_words: str
    quote: str
    quote_link: str
    # Who wrote the quote: the site of the report it was read from ("news.example.com"),
    # not the organisation whose figures it reports (STYLEBOOK 6).
    quoted_by: str = ""
    figures_multiple: int | float
    difference: float


@record(kw_only=True)
class EditionWeekFacts(SubjectFacts):
    """A developer's or a country's week, an edition's first paragraph: its counted models' total
    and how it stands among the others of its kind, then its models on the leaderboard."""

    tokens: int  # its counted models' tokens (0: none of its models counted this week)
    previous_tokens: int | None
    change: float | None  # None against an incomplete week or none counted the week before
    rank: int | None  # among the developers (countries) counted this week; None: not counted
    previous_rank: int | None
    ranked: int  # how many developers (countries) were counted this week
    share: float | None  # of every model on the platform; None where the source has no long tail
    country: str = ""  # a developer's country
    country_tokens: int | None = None  # that country's counted tokens, and the developer's share
    country_share: float | None = None
    models: tuple[ModelFacts, ...] = ()  # its rows on the leaderboard, by rank (the first few)
    counted_models: int = 0  # how many of its models the total counts (tiers and snapshots as one)
    listed_rows: int = 0  # its rows on the leaderboard (a model's tiers and snapshots each have one)
    told_models: tuple[str, ...] = ()  # its models another paragraph tells the move of
    newcomers: tuple[ModelFacts, ...] = ()  # its models listed this week for the first time
    record: bool = False  # its highest counted week of those held (four earlier weeks at least)
    records_since: str = ""  # the Monday of the first complete week held
    behind: str = ""  # the one of its kind ranked just above it, and just below
    ahead_of: str = ""
    first_weeks: int = 0  # at No. 1 of its kind this many weeks running (0: not first)
    first_open_ended: bool = False  # the run reaches back to the first week held: "at least"
    quiet: bool = False  # nothing else of it this week: the edition is short
    compared: bool = False  # the week before is held and complete: it has changes and ranks
    top_n: int = 0  # the methodology's: what "counted" means

    nested = {"models": ModelFacts, "newcomers": ModelFacts}


@record(kw_only=True)
class FieldFacts(Facts):
    """The whole platform's week in one sentence, at the end of an edition."""

    leader: str  # the lead countries, by this week's tokens
    leader_tokens: int
    trailer: str
    trailer_tokens: int
    top_model: str
    top_name: str
    top_author: str
    top_country: str | None
    top_tokens: int
    platform_tokens: int | None  # every model, the long tail included (None: no long tail)
    subject_type: SubjectType = SubjectType.AUTHOR  # the edition's subject: which of these it leaves out
    subject: str = ""
    top_told: bool = False  # an earlier paragraph named the most used model as such


BUILT_IN_KINDS = frozenset(EventKind)

# Each event kind's facts. A rule of one's own (an entry point, see rules.py) that
# makes a kind of its own registers its facts with register().
FACTS: dict[str, type[Facts]] = {
    EventKind.LEAD_CHANGE: LeadChangeFacts,
    EventKind.SUBJECT_LEAD_CHANGE: LeadChangeFacts,
    EventKind.STREAK: StreakFacts,
    EventKind.SUBJECT_STREAK: StreakFacts,
    EventKind.GROWTH_STREAK: GrowthStreakFacts,
    EventKind.GROWTH: GrowthFacts,
    EventKind.VOLUME_CHANGE: VolumeChangeFacts,
    EventKind.MILESTONE: MilestoneFacts,
    EventKind.RECORD: RecordFacts,
    EventKind.NEW_ENTRANT: NewEntrantFacts,
    EventKind.RANK_CHANGE: RankChangeFacts,
    EventKind.SHARE: ShareFacts,
    EventKind.SWEEP: SweepFacts,
    EventKind.AUTHOR_SWEEP: SweepFacts,
    EventKind.SWEEP_END: SweepEndFacts,
    EventKind.AUTHOR_SWEEP_END: SweepEndFacts,
    EventKind.VARIANT_CHANGE: VariantChangeFacts,
    EventKind.FORECAST: ForecastFacts,
    EventKind.CLAIM_CHECK: ClaimCheckFacts,
    EventKind.STEALTH_WITHDRAWN: StealthWithdrawnFacts,
    EventKind.DROPPED_OUT: DroppedOutFacts,
    EventKind.SUCCESSOR: SuccessorFacts,
    EventKind.EDITION_WEEK: EditionWeekFacts,
    EventKind.FIELD: FieldFacts,
}


def register(kind: str, facts: type[Facts]) -> None:
    """Declare the facts of a kind of event a rule of one's own makes."""
    known = FACTS.setdefault(kind, facts)
    if known is not facts:
        raise ValueError(f"the event kind {kind!r} has its facts already ({known.__name__})")


def facts_type(kind: str) -> type[Facts]:
    found = FACTS.get(kind)
    if found is None:
        raise ValueError(f"no facts are declared for the event kind {kind!r} "
                         "(a rule of one's own registers them with bulletin.model.facts.register)")
    return found


def facts_from_data(kind: str, data: Mapping[str, Any]) -> Facts:
    """An event's facts as the store or ``bulletin.json`` kept them."""
    return facts_type(kind).from_data(data)
