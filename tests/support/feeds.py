"""What every feed the site writes must have: Atom as RFC 4287 and the W3C validator require it,
JSON Feed 1.1's fields. Shared by the site's tests and its editions' tests."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from support import links

ATOM = "{http://www.w3.org/2005/Atom}"


def rfc3339(text: str | None) -> bool:
    try:
        return text is not None and datetime.fromisoformat(text).tzinfo is not None and "T" in text
    except ValueError:
        return False


def links_in(html: str) -> list[str]:
    return [reference.url for reference in links.in_html(html, "", "")]


def check_atom(site: Path, name: str, base: str, entries: int) -> ET.Element:
    """The Atom feed at ``name`` under ``site`` (served at ``base``), with ``entries`` entries; returns it."""
    feed = ET.parse(site / name).getroot()
    assert feed.tag == f"{ATOM}feed"
    one = {tag: feed.findall(f"{ATOM}{tag}") for tag in ("id", "title", "updated", "author")}
    assert all(len(found) == 1 for found in one.values()), one
    assert rfc3339(one["updated"][0].text)
    feed_links = {link.get("rel", "alternate"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    # Each feed belongs to the home page beside it: /, /zh/, /deepseek/.
    home = base + name.removesuffix("feed.xml")
    assert feed_links["self"] == f"{base}{name}" and feed_links["alternate"] == home
    found = feed.findall(f"{ATOM}entry")
    assert len(found) == entries
    ids = [entry.findtext(f"{ATOM}id") for entry in found]
    assert len(set(ids)) == len(ids) and all(i and i.startswith(base) for i in ids)
    for entry in found:
        for tag in ("title", "updated", "published", "summary"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        assert rfc3339(entry.findtext(f"{ATOM}updated"))
        # RFC 4287 4.2.7.2: a link without rel is rel="alternate".
        (alternate,) = [link for link in entry.findall(f"{ATOM}link")
                        if link.get("rel", "alternate") == "alternate"]
        assert alternate.get("href") == entry.findtext(f"{ATOM}id")
        (content,) = entry.findall(f"{ATOM}content")
        assert content.get("type") == "html" and content.text
        # Every URL the content holds resolves on its own, whatever base a reader uses.
        for reference in links_in(content.text):
            assert reference.startswith(("https://", "mailto:")), reference
    return feed


def check_json_feed(site: Path, name: str, base: str, author: str) -> dict:  # type: ignore[type-arg]
    """The JSON Feed at ``name`` under ``site``, by ``author``; returns it."""
    feed = json.loads((site / name).read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    home = base + name.removesuffix("feed.json")
    assert feed["feed_url"] == f"{base}{name}" and feed["home_page_url"] == home
    assert feed["authors"] == [{"name": author, "url": base}] and "author" not in feed
    assert feed["icon"].endswith(".png") and feed["favicon"].endswith(".png")
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["url"] == item["id"]
        assert item["content_html"] and not item["content_html"].lstrip().startswith("<h1")
        assert rfc3339(item["date_published"]) and rfc3339(item["date_modified"])
        assert item["authors"] == feed["authors"]
        assert all(reference.startswith(("https://", "mailto:"))
                   for reference in links_in(item["content_html"]))
    return dict(feed)
