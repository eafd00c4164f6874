"""The social card: the picture a link to an article shows where it is shared, 1200 by 630 pixels.

Link previews crop an image to 1.91:1 and show it a few hundred pixels wide,
so the card is drawn at exactly that shape, with large type and nothing near
its edges: the publication's name in a band at the top, the week's headline,
its dates at the foot, and beside them the chart cut down to its lines and the
latest week's figures. Drawn as SVG here and turned into a PNG by resvg, like
the chart's (chart.Drawn.draw_png: the same faces, the same check that the
language's script has one, the same cache).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from bulletin.model import Story
from bulletin.records import record
from bulletin.render.chart import FONTS, LIGHT, escape
from bulletin.render.chart import _runs as chart_runs
from bulletin.render.chart import _wrap as wrap

WIDTH, HEIGHT = 1200, 630
SIZE = (WIDTH, HEIGHT)  # og:image:width and height state it
MARGIN = 64  # no text nearer the edge than this: some previews round or trim the corners
ACCENT = "#b3261e"  # the site's masthead red (6.6:1 on white)
RULE = "#d9d9de"
PANEL = "#f4f4f6"
BAND = 118  # the title band's height: the publication's name sits in it
FOOT = 566  # the dateline's baseline
TEXT_RIGHT = 676  # the headline's column ends here, the chart's panel starts after a gutter
PANEL_LEFT, PANEL_TOP, PANEL_BOTTOM = 716, 150, 584
HEADLINE_SIZES = (58, 52, 46, 40, 36)  # the largest that fits is taken
LEADING = 1.18  # a line's height, in font sizes
# The chart's light colours: each series' tone passes 4.5:1 on white as text.
INK, MUTED, AXIS, BACKGROUND = (str(LIGHT[role]) for role in ("ink", "muted", "axis", "bg"))
SERIES: tuple[str, ...] = tuple(LIGHT["series"])


# A line may break before each piece: a CJK character with the closing punctuation after it, or a
# run of other characters with the spaces after it.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CLOSING = "，。；：、！？）》」』"
_PIECE = re.compile(f"[{_CJK}][{_CLOSING}]*|[^{_CJK}\\s]+[{_CLOSING}]*\\s*|\\s+")


@record
class CardWords:
    """A card's words in one language; all of it is text, escaped where it is drawn."""

    publication: str  # the config's title
    headline: str
    dateline: str  # the week's dates, as the article's dateline has them
    caption: str  # the chart's title: what it shows
    unit: str  # what the figures count
    names: Mapping[str, str]  # country code -> its label in the chart


