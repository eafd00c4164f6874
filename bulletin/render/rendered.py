"""A rendered week: the folder ``OUTPUT/bulletins/WEEK/`` that render writes and everyone reads.

This module is the one place that knows the folder's file names. Render
writes them; the claim check, review, the site, WordPress, the webhook and
the email read them through ``RenderedWeek``, never by building a path.

    bulletin.md, bulletin.html        the article and its page, in English
    bulletin.zh.md, bulletin.zh.html  ... and in each other language
    email.html, email.txt             the email's two parts (email.zh.* likewise)
    bulletin.json                     everything behind the article (story data, numbers)
    chart.svg, chart.png              the chart, when one is drawn (chart.zh.svg likewise)
    chart-narrow.svg                  ... laid out for a phone's width
    chart-dark.svg                    ... laid out for the email, in dark colours (chart-dark.zh.svg)
    share.png                         the social card, 1200 by 630 (share.zh.png likewise)
"""

from __future__ import annotations

import json
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Required, TypedDict

import orjson

from bulletin.errors import PublishError
from bulletin.model import DEFAULT_LOCALE, LOCALES
from bulletin.model.editions import MAIN
from bulletin.model.markup import markdown_to_html
from bulletin.records import record
from bulletin.weeks import IsoWeek

DATA = "bulletin.json"


class Paragraph(TypedDict):
    """One news paragraph of an article: as the story writes it, and as it is printed (an
    editor's wording, where one changed it)."""

    generated: str
    text: str


class ArticleData(TypedDict, total=False):
    """One language's article, as bulletin.json lists it."""

    headline: Required[str]
    files: Required[list[str]]  # its files in the week's folder
    paragraphs: list[Paragraph]  # its news paragraphs (weeks rendered before editing have none)
    title: str  # an edition's title in the language (model/editions.py)


class ChartData(TypedDict):
    key: dict[str, Any]  # what the drawing depends on: the same key, the same files
    files: list[str]


class CardData(TypedDict):
    """A language's social card: its file and what it shows, in words."""

    file: str
    alt: str


class StoryData(TypedDict, total=False):
    """What bulletin.json says of the story (article.story_data())."""

    week: Required[str]  # "2026-W11"
    week_start: Required[str]
    week_end: Required[str]
    complete: Required[bool]
    headline: Required[str]  # in the first of the languages
    generated_at: Required[str]
    updated_at: str  # the latest correction its page carries
    methodology: Required[dict[str, Any]]
    events: Required[list[dict[str, Any]]]  # model.event_data(), the ones told
    other_events: Required[list[dict[str, Any]]]  # found but not told
    countries: Required[list[dict[str, Any]]]
    models: Required[list[dict[str, Any]]]
    trend: Required[dict[str, list[dict[str, Any]]]]
    notes: Required[list[dict[str, Any]]]
    sources: Required[list[dict[str, Any]]]
    provenance: Required[dict[str, dict[str, Any]]]


class EditionData(TypedDict):
    """An edition's bulletin.json says which edition it is (the main bulletin's has none)."""

    name: str
    titles: dict[str, str]  # by language
    generated: bool  # made by a generator for the week
    subject: dict[str, str]  # {"kind": "developer" or "country", "key": "deepseek"}


class BulletinData(StoryData, total=False):
    """bulletin.json: everything behind a week's article, written by render and read by the
    claim check, corrections, the site, WordPress, the webhook and the email, through this
    one declaration (a key mistyped on either side is a type error)."""

    articles: Required[dict[str, ArticleData]]  # by language
    numbers: Required[dict[str, Any]]  # claims.trace(): each stated number and its sources
    chart: Required[ChartData]
    corrections: dict[str, Any]  # correction_notes.data_of()
    cards: dict[str, CardData]  # by language: the social card each drew (none where it could not)
    edition: EditionData  # an edition's (model/editions.py)


# What a week's file must hold to be read at all; an older bulletin.json lacking one of the
# others is read with it missing (.get()).
_READ = {"week": str, "headline": str, "generated_at": str}


def checked(data: Any, path: Path) -> BulletinData:
    """bulletin.json as read, refused in one line where it is not what render writes."""
    if not isinstance(data, dict):
        raise PublishError(f"{path}: not a bulletin (a JSON object was expected)")
    for key, kind in _READ.items():
        if not isinstance(data.get(key), kind):
            raise PublishError(f"{path}: not a bulletin ({key!r} is missing or not a {kind.__name__})")
    for key in ("articles", "numbers", "chart", "methodology", "corrections", "cards"):
        if key in data and not isinstance(data[key], dict):
            raise PublishError(f"{path}: {key!r} is not an object")
    for locale, article in data.get("articles", {}).items():
        if not isinstance(article, dict) or not isinstance(article.get("headline"), str):
            raise PublishError(f"{path}: the {locale!r} article has no headline")
    return data  # type: ignore[return-value]  # checked above, key by key


def suffix(locale: str) -> str:
    """"" for English, ".zh" for Chinese: bulletin.md, bulletin.zh.md."""
    return "" if locale == DEFAULT_LOCALE else f".{locale}"


def chart_name(locale: str, narrow: bool = False, png: bool = False, dark: bool = False) -> str:
    """"chart.svg", "chart-narrow.zh.svg", "chart.zh.png", "chart-dark.svg": a language's chart in
    one layout and format."""
    layout = "-narrow" if narrow else "-dark" if dark else ""
    return f"chart{layout}{suffix(locale)}.{'png' if png else 'svg'}"


