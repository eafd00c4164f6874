"""The Chinese edition: its own home page and archive at /zh/, Chinese links throughout, Chinese datelines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from bulletin.model.markup import html_to_text
from support.site import BASE, WEEKS, add_site

ZH_PAGES = ["zh/", "zh/archive/", "zh/2026/", "about/zh/", *(f"2026/w{week[-2:]}/zh/" for week in WEEKS)]


@pytest.fixture
def site(project: Path, bulletin) -> Path:
    """The demo's four weeks published in English and Chinese."""
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("locales: [en, zh]\n")
    add_site(project)
    assert bulletin("collect").code == 0
    for week in WEEKS:
        assert bulletin("render", "--week", week).code == 0, week
        assert bulletin("publish", "--week", week).code == 0, week
    return project / "output" / "site"


def zh_headline(project: Path, week: str) -> str:
    page = (project / "output" / "bulletins" / week / "bulletin.zh.html").read_text(encoding="utf-8")
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
    assert found
    return html_to_text(found[1]).strip()


def links(site: Path, page: str) -> dict[str, str]:
    """Each link's text on ``page`` (a path under BASE), to the absolute URL it leads to."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    return {html_to_text(text).strip(): urljoin(BASE + page, href)
            for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html, re.DOTALL)}


def nav(site: Path, page: str) -> list[str]:
    """The header's links: the masthead's name (home), then the sections."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    bar = html[html.index("<header>"):html.index("</header>")]
    return [urljoin(BASE + page, href) for href in re.findall(r'<a href="([^"]*)"', bar)]


def test_zh_is_a_chinese_home_page_with_the_latest_chinese_bulletin_and_the_ones_before(
        site: Path, project: Path) -> None:
    home = (site / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in home
    assert f'<link rel="canonical" href="{BASE}zh/">' in home
    found = links(site, "zh/")
    assert found[zh_headline(project, "2026-W11")] == f"{BASE}2026/w11/zh/"
    for week in WEEKS[:3]:
        assert found[zh_headline(project, week)] == f"{BASE}2026/w{week[-2:]}/zh/"
    assert found["按年份浏览全部简报"] == f"{BASE}zh/archive/"
    # Each home page offers the other.
    for page, other, name in (("", "zh/", "中文"), ("zh/", "", "English")):
        assert links(site, page)[name] == BASE + other
        html = (site / page / "index.html").read_text(encoding="utf-8")
        tag = "en" if other == "" else "zh-Hans"
        assert f'<link rel="alternate" hreflang="{tag}" href="{BASE}{other}">' in html


def test_the_chinese_archive_and_year_list_every_chinese_bulletin_in_chinese(site: Path,
                                                                             project: Path) -> None:
    for page in ("zh/archive/", "zh/2026/"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert '<html lang="zh-Hans">' in html and "往期" in html
        found = links(site, page)
        for week in WEEKS:
            assert found[zh_headline(project, week)] == f"{BASE}2026/w{week[-2:]}/zh/", (page, week)
        assert "Week to" not in html and "bulletins" not in html_to_text(html)
    assert links(site, "zh/archive/")["2026"] == f"{BASE}zh/2026/"
    # Its headlines and excerpts are kept beside the site, as the English ones are.
    kept = json.loads((project / "output" / "site-excerpts.json").read_text(encoding="utf-8"))
    headline, excerpt = kept["2026-W11/zh"]
    assert headline == zh_headline(project, "2026-W11") and excerpt
    assert f"<p>{excerpt}</p>" in (site / "zh" / "archive" / "index.html").read_text(encoding="utf-8")


def test_every_chinese_page_leads_home_and_to_the_archive_in_chinese(site: Path) -> None:
    for page in ZH_PAGES:
        home, archive, about, *_ = nav(site, page)
        assert (home, archive, about) == (f"{BASE}zh/", f"{BASE}zh/archive/", f"{BASE}about/zh/"), page
    # English pages stay English.
    for page in ("", "archive/", "2026/", "2026/w11/", "about/"):
        assert nav(site, page)[:3] == [BASE, f"{BASE}archive/", f"{BASE}about/"], page


def test_the_chinese_dateline_is_a_range_of_days_not_an_iso_week(site: Path, project: Path) -> None:
    page = html_to_text((site / "2026" / "w11" / "zh" / "index.html").read_text(encoding="utf-8"))
    assert "《Token Bulletin》2026年3月9日至15日" in page
    assert "W11" not in page
    markdown = (project / "output" / "bulletins" / "2026-W11" / "bulletin.zh.md").read_text(encoding="utf-8")
    assert "W11" not in markdown
    for page in ("zh/", "zh/archive/"):
        assert "2026年3月9日至15日" in (site / page / "index.html").read_text(encoding="utf-8")


def test_the_chinese_feeds_stay_valid_and_belong_to_the_chinese_home(site: Path) -> None:
    atom = feedparser.parse((site / "zh" / "feed.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.feed.link == f"{BASE}zh/" and atom.feed.language == "zh-Hans"
    assert [entry.link for entry in atom.entries] == [f"{BASE}2026/w{w[-2:]}/zh/" for w in reversed(WEEKS)]
    data = json.loads((site / "zh" / "feed.json").read_text(encoding="utf-8"))
    assert data["home_page_url"] == f"{BASE}zh/" and data["feed_url"] == f"{BASE}zh/feed.json"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for page in ("zh/", "zh/archive/", "zh/2026/"):
        assert f"<loc>{BASE}{page}</loc>" in sitemap


def test_a_week_taken_off_leaves_the_chinese_lists_too(site: Path, project: Path, bulletin) -> None:
    assert bulletin("reject", "2026-W11", "--why", "wrong numbers").code == 0
    headline = zh_headline(project, "2026-W11")
    for page in ("zh/", "zh/archive/", "zh/2026/"):
        assert headline not in (site / page / "index.html").read_text(encoding="utf-8"), page
    assert not (site / "2026" / "w11").exists()


@pytest.mark.parametrize(("lang", "said"), [("en", "generated automatically"), ("zh", "自动生成")])
def test_a_page_says_once_that_it_was_generated_and_no_article_links_to_itself(
        site: Path, lang: str, said: str) -> None:
    edition = "" if lang == "en" else "zh/"
    for page in (edition, f"{edition}archive/", f"2026/w11/{edition}", f"2026/w09/{edition}"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert html_to_text(html).lower().count(said) == 1, page
    for week in WEEKS:
        page = f"2026/w{week[-2:]}/{edition}"
        html = (site / page / "index.html").read_text(encoding="utf-8")
        # Every link on an article's page leads somewhere else (the canonical <link> is no link to follow).
        assert BASE + page not in links(site, page).values(), page
        assert 'href="./"' not in html and 'href=""' not in html, page
