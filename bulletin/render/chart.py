"""The bulletin's chart: weekly tokens of the lead countries, as a newsroom prints it.

A title that states the finding, a subtitle with the basis and unit in words,
light gridlines, lines labelled where they end (no legend), a source line.
Each language gets its own chart, drawn here as SVG by hand: the picture is a
few lines and labels, and a charting library's import cost more than the rest
of the drawing. Each language's chart comes in two layouts, wide for screens
and email and narrow for phones, whose type is as large on a 390-pixel screen
as on a desktop. The SVGs follow the reader's colour scheme (a media query in
the SVG, which browsers evaluate in an <img>); the PNG (email, feeds, social
cards) is a third layout, drawn for the email's column with larger type (EMAIL),
in light colours at twice its size, turned into pixels by resvg.

The words come from templates/chart.txt.j2 (templates/zh/ for Chinese),
rendered by the caller; this module lays them out and computes the finding.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bulletin.model import Artifact, Story
from bulletin.records import record
from bulletin.render import fonts, rendered
from bulletin.render.raster import Batch, Pending, later, start

log = logging.getLogger("bulletin")

CHART_SIZE = (600, 390)  # about the wide chart's size, for a chart whose drawing does not say
VERSION = 9  # bump when the drawing changes, so that reruns redraw
PNG_ZOOM = 2  # the PNG at twice the wide chart's size: sharp on high-density screens
# Okabe and Ito's palette, told apart by readers with any common colour-vision
# deficiency; the light scheme's darker tones pass 4.5:1 on white as text, the
# dark scheme's lighter ones on the site's dark background.
LIGHT = {"bg": "#ffffff", "ink": "#1d1d1f", "muted": "#5f6368", "grid": "#e4e4e8", "axis": "#8a8a8f",
         "series": ("#b34a00", "#0061a0", "#6b5a00", "#8a3c74")}
DARK = {"bg": "#151518", "ink": "#ececf0", "muted": "#a9a9b1", "grid": "#33333a", "axis": "#77777f",
        "series": ("#f0a050", "#6cc0f0", "#e0d060", "#e08cc8")}
LATIN = "'DejaVu Sans', Arial"  # faces for the digits and Latin names where a CJK face lacks them
FONTS = {"en": f"system-ui, -apple-system, 'Segoe UI', Roboto, {LATIN}, sans-serif",
         "zh": "'PingFang SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', "
               f"'WenQuanYi Zen Hei', {LATIN}, sans-serif"}


@record
class Layout:
    width: int
    pad: int
    title: float  # font sizes, in pixels of the drawing
    text: float
    small: float
    plot_height: int


WIDE = Layout(600, 16, 19, 14, 12, 220)  # about the site's column; feeds and social cards
NARROW = Layout(350, 10, 17, 13, 12, 200)  # a 390-pixel phone's column: shown at its own size
# The email's chart: a mail client shows one image at every width and ignores
# the media queries that pick the site's narrow chart, so the one image has type
# large enough to stay readable (11 px and more) scaled down to a 390-pixel
# phone's column (343 pixels with a scroll bar), and the body text's size at full width.
EMAIL = Layout(500, 12, 22, 17.5, 16.5, 220)


@record
class Words:
    """A chart's words in one language, as its template rendered them."""

    title: str
    subtitle: str
    source: str
    names: Mapping[str, str]  # country code -> its label
    weeks: Sequence[str]  # the x axis: each week's label, oldest first


@record
class Finding:
    """What the chart shows, said in its title."""

    leader: str  # the country ahead in the latest week ("" without two countries)
    other: str  # the country it is ahead of
    weeks: int  # how many weeks running, up to the latest, it has been ahead
    shown: int  # how many weeks the chart shows
    overtook: bool  # the other one was ahead the week before
    tied: bool = False

    @property
    def every_week(self) -> bool:
        return self.shown > 1 and self.weeks == self.shown


