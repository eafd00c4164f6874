"""The plain-text part of an email, made from the same HTML as the HTML part.

Written from the one HTML, the two parts cannot drift apart: every sentence,
table cell, note and link of the HTML is in the text (RFC 2046 says the
alternatives are the same content). The article's HTML is what markdown
and nh3 leave (markup.ALLOWED_TAGS), so a small walker over those tags is enough:
headings underlined, paragraphs wrapped, lists with dashes, tables as aligned
columns, an image as its alt text, a link as its text and (address).
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

WIDTH = 72  # columns of a line; mail clients show 72 to 78 without wrapping
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "blockquote", "tr"}


@dataclass
class _Block:
    kind: str  # p, h1..h4, li, hr, table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # a table's cells, the header first
    right: list[bool] = field(default_factory=list)  # a table's columns aligned right


def html_to_plain(html: str, width: int = WIDTH) -> str:
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return _layout(walker.blocks, width)


class _Walker(HTMLParser):
    """Collects the HTML as blocks: (kind, text) and, for tables, their rows of cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._text: list[str] = []
        self._kind = ""
        self._rows: list[list[str]] | None = None
        self._cells: list[str] = []
        self._right: list[bool] = []  # per cell of the row: does the HTML align it right?
        self._rights: list[list[bool]] = []
        self._href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag in ("td", "th"):
            self._text = []
            self._right.append("text-align: right" in (found.get("style") or ""))
        elif tag in _BLOCKS:
            self._flush()
            self._kind = tag
        elif tag == "br":
            self._text.append("\n")
        elif tag == "img":
            alt = (found.get("alt") or "").strip()
            if alt:  # an image says what its alt text says, and stands on its own
                self._flush()
                self.blocks.append(_Block("p", f"[{alt}]"))
        elif tag == "a":
            self._href.append(found.get("href") or "")
        elif tag == "hr":
            self._flush()
            self.blocks.append(_Block("hr"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._cells.append(" ".join("".join(self._text).split()))
            self._text = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append(self._cells)
            self._rights.append(self._right)
            self._cells, self._right = [], []
        elif tag == "table" and self._rows is not None:
            # Numbers line up on the right where the table aligns them so (the header says).
            right = self._rights[0] if self._rights else []
            self.blocks.append(_Block("table", rows=self._rows, right=right))
            self._rows, self._rights = None, []
        elif tag == "a":
            href = self._href.pop() if self._href else ""
            text = "".join(self._text)
            # A bare address is shown once; a link with words gets its address after them.
            shown = href.removeprefix("mailto:")
            if href and not href.startswith("#") and shown not in text:
                self._text.append(f" ({href})")
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def _flush(self) -> None:
        if self._rows is not None:
            return
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append(_Block(self._kind or "p", text))
        self._text = []
        self._kind = ""


def _layout(blocks: list[_Block], width: int) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "table":
            out.append(_table(block.rows, block.right))
        elif block.kind == "hr":
            out.append("-" * width)
        elif block.kind in ("h1", "h2", "h3", "h4"):
            out.append(f"{block.text}\n{('=' if block.kind == 'h1' else '-') * _columns(block.text)}")
        elif block.kind == "li":
            out.append(textwrap.fill(block.text, width, initial_indent="- ", subsequent_indent="  ",
                                     break_on_hyphens=False, break_long_words=False))
        else:
            out.append(_fill(block.text, width))
    return "\n\n".join(out) + "\n"


def _fill(text: str, width: int) -> str:
    # Chinese has no spaces to break at, and a line of it may be as long as it needs.
    if any(_wide(ch) for ch in text):
        return text
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False)


def _table(rows: list[list[str]], right: list[bool]) -> str:
    """Columns padded to their widest cell: the header, a rule, the rows."""
    columns = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [max(_columns(row[i]) for row in rows) for i in range(columns)]
    numeric = [i < len(right) and right[i] for i in range(columns)]

    def line(row: list[str]) -> str:
        cells = [(" " * (w - _columns(cell)) + cell) if right else (cell + " " * (w - _columns(cell)))
                 for cell, w, right in zip(row, widths, numeric, strict=True)]
        return "  ".join(cells).rstrip()

    lines = [line(rows[0]), "  ".join("-" * w for w in widths)] if rows else []
    lines += [line(row) for row in rows[1:]]
    return "\n".join(lines)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _columns(text: str) -> int:
    """Width in a monospaced font: Chinese characters take two columns."""
    return sum(2 if _wide(ch) else 1 for ch in text)
