"""The site's machine-readable files: Atom (feed.xml), JSON Feed 1.1 (feed.json), sitemap.xml.

Every date and id comes from the bulletins themselves (never the build time),
so a rebuild of the same bulletins writes the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from xml.etree import ElementTree

from bulletin.publish.site.pages import DEFAULT_LANG, Article, EditionOnSite, Listed, language_tag

FEED_ENTRIES = 20
ATOM = "http://www.w3.org/2005/Atom"


def folder(lang: str) -> str:
    """Where a language's feeds live: the site root for English, ``zh/`` beside it for Chinese."""
    return "" if lang == DEFAULT_LANG else f"{lang}/"


def links(title: str, lang: str, prefix: str = "") -> list[dict[str, str]]:
    """The feeds of one language, as pages link to them; ``prefix`` is an edition's folder."""
    tag = language_tag(lang)
    here = prefix + folder(lang)
    return [{"type": "application/atom+xml", "title": title, "path": here + "feed.xml",
             "lang": tag, "name": "Atom"},
            {"type": "application/feed+json", "title": title, "path": here + "feed.json",
             "lang": tag, "name": "JSON Feed"}]


def atom(articles: Sequence[Article], base_url: str, title: str, author: str,
         lang: str = DEFAULT_LANG, prefix: str = "") -> bytes:
    """Newest first. The entry id is the page's permanent URL, which never changes.

    Content is the page's article with absolute chart URLs (a feed reader has
    no page to resolve a relative one against) and without its <h1>, which the
    entry's title already is. Built with ElementTree, which escapes every text
    and attribute and which Markdown has imported already: a feed library and
    lxml would cost each run 10 ms of importing (benchmarks/bench_run.py).
    An edition's feed (``prefix`` its folder, ``deepseek/``) belongs to its own home page.
    """
    home = base_url + prefix + folder(lang)
    feed = ElementTree.Element("feed", {"xmlns": ATOM, "xml:lang": language_tag(lang)})
    _add(feed, "id", home)
    _add(feed, "title", title)
    _add(feed, "updated", max((_date(a.modified) for a in articles),
                              default=datetime.fromisoformat("2000-01-01T00:00:00+00:00")).isoformat())
    by = _add(feed, "author")
    _add(by, "name", author)
    _add(by, "uri", base_url)
    _add(feed, "link", href=home, rel="alternate")  # the edition's own home page
    _add(feed, "link", href=home + "feed.xml", rel="self")
    _add(feed, "generator", "bulletin")
    _add(feed, "icon", base_url + "favicon.png")
    for article in articles:
        url = page_url(base_url, article, lang)
        version = article.version(lang)
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", version.headline)
        _add(entry, "updated", _date(article.modified).isoformat())  # a correction changes it
        _add(entry, "content", article.feed_body(lang, base_url + article.path), type="html")
        _add(entry, "link", href=url)
        _add(entry, "summary", version.description)
        _add(entry, "published", _date(article.date).isoformat())  # never changes
    ElementTree.indent(feed)
    return ElementTree.tostring(feed, encoding="UTF-8", xml_declaration=True) + b"\n"


def _add(parent: ElementTree.Element, tag: str, text: str = "", **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, attributes)
    element.text = text or None
    return element


def json_feed(articles: Sequence[Article], base_url: str, title: str, author: str,
              lang: str = DEFAULT_LANG, prefix: str = "") -> bytes:
    authors = [{"name": author, "url": base_url}]
    items = []
    for article in articles:
        url = page_url(base_url, article, lang)
        version = article.version(lang)
        item: dict[str, object] = {
            "id": url, "url": url, "title": version.headline,
            "content_html": article.feed_body(lang, base_url + article.path),
            "summary": version.description, "date_published": article.date,
            "date_modified": article.modified, "authors": authors, "language": language_tag(lang)}
        # Feed readers show `image` as a card: a raster image, where there is one.
        image = article.png(lang)
        if image:
            item["image"] = base_url + article.path + image
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title,
            "home_page_url": base_url + prefix + folder(lang),
            "feed_url": base_url + prefix + folder(lang) + "feed.json",
            "icon": base_url + "favicon.png", "favicon": base_url + "favicon.png",
            "authors": authors, "language": language_tag(lang), "items": items}
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def page_url(base_url: str, article: Article, lang: str) -> str:
    return base_url + article.path + folder(lang)


def sitemap(listed: Sequence[Listed], base_url: str, languages: Sequence[str] = (DEFAULT_LANG,),
            pages: Sequence[str] = (), editions: Sequence[EditionOnSite] = ()) -> bytes:
    """Every page: each language's home and archive, ``pages`` (those that belong to no week: the
    about pages), each language's year pages, and each week's pages; then the same of each of
    ``editions``, under its folder."""
    rows = _rows(listed, base_url, languages, "")
    rows[2 * len(languages):2 * len(languages)] = [_url(base_url + page, "") for page in pages]
    for edition in editions:  # newest first, as the main site's weeks are
        newest = sorted(edition.listed, key=lambda item: item.week, reverse=True)
        rows += _rows(newest, base_url, edition.languages, edition.prefix)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(rows) + "</urlset>\n").encode("utf-8")


def _rows(listed: Sequence[Listed], base_url: str, languages: Sequence[str], prefix: str) -> list[str]:
    """One edition's pages (``prefix`` its folder, "" for the main one's): each language's home and
    archive first, then its year pages, then each week's pages."""
    # A correction changes a page: its lastmod is the correction's day, not the day it was written.
    by_lang = {lang: [item for item in listed if item.written_in(lang)] for lang in languages}
    rows = []
    for lang, items in by_lang.items():
        home = base_url + prefix + folder(lang)
        newest = max((item.modified[:10] for item in items), default="")
        rows += [_url(home, newest), _url(home + "archive/", newest)]
    for lang, items in by_lang.items():
        for year in sorted({item.year for item in items}, reverse=True):
            rows.append(_url(f"{base_url}{prefix}{folder(lang)}{year}/",
                             max(item.modified[:10] for item in items if item.year == year)))
    for item in listed:
        rows.extend(_url(base_url + page, item.modified[:10]) for page in item.pages or (item.path,))
    return rows


def _url(loc: str, lastmod: str) -> str:
    modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"  <url><loc>{escape(loc, quote=False)}</loc>{modified}</url>\n"


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text)