@dataclass
class Drawn:
    """A week's chart files, and the size of each language's wide drawing (the email states it).

    The PNGs may still be being drawn in another process: ``artifacts()`` waits for them.
    """

    svgs: list[Artifact]
    pngs: dict[str, bytes | Pending]  # file name -> the PNG, or the drawing of it
    keys: dict[str, str]  # PNG file name -> the content hash of the SVG it was drawn from
    sizes: dict[str, tuple[int, int]]  # locale -> the wide chart's width and height
    email_sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # locale -> the PNG's, halved
    folder: Path | None = None  # where an earlier run's PNGs lie, to be reused when unchanged
    previous: dict[str, str] = field(default_factory=dict)  # their keys, as bulletin.json lists them
    tried: list[str] = field(default_factory=list)  # every PNG asked for, drawn or not
    told: set[str] = field(default_factory=set)  # the languages whose missing faces were reported
    words: Mapping[str, Words] = field(default_factory=dict)  # each language's, for the social card
    batch: Batch | None = None  # draws its PNGs with other charts' (a week's editions)

    def size(self, locale: str) -> tuple[int, int]:
        return self.sizes.get(locale, CHART_SIZE)

    def email_size(self, locale: str) -> tuple[int, int]:
        """The PNG's size as the email shows it (it has twice as many pixels)."""
        return self.email_sizes.get(self.png_locale(locale), (EMAIL.width, round(EMAIL.width * 0.75)))

    def png_locale(self, locale: str) -> str:
        """Whose PNG ``locale``'s email and cards show: its own, or the default language's where its
        own was not drawn (no face for its script)."""
        return locale if rendered.chart_name(locale, png=True) in self.pngs else rendered.DEFAULT_LOCALE

    def draw_png(self, name: str, svg: str, locale: str, zoom: float = PNG_ZOOM, here: bool = False) -> bool:
        """Start drawing ``svg`` as the PNG ``name`` (or reuse the one an earlier run drew from it),
        in a process of its own, or with ``here`` in this one once the others are under way;
        False, and a warning, where ``locale``'s script has no face here: never a PNG without words."""
        self.tried.append(name)
        problem = fonts.missing(locale)
        if problem:
            if locale not in self.told:  # one line for one cause: the chart's, not the card's too
                log.warning("%s not drawn: %s", name, problem)
                self.told.add(locale)
            return False
        faces = fonts.faces(locale)
        # Keyed by the faces too: a face installed or updated since draws it again.
        key = hashlib.sha256(f"{VERSION}{zoom}{svg}{fonts.key(faces)}".encode()).hexdigest()[:16]
        self.keys[name] = key
        png = _reused(self.folder, name) if self.previous.get(name) == key else None
        draw = later if here else self.batch.add if self.batch else start
        self.pngs[name] = png if png is not None else draw(name, svg, zoom, [str(face) for face in faces])
        return True

    @property
    def left_out(self) -> tuple[str, ...]:
        """The PNGs not drawn this time: one an earlier run left must not be shown in their place."""
        return tuple(name for name in self.tried if name not in self.pngs)

    def cancel(self) -> None:
        for png in self.pngs.values():
            if not isinstance(png, bytes):
                png.cancel()

    def artifacts(self) -> list[Artifact]:
        # Those drawn here first: this process has nothing else to do while the others draw theirs.
        done = {name: png.result() for name, png in self.pngs.items()
                if isinstance(png, Pending) and png.process is None and png.batch is None}
        pngs = [Artifact("chart-png", name, png if isinstance(png, bytes) else done.get(name) or png.result())
                for name, png in self.pngs.items()]
        return [*self.svgs, *pngs]


def finding(story: Story) -> Finding:
    series = [(code, [tokens for _, tokens, _ in points]) for code, points in story.trend.items() if points]
    if len(series) < 2:
        return Finding(series[0][0] if series else "", "", 0, len(series[0][1]) if series else 0, False)
    (a, first), (b, second) = series[:2]
    shown = min(len(first), len(second))
    first, second = first[-shown:], second[-shown:]
    if first[-1] == second[-1]:
        return Finding(a, b, 0, shown, False, tied=True)
    leader, other = (a, b) if first[-1] > second[-1] else (b, a)
    ahead = [x > y if leader == a else y > x for x, y in zip(first, second, strict=True)]
    weeks = next((i for i, was in enumerate(reversed(ahead)) if not was), len(ahead))
    overtook = weeks == 1 and shown > 1 and first[-2] != second[-2]
    return Finding(leader, other, weeks, shown, overtook)


