"""The frozen records the pipeline's stages hand to one another."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bulletin.model.facts import BUILT_IN_KINDS, EventKind, Facts, facts_from_data, facts_type
from bulletin.records import record
from bulletin.weeks import IsoWeek

LOCALES = ("en", "zh")  # the languages templates/ has words for; the first is the default
DEFAULT_LOCALE = LOCALES[0]


@dataclass(frozen=True, slots=True)  # slots: a large CSV file is millions of these
class Observation:
    """One reading: a model's tokens for one UTC day or one ISO week."""

    source: str
    period: str  # "2026-03-09" for a day, "2026-W11" for a week
    model: str  # permaslug, e.g. "minimax/minimax-m2.5-20260211"
    tokens: int
    rank: int | None = None
    source_url: str = ""
    fetched_at: str = ""

    @property
    def author(self) -> str:
        return author_of(self.model)

    @property
    def is_daily(self) -> bool:
        return "-W" not in self.period

    @property
    def week(self) -> IsoWeek:
        if self.is_daily:
            return IsoWeek.of(date.fromisoformat(self.period))
        return IsoWeek.parse(self.period)


def author_of(model: str) -> str:
    """The author slug is the permaslug's part before the first '/'."""
    return model.split("/", 1)[0]


@record
class ModelName:
    model: str
    name: str
    source: str
    created: str = ""  # when the model was published (a catalogue's date), if known


@record
class Figure:
    """A number an editor entered or a text stated, with where it came from.

    ``value`` is in the base unit (tokens, not quadrillions of them) and kept
    exact; ``scale`` remembers the scale word the source wrote it in, so an
    article can quote "3,900 quadrillion" the way the source did.
    """

    source: str
    subject: str
    organisation: str
    kind: str  # "observed" or "forecast"
    value: Decimal
    unit: str
    period: str  # "2030" or "2026-W11"
    link: str
    quote: str = ""
    scale: str = ""
    published_at: str = ""
    fetched_at: str = ""
    subject_zh: str = ""  # the subject in Chinese, for the Chinese edition ('' if none given)


@record
class FeedItem:
    """One news item, stored once; its HTML already sanitised."""

    source: str
    key: str  # the item's id, or its link where it has none
    link: str
    title: str
    summary: str
    published_at: str = ""
    fetched_at: str = ""


@record
class HttpValidators:
    """What a server said about a response, so the next request can be conditional."""

    url: str
    etag: str = ""
    last_modified: str = ""


@record
class Collected:
    """Everything one source yielded in one collection.

    A file source is the whole truth for what it covers: its figures replace
    the source's earlier ones. A live source only adds (``figures_replace``
    false): a news item that left the feed keeps the figures it gave.
    """

    source: str
    observations: tuple[Observation, ...] = ()
    names: tuple[ModelName, ...] = ()
    figures: tuple[Figure, ...] = ()
    # Observations as plain rows in the store's column order (source, period, model,
    # tokens, rank, source_url, fetched_at): a ten-year back-fill is 186,000 of
    # them, too many to make an object each. A tuple is held in memory; any other
    # collection (a large CSV file's) is streamed into the store row by row.
    rows: Collection[tuple[str, str, str, int, int | None, str, str]] = ()
    items: tuple[FeedItem, ...] = ()
    validators: tuple[HttpValidators, ...] = ()
    as_of: str = ""  # how recent the source says its data is
    figures_replace: bool = True


