"""Data is text, never markup: what a value from outside may become in each kind of template.

Model names, figure subjects and feed text come from sources nobody here
controls. In a Markdown template a name like ``[x](https://evil.example)``
would become a live link and ``![x](...)`` a remote image in the article, the
site, the feeds and every email; so each value a ``.md.j2`` template prints is
escaped for Markdown (``finalize`` in ``article.environment()``), and control,
bidi and other invisible format characters (U+202E turns text around) are
removed from every value in every template. HTML templates keep Jinja's own
HTML escaping on top. Template text itself, and what macros return, is the
editor's markup and passes as it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import jinja2
from markupsafe import Markup

# What the Jinja environment's autoescape gives a Markdown template (any true value turns
# autoescape on, so macros there return Markup and are not escaped twice).
MARKDOWN = "markdown"

# The characters Python-Markdown reads as markup inside a line: emphasis, code, links and
# images, table cells, and the backslash itself. "<" starts raw HTML and autolinks and
# cannot be backslash-escaped there; it becomes an entity.
_SPECIAL = re.compile(r"([\\`*_\[\]|])")
# What starts a block where a value begins a line: a heading, a quote, a list item
# ("# x", "> x", "+ x", "1. x"). Escaped where the value starts; a paragraph's first
# line has no line above it to underline, so "===" needs nothing.
_BLOCK = re.compile(r"^(\s*)(?:(#{1,6}(?=\s|$)|>|[+\-](?=\s))|(\d+)([.)])(?=\s|$))")
_ESCAPED = re.compile(r"\\([\\`*_\[\]|#>+\-.)])")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean(text: str, keep_lines: bool = True) -> str:
    """``text`` without control, bidi and other invisible characters (newlines and tabs kept)."""
    if text.isprintable():
        # The common case, without a look at each character: a printable string has no
        # character of the categories "Other" or "Separator" (but the space), so none to remove.
        return text
    return "".join(char for char in text
                   if unicodedata.category(char) not in _INVISIBLE
                   or keep_lines and char in "\n\t")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that shows exactly it: no link, image, emphasis, HTML or new block."""
    one_line = " ".join(clean(text).split("\n")).replace("\t", " ")
    escaped = _SPECIAL.sub(r"\\\1", one_line).replace("<", "&lt;")
    return _BLOCK.sub(_escape_block, escaped, count=1)


def _escape_block(match: re.Match[str]) -> str:
    space, marker, number, point = match.groups()
    return f"{space}\\{marker}" if marker else f"{space}{number}\\{point}"


def plain(markdown: str) -> str:
    """The text of a line ``markdown_text`` made, for plain-text places (a mail Subject, a title)."""
    return _ESCAPED.sub(r"\1", markdown).replace("&lt;", "<")


def autoescape(name: str | None) -> bool | str:
    """Markdown templates (and the macro files they import) escape for Markdown; HTML for HTML."""
    if name is None:
        return False
    if name.endswith(".md.j2") or name.rsplit("/", 1)[-1].startswith("_"):
        return MARKDOWN
    return ".html" in name


@jinja2.pass_eval_context
def finalize(context: jinja2.nodes.EvalContext, value: Any) -> Any:
    """Each value a template prints: cleaned always, and escaped for Markdown in Markdown templates."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    if context.autoescape == MARKDOWN:
        return Markup(markdown_text(value))
    return clean(value)
