"""The chart as a newsroom prints it: a title stating the finding, a subtitle with the basis
and unit, direct labels, light gridlines, a source line; in each language, for phones and
dark pages too, with a sharp PNG."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bulletin.errors import RenderError
from bulletin.render import raster
from bulletin.render.chart import EMAIL, NARROW, PNG_ZOOM, WIDE, finding, size_of

SVG = "{http://www.w3.org/2000/svg}"


def _texts(path: Path) -> list[str]:
    svg = ET.parse(path).getroot()  # well-formed XML
    return ["".join(node.itertext()) for node in svg.iter(f"{SVG}text")]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG")
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def chinese_project(project: Path) -> Path:
    config = project / "config.yaml"
    # An attribution is text from outside: what looks like markup in it must stay text.
    config.write_text(config.read_text(encoding="utf-8").replace(
        "attribution: OpenRouter (openrouter.ai/rankings)", "attribution: OpenRouter <b>rankings</b> & co")
        .replace("attribution_zh: OpenRouter排行榜（openrouter.ai/rankings）",
                 "attribution_zh: OpenRouter <b>排行榜</b> & co")
        + "\nlocales: [en, zh]\n", encoding="utf-8")
    return project


def test_the_chart_states_its_finding_labels_its_lines_and_names_its_source(chinese_project: Path,
                                                                           bulletin) -> None:
    assert bulletin("collect").code == 0
    assert bulletin("render", "--week", "2026-W11").code == 0
    folder = chinese_project / "output" / "bulletins" / "2026-W11"
    english = _texts(folder / "chart.svg")
    # W10 and W11 have China ahead, W09 the United States.
    assert english[0] + " " + english[1] == "China's models ahead of the United States for a second week"
    assert "Weekly tokens on OpenRouter, trillions, counting the week's top nine models" in english
    assert "Source: OpenRouter <b>rankings</b> & co · CC\u00a0BY\u00a04.0" in english
    assert not list(ET.parse(folder / "chart.svg").getroot().iter(f"{SVG}b"))
    # Direct labels at the lines' ends, with the latest values; no legend of codes.
    assert {"China", "4.69", "US", "3.29"} <= set(english) and "CN" not in english
    assert ["Feb 15", "Feb 22", "Mar 1", "Mar 8", "Mar 15"] == [t for t in english if t[:3] in ("Feb", "Mar")]
    chinese = _texts(folder / "chart.zh.svg")
    assert chinese[0] == "中国模型连续两周领先美国"
    assert {"中国", "美国", "3月15日"} <= set(chinese)
    assert any(text.startswith("来源：OpenRouter <b>排行榜</b> & co") for text in chinese)
    for name in ("chart.svg", "chart.zh.svg", "chart-narrow.svg", "chart-narrow.zh.svg"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "stroke-dasharray" not in text  # solid, light gridlines
        assert "@media (prefers-color-scheme: dark)" in text  # the page's scheme, not a white card
    assert size_of((folder / "chart-narrow.svg").read_text())[0] == NARROW.width
    for name, svg in (("chart.png", "chart.svg"), ("chart.zh.png", "chart.zh.svg")):
        assert size_of((folder / svg).read_text())[0] == WIDE.width
        # The PNG is laid out for the email's column, at twice its size.
        assert _png_size(folder / name)[0] == EMAIL.width * PNG_ZOOM


def test_the_article_in_each_language_shows_its_own_chart(chinese_project: Path, bulletin) -> None:
    assert bulletin("collect").code == 0
    assert bulletin("render", "--week", "2026-W11").code == 0
    folder = chinese_project / "output" / "bulletins" / "2026-W11"
    assert "](chart.svg)" in (folder / "bulletin.md").read_text()
    zh = (folder / "bulletin.zh.md").read_text()
    assert "](chart.zh.svg)" in zh and "图表：中国模型连续两周领先美国。" in zh
    # The email shows its own PNG at the size it was drawn for (twice that in pixels).
    for suffix in ("", ".zh"):
        width, height = (size // PNG_ZOOM for size in _png_size(folder / f"chart{suffix}.png"))
        assert width == EMAIL.width
        email = (folder / f"email{suffix}.html").read_text()
        # Without a site to link it from, the mailer attaches each language's PNG.
        assert f'width="{width}" height="{height}" src="chart{suffix}.png"' in email


class _Stats:
    source = "s"


class _Story:
    def __init__(self, **trend: list[int]) -> None:
        self.trend = {code: tuple((f"2026-W{i + 1:02d}", tokens, ()) for i, tokens in enumerate(points))
                      for code, points in trend.items()}


@pytest.mark.parametrize(("cn", "us", "leader", "weeks", "overtook", "every"), [
    ([5, 3, 3, 6], [4, 4, 4, 4], "CN", 1, True, False),
    ([5, 3, 6, 6], [4, 4, 4, 4], "CN", 2, False, False),
    ([5, 5, 6, 6], [4, 4, 4, 4], "CN", 4, False, True),
    ([1, 2, 3, 4], [5, 5, 5, 5], "US", 4, False, True),
    ([6], [4], "CN", 1, False, False),
])
def test_the_finding_counts_the_weeks_ahead_up_to_the_latest(cn, us, leader, weeks, overtook, every) -> None:
    found = finding(_Story(CN=cn, US=us))  # type: ignore[arg-type]
    assert (found.leader, found.weeks, found.overtook, found.every_week) == (leader, weeks, overtook, every)


def test_a_tie_and_a_single_country_are_findings_too() -> None:
    assert finding(_Story(CN=[3, 4], US=[5, 4])).tied  # type: ignore[arg-type]
    alone = finding(_Story(CN=[3, 4]))  # type: ignore[arg-type]
    assert (alone.leader, alone.other) == ("CN", "")


def test_a_png_resvg_cannot_draw_is_an_error_naming_it() -> None:
    with pytest.raises(RenderError, match=r"^chart\.png: resvg could not draw it \(.+\)$"):
        raster.start("chart.png", "<svg", 2, []).result()
    drawn = raster.start("chart.png", '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>', 2, [])
    assert drawn.process is not None  # drawn beside the run, in a process of its own
    assert struct.unpack(">II", drawn.result()[16:24]) == (8, 4)


def test_the_chinese_png_is_drawn_with_a_face_that_has_the_characters() -> None:
    from xml.sax.saxutils import quoteattr

    from bulletin.render import fonts as faces
    from bulletin.render.chart import FONTS

    if faces.missing("zh"):
        pytest.skip("no Chinese face for the PNG (run .ci/setup.d/63-chart-fonts.sh)")

    def drawn(text: str) -> bytes:
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="16" '
               f'font-size="16" font-family={quoteattr(FONTS["zh"])}>{text}</text></svg>')
        return raster.start("chart.zh.png", svg, 1, [str(face) for face in faces.faces("zh")]).result()

    # Two characters drawn alike would be a missing glyph's box, or nothing.
    assert drawn("中国") != drawn("美国") != drawn("")


def test_a_country_with_fewer_weeks_ends_on_the_latest_one_and_one_country_alone_is_drawn() -> None:
    from bulletin.render.chart import Words, draw

    words = Words("Title", "Subtitle", "Source: s", {"CN": "China", "US": "US"}, ["W1", "W2", "W3"])
    story = _Story(CN=[3_000_000_000_000, 4_000_000_000_000, 5_000_000_000_000], US=[2_000_000_000_000])
    drawn = draw(story, {"en": words})  # type: ignore[arg-type]
    svg = next(a.content for a in drawn.svgs if a.filename == "chart.svg")
    assert isinstance(svg, str)
    root = ET.fromstring(svg)
    ends = [float(c.get("cx", "")) for c in root.iter(f"{SVG}circle")]
    assert len(ends) == 2 and ends[0] == ends[1]  # both lines end on the latest week
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"China", "5.00", "US", "2.00", "W1", "W3"} <= texts
    assert drawn.artifacts()[-1].content[:4] == b"\x89PNG"
    alone = draw(_Story(CN=[1_000_000_000_000]), {"en": words})  # type: ignore[arg-type]
    assert len(alone.artifacts()) == 4  # the wide, narrow and dark SVGs and the PNG


def test_a_week_outside_the_counted_list_breaks_the_line_instead_of_dropping_it_to_zero() -> None:
    from bulletin.render.chart import Words, draw

    words = Words("Title", "Subtitle", "Source: s", {"CN": "China", "US": "US"}, ["W1", "W2", "W3", "W4"])
    story = _Story(CN=[2_000_000_000_000, 0, 1_000_000_000_000, 0], US=[3_000_000_000_000] * 4)
    drawn = draw(story, {"en": words})  # type: ignore[arg-type]
    svg = next(a.content for a in drawn.svgs if a.filename == "chart.svg")
    assert isinstance(svg, str)
    root = ET.fromstring(svg)
    china = [line.get("points", "") for line in root.iter(f"{SVG}polyline") if line.get("class") == "s0"]
    assert len(china) == 2 and all(len(points.split()) == 1 for points in china)
    bottoms = {round(float(c.get("cy", ""))) for c in root.iter(f"{SVG}circle") if c.get("class") == "f0"}
    assert len(bottoms) == 2  # each lone week is a dot, and no dot sits on the axis for the latest week
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"China", "\u2013", "US", "3.00"} <= texts and "0.00" not in texts
    drawn.cancel()


def test_a_drawing_given_up_leaves_no_process_behind() -> None:
    drawing = raster.start("chart.png", '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"/>',
                           4, [])
    assert drawing.process is not None
    drawing.cancel()
    assert drawing.process.returncode is not None  # ended and reaped
