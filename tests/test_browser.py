"""A real headless chromium reads the site from `bulletin serve` and follows its links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.serving import bulletin_serve
from support.site import headline

pytestmark = [pytest.mark.slow, pytest.mark.external]  # a real chromium
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def served(site: Path, project: Path):
    with bulletin_serve(project) as url:
        yield url + "/"


@pytest.fixture
def browser(tmp_path: Path):
    if not CHROMIUM or not DRIVER:
        pytest.skip("chromium and chromium-driver not installed (run .ci/setup.d/60-site-browser.sh)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--hide-scrollbars",  # as on a phone: over the page
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_a_browser_goes_from_the_home_page_to_the_archive_and_a_bulletin(served: str, browser,
                                                                         project: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served)
    assert browser.find_element(By.TAG_NAME, "h1").text == headline(project, "2026-W11")
    browser.find_element(By.LINK_TEXT, "All bulletins, by year").click()
    assert browser.current_url == served + "archive/"
    browser.find_element(By.LINK_TEXT, "2026").click()
    assert browser.current_url == served + "2026/"
    browser.find_element(By.LINK_TEXT, headline(project, "2026-W09")).click()
    assert browser.current_url == served + "2026/w09/"
    assert browser.find_element(By.TAG_NAME, "h1").text == headline(project, "2026-W09")
    assert browser.title.startswith(headline(project, "2026-W09"))


@pytest.fixture
def article_pages(project: Path, bulletin) -> list[Path]:
    """The week's article as each reader meets it, in both languages: the site, the page, the email."""
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\npublish:\n"
                      "  - {name: site, type: site, base_url: 'https://news.example.org'}\n",
                      encoding="utf-8")
    assert bulletin("run").code == 0
    output = project / "output"
    week = output / "bulletins" / "2026-W11"
    return [output / "site/2026/w11/index.html", output / "site/2026/w11/zh/index.html",
            week / "bulletin.html", week / "bulletin.zh.html", week / "email.html", week / "email.zh.html"]


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_nothing_is_wider_than_a_phone(article_pages: list[Path], browser, width: int) -> None:
    """No page scrolls sideways, and every table shows all its columns without scrolling."""
    browser.set_window_size(width, 1000)
    for page in article_pages:
        browser.get(page.as_uri())
        wide = browser.execute_script("""
            const viewport = document.documentElement.clientWidth, wide = [];
            if (document.documentElement.scrollWidth > viewport) wide.push('the page');
            for (const table of document.querySelectorAll('table'))
              if (table.scrollWidth > table.clientWidth || table.getBoundingClientRect().right > viewport)
                wide.push('a table of ' + table.rows[0].cells.length + ' columns');
            return wide;""")
        assert wide == [], f"{page.name} at {width} px: {wide} wider than the screen"


def test_on_a_phone_each_leaderboard_row_is_one_line(article_pages: list[Path], browser) -> None:
    """At 390 px no model's name and no figure takes a second line: the unit is in the header."""
    browser.set_window_size(390, 1000)
    for page in article_pages:
        browser.get(page.as_uri())
        tall = browser.execute_script("""
            const table = [...document.querySelectorAll('table')].pop(), tall = [];
            for (const row of [...table.rows].slice(1))
              for (const cell of row.cells) {
                const style = getComputedStyle(cell), line = parseFloat(style.lineHeight);
                const inner = cell.getBoundingClientRect().height - parseFloat(style.paddingTop)
                              - parseFloat(style.paddingBottom);
                if (inner > line * 1.5) tall.push(cell.textContent);
              }
            return tall;""")
        assert tall == [], f"{page.name}: {tall} take more than one line"


@pytest.fixture
def home_with_a_list(project: Path, bulletin) -> Path:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\npublish:\n"
                      "  - {name: site, type: site, base_url: 'https://news.example.org'}\n"
                      "  - {name: list, type: email, from: news@example.org, base_url: 'https://news.example.org'}\n",
                      encoding="utf-8")
    assert bulletin("run").code == 0
    return project / "output" / "site"


@pytest.mark.parametrize("edition", ["", "zh/"])
def test_a_phones_first_screen_says_what_it_is_and_how_to_subscribe(home_with_a_list: Path, browser,
                                                                     edition: str) -> None:
    browser.set_window_size(390, 1000)
    browser.get((home_with_a_list / edition / "index.html").as_uri())
    found = browser.execute_script("""
        const bottom = selector => document.querySelector(selector).getBoundingClientRect().bottom;
        return [bottom('.tagline'), bottom('form.subscribe button'),
                bottom('form.subscribe input[type=email]')];""")
    assert all(0 < bottom < 800 for bottom in found), found


def test_the_data_notes_and_how_it_was_made_are_small_print(article_pages: list[Path], browser) -> None:
    browser.set_window_size(1280, 1000)
    for page in article_pages:
        browser.get(page.as_uri())
        sizes = browser.execute_script("""
            const size = element => parseFloat(getComputedStyle(element).fontSize);
            const notes = [...document.querySelectorAll('h2 + ul')][0];
            const made = document.querySelector('.disclosure p');
            const story = document.querySelector('h1 ~ p:not(.meta):not(.web)');
            return [size(story), size(notes.querySelector('li')), size(made)];""")
        story, notes, made = sizes
        assert notes < story and made < story, f"{page.name}: {sizes}"


def test_an_email_read_in_the_dark_is_dark(article_pages: list[Path], tmp_path: Path) -> None:
    from support.reader import chromium

    emails = [page for page in article_pages if page.name.startswith("email")]
    with chromium(tmp_path, "dark", 390) as dark:
        for page in emails:
            dark.get(page.as_uri())
            card, ink = dark.execute_script("""
                const wrap = document.querySelector('.wrap');
                return [getComputedStyle(wrap).backgroundColor,
                        getComputedStyle(document.querySelector('h1')).color];""")
            assert card == "rgb(29, 29, 33)" and ink == "rgb(236, 236, 240)", (page.name, card, ink)