def axis_ticks(highest: float, most: int = 7) -> list[float]:
    """Round ticks from 0 past ``highest``: steps of 1, 2 or 5 times a power of ten, at most ``most``."""
    if highest <= 0:
        return [0, 1]
    magnitude = 10 ** math.floor(math.log10(highest / (most - 1)))
    step = 10 * magnitude
    for factor in (1, 2, 5):
        if math.ceil(highest / (factor * magnitude)) <= most - 1:
            step = factor * magnitude
            break
    return [round(i * step, 12) for i in range(math.ceil(highest / step) + 1)]


def draw(story: Story, words: Mapping[str, Words], folder: Path | None = None, batch: Batch | None = None
         ) -> Drawn:
    """Every language's chart (two SVG layouts, the email's PNG and its dark SVG); an unchanged PNG
    in ``folder`` is reused."""
    drawn = Drawn([], {}, {}, {}, folder=folder, previous=_previous_keys(folder), words=words, batch=batch)
    for locale, said in words.items():
        wide = _svg(story, said, WIDE, locale)
        drawn.svgs.append(Artifact("chart-svg", rendered.chart_name(locale), wide.text(dark=True)))
        drawn.svgs.append(Artifact("chart-svg", rendered.chart_name(locale, narrow=True),
                                   _svg(story, said, NARROW, locale).text(dark=True)))
        drawn.sizes[locale] = (wide.width, wide.height)
        # One PNG, laid out for the email's column: the email and feed readers show it
        # scaled down on a phone.
        email = _svg(story, said, EMAIL, locale)
        if drawn.draw_png(rendered.chart_name(locale, png=True), email.text(dark=False), locale):
            drawn.email_sizes[locale] = (email.width, email.height)
            # The email's chart in a mail client set to dark: the same layout in the dark colours,
            # an SVG (the clients that pick it by the reader's scheme show SVG), so no second PNG.
            drawn.svgs.append(Artifact("chart-svg", rendered.chart_name(locale, dark=True),
                                       email.text(dark=True, only=True)))
    return drawn


def size_of(svg: str) -> tuple[int, int]:
    """The drawing's width and height, as its root element states them."""
    import re

    found = re.search(r'<svg\b[^>]*?\bwidth="(\d+)" height="(\d+)"', svg)
    return (int(found[1]), int(found[2])) if found else CHART_SIZE


def _previous_keys(folder: Path | None) -> dict[str, str]:
    if folder is None:
        return {}
    try:
        keys = json.loads((folder / rendered.DATA).read_text(encoding="utf-8")).get("chart", {}).get("key")
    except (OSError, ValueError, AttributeError):
        return {}
    return keys if isinstance(keys, dict) else {}


def _reused(folder: Path | None, name: str) -> bytes | None:
    """The PNG a run drew from the very same SVG: drawing it costs more than the rest of rendering."""
    try:
        return (folder / name).read_bytes() if folder is not None else None
    except OSError:
        return None


@dataclass
class _Picture:
    width: int
    height: int
    body: list[str]

    def text(self, dark: bool, only: bool = False) -> str:
        """The SVG document; ``dark`` adds the dark scheme's colours, which a browser picks by itself,
        and with ``only`` takes them whatever the scheme."""
        rules = "".join(f".{name}{{fill:{DARK[name]}}}" for name in ("bg", "ink", "muted"))
        rules += f".grid{{stroke:{DARK['grid']}}}.axis{{stroke:{DARK['axis']}}}"
        rules += "".join(f".s{i}{{stroke:{c}}}.f{i}{{fill:{c}}}" for i, c in enumerate(DARK["series"]))
        style = ("" if not dark else f"<style>{rules}</style>" if only
                 else f"<style>@media (prefers-color-scheme: dark){{{rules}}}</style>")
        return (f'<?xml version="1.0" encoding="utf-8"?>\n'
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}">{style}'
                f'<rect class="bg" width="{self.width}" height="{self.height}" fill="{LIGHT["bg"]}"/>'
                + "".join(self.body) + "</svg>\n")


