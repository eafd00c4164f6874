"""``type: feed`` — news items from an RSS or Atom feed, and the figures they state.

Read from a ``url`` (a conditional GET with the ETag / Last-Modified the
server gave last time, so an unchanged feed costs one small request) or a
``path``. Items are stored once, by id or link, with their HTML sanitised;
figures are extracted from the title and summary of items not seen before.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from bulletin.collect.bounded import MAX_RESPONSE_BYTES
from bulletin.collect.http import Policy, get, status_error
from bulletin.collect.source import CollectContext, Source, common_options
from bulletin.collect.text_figures import figures as text_figures
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import CollectError
from bulletin.model import Collected, FeedItem, Figure, HttpValidators
from bulletin.model.markup import html_to_text
from bulletin.records import record

log = logging.getLogger("bulletin")


OPTIONS = option.schema(
    option.url("url", "the feed's address, read with a conditional GET (give `url` or `path`)"),
    option.path("path", "a feed file instead of `url`"),
    option.number("timeout", 20.0, "seconds for one request, its whole answer included"),
    option.number("retry_within", 60.0, "seconds for all attempts at one request"),
    MAX_RESPONSE_BYTES,
)


@record
class Feed(Source):
    type: ClassVar[str] = "feed"
    options: ClassVar[option.Schema] = common_options() + OPTIONS
    live: ClassVar[bool] = True

    feed_url: str = OPTIONS.default("url")
    path: Path | None = OPTIONS.default("path")
    timeout: float = OPTIONS.default("timeout")
    retry_within: float = OPTIONS.default("retry_within")
    max_response_bytes: int = OPTIONS.default("max_response_bytes")

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Feed | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if ("url" in raw) == ("path" in raw):
            problems.add(where, "give either url or path (one of them)")
            return None
        if not values.ok:
            return None
        return cls(feed_url=values["url"], path=values["path"], timeout=values["timeout"],
                   retry_within=values["retry_within"], max_response_bytes=values["max_response_bytes"],
                   **cls.common_fields(values))

    @property
    def url(self) -> str:
        return self.feed_url

    async def fetch(self, context: CollectContext) -> Collected:
        validators: tuple[HttpValidators, ...] = ()
        if self.path is not None:
            where = str(self.path)
            try:
                body = self.path.read_bytes()
            except OSError as exc:
                raise CollectError(f"{where}: cannot read: {exc.strerror}") from None
        else:
            where = self.feed_url
            assert context.client is not None
            known = context.store.validators(self.feed_url)
            headers = {}
            if known and known.etag:
                headers["If-None-Match"] = known.etag
            if known and known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
            response = await get(context.client, self.feed_url,
                                 Policy(self.timeout, self.retry_within,
                                        max_bytes=self.max_response_bytes), headers)
            if response.status_code == 304:
                return Collected(self.name, figures_replace=False)
            if response.status_code != 200:
                raise status_error(response, where)
            body = response.content
            validators = (HttpValidators(self.feed_url, response.headers.get("etag", ""),
                                         response.headers.get("last-modified", "")),)
        seen = {item.key for item in context.store.feed_items(self.name)}
        fetched_at = context.now.isoformat(timespec="seconds")
        items, updated = read_feed(body, where, self.name, fetched_at)
        new = [item for item in items if item.key not in seen]
        found: dict[tuple[str, str, str, str], Figure] = {}
        for item in new:
            text = f"{html_to_text(item.title)}. {html_to_text(item.summary)}"
            for figure in text_figures(text, self.name, item.link, item.published_at, fetched_at):
                found.setdefault((figure.subject, figure.organisation, figure.kind, figure.period),
                                 figure)
        return Collected(self.name, items=tuple(new), figures=tuple(found.values()),
                         validators=validators, figures_replace=False, as_of=updated)


def read_feed(body: bytes, where: str, source: str, fetched_at: str) -> tuple[list[FeedItem], str]:
    """Every item of a feed, sanitised, and when the feed says it was updated.

    A feed that is not RSS or Atom is refused whole.
    """
    import xml.sax

    import feedparser
    import nh3

    if not body.strip():
        raise CollectError(f"{where}: empty ({len(body)} bytes), not an RSS or Atom feed")
    # nh3 sanitises (below), so feedparser hands over the HTML as the feed had it.
    parsed = feedparser.parse(body, sanitize_html=False)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException) or (not parsed.get("version") and not parsed.entries):
        detail = problem.getMessage() if isinstance(problem, xml.sax.SAXParseException) else problem
        line = f" at line {problem.getLineNumber()}" if isinstance(problem, xml.sax.SAXParseException) \
            else ""
        raise CollectError(f"{where}: not a valid RSS or Atom feed ({detail or 'no feed found'}{line})")
    items: dict[str, FeedItem] = {}
    for index, entry in enumerate(parsed.entries):
        link = str(entry.get("link", "")).strip()
        key = str(entry.get("id") or link)
        if link and not check.is_url(link):
            # Links take http and https only: a javascript: or data: link would be passed on
            # live wherever the item's figures are credited (the webhook's Markdown too).
            log.warning("%s: %s: item %s: its link %r is not an http(s) URL; left out",
                        source, where, key, link[:60])
            link = ""
        if not key:
            raise CollectError(f"{where}: item {index + 1} has neither an id nor a link")
        raw_summary = str(entry.get("summary", ""))
        summary = nh3.clean(raw_summary)
        if "<script" in raw_summary.lower():
            log.warning("%s: %s: item %s: removed a script from its HTML", source, where, key)
        title = html_to_text(str(entry.get("title", "")))
        items.setdefault(key, FeedItem(source, key, link, title, summary,
                                       _published(entry), fetched_at))
    return list(items.values()), _published(parsed.feed)


def _published(entry: Any) -> str:
    import time

    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
    return ""

