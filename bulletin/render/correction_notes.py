"""How readers see a correction: a dated note on the week's page, a short notice in the next email.

The words are in templates/correction.md.j2 (templates/zh/ for Chinese). The
note keeps what the article said before, so its old figures are passages the
claim check lets through by name (``claims.Quoted``); everything else on the
page is the story as the store gives it now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.model.markup import markdown_to_html, markdown_to_text
from bulletin.records import record
from bulletin.render import claims
from bulletin.render.claims import FORMATS
from bulletin.render.rendered import page_path
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.collect.source import Source
    from bulletin.store.database import Store

TEMPLATE = "correction.md.j2"


@record
class Notes:
    """The corrections one edition shows."""

    own: tuple[Correction, ...] = ()  # the week's own (published) corrections: its page's note
    earlier: tuple[Correction, ...] = ()  # earlier weeks' corrections, for this edition's email
    # source name -> how the article credits it, in English and in Chinese
    sources: tuple[tuple[str, str, str], ...] = ()
    base_url: str = ""  # where the corrected pages are, for the notice's links

    def label(self, source: str, locale: str) -> str:
        """The source as a note names it: "OpenRouter" for "OpenRouter (openrouter.ai/rankings)",
        "OpenRouter排行榜" for "OpenRouter排行榜（openrouter.ai/rankings）"."""
        credits = {name: (en, zh) for name, en, zh in self.sources}
        en, zh = credits.get(source, ("", ""))
        credit = (zh if locale == "zh" else "") or en or source
        return re.split(r" \(|（", credit)[0].strip() or source


NO_NOTES = Notes()


@record
class Rendered:
    """One language's notes, rendered."""

    paragraphs: tuple[Markup, ...]  # Markdown, one per date the week was corrected on
    notice: str  # the email's notice, HTML ("" when none)
    quoted: tuple[claims.Quoted, ...]


def render(env: jinja2.Environment, prefix: str, locale: str, notes: Notes) -> Rendered:
    own = [c for c in notes.own if c.locale == locale]
    earlier = [c for c in notes.earlier if c.locale == locale]
    if not own and not earlier:
        return Rendered((), "", ())
    name = f"{prefix}{TEMPLATE}"
    paragraphs, quoted = [], []
    for group in _by_date(own, notes):
        text = _call(env, name, "note", group)
        paragraphs.append(text)
        quoted.append(claims.Quoted(locale, markdown_to_text(text), allowed(group["items"], locale)))
    notice = ""
    if earlier:
        entries = _by_week(earlier, notes)
        for entry in entries:
            sentence = markdown_to_text(_call(env, name, "notice_sentence", entry))
            quoted.append(claims.Quoted(locale, sentence, allowed(entry["items"], locale)))
        notice = markdown_to_html(_call(env, name, "notice", entries))
    return Rendered(tuple(paragraphs), notice, tuple(quoted))


def notice_text(env: jinja2.Environment, prefix: str, locale: str, notes: Notes) -> str:
    """The next issue's notice of ``notes.earlier``, as plain text: a separate correction email's body."""
    earlier = [c for c in notes.earlier if c.locale == locale]
    if not earlier:
        return ""
    return markdown_to_text(_call(env, f"{prefix}{TEMPLATE}", "notice", _by_week(earlier, notes)))


def allowed(corrections: Sequence[Correction], locale: str) -> frozenset[str]:
    """The numbers a note may state beyond the store's: what it says was said, and its dates."""
    fmt = FORMATS[locale]
    texts = [text for c in corrections for text in (c.old, c.new, fmt.month_day(_day(c.detected_at)),
                                                    fmt.long_date(c.week.sunday))]
    texts.append(str(len(corrections) - 1))
    return frozenset(n for text in texts for n in claims.numbers_in(text, locale))


def of_week(store: Store, week: IsoWeek, sources: Sequence[Source], base_url: str) -> Notes:
    """The corrections an edition shows: its own, and (in its email) earlier weeks' not yet told."""
    # Those being published now (pending) with those already shown.
    own = [*store.corrections.of(week, CorrectionStatus.PUBLISHED),
           *store.corrections.of(week, CorrectionStatus.PENDING)]
    sent = store.corrections.delivered(week)  # its email has gone: it cannot carry a new notice
    earlier = [c for c in store.corrections.to_announce(week) if not sent or c.announced_in == str(week)]
    credits = tuple((s.name, s.credit.attribution, s.credit.attribution_zh) for s in sources)
    return Notes(tuple(own), tuple(earlier), credits, base_url)


def quoted(store: Store, week: IsoWeek, data: Mapping[str, Any],
           announcing: Sequence[Correction] = ()) -> list[claims.Quoted]:
    """The correction notes an edition carries, each allowed the figures the store recorded for it.

    ``announcing``: earlier weeks' corrections its email is about to tell of.
    """
    if "corrections" not in data:
        return []
    shown = [*store.corrections.of(status=CorrectionStatus.PUBLISHED),
             *store.corrections.of(week, CorrectionStatus.PENDING)]
    mine = [c for c in shown if c.week == week or c.announced_in == str(week)]
    return quoted_of(data, [*mine, *announcing])


def quoted_of(data: Mapping[str, Any], corrections: Sequence[Correction]) -> list[claims.Quoted]:
    """The notes an edition on disk carries (bulletin.json), allowed only what the store records."""
    found = []
    for passage in data.get("corrections", {}).get("quoted", []):
        locale = str(passage.get("locale", ""))
        mine = [c for c in corrections if c.locale == locale]
        if locale in claims.FORMATS and mine:
            found.append(claims.Quoted(locale, str(passage.get("text", "")), allowed(mine, locale)))
    return found


def data_of(notes: Notes, quoted: Sequence[claims.Quoted]) -> dict[str, Any]:
    """What bulletin.json keeps of them."""
    return {"items": [c.data() for c in notes.own],
            "announced": [c.data() for c in notes.earlier],
            "quoted": [{"locale": q.locale, "text": q.text} for q in quoted]}


def updated_at(notes: Notes) -> str:
    """When the page last changed by a correction ("" if it never did)."""
    return max((c.detected_at for c in notes.own), default="")


def _by_date(corrections: list[Correction], notes: Notes) -> list[dict[str, Any]]:
    groups: dict[date, list[Correction]] = {}
    for c in corrections:
        groups.setdefault(_day(c.detected_at), []).append(c)
    return [{"date": day, "items": items, "source": notes.label(items[0].source, items[0].locale)}
            for day, items in sorted(groups.items())]


def _by_week(corrections: list[Correction], notes: Notes) -> list[dict[str, Any]]:
    weeks: dict[IsoWeek, list[Correction]] = {}
    for c in corrections:
        weeks.setdefault(c.week, []).append(c)
    return [{"week": week, "sunday": week.sunday, "items": items,
             "source": notes.label(items[0].source, items[0].locale),
             "url": f"{notes.base_url}{page_path(week)}" if notes.base_url else ""}
            for week, items in sorted(weeks.items())]


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


_CALL = "{% import name as words %}{{ words[macro](*args) }}"


def _call(env: jinja2.Environment, name: str, macro: str, *args: Any) -> Markup:
    return Markup(env.from_string(_CALL).render(name=name, macro=macro, args=args).strip())
