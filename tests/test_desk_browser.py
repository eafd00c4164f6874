"""An editor in a real headless chromium: signs in to `bulletin desk`, opens the held week, rewords
it, approves it, and the site has its page; axe-core finds nothing on any desk page, light or dark."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from support.desk import EDITOR, NAME, PASSWORD, WEEK, bulletin, desk, held_project
from support.reader import axe_violations, chromium, described

pytestmark = [pytest.mark.slow, pytest.mark.external]  # a real chromium

PAGES = ("/", f"/week/{WEEK}", "/sources", "/names")


def _gone(element) -> bool:
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:  # StaleElementReferenceException is one
        return True
    return False


def submit(browser, button) -> None:
    """Click a form's button and wait until the page it leads to has replaced this one."""
    from selenium.webdriver.support.ui import WebDriverWait

    button.click()
    # Gone with the old page. Mid-navigation chromium may answer "node does not belong to the
    # document" instead of "stale": that is gone too.
    WebDriverWait(browser, 30, ignored_exceptions=()).until(lambda _: _gone(button))


def sign_in(browser, url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(url + f"/week/{WEEK}")
    assert browser.current_url == url + f"/login?next=/week/{WEEK}"
    browser.find_element(By.ID, "user").send_keys(EDITOR)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
    assert browser.current_url == url + f"/week/{WEEK}"


def test_an_editor_rewords_is_refused_a_number_approves_and_the_site_has_it(tmp_path: Path) -> None:
    """The issue's acceptance, in a browser: "4.96 trillion" refused by name, "processed" kept,
    the week approved, and the site's page shows the sentence and the editor's name."""
    from selenium.webdriver.common.by import By

    project = held_project(tmp_path / "project")

    def reword(old: str, new: str) -> str:
        box = next(box for box in browser.find_elements(By.TAG_NAME, "textarea")
                   if old in (box.get_attribute("value") or ""))
        text = box.get_attribute("value") or ""
        box.clear()
        box.send_keys(text.replace(old, new))
        submit(browser, box.find_element(By.XPATH, "following-sibling::button"))
        return str(browser.find_element(By.CSS_SELECTOR, ".notice").text)

    with desk(project) as url, chromium(tmp_path) as browser:
        sign_in(browser, url)
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"{WEEK}: ")
        header = browser.find_element(By.TAG_NAME, "header").get_attribute("textContent")
        assert f"Sign out ({NAME})" in header
        refused = reword("4.69 trillion", "4.96 trillion")
        assert '"4.96 trillion", which the store does not support' in refused
        assert "saved" in reword("models handled", "models processed")
        submit(browser, browser.find_element(By.CSS_SELECTOR, f"form[action='/week/{WEEK}/approve'] button"))
        notice = browser.find_element(By.CSS_SELECTOR, ".notice").text
        assert f"{WEEK}: approved." in notice and "site: ok" in notice
        browser.get((project / "output" / "site" / "2026" / "w11" / "index.html").as_uri())
        page = " ".join(browser.find_element(By.TAG_NAME, "body").text.split())
    assert "AI models processed 4.69 trillion tokens" in page and "4.96" not in page
    assert f"edited by {NAME}" in page


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return held_project(tmp_path_factory.mktemp("held"))


@pytest.fixture(scope="module")
def named(held: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The held week with a name made up (the catalogue's row gone) and another decided: the
    names page has both its forms."""
    project = tmp_path_factory.mktemp("named") / "project"
    shutil.copytree(held, project)
    with sqlite3.connect(project / "output" / "bulletin.db") as db:
        db.execute("DELETE FROM model_names WHERE model = 'moonshotai/kimi-k2.5-0127'")
    assert bulletin(project, "render", "--week", WEEK).returncode == 0
    decided = bulletin(project, "names", "set", "deepseek/deepseek-v3.2-20251201", "DeepSeek V3.2")
    assert decided.returncode == 0, decided.stderr
    return project


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_desk_page(named: Path, tmp_path: Path, scheme: str) -> None:
    with desk(named) as url, chromium(tmp_path, scheme) as browser:
        browser.get(url + "/login")
        found = {"/login": axe_violations(browser)}
        sign_in(browser, url)
        for path in PAGES:
            browser.get(url + path)
            found[path] = axe_violations(browser)
        browser.get(url + "/names")
        forms = browser.page_source
        assert "/names/confirm" in forms and "/names/forget" in forms  # both lists were checked
    assert all(not violations for violations in found.values()), "\n".join(
        f"{path}: {described(violations)}" for path, violations in found.items() if violations)
