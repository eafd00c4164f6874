"""What the static site shows of each bulletin, read from its rendered folder.

The site is built from what ``bulletins/WEEK/`` holds: bulletin.html (or
bulletin.md), bulletin.json, and, when present, chart.svg/chart.png and other
languages as ``bulletin.LANG.html``. None of the optional files is required.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bulletin.weeks import IsoWeek

DEFAULT_LANG = "en"
_ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.DOTALL)
_PARAGRAPH = re.compile(r"<p>(?!<em>)(.*?)</p>", re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_LANG_FILE = re.compile(r"^bulletin\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.html$")


def page_path(week: str) -> str:
    """The permanent path of a week's page, relative to the site root: ``2026/w11/``."""
    parsed = IsoWeek.parse(week)
    return f"{parsed.year}/w{parsed.week:02d}/"


@dataclass(frozen=True)
class Listed:
    """A bulletin as list pages, feeds and the sitemap show it."""

    week: str
    headline: str
    date: str  # ISO 8601, when it was generated
    pages: tuple[str, ...] = ()  # its pages on the site: the article and each language

    @property
    def path(self) -> str:
        return page_path(self.week)

    @property
    def year(self) -> int:
        return IsoWeek.parse(self.week).year


@dataclass(frozen=True)
class Version:
    """The article in one language."""

    headline: str
    body: str  # sanitised HTML, as render wrote it
    description: str


@dataclass(frozen=True)
class Article:
    week: str
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
    def load(cls, folder: Path) -> Article:
        data = json.loads((folder / "bulletin.json").read_text(encoding="utf-8"))
        versions = {DEFAULT_LANG: _version(folder, "bulletin.html", "bulletin.md", data["headline"])}
        for path in sorted(folder.glob("bulletin.*.html")):
            match = _LANG_FILE.match(path.name)
            if match and match[1] != DEFAULT_LANG:
                versions[match[1]] = _version(folder, path.name, f"bulletin.{match[1]}.md", "")
        charts = tuple(name for name in ("chart.svg", "chart.png") if (folder / name).is_file())
        return cls(data["week"], data["generated_at"], versions, charts[0] if charts else "", charts)


def _version(folder: Path, html_name: str, md_name: str, headline: str) -> Version:
    page = folder / html_name
    body = ""
    if page.is_file():
        found = _ARTICLE.search(page.read_text(encoding="utf-8"))
        body = found[1].strip() if found else ""
    if not body:
        # No article element to take (a page laid out differently): convert the Markdown.
        from bulletin.render.article import _to_html

        body = _to_html((folder / md_name).read_text(encoding="utf-8"))
    if not headline:
        found = _H1.search(body)
        headline = _plain(found[1]) if found else ""
    lede = _PARAGRAPH.search(body)
    return Version(headline, body, _plain(lede[1]) if lede else headline)


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())
