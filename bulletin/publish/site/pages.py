"""What the static site shows of each bulletin, taken from its edition.

The article in each language, its headline and lede, and the chart files
come from the week's ``RenderedWeek`` (bulletin.json and the charts beside it).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from bulletin.model import LOCALES
from bulletin.model.editions import MAIN
from bulletin.model.markup import html_to_text
from bulletin.render.chart import CHART_SIZE, PNG_ZOOM, size_of
from bulletin.render.rendered import DEFAULT_LOCALE, RenderedWeek, chart_name, page_path
from bulletin.weeks import IsoWeek

DEFAULT_LANG = DEFAULT_LOCALE
# The BCP 47 tag a page and a feed declare: "zh" alone does not say which script,
# and browsers pick CJK fonts (and screen readers voices) by it.
LANGUAGE_TAGS = {"zh": "zh-Hans"}
_PARAGRAPH = re.compile(r"<p>(?!<em>)(.*?)</p>", re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_IMG = re.compile(r'<img\b[^>]*?\balt="([^"]*)"[^>]*?\bsrc="([A-Za-z0-9_.-]+)"')
# Render writes the article next to its chart, so the body says src="chart.svg".
# A page elsewhere (the home page, a language's subfolder, a feed reader) must
# say where the chart is from there. The body is HTML render sanitised, so its
# attributes are double-quoted and a chart file name is a plain word.
_CHART_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([A-Za-z0-9_.-]+)(")')
_CHART_IMG = re.compile(r'<img\b[^>]*?\bsrc="([A-Za-z0-9_.-]+)"[^>]*>')
# Below this width (a phone's) a page shows the chart laid out for it: same words, larger type.
NARROW_SCREEN = "(max-width: 30rem)"


def language_tag(lang: str) -> str:
    return LANGUAGE_TAGS.get(lang, lang)


@dataclass(frozen=True)
class Listed:
    """A bulletin as list pages, feeds and the sitemap show it."""

    week: IsoWeek
    headline: str
    date: str  # ISO 8601, when it was generated
    pages: tuple[str, ...] = ()  # its pages on the site: the article and each language
    excerpt: str = ""  # its lede, where a list shows it (not stored: read from the edition)
    updated: str = ""  # ISO 8601, when a correction last changed it ("" if none did)
    edition: str = MAIN  # which edition of the week: the main bulletin, or one under /<name>/

    @property
    def path(self) -> str:
        return page_path(self.week, self.edition)

    @property
    def year(self) -> int:
        return self.week.year

    @property
    def modified(self) -> str:
        """When it last changed: its correction, or when it was written (the sitemap's lastmod)."""
        return self.updated or self.date

    def shown(self, headline: str, excerpt: str) -> Listed:
        """The same bulletin, listed with ``headline`` and ``excerpt`` (a language's). Made directly:
        a publish lists every week of the archive in each language (``dataclasses.replace``,
        which looks up the fields each time, takes several times as long)."""
        return Listed(self.week, headline, self.date, self.pages, excerpt, self.updated, self.edition)

    def written_in(self, lang: str) -> bool:
        """Whether it has a page in ``lang`` (every bulletin has one in the default language)."""
        return lang == DEFAULT_LANG or f"{self.path}{lang}/" in self.pages


@dataclass(frozen=True)
class EditionOnSite:
    """An edition with pages on the site: the main pages list it ("Follow a developer") and the
    sitemap lists its pages."""

    name: str
    titles: dict[str, str]  # by language; the default language's always there
    listed: tuple[Listed, ...]  # its weeks on the site

    @property
    def prefix(self) -> str:
        """Where its pages are, under the site's root: ``deepseek/``."""
        return f"{self.name}/"

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get(DEFAULT_LANG) or self.name

    def written_in(self, lang: str) -> bool:
        """Whether it has its own home page (and feeds) in ``lang``."""
        return any(item.written_in(lang) for item in self.listed)

    @property
    def languages(self) -> list[str]:
        """The languages it has a home page in: the default one, and each one a week is written in."""
        return [DEFAULT_LANG, *(lang for lang in LOCALES if lang != DEFAULT_LANG and self.written_in(lang))]


@dataclass(frozen=True)
class Version:
    """The article in one language."""

    headline: str
    body: str  # sanitised HTML, as render wrote it
    description: str
    chart: str = ""  # the chart file the article shows, "" when it shows none
    chart_alt: str = ""  # what the chart says, in the article's language
    card: str = ""  # the social card's file, "" where render drew none in this language
    card_alt: str = ""  # what the card shows, in words


@dataclass(frozen=True)
class Article:
    week: IsoWeek
    date: str
    versions: dict[str, Version]  # the default language first
    chart: str  # file name of the chart to show, "" when the folder has none
    charts: tuple[str, ...]  # every chart file to copy next to the page (and the social cards)
    sizes: dict[str, tuple[int, int]] | None = None  # each SVG chart's width and height
    updated: str = ""  # ISO 8601, when a correction last changed it ("" if none did)
    edition: str = MAIN  # which edition of the week: the main bulletin, or one under /<name>/

    @property
    def path(self) -> str:
        return page_path(self.week, self.edition)

    @property
    def languages(self) -> tuple[str, ...]:
        """The other languages, beyond the default one."""
        return tuple(lang for lang in self.versions if lang != DEFAULT_LANG)

    def version(self, lang: str) -> Version:
        return self.versions.get(lang) or self.versions[DEFAULT_LANG]

    def headline(self, lang: str) -> str:
        return self.version(lang).headline

    def body(self, lang: str, chart_prefix: str = "") -> str:
        """The article's HTML; ``chart_prefix`` leads from the page to the week's folder.

        Its chart is a <picture>: the narrow layout on a phone, the wide one elsewhere.
        """
        from markupsafe import Markup

        body = self.version(lang).body
        return Markup(_CHART_IMG.sub(lambda found: self.picture(found, chart_prefix), body))

    def picture(self, image: re.Match[str] | str, prefix: str, alt: str = "") -> str:
        """A chart's <img> (or a chart's file name, with ``alt``) as a <picture> that fits the screen."""
        name = image if isinstance(image, str) else image[1]
        tag = (f'<img alt="{html.escape(alt)}" src="{name}">' if isinstance(image, str) else image[0])
        if name not in self.charts:
            return tag
        width, height = self.size(name)
        img = _CHART_SRC.sub(lambda found: found[1] + prefix + found[2] + found[3], tag, count=1)
        if " width=" not in img:  # stated, so that the page does not jump when it loads
            img = img.replace("<img ", f'<img width="{width}" height="{height}" ', 1)
        narrow = name.replace("chart", "chart-narrow", 1)
        if narrow not in self.charts:
            return img
        # No width and height on <source>: the Nu checker does not take them yet. A phone
        # reserves the wide chart's proportions and takes the narrow one's once it loads.
        return f'<picture><source media="{NARROW_SCREEN}" srcset="{prefix}{narrow}">{img}</picture>'

    def size(self, name: str) -> tuple[int, int]:
        return (self.sizes or {}).get(name, CHART_SIZE)

    def png(self, lang: str) -> str:
        """The raster chart for a language's feed entry and social card: its own, else the default's."""
        for name in (chart_name(lang, png=True), chart_name(DEFAULT_LANG, png=True)):
            if name in self.charts:
                return name
        return self.version(lang).chart

    def feed_body(self, lang: str, week_url: str) -> str:
        """The article for a feed reader: the PNG chart at an absolute URL (readers show SVG badly,
        and <picture> not at all), and no <h1>, since the entry's title is it."""
        png = self.png(lang)

        def one(found: re.Match[str]) -> str:
            if found[2] not in self.charts:
                return found[0]
            name = png or found[2]
            width, height = self.size(name if png else found[2])
            return (found[1].replace("<img ", f'<img width="{width}" height="{height}" ', 1)
                    + week_url + name + found[3])

        return _H1.sub("", _CHART_SRC.sub(one, self.version(lang).body), count=1).lstrip()

    def listed(self, lang: str = DEFAULT_LANG) -> Listed:
        pages = (self.path, *(f"{self.path}{other}/" for other in self.languages))
        version = self.version(lang)
        return Listed(self.week, version.headline, self.date, pages, excerpt(version.description),
                      self.updated, self.edition)

    @classmethod
    def of(cls, edition: RenderedWeek) -> Article:
        charts = edition.charts
        versions = {locale: _version(edition, locale, charts) for locale in edition.locales}

        sizes = {name: size_of(edition.text(name)) for name in charts if name.endswith(".svg")}
        # A PNG is shown at half its pixels (it is drawn at twice its size); its size is in
        # its IHDR chunk, the first after the 8-byte signature.
        sizes |= {name: _png_size(edition.path(name)) for name in charts if name.endswith(".png")}
        return cls(edition.week, edition.generated_at, versions, charts[0] if charts else "",
                   charts + edition.extras, sizes, str(edition.data.get("updated_at", "")), edition.edition)

    @property
    def modified(self) -> str:
        """When it last changed: its correction, or when it was written."""
        return self.updated or self.date


def _png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as png:
        head = png.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return CHART_SIZE
    return (int.from_bytes(head[16:20], "big") // PNG_ZOOM, int.from_bytes(head[20:24], "big") // PNG_ZOOM)


def _version(edition: RenderedWeek, locale: str, charts: tuple[str, ...]) -> Version:
    body = edition.body(locale)
    # Other languages' headlines as their pages state them (an editor may have corrected one).
    heading = _H1.search(body)
    headline = edition.headline if locale == DEFAULT_LANG else _plain(heading[1]) if heading else ""
    lede = _PARAGRAPH.search(body)
    image = next((found for found in _IMG.finditer(body) if found[2] in charts), None)
    # Unescaped: the templates escape it again where they write it.
    chart, alt = (image[2], html.unescape(image[1])) if image else ("", "")
    card = edition.data.get("cards", {}).get(locale)
    card_file, card_alt = (card.get("file"), card.get("alt")) if isinstance(card, dict) else ("", "")
    if not (isinstance(card_file, str) and card_file in edition.extras and isinstance(card_alt, str)):
        card_file, card_alt = "", ""
    return Version(headline, body, _plain(lede[1]) if lede else headline, chart, alt, card_file, card_alt)


EXCERPT = 120  # characters: a line or two in a list, a taste of the lede and not the whole of it
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|(?<=;)\s+|(?<=[。！？；])")


def excerpt(lede: str, most: int = EXCERPT) -> str:
    """The lede's first sentence, cut at a word (or, in Chinese, anywhere) with "…" past ``most``."""
    first = _SENTENCE.split(lede.strip(), maxsplit=1)[0].strip()
    first = first[:-1] + "。" if first.endswith("；") else first
    if len(first) <= most:
        return first.rstrip(";") + ("." if first.endswith(";") else "")
    cut = first[:most]
    if " " in cut and not any(ord(char) >= 0x2E80 for char in cut):
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:，、；：") + "…"


def _plain(fragment: str) -> str:
    return " ".join(html_to_text(fragment).split())