def card_name(locale: str) -> str:
    """"share.png", "share.zh.png": a language's social card."""
    return f"share{suffix(locale)}.png"


CHART_PNG = "chart.png"
CHARTS = tuple(chart_name(locale, narrow, png) for locale in LOCALES
               for narrow, png in ((False, False), (False, True), (True, False)))
# Files beside the charts that no page shows but others link to: the email's dark chart, the cards.
EXTRAS = frozenset(name for locale in LOCALES for name in (chart_name(locale, dark=True), card_name(locale)))
_LOCALE_PAGE = re.compile(r"^bulletin\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.html$")
_ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.DOTALL)


def article_name(locale: str) -> str:
    return f"bulletin{suffix(locale)}.md"


def page_name(locale: str) -> str:
    return f"bulletin{suffix(locale)}.html"


def email_html_name(locale: str) -> str:
    return f"email{suffix(locale)}.html"


def email_text_name(locale: str) -> str:
    return f"email{suffix(locale)}.txt"


def readable_names(locale: str) -> tuple[str, ...]:
    """Every file a reader sees in one language: the claim check reads them all."""
    return article_name(locale), page_name(locale), email_html_name(locale), email_text_name(locale)


def folder_of(output: Path, week: IsoWeek, edition: str = MAIN) -> Path:
    """``bulletins/2026-W11/``; an edition's is below it, ``bulletins/2026-W11/editions/deepseek/``."""
    folder = output / "bulletins" / str(week)
    return folder if edition == MAIN else folder / "editions" / edition


def page_path(week: IsoWeek, edition: str = MAIN) -> str:
    """The permanent path of a week's page, relative to the site root: ``2026/w11/``; an edition's
    is under its name, ``deepseek/2026/w11/``."""
    path = f"{week.year}/w{week.week:02d}/"
    return path if edition == MAIN else f"{edition}/{path}"


def editions_of(output: Path, week: IsoWeek) -> list[str]:
    """The names of the editions rendered for a week, besides the main bulletin."""
    try:
        with os.scandir(folder_of(output, week) / "editions") as entries:
            return sorted(entry.name for entry in entries if entry.is_dir())
    except FileNotFoundError:
        return []


def _parse(raw: bytes) -> Any:
    """bulletin.json's content: read with orjson, which takes a fraction of the time (a site
    build reads every week's, most of it the claim trace); what orjson refuses and the
    standard library takes (NaN, an integer past 64 bits) is read by the standard library."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


@record
class RenderedWeek:
    """One rendered week, as it lies in its folder."""

    week: IsoWeek
    output: Path  # the output folder the week was rendered into
    data: BulletinData  # bulletin.json
    edition: str = MAIN  # which edition of the week (model/editions.py)

    @classmethod
    def load(cls, output: Path, week: IsoWeek, edition: str = MAIN) -> RenderedWeek:
        path = folder_of(output, week, edition) / DATA
        try:
            data = _parse(path.read_bytes())
        except FileNotFoundError:
            which = "" if edition == MAIN else f" {edition} edition"
            raise PublishError(f"{week}: no rendered{which} bulletin (run `bulletin render --week {week}`)"
                               ) from None
        except (OSError, ValueError) as exc:
            raise PublishError(f"{path}: cannot be read ({exc})") from None
        return cls(week, output, checked(data, path), edition)

    @cached_property  # asked for each file read from it
    def folder(self) -> Path:
        return folder_of(self.output, self.week, self.edition)

    @property
    def title(self) -> str:
        """An edition's title in the default language; "" for the main bulletin."""
        found = self.data.get("edition")
        return found["titles"].get(DEFAULT_LOCALE, found["name"]) if found else ""

    @property
    def headline(self) -> str:
        return self.data["headline"]

    @property
    def generated_at(self) -> str:
        return self.data["generated_at"]

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages it has a page in, the default one first (it always has that one)."""
        found = {match[1] for name in self.files() if (match := _LOCALE_PAGE.match(name))}
        return (DEFAULT_LOCALE, *sorted(found - {DEFAULT_LOCALE}))

    def body(self, locale: str) -> str:
        """The article as its page shows it (HTML), without the page around it.

        Taken from the page's ``<article>`` element, so that a wording an editor
        corrected in the page goes out as corrected; a page laid out without
        one gives the article converted from its Markdown.
        """
        if self.has(page_name(locale)):
            found = _ARTICLE.search(self.text(page_name(locale)))
            if found and found[1].strip():
                return found[1].strip()

        return markdown_to_html(self.text(article_name(locale)))

    def files(self) -> set[str]:
        """The names of the files in its folder, as they are now: one listing, where asking
        after each name would look each up (a site build asks after every chart of every week)."""
        try:
            with os.scandir(self.folder) as entries:
                return {entry.name for entry in entries if entry.is_file()}
        except FileNotFoundError:
            return set()

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        return self.path(name).is_file()

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    @property
    def charts(self) -> tuple[str, ...]:
        present = self.files()
        return tuple(name for name in CHARTS if name in present)

    @property
    def extras(self) -> tuple[str, ...]:
        """The email's dark charts and the social cards render drew, as bulletin.json lists them."""
        files = self.data.get("chart", {}).get("files", [])
        return tuple(name for name in files if isinstance(name, str) and name in EXTRAS)

    def texts(self) -> dict[str, str]:
        """Each file a reader sees (articles, pages, emails), by name."""
        return {name: self.text(name) for locale in self.locales
                for name in readable_names(locale) if self.has(name)}
