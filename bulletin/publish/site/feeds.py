"""The site's machine-readable files: Atom (feed.xml), JSON Feed 1.1 (feed.json), sitemap.xml.

Every date and id comes from the bulletins themselves (never the build time),
so a rebuild of the same bulletins writes the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from bulletin.publish.site.pages import DEFAULT_LANG, Article, Listed

FEED_ENTRIES = 20


def atom(articles: Sequence[Article], base_url: str, title: str) -> bytes:
    """Newest first. The entry id is the page's permanent URL, which never changes."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(base_url)
    feed.title(title)
    feed.link(href=base_url, rel="alternate")
    feed.link(href=base_url + "feed.xml", rel="self")
    feed.language(DEFAULT_LANG)
    feed.generator("bulletin")
    feed.updated(_date(articles[0].date) if articles else datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
    for article in articles:
        url = base_url + article.path
        version = article.version(DEFAULT_LANG)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(version.headline)
        entry.link(href=url, rel="alternate")
        entry.published(_date(article.date))
        entry.updated(_date(article.date))
        entry.summary(version.description)
        entry.content(version.body, type="html")
    return feed.atom_str(pretty=True)


def json_feed(articles: Sequence[Article], base_url: str, title: str) -> bytes:
    items = []
    for article in articles:
        url = base_url + article.path
        version = article.version(DEFAULT_LANG)
        item = {"id": url, "url": url, "title": version.headline, "content_html": version.body,
                "summary": version.description, "date_published": article.date,
                "date_modified": article.date, "language": DEFAULT_LANG}
        if article.chart:
            item["image"] = url + article.chart
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title,
            "home_page_url": base_url, "feed_url": base_url + "feed.json", "language": DEFAULT_LANG,
            "items": items}
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sitemap(listed: Sequence[Listed], years: Sequence[int], base_url: str) -> bytes:
    newest = max((item.date[:10] for item in listed), default="")
    rows = [_url(base_url, newest), _url(base_url + "archive/", newest)]
    for year in years:
        rows.append(_url(f"{base_url}{year}/", max(i.date[:10] for i in listed if i.year == year)))
    for item in listed:
        rows.extend(_url(base_url + page, item.date[:10]) for page in item.pages or (item.path,))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(rows) + "</urlset>\n").encode("utf-8")


def _url(loc: str, lastmod: str) -> str:
    modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"  <url><loc>{escape(loc)}</loc>{modified}</url>\n"


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text)