@record
class ModelWeek:
    """A model's place on one week's leaderboard."""

    model: str
    name: str
    author: str
    country: str | None
    tokens: int
    rank: int
    previous_rank: int | None
    previous_tokens: int | None
    counted: bool  # within top_n and not from an excluded author
    excluded: bool  # its author is excluded (stealth or undisclosed)
    family: str = ""  # the model its variants share (story/families.py); "" : the row itself
    days: int = 7  # days of the week it was listed (a daily listing names each day's top 50 only)
    previous_days: int | None = None  # the same, the week before (None: not listed)
    name_made: bool = False  # no catalogue name: made from the id
    listing: int = 0  # daily data: the days it was listed, as bits (1 Monday ... 64 Sunday); 0: weekly
    returning: bool = False  # not listed the week before, but in an earlier week: "back", not "new"
    # Another tier ("tier") or snapshot ("snapshot") of the same model was listed the week before:
    # a row without a change of its own is that model's, not a newcomer's (STYLEBOOK 4). "": none.
    kin_before: str = ""
    # Not on last week's list, which was shorter than this one (a copy of nine rows, then ten):
    # whether it is new is not known.
    beyond_last_list: bool = False
    # The model's change over all its tiers and snapshots, where the row has none of its own
    # (listed part of last week) and the model was listed every day of both weeks (W31: Tencent
    # Hy3's paid tier, its first full week, is the model down 15.2%). None otherwise.
    family_change: float | None = None

    @property
    def first_day(self) -> int | None:
        """The first weekday it was listed (0 Monday ... 6 Sunday); None for a weekly board."""
        return (self.listing & -self.listing).bit_length() - 1 if self.listing else None

    @property
    def last_day(self) -> int | None:
        """The last weekday it was listed (0 Monday ... 6 Sunday); None for a weekly board."""
        return self.listing.bit_length() - 1 if self.listing else None

    @property
    def full_weeks(self) -> bool:
        """Listed every day of this week and of the week before: its change means something."""
        return self.days == 7 and self.previous_days == 7

    @property
    def change(self) -> float | None:
        # Against a partial week (of the model or of the data) a change measures the listing.
        if not self.full_weeks:
            return None
        return relative_change(self.tokens, self.previous_tokens)


@record
class Total:
    """Tokens of one author or country over the week's counted models."""

    key: str
    tokens: int
    rank: int
    previous_tokens: int | None
    models: tuple[str, ...]
    # Every listed model of the key, counted or not: what "all its models" did.
    all_tokens: int = 0
    all_previous_tokens: int | None = None
    entered: tuple[str, ...] = ()  # counted this week, not the week before
    left: tuple[str, ...] = ()  # counted the week before, not this week
    # The models counted in both weeks: their tokens this week and last, the same set, like
    # for like (a model gone from a list has no known volume, and one new to it no past).
    same_tokens: int | None = None
    same_previous_tokens: int | None = None

    @property
    def change(self) -> float | None:
        return relative_change(self.tokens, self.previous_tokens)

    @property
    def all_change(self) -> float | None:
        return relative_change(self.all_tokens, self.all_previous_tokens)

    @property
    def same_change(self) -> float | None:
        """The change of last week's counted models: what the top's membership left out."""
        if self.same_tokens is None:
            return None
        return relative_change(self.same_tokens, self.same_previous_tokens)

    @property
    def churn(self) -> bool:
        """Whether the change comes mostly from models entering or leaving the counted top.

        Measured against the same models' change: where those grew as the top did,
        the gap to all models is how concentrated use is, not who was counted.
        """
        change, same = self.change, self.same_change
        if change is None or same is None or not (self.entered or self.left):
            return False
        # The same models moving further the same way: the list damped the change, it did not
        # make it (W32: the nine +21.7%, the same models +39.7%) — no "comes mostly from".
        if change * same > 0 and abs(same) > abs(change):
            return False
        return _apart(change, same)

    @property
    def churn_mostly(self) -> bool:
        """Whether models entering or leaving the counted top made half the change or more, or
        turned it: "comes mostly from which models made the top nine" (templates' how_much)."""
        change, same = self.change, self.same_change
        if not self.churn or change is None or same is None:
            return False
        return change * same < 0 or abs(change - same) >= abs(change) / 2

    @property
    def churn_in_part(self) -> bool:
        """Whether models entering or leaving the counted top moved the change by ten points or
        more, without making most of it: told where nothing else explains the basis."""
        change, same = self.change, self.same_change
        if change is None or same is None or not (self.entered or self.left):
            return False
        return not (change * same > 0 and abs(same) > abs(change)) and abs(change - same) >= APART

    @property
    def gap(self) -> bool:
        """Whether all the key's listed models moved otherwise than its counted top (a basis
        effect a reader must be told of, whatever its cause)."""
        change, overall = self.change, self.all_change
        return change is not None and overall is not None and _apart(change, overall)


def _apart(change: float, other: float) -> bool:
    """Two changes that tell different stories: opposite signs beyond noise, or half the
    change or more between them."""
    opposite = change * other < 0 and max(abs(change), abs(other)) >= 0.01
    return opposite or abs(change - other) >= max(abs(change) / 2, 0.05)


