"""Charts that cannot go out without words: the faces each language needs, checked by `doctor`
and before drawing, and the PNG drawn again when they change."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from bulletin.render import fonts, raster
from bulletin.render.chart import EMAIL, FONTS, PNG_ZOOM
from support.png import rows

INSTALLED = fonts.FONT_ROOT  # the machine's own fonts, which the tests link to
WEEK = "2026-W11"
pytestmark = pytest.mark.skipif(fonts.missing("zh") != "" or not fonts.faces("en"),
                                reason="the chart's faces are missing (run .ci/setup.d/63-chart-fonts.sh)")


def font_root(folder: Path, *locales: str) -> Path:
    """A font folder holding only ``locales``' faces (linked to the installed ones)."""
    folder.mkdir(exist_ok=True)
    for locale in locales:
        for face in fonts.FACES[locale]:
            if (INSTALLED / face).is_file():
                (folder / face).parent.mkdir(parents=True, exist_ok=True)
                (folder / face).symlink_to(INSTALLED / face)
    return folder


@pytest.fixture
def chinese(project: Path, bulletin) -> Path:
    """The demo, in English and Chinese, collected; returns the week's folder."""
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("locales: [en, zh]\n")
    assert bulletin("collect").code == 0
    return project / "output" / "bulletins" / WEEK


def ink(png: bytes, top: int, bottom: int) -> int:
    """How many dark pixels (text's ink, on the light chart) rows ``top`` to ``bottom`` hold."""
    return sum(1 for line in rows(png)[top:bottom] for x in range(0, len(line), 4)
               if line[x + 3] > 128 and max(line[x:x + 3]) < 110)


def title_band(png: bytes) -> int:
    # The title's first line sits between the padding and the padding plus its size, in PNG pixels.
    return ink(png, EMAIL.pad * PNG_ZOOM, round((EMAIL.pad + EMAIL.title * 1.4) * PNG_ZOOM))


def test_each_languages_png_has_its_title_in_ink(chinese: Path, bulletin) -> None:
    assert bulletin("render", "--week", WEEK).code == 0
    for name in ("chart.png", "chart.zh.png"):
        assert title_band((chinese / name).read_bytes()) > 300, name


def test_without_a_chinese_font_the_run_says_so_in_one_line_and_draws_no_wordless_chart(
        chinese: Path, bulletin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chinese.mkdir(parents=True, exist_ok=True)
    (chinese / "chart.zh.png").write_bytes(b"\x89PNG an earlier run's, drawn without its font")
    monkeypatch.setattr(fonts, "FONT_ROOT", font_root(tmp_path / "fonts", "en"))
    result = bulletin("render", "--week", WEEK)
    assert result.code == 0, result.err
    told = [line for line in result.err.splitlines() if "chart.zh.png" in line]
    assert told == [f"warning: chart.zh.png not drawn: no Chinese font for the chart's PNG in "
                    f"{tmp_path / 'fonts'}, so it would have no words: install fonts-wqy-zenhei "
                    f"(or fonts-noto-cjk)"]
    # No PNG without words, not even an earlier one: the Chinese email shows the English chart.
    assert not (chinese / "chart.zh.png").exists()
    assert title_band((chinese / "chart.png").read_bytes()) > 300
    email = (chinese / "email.zh.html").read_text(encoding="utf-8")
    assert 'src="chart.png"' in email and "chart.zh.png" not in email
    assert "chart.zh.png" not in json.loads((chinese / "bulletin.json").read_text())["chart"]["files"]


def test_without_a_chinese_font_no_chinese_card_is_drawn_and_the_page_shares_the_chart(
        chinese: Path, bulletin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with (chinese.parents[2] / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("publish:\n  - {name: site, type: site, base_url: 'https://news.example.org/'}\n")
    chinese.mkdir(parents=True, exist_ok=True)
    (chinese / "share.zh.png").write_bytes(b"\x89PNG an earlier run's card, drawn without its font")
    monkeypatch.setattr(fonts, "FONT_ROOT", font_root(tmp_path / "fonts", "en"))
    result = bulletin("render", "--week", WEEK)
    assert result.code == 0, result.err
    # One line for the one cause (the chart's, above), none more for the card.
    assert [line for line in result.err.splitlines() if "font" in line] == [
        line for line in result.err.splitlines() if line.startswith("warning: chart.zh.png not drawn")]
    assert "share.zh.png" not in result.err
    assert not (chinese / "share.zh.png").exists()
    data = json.loads((chinese / "bulletin.json").read_text())
    assert list(data["cards"]) == ["en"] and "share.zh.png" not in data["chart"]["files"]
    assert (chinese / "share.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The Chinese page's preview shows the chart that was drawn, with words, as before there were cards.
    page = (chinese / "bulletin.zh.html").read_text(encoding="utf-8")
    assert '<meta property="og:image" content="https://news.example.org/2026/w11/chart.png">' in page
    assert "og:image:width" not in page


def test_doctor_names_the_missing_chinese_font_and_its_package(
        chinese: Path, bulletin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert "chart font zh: ok" in bulletin("doctor").out.splitlines()
    monkeypatch.setattr(fonts, "FONT_ROOT", font_root(tmp_path / "fonts", "en"))
    result = bulletin("doctor")
    assert result.code == 1
    assert (f"chart font zh: no Chinese font for the chart's PNG in {tmp_path / 'fonts'}, so it would "
            "have no words: install fonts-wqy-zenhei (or fonts-noto-cjk)") in result.out.splitlines()


def test_installing_the_font_and_rendering_again_draws_the_png_again(
        chinese: Path, bulletin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def key() -> str:
        return str(json.loads((chinese / "bulletin.json").read_text())["chart"]["key"]["chart.zh.png"])

    root = font_root(tmp_path / "fonts", "zh")  # the Chinese face alone: no Latin one beside it
    monkeypatch.setattr(fonts, "FONT_ROOT", root)
    assert bulletin("render", "--week", WEEK).code == 0
    before = key()
    font_root(root, "en")  # a Latin face installed since: the same SVG, drawn again
    assert bulletin("render", "--week", WEEK).code == 0
    assert key() != before
    assert title_band((chinese / "chart.zh.png").read_bytes()) > 300
    again = key()
    assert bulletin("render", "--week", WEEK).code == 0
    assert key() == again  # nothing changed: the PNG is reused


def test_the_chinese_font_list_ends_in_latin_faces_so_digits_are_drawn_without_a_cjk_face(
        chinese: Path, bulletin) -> None:
    assert bulletin("render", "--week", WEEK).code == 0
    family = ET.parse(chinese / "chart.zh.svg").getroot().find("{http://www.w3.org/2000/svg}g")
    assert family is not None
    assert family.get("font-family", "").endswith("'DejaVu Sans', Arial, sans-serif")
    latin = [str(face) for face in fonts.faces("en")]

    def drawn(text: str) -> bytes:
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" '
               f'fill="#fff"/><text x="2" y="16" font-size="16" font-family={quoteattr(FONTS["zh"])}>{text}'
               '</text></svg>')
        return raster.start("chart.zh.png", svg, 1, latin).result()

    assert ink(drawn("4.69"), 0, 20) > 20
