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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from bulletin.errors import ClaimError
from bulletin.model import EvidenceKey, Story
from bulletin.model.markup import html_to_text
from bulletin.model.scales import SCALES
from bulletin.render import numbers_en as numbers
from bulletin.render import numbers_zh
from bulletin.render.rendered import readable_names
from bulletin.story.families import family_of
from bulletin.weeks import IsoWeek

FORMATS = {"en": numbers, "zh": numbers_zh}

_SCALES_EN = "quintillion|quadrillion|trillion|billion|million"
_SCALES_ZH = "千万亿|百亿亿|万亿|十亿|百万|亿|万|千"
# A number not glued to letters or digits before it ("M2.5", "W11" are names, not claims).
NUMBER = {
    "en": re.compile(rf"(?<![A-Za-z0-9.,])[+\u2212-]?\d+(?:,\d{{3}})*(?:\.\d+)?(?:%| (?:{_SCALES_EN}))?"),
    "zh": re.compile(rf"(?<![A-Za-z0-9.,])[+\u2212-]?\d+(?:\.\d+)?(?:%|{_SCALES_ZH})?"),
}
_LINK = re.compile(r"<https?://[^>]+>|\]\([^)]*\)|https?://\S+")


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Quantity:
    name: str  # where it is in the story: "events[0].facts.leader_tokens"
    value: Any
    evidence: tuple[str, ...]


def model_count(models: Sequence[str]) -> int:
    """How many models a list of rows is: a model's tiers and snapshots are one (STYLEBOOK 4)."""
    return len({family_of(model) for model in models})


def quantities(story: Story) -> list[Quantity]:
    found: list[Quantity] = []
    stats = story.stats
    for index, event in enumerate(story.events):
        found.extend(_walk(f"events[{index}].facts", event.facts.as_data(), event.evidence))
    everything = tuple(str(EvidenceKey.of(stats.source, stats.week, row.model)) for row in stats.models)
    if stats.platform_tokens is not None:
        found.append(Quantity("platform.tokens", stats.platform_tokens, everything))
    for total in stats.countries:
        keys = tuple(str(EvidenceKey.of(stats.source, stats.week, m)) for m in total.models)
        if (share := stats.share(total)) is not None:
            found.append(Quantity(f"countries.{total.key}.share", share, keys + everything))
        found += [Quantity(f"countries.{total.key}.tokens", total.tokens, keys),
                  Quantity(f"countries.{total.key}.change", total.change, keys),
                  Quantity(f"countries.{total.key}.models", model_count(total.models), keys)]
    for row in stats.models:
        key = (str(EvidenceKey.of(stats.source, stats.week, row.model)),)
        found += [Quantity(f"models.{row.model}.tokens", row.tokens, key),
                  Quantity(f"models.{row.model}.rank", row.rank, key),
                  Quantity(f"models.{row.model}.change", row.change, key),
                  Quantity(f"models.{row.model}.days", row.days, key)]
    for code, points in story.trend.items():
        for week, tokens, keys in points:
            found.append(Quantity(f"trend.{code}.{week}", tokens, keys))
            # The chart's alt text names each week by its last day, as its axis does.
            found.append(Quantity(f"trend.{code}.{week}.sunday", IsoWeek.parse(week).sunday, keys))
    found += [Quantity("week", story.week.monday, ()), Quantity("week", story.week.sunday, ()),
              Quantity("week.number", story.week.week, ()),
              Quantity("generated_at", story.generated_at.date(), ()),
              Quantity("methodology.top_n", story.methodology.get("top_n", 0), ()),
              Quantity("days", stats.days, ())]
    for note in story.notes:
        found.extend(_walk(f"notes.{note['kind']}", note, ()))
    return found


def _walk(name: str, value: Any, evidence: tuple[str, ...]) -> Iterator[Quantity]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            # A figure's own evidence is its key, not the whole event's.
            keys = evidence if "source" not in value else tuple(
                k for k in evidence if _is_figure_of(k, value)) or evidence
            yield from _walk(f"{name}.{key}", inner, keys)
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            yield from _walk(f"{name}[{index}]", inner, evidence)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        yield Quantity(name, value, evidence)
    elif isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", value):
        yield Quantity(name, date.fromisoformat(value) if "-" in value else int(value), evidence)
    elif isinstance(value, str) and (week := re.fullmatch(r"(\d{4})-W(\d{2})", value)):
        # An ISO week ("2025-W46", the first week on record) is written as its year and number.
        yield Quantity(f"{name}.year", int(week[1]), evidence)
        yield Quantity(f"{name}.number", int(week[2]), evidence)


