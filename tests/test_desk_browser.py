"""An editor in a real headless chromium: signs in to `bulletin desk`, opens the held week,
approves it, and the site has its page; axe-core finds nothing on any desk page, light or dark."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.desk import EDITOR, NAME, PASSWORD, WEEK, desk, held_project
from support.reader import axe_violations, chromium, described

pytestmark = [pytest.mark.slow, pytest.mark.external]  # a real chromium

PAGES = ("/", f"/week/{WEEK}", "/sources")


def sign_in(browser, url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(url + f"/week/{WEEK}")
    assert browser.current_url == url + f"/login?next=/week/{WEEK}"
    browser.find_element(By.ID, "user").send_keys(EDITOR)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    assert browser.current_url == url + f"/week/{WEEK}"


def test_an_editor_signs_in_and_approves_and_the_site_has_the_week(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    project = held_project(tmp_path / "project")
    with desk(project) as url, chromium(tmp_path) as browser:
        sign_in(browser, url)
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"{WEEK}: ")
        header = browser.find_element(By.TAG_NAME, "header").get_attribute("textContent")
        assert f"Sign out ({NAME})" in header
        browser.find_element(By.CSS_SELECTOR, f"form[action='/week/{WEEK}/approve'] button").click()
        notice = browser.find_element(By.CSS_SELECTOR, ".notice").text
        assert f"{WEEK}: approved." in notice and "site: ok" in notice
    assert (project / "output" / "site" / "2026" / "w11" / "index.html").is_file()


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return held_project(tmp_path_factory.mktemp("held"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_desk_page(held: Path, tmp_path: Path, scheme: str) -> None:
    with desk(held) as url, chromium(tmp_path, scheme) as browser:
        browser.get(url + "/login")
        found = {"/login": axe_violations(browser)}
        sign_in(browser, url)
        for path in PAGES:
            browser.get(url + path)
            found[path] = axe_violations(browser)
    assert all(not violations for violations in found.values()), "\n".join(
        f"{path}: {described(violations)}" for path, violations in found.items() if violations)