# Ten points between two changes moves what a reader takes from either (W09: China -39.5%
# over its top nine, -28.3% over the same models), however large the change.
APART = 0.10


def relative_change(now: int, before: int | None) -> float | None:
    if not before:
        return None
    return now / before - 1


@record
class WeekStats:
    week: IsoWeek
    complete: bool
    days: int  # days of the week the data covers (7 for a weekly leaderboard)
    source: str
    models: tuple[ModelWeek, ...]  # the whole leaderboard, by rank
    authors: tuple[Total, ...]
    countries: tuple[Total, ...]
    unmapped_authors: tuple[str, ...]
    has_previous: bool  # the week before is in the store and complete
    long_tail: int = 0  # tokens of the models below the published leaderboard ("other")
    daily: bool = False  # summed from daily listings (each day's top N), not one weekly board

    def country(self, code: str) -> Total | None:
        return next((t for t in self.countries if t.key == code), None)

    def top(self, n: int) -> tuple[ModelWeek, ...]:
        return self.models[:n]

    @property
    def counted_to(self) -> int:
        """The lowest row of the week's counted models: past the top_n-th where a model has
        several rows (tiers, snapshots), each counted with its model."""
        return max((row.rank for row in self.models if row.counted), default=0)

    @property
    def platform_tokens(self) -> int | None:
        """Every model on the platform, the long tail included; None where the source has no
        long tail (a top-ten leaderboard lists only its rows)."""
        return sum(row.tokens for row in self.models) + self.long_tail if self.long_tail else None

    def share(self, total: Total) -> float | None:
        """A country's counted tokens as a share of the platform's (None without a long tail)."""
        platform = self.platform_tokens
        return total.tokens / platform if platform else None


@record
class EvidenceKey:
    """What one stated number rests on, written ``source|period|subject`` in events and bulletin.json.

    For a leaderboard row the period is the ISO week and the subject the
    model's permaslug; for a figure, its period and ``organisation: subject``.
    """

    source: str
    period: str
    subject: str

    @classmethod
    def of(cls, source: str, week: IsoWeek, model: str) -> EvidenceKey:
        return cls(source, str(week), model)

    @classmethod
    def parse(cls, text: str) -> EvidenceKey | None:
        parts = text.split("|", 2)
        return cls(*parts) if len(parts) == 3 else None

    @property
    def week(self) -> IsoWeek | None:
        """The week of a leaderboard row's key; None for a figure's."""
        try:
            return IsoWeek.parse(self.period)
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.source}|{self.period}|{self.subject}"


@record
class Event:
    """A detected fact with the numbers behind it and how newsworthy it is."""

    kind: str  # an EventKind, or the kind of a rule of one's own (facts.register)
    subjects: tuple[str, ...]
    facts: Facts  # the kind's own dataclass (facts.FACTS)
    score: float
    evidence: tuple[str, ...] = ()  # keys of observations or figures behind it
    # Events with the same non-empty topic state one fact; only the best is told
    # (a lead change and the new leader's one-week streak).
    topic: str = ""
    novelty: float = 1.0  # 1 for news; less for a fact already reported and not progressed

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EventKind) and self.kind in BUILT_IN_KINDS:
            object.__setattr__(self, "kind", EventKind(self.kind))
        expected = facts_type(self.kind)
        if type(self.facts) is not expected:
            raise TypeError(f"a {self.kind} event's facts are {expected.__name__}, "
                            f"not {type(self.facts).__name__}")


@record
class SourceCredit:
    name: str
    url: str
    attribution: str
    licence: str
    attribution_zh: str = ""  # how the Chinese edition credits it (the attribution if none given)


