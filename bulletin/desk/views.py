"""What the desk's pages show, read from the store and the rendered weeks: plain data, no markup.

Every value here is text; the templates escape it. The numbers of a week come
from its bulletin.json, where the claim check traced each one to the
quantities it may state and the stored rows behind them (render/claims.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulletin import pipeline
from bulletin.config.settings import Config
from bulletin.desk import diff
from bulletin.errors import BulletinError, PublishError
from bulletin.model import BulletinRecord, Delivery, Status
from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.pipeline import names
from bulletin.render.rendered import RenderedWeek, article_name
from bulletin.store.database import SourceState, Store
from bulletin.store.decisions import DecidedName
from bulletin.story.quantities import QuantityId
from bulletin.story.review import made_name_in
from bulletin.weeks import IsoWeek

RECENT = 12  # weeks listed under "recent" on the first page


@dataclass(frozen=True)
class Listed:
    week: str
    headline: str
    status: str
    reasons: tuple[str, ...]
    rendered_at: str


@dataclass(frozen=True)
class Home:
    held: list[Listed]
    recent: list[Listed]


def _listed(record: BulletinRecord) -> Listed:
    return Listed(str(record.week), record.headline, str(record.status), record.reasons, record.rendered_at)


def home(config: Config, store: Store) -> Home:
    """Bulletins an editor is to decide (held, or with a correction held), and the latest weeks."""
    held = [_listed(record) for record, _ in pipeline.review_list(config)]
    recent = [_listed(record) for record in reversed(store.bulletins()[-RECENT:])]
    return Home(held, recent)


@dataclass(frozen=True)
class What:
    """One quantity a number may be: "country" "CN" "tokens"."""

    kind: str
    subject: str
    measure: str


@dataclass(frozen=True)
class Behind:
    """A stored row a number rests on: a model's tokens in a week, or a figure."""

    label: str  # "minimax/minimax-m2.5-20260211" or "JPMorgan, 2030"
    value: str  # "1,750,000,000,000 tokens" or "3900000000000000000"
    as_of: str  # the week or period it is of


@dataclass
class Source:
    name: str
    url: str
    fetched_at: str
    as_of: list[str] = field(default_factory=list)
    rows: list[Behind] = field(default_factory=list)


@dataclass(frozen=True)
class Number:
    text: str  # as the article writes it
    sentence: str  # the first sentence that states it
    what: list[What]
    sources: list[Source]

    @property
    def supported(self) -> bool:
        return bool(self.what)


@dataclass(frozen=True)
class Block:
    """A block of the article's Markdown; a news paragraph is editable (``generated`` is its key)."""

    text: str
    generated: str = ""
    number: int = 0  # its place among the news paragraphs (1, 2, ...); 0 for any other block


@dataclass(frozen=True)
class Edition:
    locale: str
    headline: str
    blocks: list[Block]  # the article's Markdown, block by block, as text
    numbers: list[Number]


@dataclass(frozen=True)
class Week:
    week: str
    record: Listed
    editions: list[Edition]
    deliveries: list[Delivery]
    corrections: list[Correction]
    changes: list[tuple[str, str, str, str, str]]  # the edit log: (locale, before, after, name, at)
    problem: str = ""  # why the rendered files cannot be shown
    # Held again after an approval: each language's changed paragraphs since the approved text.
    since_approved: list[tuple[str, list[list[diff.Piece]]]] = field(default_factory=list)
    approved_at: str = ""
    made_names: list[tuple[str, str]] = field(default_factory=list)  # (made-up name, model id) held for

    @property
    def decidable(self) -> bool:
        return self.record.status in (Status.HELD, Status.REJECTED) or any(
            c.status == "held" for c in self.corrections)


