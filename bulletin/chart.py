"""The bulletin's chart: weekly volume by country, and this week's top models.

Drawn with matplotlib's Agg and SVG canvases directly (pyplot's global state
is not needed and costs import time); imported only when a chart is drawn.
Labels are Latin-script (country codes, model names, "T" for trillion) so one
chart serves every language; each article's alt text states the numbers in
its own language.
"""

from __future__ import annotations

import io
from typing import Any

from bulletin.model import Artifact, Story

WIDTH, HEIGHT, DPI = 7.2, 3.6, 100  # 720 x 360 pixels, as render.CHART_SIZE says
COLOURS = ("#b3261e", "#1f5fa8")
TOP_MODELS = 5
VERSION = 2  # bump when the drawing changes, so that reruns redraw


def draw(story: Story) -> list[Artifact]:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "bulletin"  # stable ids: a rerun writes the same SVG
    # Text stays text in the SVG: smaller, selectable, and quicker than glyph outlines.
    matplotlib.rcParams["svg.fonttype"] = "none"
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    # Fixed margins: constrained layout would measure every label twice and
    # took half the drawing time.
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    figure.subplots_adjust(left=0.05, right=0.98, bottom=0.09, top=0.9, wspace=0.62)
    by_week, top = figure.subplots(1, 2, width_ratios=(3, 2))
    _weekly(by_week, story)
    _models(top, story)

    svg = io.StringIO()
    FigureCanvasSVG(figure).print_svg(svg, metadata={"Date": None})
    png = io.BytesIO()
    FigureCanvasAgg(figure).print_png(png, metadata={"Software": None})
    return [Artifact("chart-svg", "chart.svg", "image/svg+xml", svg.getvalue()),
            Artifact("chart-png", "chart.png", "image/png", png.getvalue())]


def _weekly(axes: Any, story: Story) -> None:
    for colour, (code, points) in zip(COLOURS, story.trend.items(), strict=False):
        weeks = [week.split("-")[1] for week, *_ in points]
        axes.plot(weeks, [tokens / 1e12 for _, tokens, _ in points], marker="o", color=colour,
                  label=code, linewidth=2)
    axes.set_title("Weekly tokens by country (T)", fontsize=10, loc="left")
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False, fontsize=9)
    _tidy(axes)


def _models(axes: Any, story: Story) -> None:
    rows = story.stats.top(TOP_MODELS)[::-1]
    colour = {code: c for code, c in zip(story.trend, COLOURS, strict=False)}
    axes.barh([row.name for row in rows], [row.tokens / 1e12 for row in rows],
              color=[colour.get(row.country or "", "#8a8a8f") for row in rows])
    axes.set_title(f"Top models, {str(story.week).split('-')[1]} (T)", fontsize=10, loc="left")
    axes.tick_params(axis="y", labelsize=8)
    _tidy(axes)


def _tidy(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=8)