@record
class Story:
    week: IsoWeek
    stats: WeekStats
    events: tuple[Event, ...]  # chosen, best first; the first makes the headline
    detected: tuple[Event, ...]  # everything the rules found
    notes: tuple[Mapping[str, Any], ...]  # data notes for the reader, as facts
    credits: tuple[SourceCredit, ...]
    generated_at: datetime
    methodology: Mapping[str, Any] = field(default_factory=dict)
    # Evidence key -> the observation or figure behind it (source, URL, when read).
    provenance: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Country code -> (week, tokens, evidence keys) for up to the last 12 complete weeks, oldest first.
    trend: Mapping[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = field(default_factory=dict)

    @property
    def lead(self) -> Event | None:
        return self.events[0] if self.events else None


@record
class Artifact:
    format: str
    filename: str
    content: str | bytes  # bytes for images


class Status(StrEnum):
    """Where a rendered bulletin stands in review."""

    READY = "ready"  # the checks passed (or review is off): it goes out
    HELD = "held"  # waiting for an editor
    APPROVED = "approved"  # an editor let it go out
    REJECTED = "rejected"  # an editor stopped it; it never goes out

    @property
    def publishable(self) -> bool:
        return self in PUBLISHABLE


# The bulletins readers may see: published, listed on the site, remembered as reported.
PUBLISHABLE = frozenset({Status.READY, Status.APPROVED})


class SourceStatus(StrEnum):
    """How a source fared in a collection."""

    OK = "ok"  # something new was stored
    UNCHANGED = "unchanged"  # read, and the store already had all of it
    STALE = "stale"  # could not be read; its last good data stays


class DeliveryStatus(StrEnum):
    OK = "ok"  # the target has it
    FAILED = "failed"  # this attempt did not get there
    GONE = "gone"  # the target's copy was deleted by someone else; not created again
    WITHDRAWN = "withdrawn"  # taken down after a rejection
    PAUSED = "paused"  # under way: a sending quota stopped it, and the next run goes on with it


@record
class BulletinRecord:
    """What the store keeps of a rendered week: its headline, events and review status."""

    week: IsoWeek
    headline: str
    events: tuple[Mapping[str, Any], ...]  # event_data() of each chosen event
    rendered_at: str
    status: Status
    reasons: tuple[str, ...]


@record
class Delivery:
    """One publication of one week's bulletin to one target."""

    week: IsoWeek
    target: str
    status: DeliveryStatus
    remote_id: str = ""
    location: str = ""
    detail: str = ""
    attempts: int = 1
    delivered_at: str = ""
    edition: str = "main"  # which edition of the week (model/editions.py)


def event_data(event: Event) -> dict[str, Any]:
    """An event as plain data (JSON output, the bulletins table)."""
    return {"kind": event.kind, "score": round(event.score, 2), "subjects": list(event.subjects),
            "novelty": event.novelty, "facts": event.facts.as_data(), "evidence": list(event.evidence)}


def event_from_data(data: Mapping[str, Any]) -> Event:
    """An event as event_data() gave it (the bulletins table, ``bulletin.json``)."""
    kind = str(data["kind"])
    return Event(kind, tuple(data.get("subjects", ())), facts_from_data(kind, data.get("facts", {})),
                 float(data.get("score", 0)), tuple(data.get("evidence", ())),
                 novelty=float(data.get("novelty", 1.0)))


class FreeVariants(StrEnum):
    """How ``:free`` variants are ranked: as rows of their own, or with their base model."""

    SEPARATE = "separate"
    MERGE = "merge"


@record
class Methodology:
    top_n: int = 9
    exclude_authors: frozenset[str] = frozenset({"openrouter"})
    countries: Mapping[str, str | None] = None  # type: ignore[assignment]
    lead_countries: tuple[str, str] = ("CN", "US")
    # ":free" variants are their own leaderboard rows ("separate", as openrouter.ai ranks
    # them and as the press figures count them) or count with their base model ("merge").
    free_variants: FreeVariants = FreeVariants.SEPARATE
    # A change smaller than this share (either way) is flat: not a rise, a fall, a run
    # of growth or its end, nor a new record (STYLEBOOK 2: "+0.14%" is not growth).
    materiality: float = 0.01

    def country_of(self, author: str) -> str | None:
        return self.countries.get(author)

    def is_mapped(self, author: str) -> bool:
        return author in self.countries


@record
class SourceWeek:
    """One source's totals for one week: a weekly leaderboard, or its days summed."""

    week: IsoWeek
    source: str
    is_daily: bool
    days: int
    tokens: dict[str, int]
    ranks: dict[str, int]  # the ranks the source gave (weekly leaderboards only)
    listed: dict[str, int] = field(default_factory=dict)  # model -> days listed (daily data)