def week(config: Config, store: Store, chosen: IsoWeek) -> Week | None:
    """A week's page: None when no bulletin was rendered for it."""
    record = store.bulletin(chosen)
    if record is None:
        return None
    editions: list[Edition] = []
    problem = ""
    try:
        rendered = RenderedWeek.load(config.output, chosen)
        editions = [_edition(rendered, locale) for locale in rendered.locales]
    except (PublishError, OSError) as exc:
        problem = str(exc)
    corrections = store.corrections.of(chosen)
    approved, approved_at = store.decisions.approved_texts(chosen)
    since: list[tuple[str, list[list[diff.Piece]]]] = []
    if approved and any(c.status == CorrectionStatus.HELD for c in corrections):
        # A held correction leaves the published files as they are until it is approved: the
        # text it would publish is the story as the store tells it now.
        try:
            now = pipeline.story_texts(config, store, chosen)
        except BulletinError as exc:
            now, problem = {}, f"what changed since the approval cannot be shown: {exc}"
        since = [(locale, diff.changes(approved.get(locale, ""), text)) for locale, text in now.items()]
    elif approved and record.status == Status.HELD:
        since = [(edition.locale, diff.changes(approved.get(edition.locale, ""),
                                               "\n\n".join(block.text for block in edition.blocks)))
                 for edition in editions]
    made = [found for reason in record.reasons if (found := made_name_in(reason))]
    return Week(str(chosen), _listed(record), editions, store.deliveries(chosen), corrections,
                store.edits.log(chosen), problem, since, approved_at if approved else "", made)


def paragraphs(markdown: str) -> list[str]:
    """An article's blocks: the text between blank lines."""
    return [block.strip() for block in markdown.replace("\r\n", "\n").split("\n\n") if block.strip()]


def _edition(rendered: RenderedWeek, locale: str) -> Edition:
    article = rendered.data.get("articles", {}).get(locale)
    headline = article["headline"] if article else rendered.headline
    text = rendered.text(article_name(locale)) if rendered.has(article_name(locale)) else ""
    provenance = rendered.data.get("provenance", {})
    rows = rendered.data.get("numbers", {}).get(locale, [])
    news = {p["text"]: p["generated"] for p in (article.get("paragraphs", []) if article else [])}
    blocks, count = [], 0
    for block in paragraphs(text):
        count += block in news
        blocks.append(Block(block, news[block], count) if block in news else Block(block))
    return Edition(locale, headline, blocks,
                   [_number(row, provenance) for row in rows if isinstance(row, Mapping)])


def _number(row: Mapping[str, Any], provenance: Mapping[str, Mapping[str, Any]]) -> Number:
    whats = []
    for text in row.get("what", []):
        parsed = QuantityId.parse(str(text))
        whats.append(What(parsed.kind, parsed.subject, parsed.measure) if parsed else What(str(text), "", ""))
    sources: dict[str, Source] = {}
    for entry in row.get("sources", []):
        name = str(entry.get("source", ""))
        source = sources.setdefault(name, Source(name, str(entry.get("url", "")),
                                                 str(entry.get("fetched_at", ""))))
        as_of = str(entry.get("as_of") or entry.get("period") or "")
        if as_of and as_of not in source.as_of:
            source.as_of.append(as_of)
        source.fetched_at = max(source.fetched_at, str(entry.get("fetched_at", "")))
        source.rows.append(_behind(str(entry.get("key", "")), provenance.get(str(entry.get("key", "")), {}),
                                   as_of))
    for source in sources.values():
        source.as_of.sort()
    return Number(str(row.get("text", "")), str(row.get("sentence", "")), whats, list(sources.values()))


def _behind(key: str, entry: Mapping[str, Any], as_of: str) -> Behind:
    if "model" in entry:
        return Behind(str(entry["model"]), f"{int(entry.get('tokens', 0)):,} tokens", as_of)
    if "organisation" in entry:
        return Behind(f"{entry['organisation']}, {entry.get('period', '')}", str(entry.get("value", "")),
                      as_of)
    return Behind(key, "", as_of)


@dataclass(frozen=True)
class Desk:
    """The sources' state, the corrections and the list's size: the third page."""

    sources: list[SourceState]
    corrections: list[Correction]
    subscribers: dict[str, int]
    configured: Sequence[str]


def sources(config: Config, store: Store) -> Desk:
    return Desk(list(store.source_states().values()), store.corrections.of(),
                store.subscribers.counts(), [source.name for source in config.sources])


@dataclass(frozen=True)
class Names:
    """The names page: decided names, and made-up names held weeks wait on."""

    decided: list[DecidedName]
    waiting: list[names.Waiting]


def model_names(store: Store) -> Names:
    return Names(list(store.decisions.names().values()), names.waiting(store))
