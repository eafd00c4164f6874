"""What the static site shows of each bulletin, taken from its edition.

The article in each language, its headline and lede, and the chart files
come from the week's ``Edition`` (bulletin.json and the charts beside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bulletin.render.edition import DEFAULT_LOCALE, Edition, page_path
from bulletin.render.markup import html_to_text
from bulletin.weeks import IsoWeek

DEFAULT_LANG = DEFAULT_LOCALE
_PARAGRAPH = re.compile(r"<p>(?!<em>)(.*?)</p>", re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)


@dataclass(frozen=True)
class Listed:
    """A bulletin as list pages, feeds and the sitemap show it."""

    week: IsoWeek
    headline: str
    date: str  # ISO 8601, when it was generated
    pages: tuple[str, ...] = ()  # its pages on the site: the article and each language

    @property
    def path(self) -> str:
        return page_path(self.week)

    @property
    def year(self) -> int:
        return self.week.year


@dataclass(frozen=True)
class Version:
    """The article in one language."""

    headline: str
    body: str  # sanitised HTML, as render wrote it
    description: str


@dataclass(frozen=True)
class Article:
    week: IsoWeek
    date: str
    versions: dict[str, Version]  # the default language first
    chart: str  # file name of the chart to show, "" when the folder has none
    charts: tuple[str, ...]  # every chart file to copy next to the page

    @property
    def path(self) -> str:
        return page_path(self.week)

    @property
    def languages(self) -> tuple[str, ...]:
        """The other languages, beyond the default one."""
        return tuple(lang for lang in self.versions if lang != DEFAULT_LANG)

    def version(self, lang: str) -> Version:
        return self.versions.get(lang) or self.versions[DEFAULT_LANG]

    def headline(self, lang: str) -> str:
        return self.version(lang).headline

    def body(self, lang: str) -> str:
        from markupsafe import Markup

        return Markup(self.version(lang).body)

    def listed(self) -> Listed:
        pages = (self.path, *(f"{self.path}{lang}/" for lang in self.languages))
        return Listed(self.week, self.headline(DEFAULT_LANG), self.date, pages)

    @classmethod
    def of(cls, edition: Edition) -> Article:
        versions = {locale: _version(edition, locale) for locale in edition.locales}
        charts = edition.charts
        return cls(edition.week, edition.generated_at, versions, charts[0] if charts else "", charts)


def _version(edition: Edition, locale: str) -> Version:
    body = edition.body(locale)
    # Other languages' headlines as their pages state them (an editor may have corrected one).
    heading = _H1.search(body)
    headline = edition.headline if locale == DEFAULT_LANG else _plain(heading[1]) if heading else ""
    lede = _PARAGRAPH.search(body)
    return Version(headline, body, _plain(lede[1]) if lede else headline)


def _plain(fragment: str) -> str:
    return " ".join(html_to_text(fragment).split())
