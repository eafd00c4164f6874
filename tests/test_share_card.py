"""The social card: each article's og:image, in each language, is a 1200 by 630 PNG drawn for link
previews, with words in its title band and its text area, and the page says so in its meta tags."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from bulletin.render import card, fonts
from support.png import rows, size

WEEK = "2026-W11"
BASE = "https://news.example.org/bulletin/"
pytestmark = pytest.mark.skipif(fonts.missing("zh") != "" or not fonts.faces("en"),
                                reason="the chart's faces are missing (run .ci/setup.d/63-chart-fonts.sh)")


def with_site(project: Path) -> None:
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"locales: [en, zh]\npublish:\n  - {{name: site, type: site, base_url: '{BASE}'}}\n")


@pytest.fixture
def published(project: Path, bulletin) -> Path:
    """The demo's week in English and Chinese, rendered and published to the site; returns OUTPUT."""
    with_site(project)
    assert bulletin("collect").code == 0
    assert bulletin("render", "--week", WEEK).code == 0
    assert bulletin("publish", "--week", WEEK).code == 0
    return project / "output"


def meta(page: str) -> dict[str, str]:
    """Each <meta property|name=... content=...> of the page, unescaped."""
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    return {key: html.unescape(value) for key, value in found}


def ink(png: bytes, left: int, top: int, right: int, bottom: int) -> int:
    """How many pixels in the box are ink on the card's light ground: some channel dark, opaque
    (black text, the masthead's red and the series' tones all count; white and the panel's grey not)."""
    return sum(1 for line in rows(png)[top:bottom] for x in range(left * 4, right * 4, 4)
               if line[x + 3] > 128 and min(line[x:x + 3]) < 128)


def test_each_articles_og_image_is_a_card_with_words_in_both_languages(published: Path) -> None:
    site, week = published / "site", published / "bulletins" / WEEK
    pages = {"en": [site / "2026/w11/index.html", week / "bulletin.html"],
             "zh": [site / "2026/w11/zh/index.html", week / "bulletin.zh.html"]}
    headlines = {locale: article["headline"]
                 for locale, article in json.loads((week / "bulletin.json").read_text())["articles"].items()}
    for locale, found in pages.items():
        name = "share.png" if locale == "en" else "share.zh.png"
        for page in found:
            tags = meta(page.read_text(encoding="utf-8"))
            assert tags["og:image"] == f"{BASE}2026/w11/{name}", page
            assert tags["twitter:image"] == tags["og:image"]
            assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630"), page
            assert tags["twitter:card"] == "summary_large_image"
            # The alt text says what is on it: the headline, then the chart in words.
            alt = tags["og:image:alt"]
            assert headlines[locale] in alt and tags["twitter:image:alt"] == alt, alt
            assert ("Chart: " if locale == "en" else "图表：") in alt
        png = (site / "2026/w11" / name).read_bytes()  # as the site serves it
        assert png == (week / name).read_bytes()
        assert size(png) == card.SIZE
        # The publication's name in the title band, the headline in the text column, the
        # figures in the chart's panel: each drawn, and nothing near the edges.
        assert ink(png, card.MARGIN, 20, card.WIDTH - card.MARGIN, card.BAND) > 800, (name, "title band")
        headline = ink(png, card.MARGIN, card.BAND + 20, card.TEXT_RIGHT, card.FOOT - 60)
        assert headline > 8000, (name, "headline")
        assert ink(png, card.MARGIN, card.FOOT - 30, card.TEXT_RIGHT, card.FOOT + 10) > 500, (name, "dates")
        assert ink(png, card.PANEL_LEFT, card.PANEL_TOP, card.WIDTH - card.MARGIN,
                   card.PANEL_BOTTOM) > 5000, (name, "chart")
        assert ink(png, 0, 12, card.MARGIN - 8, card.HEIGHT) == 0, (name, "left edge")
        assert ink(png, card.WIDTH - card.MARGIN + 8, 12, card.WIDTH, card.HEIGHT) == 0, (name, "right edge")
        assert ink(png, 0, card.HEIGHT - 40, card.WIDTH, card.HEIGHT) == 0, (name, "foot")


def test_the_home_page_shares_the_latest_weeks_card(published: Path) -> None:
    tags = meta((published / "site" / "index.html").read_text(encoding="utf-8"))
    assert tags["og:image"] == f"{BASE}2026/w11/share.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")


