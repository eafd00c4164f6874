"""Every reference in a built site and its feeds, resolved as browsers and feed readers do.

A page's relative URL is resolved against the page's own URL (no page sets
<base>); an Atom entry's content against its xml:base, else the feed's URL
(RFC 4287 §2, XML Base); a JSON Feed item's content_html against the item's
url, as readers do, since the spec gives content no base. A URL under the
site's base URL must name a file the build wrote (a folder: its index.html).
Other URLs are outside the site and are returned, not fetched: the tests run
without network.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# The attributes that load or lead somewhere.
_REFERRING = {"href", "src", "poster", "data", "action"}


@dataclass(frozen=True)
class Reference:
    where: str  # the file and the element: "2026/w11/zh/index.html <img src>"
    url: str  # resolved, without its fragment


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _REFERRING:
                self.found.append((f"<{tag} {name}>", value))
            elif name == "srcset":
                self.found.extend((f"<{tag} srcset>", part.split()[0])
                                  for part in value.split(",") if part.strip())
            elif name == "content" and value.startswith(("http://", "https://")):
                self.found.append((f"<{tag} content>", value))  # og:image, og:url


def in_html(html: str, base: str, where: str) -> list[Reference]:
    parser = _References()
    parser.feed(html)
    return [Reference(f"{where} {element}", urldefrag(urljoin(base, value))[0])
            for element, value in parser.found if not value.startswith(("mailto:", "data:"))]


def in_site(root: Path, base_url: str) -> list[Reference]:
    """Every reference in every page and feed of the site built in ``root``."""
    found: list[Reference] = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        url = base_url + (name[:-len("index.html")] if name.endswith("index.html") else name)
        if name.endswith(".html"):
            found += in_html(path.read_text("utf-8"), url, name)
        elif name.endswith("feed.xml"):
            found += in_atom(path.read_bytes(), url, name)
        elif name.endswith("feed.json"):
            found += in_json_feed(path.read_text("utf-8"), url, name)
        elif name == "sitemap.xml":
            found += [Reference(f"{name} <loc>", loc.text or "")
                      for loc in ET.fromstring(path.read_bytes()).iter() if loc.tag.endswith("loc")]
        elif name == "robots.txt":
            found += [Reference(f"{name} Sitemap", line.split(":", 1)[1].strip())
                      for line in path.read_text().splitlines() if line.startswith("Sitemap:")]
    return found


def in_atom(data: bytes, feed_url: str, where: str) -> list[Reference]:
    feed = ET.fromstring(data)
    base = urljoin(feed_url, feed.get(XML_BASE, ""))
    found = [Reference(f"{where} <{element.tag[len(ATOM):]}>",
                       urljoin(base, element.get("href") or element.text or ""))
             for element in feed.iter() if element.tag in (f"{ATOM}link", f"{ATOM}icon", f"{ATOM}logo")]
    for entry in feed.iter(f"{ATOM}entry"):
        entry_base = urljoin(base, entry.get(XML_BASE, ""))
        for content in entry.iter(f"{ATOM}content"):
            if content.get("type") == "html":
                found += in_html(content.text or "", urljoin(entry_base, content.get(XML_BASE, "")),
                                 f"{where} <content>")
    return found


def in_json_feed(text: str, feed_url: str, where: str) -> list[Reference]:
    feed = json.loads(text)
    found = [Reference(f"{where} {key}", urljoin(feed_url, feed[key]))
             for key in ("home_page_url", "feed_url", "icon", "favicon") if key in feed]
    for item in feed["items"]:
        url = urljoin(feed_url, item.get("url", ""))
        found += [Reference(f"{where} {key}", urljoin(url, item[key]))
                  for key in ("url", "image") if key in item]
        found += in_html(item.get("content_html", ""), url, f"{where} content_html")
    return found


def broken(root: Path, base_url: str) -> list[Reference]:
    """The references under ``base_url`` that name no file of the site."""
    missing = []
    for reference in in_site(root, base_url):
        if not reference.url.startswith(base_url):
            continue
        path = urlsplit(reference.url[len(base_url) - 1:]).path.lstrip("/")
        target = root / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            missing.append(reference)
    return missing


def outside(root: Path, base_url: str) -> list[Reference]:
    """The references that leave the site (checked by eye, not fetched)."""
    return [reference for reference in in_site(root, base_url) if not reference.url.startswith(base_url)]
