"""The reference story (DESIGN.md), written from data alone, with the forecast published on
the day the press reported both (Monday, March 23, eight days after the week ended)."""

from __future__ import annotations

from pathlib import Path

import pytest

SEED_FACTS = (
    "4.69 trillion tokens",  # China's week
    "3.29 trillion",  # the United States'
    "second week in a row",  # China ahead for the second consecutive week
    "Chinese models filled the top three places",
    "JPMorgan",
    "about 10 quadrillion tokens in 2025 to about 3,900 quadrillion in 2030",
)


@pytest.fixture
def published_on_the_23rd(project: Path) -> Path:
    figures = project / "demo" / "figures.yaml"
    text = figures.read_text(encoding="utf-8")
    assert "published: 2026-03-22" in text
    figures.write_text(text.replace("published: 2026-03-22", "published: 2026-03-23"), encoding="utf-8")
    return project


def test_the_week_11_article_states_every_fact_of_the_seed_story(published_on_the_23rd: Path,
                                                                  bulletin) -> None:
    result = bulletin("run", "--week", "2026-W11")
    assert result.code == 0, result.err
    article = (published_on_the_23rd / "output" / "bulletins" / "2026-W11" / "bulletin.md").read_text(
        encoding="utf-8")
    missing = [fact for fact in SEED_FACTS if fact not in article]
    assert not missing, article


def test_a_figure_published_long_after_the_week_is_left_out_and_the_run_says_why(
        published_on_the_23rd: Path, bulletin) -> None:
    result = bulletin("run", "--week", "2026-W10")  # ends March 8: 15 days before the 23rd
    assert result.code == 0, result.err
    article = (published_on_the_23rd / "output" / "bulletins" / "2026-W10" / "bulletin.md").read_text(
        encoding="utf-8")
    assert "JPMorgan" not in article
    assert result.err.count("is left out") == 1
    assert ("2026-W10: JPMorgan's figure \"China's AI inference token consumption\" (published "
            "2026-03-23) is left out: it may be cited from the week ending 2026-03-10 on") in result.err


def test_the_forecast_read_from_a_feed_item_of_the_23rd_reaches_the_week_11_article(
        project: Path, bulletin) -> None:
    from support.loopback import Api

    item = ("<entry><title>JPMorgan: China's token use to soar</title><id>jpm-1</id>"
            "<link href='https://news.example/jpm-1'/><updated>2026-03-23T08:00:00Z</updated>"
            "<summary type='html'>&lt;p&gt;JPMorgan predicts that China's AI inference token "
            "consumption will grow from approximately 10 quadrillion in 2025 to about 3,900 "
            "quadrillion in 2030.&lt;/p&gt;</summary></entry>")
    news = project / "news"
    news.mkdir()
    (news / "markets.xml").write_text(
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>News</title><id>news</id><updated>2026-03-23T08:00:00Z</updated>{item}</feed>",
        encoding="utf-8")
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    figures = "  - name: editor-figures\n    type: figures\n    path: demo/figures.yaml\n"
    assert figures in text
    with Api(feeds=news) as api:
        config.write_text(text.replace(figures, f"  - name: markets\n    type: feed\n"
                                                f"    url: {api.base_url}/feeds/markets.xml\n"),
                          encoding="utf-8")
        result = bulletin("run", "--week", "2026-W11")
    assert result.code == 0, result.err
    article = (project / "output" / "bulletins" / "2026-W11" / "bulletin.md").read_text(encoding="utf-8")
    missing = [fact for fact in SEED_FACTS if fact not in article]
    assert not missing, article