def test_the_card_is_drawn_again_only_when_what_it_shows_changes(published: Path, bulletin,
                                                                 project: Path) -> None:
    week = published / "bulletins" / WEEK

    def keys() -> dict[str, str]:
        return json.loads((week / "bulletin.json").read_text())["chart"]["key"]

    before, drawn = keys(), (week / "share.png").read_bytes()
    assert {"share.png", "share.zh.png"} <= before.keys()
    assert bulletin("render", "--week", WEEK).code == 0
    assert keys() == before and (week / "share.png").read_bytes() == drawn
    # The publication's name is on the card: a new one draws it again (the chart stays as it was).
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("title: Token Bulletin",
                                                                 "title: AI Wire Token Watch"))
    assert bulletin("render", "--week", WEEK).code == 0
    after = keys()
    assert after["share.png"] != before["share.png"] and after["share.zh.png"] != before["share.zh.png"]
    assert after["chart.png"] == before["chart.png"]
    # The site holds the card it was given (a link to the file render has since replaced by a new
    # one, not to the name) until the week is published again.
    on_site = published / "site" / "2026" / "w11" / "share.png"
    assert on_site.read_bytes() == drawn != (week / "share.png").read_bytes()
    assert bulletin("publish", "--week", WEEK).code == 0
    assert on_site.read_bytes() == (week / "share.png").read_bytes()


def test_a_name_from_outside_is_drawn_as_text(project: Path, bulletin) -> None:
    """A publication's name with markup in it is shown as it is written, not read as SVG."""
    config = project / "config.yaml"
    title = 'Tokens <b>&amp; "Co"</b> & </text><script>x</script>'
    config.write_text(config.read_text(encoding="utf-8").replace("title: Token Bulletin",
                                                                 f"title: {json.dumps(title)}"))
    with_site(project)
    assert bulletin("collect").code == 0
    result = bulletin("render", "--week", WEEK)
    assert result.code == 0, result.err
    week = project / "output" / "bulletins" / WEEK
    data = json.loads((week / "bulletin.json").read_text())
    assert data["cards"]["en"]["alt"].startswith(title + ": ")
    png = (week / "share.png").read_bytes()
    assert size(png) == card.SIZE and ink(png, card.MARGIN, 20, card.WIDTH - card.MARGIN, card.BAND) > 800
    page = (week / "bulletin.html").read_text(encoding="utf-8")
    assert "<script>x" not in page and meta(page)["og:image:alt"].startswith(title + ": ")


@pytest.mark.parametrize("locale, headline", [
    ("en", "Chinese models take OpenRouter's top three places for the first time as DeepSeek, MiniMax "
           "and StepFun all climb while Claude Sonnet 4.6 falls back to fifth"),
    ("zh", "中国模型首次包揽OpenRouter前三名：DeepSeek、MiniMax与阶跃星辰齐升，Claude Sonnet 4.6退居第五"),
])
def test_a_long_headline_is_set_smaller_and_stays_inside_its_column(locale: str, headline: str) -> None:
    from types import SimpleNamespace

    from bulletin.render import raster

    trend = {"CN": (("2026-W10", 4.19e12, ()), ("2026-W11", 4.69e12, ())),
             "US": (("2026-W10", 3.63e12, ()), ("2026-W11", 3.29e12, ()))}
    words = card.CardWords("AI Wire Token Watch, the weekly letter on who uses which models", headline,
                           "March 9 to March 15, 2026", "China's models ahead of the United States for a "
                           "second week, and a long way ahead", "Weekly tokens, trillions",
                           {"CN": "China", "US": "US"})
    drawing = card.svg(SimpleNamespace(trend=trend), words, locale)  # type: ignore[arg-type]
    said = "".join(re.findall(r">([^<>]*)</text>", drawing))
    # Set smaller than the largest size, every character of it kept.
    assert f'font-size="{card.HEADLINE_SIZES[0]}"' not in drawing
    assert "".join(headline.split()) in "".join(said.split())
    png = raster.start("share.png", drawing, 1, [str(face) for face in fonts.faces(locale)]).result()
    assert size(png) == card.SIZE
    assert ink(png, card.MARGIN, card.BAND + 20, card.TEXT_RIGHT, card.FOOT - 40) > 8000
    # Nothing runs past the column into the gutter before the chart's panel, or off the card.
    assert ink(png, card.TEXT_RIGHT + 4, card.BAND, card.PANEL_LEFT - 2, card.HEIGHT) == 0
    assert ink(png, card.WIDTH - card.MARGIN + 8, 12, card.WIDTH, card.HEIGHT) == 0