def written(quantity: Quantity, locale: str) -> frozenset[str]:
    """Every way the article's filters may write a quantity."""
    # A figure is quoted in the scale its source used ("3,900 quadrillion"). The type
    # is part of the cache key: 1 == 1.0, but a rank and a ratio are written differently.
    return _written(quantity.value, type(quantity.value).__name__, locale, quantity.name.endswith(".value"))


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
    text = " ".join(_LINK.sub(" ", text).split())
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return [match.replace("\u2212", "-").lstrip("+-") if "%" not in match else
            match.replace("\u2212", "-") for match in NUMBER[locale].findall(text)]


def _names(story: Story, title: str) -> tuple[str, ...]:
    names = [row.name for row in story.stats.models] + [str(story.week), title]
    # What events name: a model, a figure's subject, a leader and its rival ("Step 3.5 Flash").
    names += [str(value) for e in story.events for key, value in e.facts.as_data().items()
              if key in ("subject", "subject_zh", "succeeds") or key == "name" or key.endswith("_name")]
    # Licences and attributions are names too: "CC BY 4.0" states no quantity.
    names += [text for credit in story.credits
              for text in (credit.attribution, credit.attribution_zh, credit.licence)]
    # As each language writes them ("Hy3（免费版）" in Chinese copy, and "Hy3（免费版，" where a
    # note shares the tier's brackets).
    names += [numbers_zh.model_name(n) for n in names]
    names += [n.removesuffix("）") for n in names if n.endswith(numbers_zh.FREE)]
    return tuple(dict.fromkeys(n for n in names if n and any(c.isdigit() for c in n)))


def _table(story: Story, locale: str) -> dict[str, list[Quantity]]:
    table: dict[str, list[Quantity]] = {}
    for quantity in quantities(story):
        for form in written(quantity, locale):
            table.setdefault(form.lstrip("+-") if "%" not in form else form, []).append(quantity)
    return table


def trace(story: Story, texts: Mapping[str, str], title: str, quoted: Sequence[Quoted] = ()
          ) -> dict[str, list[dict[str, Any]]]:
    """For bulletin.json: each number in each language's article, with the sources behind it.

    A correction's note is left out: what it quotes was stated before, not now.
    """
    traced: dict[str, list[dict[str, Any]]] = {}
    for locale, text in texts.items():
        text, _ = without_quoted(text, quoted, locale)
        table = _table(story, locale)
        rows = []
        for number in dict.fromkeys(numbers_in(text, locale, _names(story, title))):
            matches = table.get(number, [])
            keys = sorted({key for q in matches for key in q.evidence})
            rows.append({"text": number, "what": sorted({q.name for q in matches}),
                         "sources": [_source(story, key) for key in keys]})
        traced[locale] = rows
    return traced


def _is_figure_of(text: str, figure: Mapping[str, Any]) -> bool:
    key = EvidenceKey.parse(text)
    return key is not None and (key.source, key.period) == (figure["source"], str(figure.get("period", "")))


def _source(story: Story, key: str) -> dict[str, Any]:
    entry = story.provenance.get(key, {})
    parsed = EvidenceKey.parse(key)
    return {"key": key, "source": entry.get("source", parsed.source if parsed else key),
            "url": entry.get("url", ""), "fetched_at": entry.get("fetched_at", ""),
            **({"as_of": entry["week"]} if "week" in entry else {}),
            **({"period": entry["period"]} if "period" in entry else {})}


def check(story: Story, texts: Mapping[str, tuple[str, str]], title: str,
          quoted: Sequence[Quoted] = ()) -> None:
    """Refuse when an article states a number that the store, recomputed, does not give.

    ``texts`` maps a file name to its (locale, text); ``quoted`` are the
    correction notes it may carry, each allowed its own recorded figures.
    """
    for name, (locale, text) in texts.items():
        table = _table(story, locale)
        names = _names(story, title)
        text, notes = without_quoted(text, quoted, locale)
        wrong = [n for n in dict.fromkeys(numbers_in(text, locale, names)) if n not in table]
        wrong += [n for note in notes for n in numbers_in(note.text, locale, names)
                  if n not in table and n not in note.allowed]
        if wrong:
            shown = ", ".join(f'"{n}"' for n in wrong)
            raise ClaimError(f"{story.week}: {name} states {shown}, which the store does not "
                             "support; nothing published")


def names(story: Story, title: str) -> tuple[str, ...]:
    """The names an article writes that hold digits ("MiniMax M2.5"): no number is read in them."""
    return _names(story, title)


def stated_forms(quantity: Quantity, locale: str) -> frozenset[str]:
    """The ways a quantity may appear among ``numbers_in()``'s results (signs as it keeps them)."""
    return frozenset(form.lstrip("+-") if "%" not in form else form for form in written(quantity, locale))
