"""Markdown to safe HTML, and HTML to the text a reader sees: the one way of each."""

from __future__ import annotations

import html
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import markdown

# Tags the article's HTML may keep after Markdown conversion; anything else
# (a <script> smuggled in through a model name, say) is dropped.
ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "img",
                "li", "ol", "p", "strong", "sup", "sub", "table", "tbody", "td", "th", "thead",
                "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align", "style"}, "th": {"align", "style"},
                      "abbr": {"title"}, "img": {"src", "alt", "width", "height"}}


@cache
def _markdown() -> markdown.Markdown:
    import markdown
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    # Building a converter loads its extensions; one, reset between texts, is enough.
    # Given as objects, not names: a name is looked up among every installed package's
    # entry points, a few milliseconds of each run (benchmarks/bench_run.py).
    return markdown.Markdown(extensions=[TableExtension(), SaneListExtension()], output_format="html")


def markdown_to_html(text: str) -> str:
    """Markdown as sanitised HTML: only ALLOWED_TAGS and ALLOWED_ATTRIBUTES survive."""
    import nh3

    return nh3.clean(_markdown().reset().convert(text), tags=ALLOWED_TAGS,
                     attributes=ALLOWED_ATTRIBUTES)


def html_to_text(fragment: str) -> str:
    """The text a reader sees of HTML: tags, scripts and styles dropped, entities decoded."""
    import nh3

    return html.unescape(nh3.clean(fragment, tags=set()))


def markdown_to_text(text: str) -> str:
    """A Markdown paragraph as plain text, on one line."""
    return " ".join(html_to_text(_markdown().reset().convert(text)).split())