def svg(story: Story, words: CardWords, locale: str) -> str:
    """The card as an SVG document, in the light colours (a preview is shown on any background)."""
    font = escape(FONTS.get(locale, FONTS["en"])).replace("'", "&apos;")
    body: list[str] = [f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
                       f'<rect width="{WIDTH}" height="10" fill="{ACCENT}"/>',
                       f'<g font-family="{font}">']
    # The title band: the publication's name, one line, shrunk to fit rather than cut.
    name_size = _fitting(words.publication, WIDTH - 2 * MARGIN, (34, 30, 26, 22), room=34 * LEADING)
    name = _wrap(words.publication, WIDTH - 2 * MARGIN, name_size, bold=True)
    body.append(_text(MARGIN, 76, _ellipsis(name, 1)[0], name_size, ACCENT, bold=True))
    body.append(f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{BAND - 0.5}" y2="{BAND - 0.5}" '
                f'stroke="{RULE}" stroke-width="2"/>')
    # The headline: the largest size at which it fits its column between the band and the dateline.
    column = TEXT_RIGHT - MARGIN
    room = FOOT - 56 - (BAND + 44)
    size = _fitting(words.headline, column, HEADLINE_SIZES, room)
    lines = _ellipsis(_wrap(words.headline, column, size, bold=True),
                      max(1, math.floor(room / (size * LEADING))))
    y = BAND + 44 + size
    for line in lines:
        body.append(_text(MARGIN, y, line, size, INK, bold=True))
        y += size * LEADING
    dateline = _ellipsis(_wrap(words.dateline, column, 30), 1)[0]
    body.append(_text(MARGIN, FOOT, dateline, 30, MUTED))
    body.extend(_panel(story, words))
    body.append("</g>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">' + "".join(body) + "</svg>\n")


def _panel(story: Story, words: CardWords) -> list[str]:
    """The chart, cut down: what it shows, its lines without axes, and the latest figures."""
    left, right, pad = PANEL_LEFT, WIDTH - MARGIN, 24
    inner = right - left - 2 * pad
    out = [f'<rect x="{left}" y="{PANEL_TOP}" width="{right - left}" height="{PANEL_BOTTOM - PANEL_TOP}" '
           f'rx="14" fill="{PANEL}"/>']
    y: float = PANEL_TOP + pad + 26
    for line in _ellipsis(_wrap(words.caption, inner, 26, bold=True), 3):
        out.append(_text(left + pad, y, line, 26, INK, bold=True))
        y += 26 * 1.22
    series = [(code, [tokens / 1e12 for _, tokens, _ in points]) for code, points in story.trend.items()
              if points][:len(SERIES)]
    figures = 34 * len(series) + 28  # a line per country's figure, then the unit
    top, bottom = y - 8, PANEL_BOTTOM - pad - figures - 18
    highest = max((value for _, values in series for value in values), default=0) or 1
    count = max((len(values) for _, values in series), default=0)
    step = inner / max(count - 1, 1)
    if bottom - top > 40 and count:
        out.append(f'<line x1="{left + pad}" x2="{right - pad}" y1="{bottom:.1f}" y2="{bottom:.1f}" '
                   f'stroke="{AXIS}" stroke-width="2"/>')
        for index, (_, values) in enumerate(series):
            colour = SERIES[index]
            offset = count - len(values)
            for run in _runs(values):
                points = " ".join(f"{left + pad + (i + offset) * step:.1f},"
                                  f"{bottom - values[i] / highest * (bottom - top):.1f}" for i in run)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="6" '
                           f'stroke-linejoin="round" stroke-linecap="round"/>')
            if values and values[-1]:
                at = bottom - values[-1] / highest * (bottom - top)
                out.append(f'<circle cx="{right - pad:.1f}" cy="{at:.1f}" r="8" fill="{colour}"/>')
    y = PANEL_BOTTOM - pad - figures + 30
    for index, (code, values) in enumerate(series):
        colour = SERIES[index]
        figure = f"{values[-1]:.2f}" if values and values[-1] else "\u2013"
        out.append(f'<rect x="{left + pad}" y="{y - 20}" width="22" height="22" rx="4" fill="{colour}"/>')
        out.append(_text(left + pad + 34, y, words.names.get(code, code), 28, colour, bold=True))
        out.append(_text(right - pad, y, figure, 28, colour, bold=True, anchor="end"))
        y += 34
    for line in _ellipsis(_wrap(words.unit, inner, 22), 1):
        out.append(_text(left + pad, y - 2, line, 22, MUTED))
    return out


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width``: at spaces, between two CJK characters, and where
    CJK meets Latin ("包揽" | "OpenRouter"), as Chinese typesetting allows, but never before
    closing punctuation."""
    return wrap(text, width, size, bold, pieces=_PIECE.findall)


def _fitting(text: str, width: float, sizes: Sequence[float], room: float, bold: bool = True) -> float:
    """The largest of ``sizes`` at which ``text``, wrapped to ``width``, takes at most ``room`` pixels
    of height; the smallest where none does (the lines that do not fit end in an ellipsis)."""
    for size in sizes:
        if len(_wrap(text, width, size, bold)) * size * LEADING <= room:
            return size
    return sizes[-1]


def _ellipsis(lines: list[str], most: int) -> list[str]:
    """At most ``most`` lines; a text longer than the card can hold ends in an ellipsis, never mid-glyph."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    cut = last.rsplit(" ", 1)[0] if " " in last and len(last) > 12 else last[:-1]
    kept[-1] = cut.rstrip(" ,;:，。") + "\u2026"
    return kept


def _runs(values: list[float]) -> list[list[int]]:
    """Each stretch of two weeks or more with a value: a week the country had no counted model
    breaks its line (too small a drawing to mark a lone week apart from its neighbours')."""
    return [run for run in chart_runs(values) if len(run) > 1]


def _text(x: float, y: float, content: str, size: float, colour: str, bold: bool = False,
          anchor: str = "") -> str:
    attributes = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{colour}"'
    if bold:
        attributes += ' font-weight="700"'
    if anchor:
        attributes += f' text-anchor="{anchor}"'
    return f"<text {attributes}>{escape(content)}</text>"
