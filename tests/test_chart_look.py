"""The chart as a newsroom prints it: a source line, light solid gridlines, a sharp PNG."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from bulletin.render.chart import HEIGHT, PNG_ZOOM, WIDTH


def test_the_chart_names_its_source_as_text_and_its_png_is_twice_the_size(project: Path, bulletin) -> None:
    config = project / "config.yaml"
    # An attribution is text from outside: what looks like markup in it must stay text.
    config.write_text(config.read_text(encoding="utf-8").replace(
        "attribution: OpenRouter (openrouter.ai/rankings)", "attribution: OpenRouter <b>rankings</b> & co"),
        encoding="utf-8")
    assert bulletin("collect").code == 0
    assert bulletin("render", "--week", "2026-W11").code == 0
    folder = project / "output" / "bulletins" / "2026-W11"
    svg = ET.parse(folder / "chart.svg").getroot()  # still well-formed XML
    texts = ["".join(node.itertext()) for node in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Source: OpenRouter <b>rankings</b> & co · CC BY 4.0" in texts
    assert not list(svg.iter("{http://www.w3.org/2000/svg}b"))
    assert "stroke-dasharray:0" in (folder / "chart.svg").read_text().replace(" ", "")
    png = (folder / "chart.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (WIDTH * PNG_ZOOM, HEIGHT * PNG_ZOOM)