def _svg(story: Story, words: Words, layout: Layout, locale: str) -> _Picture:
    font = escape(FONTS.get(locale, FONTS["en"])).replace("'", "&apos;")
    pad, width = layout.pad, layout.width
    body: list[str] = [f'<g font-family="{font}">']
    y = pad + layout.title
    for line in _wrap(words.title, width - 2 * pad, layout.title, bold=True):
        body.append(_text(pad, y, line, layout.title, "ink", weight="700"))
        y += layout.title * 1.25
    y += 2 - layout.title * 1.25 + layout.text * 1.3
    for line in _wrap(words.subtitle, width - 2 * pad, layout.text):
        body.append(_text(pad, y, line, layout.text, "muted"))
        y += layout.text * 1.35
    top = y + layout.small * 0.6  # room for the top tick's label, centred on its gridline

    series = [(code, [tokens / 1e12 for _, tokens, _ in points]) for code, points in story.trend.items()]
    highest = max((value for _, values in series for value in values), default=0)
    ticks = axis_ticks(highest, most=6)
    labels = [_number(tick) for tick in ticks]
    left = pad + max(_width(label, layout.small) for label in labels) + 6
    # A dash where the latest week has no model of the country in the counted list.
    end_labels = [(words.names.get(code, code), _latest(values)) for code, values in series]
    label_width = max((max(_width(name, layout.small, True), _width(value, layout.small, True))
                       for name, value in end_labels), default=0)
    right = width - pad - label_width - 10
    bottom = top + layout.plot_height
    scale = (bottom - top) / (ticks[-1] or 1)
    for tick, label in zip(ticks, labels, strict=True):
        at = bottom - tick * scale
        body.append(f'<line class="{"axis" if tick == 0 else "grid"}" x1="{left:.1f}" x2="{width - pad}" '
                    f'y1="{at:.1f}" y2="{at:.1f}" stroke="{LIGHT["axis" if tick == 0 else "grid"]}" '
                    f'stroke-width="1"/>')
        body.append(_text(left - 6, at + layout.small * 0.35, label, layout.small, "muted", anchor="end"))

    count = max((len(values) for _, values in series), default=0)
    step_x = (right - left - 8) / max(count - 1, 1)
    x_of = [left + 8 + i * step_x for i in range(count)]
    week_labels = list(words.weeks)[-count:] if count else []
    widest = max((_width(label, layout.small) for label in week_labels), default=0)
    every = max(1, math.ceil((widest + 10) / step_x)) if count > 1 else 1
    for index, label in enumerate(week_labels):
        # The latest week always has its label; the others as many as fit, counted back from it.
        if (count - 1 - index) % every:
            continue
        # Centred on its week, but never past the drawing's left edge.
        at = max(x_of[index], pad + _width(label, layout.small) / 2)
        body.append(_text(at, bottom + layout.small + 6, label, layout.small, "muted", anchor="middle"))

    ends: list[tuple[float, int]] = []
    for index, (_, values) in enumerate(series):
        colour = LIGHT["series"][index % len(LIGHT["series"])]
        for run in _runs(values):
            points = " ".join(f"{x_of[i + count - len(values)]:.1f},{bottom - values[i] * scale:.1f}"
                              for i in run)
            body.append(f'<polyline class="s{index}" points="{points}" fill="none" stroke="{colour}" '
                        f'stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/>')
            if len(run) == 1 and run[0] != len(values) - 1:  # a lone week: a line of one point draws nothing
                x, y = x_of[run[0] + count - len(values)], bottom - values[run[0]] * scale
                body.append(f'<circle class="f{index}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        if values:
            last_y = bottom - values[-1] * scale
            if values[-1]:
                body.append(f'<circle class="f{index}" cx="{x_of[-1]:.1f}" cy="{last_y:.1f}" r="4.5" '
                            f'fill="{colour}"/>')
            ends.append((last_y, index))
    # Direct labels beside each line's end, moved apart where two would overlap.
    leading = layout.small * 1.2
    placed = _spread(sorted(ends), 2 * leading + 2, top, bottom)
    for (_, index), at in zip(sorted(ends), placed, strict=True):
        name, value = end_labels[index]
        x = x_of[-1] + 10
        body.append(_text(x, at - 2, name, layout.small, f"f{index}", weight="700",
                          fill=LIGHT["series"][index % len(LIGHT["series"])]))
        body.append(_text(x, at - 2 + leading, value, layout.small, f"f{index}", weight="700",
                          fill=LIGHT["series"][index % len(LIGHT["series"])]))

    y = bottom + layout.small * 2 + 16
    for source_line in _wrap(words.source, width - 2 * pad, layout.small):
        body.append(_text(pad, y, source_line, layout.small, "muted"))
        y += layout.small * 1.35
    body.append("</g>")
    return _Picture(width, math.ceil(y - layout.small * 1.35 + pad), body)


def escape(text: str) -> str:
    """Text for SVG: &, < and > escaped; html.escape, since xml.sax costs a run 10 ms to import."""
    return html.escape(text, quote=False)


def _latest(values: list[float]) -> str:
    return "" if not values else f"{values[-1]:.2f}" if values[-1] else "\u2013"


def _runs(values: list[float]) -> list[list[int]]:
    """The indexes of each stretch of weeks with a value.

    A week at 0 is one where the country had no model in the counted list, not
    one without use: the line breaks there instead of dropping to the axis.
    """
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value:
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _spread(ends: list[tuple[float, int]], gap: float, top: float, bottom: float) -> list[float]:
    """Each label's y (the middle of its two lines), at its line's end unless that overlaps the one above."""
    placed: list[float] = []
    for wanted, _ in ends:
        at = max(wanted, placed[-1] + gap) if placed else max(wanted, top + gap / 2)
        placed.append(at)
    overflow = placed[-1] - (bottom + gap / 4) if placed else 0
    if overflow > 0:  # pushed below the plot: move them all up together
        placed = [at - overflow for at in placed]
    return [at - gap / 4 for at in placed]


def _text(x: float, y: float, content: str, size: float, role: str, weight: str = "",
          anchor: str = "", fill: str = "") -> str:
    colour = fill or str(LIGHT.get(role, LIGHT["ink"]))
    attributes = f'x="{x:.1f}" y="{y:.1f}" font-size="{size:g}"'
    if weight:
        attributes += f' font-weight="{weight}"'
    if anchor:
        attributes += f' text-anchor="{anchor}"'
    return f'<text class="{role}" {attributes} fill="{colour}">{escape(content)}</text>'


def _width(text: str, size: float, bold: bool = False) -> float:
    """A line's width, estimated from its characters: near enough to wrap and to keep labels apart."""
    return _units(text) * size * (1.1 if bold else 1.0)


def _units(text: str, total: float = 0.0) -> float:
    """``total`` plus the widths of ``text``'s characters, in ems, added left to right."""
    for char in text:
        if ord(char) >= 0x2E80:
            total += 1.0  # CJK characters are square
        elif char in "il.,:;'|!()[] ":
            total += 0.32
        elif char.isupper() or char in "mwMW%":
            total += 0.72
        else:
            total += 0.6  # DejaVu Sans, the widest face a reader is likely to have
    return total


def _wrap(text: str, width: float, size: float, bold: bool = False,
          pieces: Callable[[str], list[str]] | None = None) -> list[str]:
    """``text`` in lines no wider than ``width``: at spaces, or between any two CJK characters
    (``pieces``: where else a line may break, as the card has it)."""
    lines: list[str] = []
    current = ""
    units = 0.0  # the current line's width so far: each piece's characters added, not the line again
    scale = size * (1.1 if bold else 1.0)
    for piece in (pieces or _pieces)(text):
        candidate = current + piece
        # The candidate's width less trailing spaces; a piece of spaces only takes the line's own.
        wide = (_units(piece.rstrip(), units) if piece.strip() else _units(candidate.rstrip())) * scale
        if current.strip() and wide > width:
            lines.append(current.rstrip())
            current = piece.lstrip()
            units = _units(current)
        else:
            current = candidate
            units = _units(piece, units)
    if current.strip():
        lines.append(current.rstrip())
    return lines or [""]


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    word = ""
    for char in text:
        if ord(char) >= 0x2E80 and char not in "，。；：、）》」":
            if word:
                pieces.append(word)
            word = char
        else:
            word += char
            if char == " ":
                pieces.append(word)
                word = ""
    if word:
        pieces.append(word)
    return pieces


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"
