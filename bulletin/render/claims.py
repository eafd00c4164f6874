"""Every number in an article, traced to its source and checked against the store.

``quantities()`` lists every number a bulletin may state, recomputed from a
Story (which pipeline builds from the store), with the evidence behind it.
``trace()`` maps each number written in an article to those quantities, for
bulletin.json; ``check()`` refuses an article with a number the store does
not give, naming it. Years, days and ranks are checked as plain numbers;
token counts, percentages and multiples must match a recomputed value as
written ("4.69 trillion", "+11.8%", "390").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from bulletin.errors import ClaimError
from bulletin.model import EvidenceKey, Story
from bulletin.model.markup import html_to_text
from bulletin.model.scales import SCALES
from bulletin.records import record
from bulletin.render import numbers_en as numbers
from bulletin.render import numbers_zh
from bulletin.render.rendered import readable_names
from bulletin.story.families import family_name
from bulletin.story.quantities import Quantity, QuantityId, quantities

FORMATS = {"en": numbers, "zh": numbers_zh}

_SCALES_EN = "quintillion|quadrillion|trillion|billion|million"
_SCALES_ZH = "千万亿|百亿亿|万亿|十亿|百万|亿|万|千"
# A number not glued to letters or digits before it ("M2.5", "W11" are names, not claims).
NUMBER = {
    "en": re.compile(rf"(?<![A-Za-z0-9.,])[+\u2212-]?\d+(?:,\d{{3}})*(?:\.\d+)?(?:%| (?:{_SCALES_EN}))?"),
    "zh": re.compile(rf"(?<![A-Za-z0-9.,])[+\u2212-]?\d+(?:\.\d+)?(?:%|{_SCALES_ZH})?"),
}
LINK = re.compile(r"<https?://[^>]+>|\]\([^)]*\)|https?://\S+")


@record
class Quoted:
    """A passage that quotes numbers the store no longer gives: a correction's note.

    The note on a corrected page says what the article said before ("this
    article said 4.19 trillion"); its old figure is recorded, not recomputed.
    The check takes the passage out of the text and lets it state only the
    numbers the store supports, the corrections' recorded figures and dates.
    """

    locale: str
    text: str  # as a reader sees it (plain text; markup and line breaks are allowed for)
    allowed: frozenset[str]


def without_quoted(text: str, quoted: Sequence[Quoted], locale: str) -> tuple[str, list[Quoted]]:
    """``text`` with the passages taken out, and those of them it held."""
    found = []
    for passage in quoted:
        if passage.locale != locale:
            continue
        # Any whitespace or emphasis marks between characters: Markdown's **, wrapped email lines.
        chars = [re.escape(char) for char in passage.text if not char.isspace()]
        pattern = re.compile(r"[\s*_]*".join(chars))
        text, count = pattern.subn(" ", text)
        if count:
            found.append(passage)
    return text, found


def written(quantity: Quantity, locale: str) -> frozenset[str]:
    """Every way the article's filters may write a quantity."""
    # A figure is quoted in the scale its source used ("3,900 quadrillion"). The type
    # is part of the cache key: 1 == 1.0, but a rank and a ratio are written differently.
    return _written(quantity.value, type(quantity.value).__name__, locale, quantity.id.endswith(".value"))


@cache
def _written(value: Any, kind: str, locale: str, figure: bool) -> frozenset[str]:
    fmt = FORMATS[locale]
    if value is None:
        return frozenset()
    if isinstance(value, date):
        return frozenset({str(value.year), str(value.month), str(value.day)})
    forms = {str(value)} if isinstance(value, int) else set()
    if isinstance(value, (int, Decimal)):
        forms.add(fmt.tokens(value))
        if figure:
            forms.update(fmt.tokens_in(value, scale) for scale in SCALES)
        # A table cell under a unit its header states ("Tokens (trillions)": "0.82").
        forms.update(fmt.in_unit(value, unit) for unit in fmt.UNITS)
        if 0 <= value <= 10:
            forms.add(fmt.count_words(int(value)))
    if isinstance(value, float):
        forms.update({fmt.percent(value), fmt.signed_percent(value), fmt.rough_percent(value),
                      fmt.multiple(value)})
        if value >= 1:  # a rise of 100% or more is written as the multiple it makes
            forms.add(fmt.times(value))
    if isinstance(value, int):
        forms.add(fmt.multiple(value))
    return frozenset(form.replace("\u2212", "-") for form in forms)


def readable(files: Mapping[str, str], locales: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each language's article, page and emails among ``files`` (name: text), as readers see them.

    Pages are checked as the text they show, not their markup.
    """
    found = {}
    for locale in locales:
        for name in readable_names(locale):
            if name in files:
                text = files[name]
                found[name] = (locale, page_text(text) if name.endswith(".html") else text)
    return found


def page_text(page: str) -> str:
    """The text a reader sees of an HTML page (styles, scripts and attributes dropped)."""
    return html_to_text(page)


def numbers_in(text: str, locale: str, names: tuple[str, ...] = ()) -> list[str]:
    """The numbers an article states, leaving out links and names (model names hold digits)."""
    # Lines wrapped for email may split "4.69 trillion" or a model's name.
    text = " ".join(LINK.sub(" ", text).split())
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return [match.replace("\u2212", "-").lstrip("+-") if "%" not in match else
            match.replace("\u2212", "-") for match in NUMBER[locale].findall(text)]


def _names(story: Story, title: str, publication: Sequence[str] = ()) -> tuple[str, ...]:
    # A row's name, and its model's without the tier ("Poolside Laguna S 2.1" of its free tier).
    names = [name for row in story.stats.models for name in (row.name, family_name(row.name))]
    # The publication's own words (its description, publisher, postal address) are config, not claims.
    names += [str(story.week), title, *publication]
    # What events name: a model, a figure's subject, a leader and its rival ("Step 3.5 Flash").
    names += [str(value) for e in story.events for key, value in e.facts.as_data().items()
              if key in ("subject", "subject_zh", "succeeds") or key == "name" or key.endswith("_name")]
    # The models that entered or left a top nine, some of them no longer listed ("Claude Sonnet 4.5").
    names += [name for e in story.events for key, value in e.facts.as_data().items()
              if key.endswith(("_entered", "_left")) and isinstance(value, (list, tuple)) for name in value]
    # Licences and attributions are names too: "CC BY 4.0" states no quantity.
    names += [text for credit in story.credits
              for text in (credit.attribution, credit.attribution_zh, credit.licence)]
    # As each language writes them ("Hy3（免费版）" in Chinese copy, and "Hy3（免费版，" where a
    # note shares the tier's brackets).
    names += [numbers_zh.model_name(n) for n in names]
    names += [n.removesuffix("）") for n in names if n.endswith(numbers_zh.FREE)]
    return tuple(dict.fromkeys(n for n in names if n and any(c.isdigit() for c in n)))


def _table(story: Story, locale: str, found: Sequence[Quantity] | None = None) -> dict[str, list[Quantity]]:
    # The last story's tables are kept: its articles, pages and emails are each checked against
    # them (a Story is immutable; the story itself is kept, so that its id cannot be reused).
    if _last[0] is not story:
        _last[:] = [story, {}]
    tables: dict[str, dict[str, list[Quantity]]] = _last[1]
    if locale in tables:
        return tables[locale]
    table: dict[str, list[Quantity]] = {}
    for quantity in quantities(story) if found is None else found:
        for form in written(quantity, locale):
            table.setdefault(form.lstrip("+-") if "%" not in form else form, []).append(quantity)
    tables[locale] = table
    return table


_last: list[Any] = [None, {}]


def trace(story: Story, texts: Mapping[str, str], title: str, quoted: Sequence[Quoted] = ()
          ) -> dict[str, list[dict[str, Any]]]:
    """For bulletin.json: each number in each language's article, with what it states.

    Each row is a number as written, the ids of the quantities it may be,
    the sources behind them and the sentence (or table row) that first
    states it: the record a later collection's corrections are found from,
    without reading the article again. A run's length written as a word
    ("the second week in a row") is a row too: the numbers read here are
    figures, and a revision can change a word. A correction's note is left
    out: what it quotes was stated before, not now.
    """
    traced: dict[str, list[dict[str, Any]]] = {}
    names = _names(story, title)
    found = quantities(story)
    for locale, text in texts.items():
        text, _ = without_quoted(text, quoted, locale)
        table = _table(story, locale, found)
        first: dict[str, str] = {}
        for part in sentences(text, locale):
            for number in numbers_in(part, locale, names):
                first.setdefault(number, part)
        rows = []
        for number in dict.fromkeys(numbers_in(text, locale, names)):
            matches = table.get(number, [])
            rows.append(_row(story, number, matches, first.get(number, number)))
        rows += [_row(story, word, [quantity], part) for word, quantity, part in _runs(found, text, locale)]
        traced[locale] = rows
    return traced


def _row(story: Story, text: str, matches: Sequence[Quantity], sentence: str) -> dict[str, Any]:
    keys = sorted({key for q in matches for key in q.evidence})
    return {"text": text, "what": sorted({q.id for q in matches}),
            "sources": [_source(story, key) for key in keys], "sentence": sentence}


def _is_run(quantity: Quantity) -> bool:
    """An event's run of weeks ("weeks", "growth_weeks"), a whole number."""
    parsed = QuantityId.parse(quantity.id)
    return (parsed is not None and parsed.of_event and "weeks" in parsed.measure.rsplit(".", 1)[-1]
            and isinstance(quantity.value, int) and not isinstance(quantity.value, bool))


def sentences(text: str, locale: str) -> Iterator[str]:
    """The article's sentences and table rows, as plain text: what a correction quotes."""
    ends = r"(?<=[。！？])" if locale == "zh" else r"(?<=[.!?])\s+"
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            parts = [" | ".join(cell.strip() for cell in line.strip("|").split("|"))]
        else:
            parts = re.split(ends, line)
        for part in parts:
            if part := " ".join(part.replace("**", "").replace("*", "").lstrip("#").split())[:400]:
                yield part


def _runs(every: Sequence[Quantity], text: str, locale: str) -> Iterator[tuple[str, Quantity, str]]:
    """Each run of weeks the article writes as a word, with its quantity and sentence."""
    fmt = FORMATS[locale]
    parts = list(sentences(text, locale))
    lowered = text.lower()
    for quantity in filter(_is_run, every):
        for form in (fmt.ordinal, fmt.count_words):
            word = str(form(quantity.value))
            if any(c.isdigit() for c in word):
                continue  # written in figures: read as a number
            if word.lower() not in lowered:
                continue  # most runs' words are not in the text: no pattern to compile for them
            if locale == "zh":
                pattern = re.compile(re.escape(word) + r"(个)?(周|星期)")
            else:  # "the second consecutive week", "a six-week run"
                pattern = re.compile(rf"\b{re.escape(word)}\b.{{0,30}}?\bweeks?\b", re.IGNORECASE)
            found = next((part for part in parts if pattern.search(part)), None)
            if found is not None:
                yield word, quantity, found
                break


def _source(story: Story, key: str) -> dict[str, Any]:
    entry = story.provenance.get(key, {})
    parsed = EvidenceKey.parse(key)
    return {"key": key, "source": entry.get("source", parsed.source if parsed else key),
            "url": entry.get("url", ""), "fetched_at": entry.get("fetched_at", ""),
            **({"as_of": entry["week"]} if "week" in entry else {}),
            **({"period": entry["period"]} if "period" in entry else {})}


def check(story: Story, texts: Mapping[str, tuple[str, str]], title: str,
          quoted: Sequence[Quoted] = (), publication: Sequence[str] = ()) -> None:
    """Refuse when an article states a number that the store, recomputed, does not give.

    ``texts`` maps a file name to its (locale, text); ``quoted`` are the
    correction notes it may carry, each allowed its own recorded figures.
    """
    for name, (locale, text) in texts.items():
        table = _table(story, locale)
        names = _names(story, title, publication)
        text, notes = without_quoted(text, quoted, locale)
        wrong = [n for n in dict.fromkeys(numbers_in(text, locale, names)) if n not in table]
        wrong += [n for note in notes for n in numbers_in(note.text, locale, names)
                  if n not in table and n not in note.allowed]
        if wrong:
            shown = ", ".join(f'"{n}"' for n in wrong)
            raise ClaimError(f"{story.week}: {name} states {shown}, which the store does not "
                             "support; nothing published")


def unsupported(story: Story, locale: str, text: str, title: str, publication: Sequence[str] = ()
                ) -> list[str]:
    """The numbers ``text`` states that the store, recomputed, does not give (an editor's wording)."""
    table = _table(story, locale)
    return [n for n in dict.fromkeys(numbers_in(text, locale, _names(story, title, publication)))
            if n not in table]


def table(story: Story, locale: str) -> dict[str, list[Quantity]]:
    """Each way a number may be written, and the quantities it may be."""
    return _table(story, locale)


def names(story: Story, title: str) -> tuple[str, ...]:
    """The names an article writes that hold digits ("MiniMax M2.5"): no number is read in them."""
    return _names(story, title)


def stated_forms(quantity: Quantity, locale: str) -> frozenset[str]:
    """The ways a quantity may appear among ``numbers_in()``'s results (signs as it keeps them)."""
    return frozenset(form.lstrip("+-") if "%" not in form else form for form in written(quantity, locale))
