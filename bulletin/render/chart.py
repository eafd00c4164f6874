"""The bulletin's chart: weekly volume by country, and this week's top models.

Drawn with pygal (SVG) and turned into PNG by resvg, both imported only when
a chart is drawn. Together they take well under a tenth of a second, where
matplotlib's import alone took longer than the rest of a weekly run. Labels
are Latin-script (country codes, model names, "T" for trillion) so one chart
serves every language; each article's alt text states the numbers in its own
language.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from bulletin.model import Artifact, Story
from bulletin.render.edition import CHART_PNG, CHART_SVG

WIDTH, HEIGHT = 720, 360  # pixels, as render.CHART_SIZE says
BY_WEEK_WIDTH = 430  # the rest is the top-models panel
COLOURS = ("#b3261e", "#1f5fa8")
OTHER = "#8a8a8f"
TOP_MODELS = 5
VERSION = 7  # bump when the drawing changes, so that reruns redraw
# The PNG (email, feeds, social cards) at 1.5 times the SVG: 1080 px, sharp where the email shows
# it 600 px wide (1.8 device pixels per CSS pixel). Twice the size cost a first run 40 ms more
# (resvg holds the GIL), which put it past 3x the import floor of benchmarks/bench_run.py.
PNG_ZOOM = 1.5
GRID = "#e4e4e8"  # gridlines a reader sees without noticing
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
FONT_FILES = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian's fonts-dejavu-core
              Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),  # Arch, Fedora
              Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"))


def draw(story: Story) -> list[Artifact]:
    import resvg_py

    by_week = _weekly(story)
    top = _models(story)
    svg = (f'<?xml version="1.0" encoding="utf-8"?>\n'
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}">'
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
           f'{_placed(by_week, "by-week", 0, BY_WEEK_WIDTH)}'
           f'{_placed(top, "top-models", BY_WEEK_WIDTH, WIDTH - BY_WEEK_WIDTH)}{_source(story)}</svg>\n')
    fonts = [str(path) for path in FONT_FILES if path.is_file()]
    # With the chart's one face at hand, resvg need not index every system font
    # (a fifth of the drawing's time); without it, it looks for one as before.
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=PNG_ZOOM, skip_system_fonts=bool(fonts),
                                      font_files=fonts or None))
    return [Artifact("chart-svg", CHART_SVG, svg),
            Artifact("chart-png", CHART_PNG, png)]


def _style(colours: tuple[str, ...]) -> object:
    from pygal.style import Style

    # Solid light gridlines, not pygal's dashed dark ones; type large enough to
    # read when the 720-pixel chart is shown 360 pixels wide on a phone.
    return Style(background="#ffffff", plot_background="#ffffff", foreground="#444448",
                 foreground_strong="#1d1d1f", foreground_subtle=GRID, colors=colours,
                 guide_stroke_color=GRID, major_guide_stroke_color=GRID, stroke_width="3",
                 guide_stroke_dasharray="0", major_guide_stroke_dasharray="0",
                 font_family=FONT, title_font_size=15, label_font_size=12,
                 major_label_font_size=12, legend_font_size=13, value_font_size=12)


def _weekly(story: Story) -> str:
    import pygal

    chart = pygal.Line(width=BY_WEEK_WIDTH, height=HEIGHT, style=_style(COLOURS), js=[],
                       legend_at_bottom=True, legend_at_bottom_columns=2,
                       stroke_style={"width": 3}, dots_size=4, include_x_axis=True, margin=12,
                       disable_xml_declaration=True, value_formatter="{:g}".format)
    chart.title = "Weekly tokens by country, trillions"
    points = list(story.trend.values())
    chart.x_labels = [week.split("-")[1] for week, *_ in points[0]] if points else []
    highest = max((tokens for series in points for _, tokens, _ in series), default=0) / 1e12
    chart.y_labels = axis_ticks(highest)
    for code, series in story.trend.items():
        chart.add(code, [tokens / 1e12 for _, tokens, _ in series])
    return str(chart.render(is_unicode=True))


def _models(story: Story) -> str:
    import pygal

    rows = list(reversed(story.stats.top(TOP_MODELS)))  # pygal draws the first bar lowest
    colour = {code: c for code, c in zip(story.trend, COLOURS, strict=False)}
    chart = pygal.HorizontalBar(width=WIDTH - BY_WEEK_WIDTH, height=HEIGHT, js=[],
                                style=_style((OTHER,)), show_legend=False, print_values=True,
                                show_x_labels=False, show_x_guides=False, show_y_guides=False,
                                margin=12, disable_xml_declaration=True,
                                value_formatter=_trillions)
    chart.title = f"Top models, {str(story.week).split('-')[1]}, trillions"
    chart.x_labels = [row.name for row in rows]
    # One series whose bars each take their country's colour.
    chart.add("tokens", [{"value": row.tokens / 1e12, "color": colour.get(row.country or "", OTHER)}
                         for row in rows])
    return str(chart.render(is_unicode=True))


def _source(story: Story) -> str:
    """The source line under the chart, as a newsroom prints it: the data's attribution and licence.

    The attribution is text from the config, escaped, never markup.
    """
    from xml.sax.saxutils import escape

    credit = next((c for c in story.credits if c.name == story.stats.source), None)
    if credit is None:
        return ""
    line = f"Source: {credit.attribution}" + (f" · {credit.licence}" if credit.licence else "")
    return (f'<text x="{WIDTH - 12}" y="{HEIGHT - 8}" text-anchor="end" font-family="{FONT}" '
            f'font-size="11" fill="#5f6368">{escape(line)}</text>')


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


def _trillions(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _placed(svg: str, name: str, x: int, width: int) -> str:
    """A library-drawn chart as one panel of the picture, with a stable id.

    pygal names each chart with a random UUID; a fixed name makes a rerun
    write the same bytes.
    """
    found = re.search(r'id="chart-([0-9a-f-]{36})"', svg)
    if found:
        svg = svg.replace(found.group(1), name)
    return svg.replace("<svg ", f'<svg x="{x}" y="0" width="{width}" height="{HEIGHT}" ', 1)
