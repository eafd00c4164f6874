"""A site as readers get it: five weeks in English and Chinese, with charts, a
subscribe link and the list pages, and a real headless chromium to read it in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from support import FIXED_EPOCH, ROOT, copy_demo

BASE = "https://news.example.org/bulletin/"
LIST_BASE = "https://news.example.org"
READER_WEEKS = ("2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11")
SIGNING_KEY = "7" * 64
CONFIG = f"""locales: [en, zh]
publish:
  - name: site
    type: site
    base_url: {BASE}
    title: Token Bulletin
    subscribe_url: {LIST_BASE}/subscribe
  - name: newsletter
    type: email
    from: Token Bulletin <news@news.example.org>
    base_url: {LIST_BASE}
"""
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
NODE_TOOLS = ROOT / ".ci" / "node" / "node_modules"
AXE = NODE_TOOLS / "axe-core" / "axe.min.js"
LIGHTHOUSE = NODE_TOOLS / ".bin" / "lighthouse"
PHONE = 390  # CSS pixels: an iPhone 12 to 15, the narrowest common phone now


def environ() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "BULLETIN_SIGNING_KEY": SIGNING_KEY}


def build(project: Path) -> Path:
    """Render and publish the five weeks to the site; returns OUTPUT/site."""
    copy_demo(project)  # without its publish: list; this one takes its place
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(CONFIG)

    def run(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "bulletin", *args], cwd=project, env=environ(),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (args, done.stdout, done.stderr)

    run("collect")
    for week in READER_WEEKS:
        run("render", "--week", week)
        run("publish", "--week", week, "--to", "site")
    return project / "output" / "site"


@contextmanager
def chromium(tmp: Path, scheme: str = "light", width: int = 1280) -> Iterator[Any]:
    """A headless chromium that prefers ``scheme`` and is ``width`` CSS pixels wide (a phone at 390)."""
    if not CHROMIUM or not DRIVER:
        pytest.skip("chromium and chromium-driver not installed (run .ci/setup.d/60-site-browser.sh)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp / f'profile-{scheme}-{width}'}",
                 f"--window-size={width},900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        if width <= PHONE:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 844, "deviceScaleFactor": 3, "mobile": True})
        yield driver
    finally:
        driver.quit()


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the loaded page: every rule axe runs by default (WCAG 2.x A and AA)."""
    if not AXE.is_file():
        pytest.skip(f"axe-core not installed at {AXE} (run .ci/setup.d/62-node-tools.sh)")
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations),"
        " e => done([{id: 'axe-error', help: String(e), nodes: []}]));")
    return list(result)


def described(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}) "
                     + "; ".join(n.get("target", [""])[0] + " " + n.get("failureSummary", "")[:120]
                                 for n in v["nodes"][:3])
                     for v in violations)


def probed(page: Path, profile: Path) -> dict[str, Any]:
    """What a page's probe script measured, read from its ``data-probe`` attribute in the DOM
    that headless chromium dumps after the page has loaded."""
    import json
    import re

    browser = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--allow-file-access-from-files",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    found = re.search(r'data-probe="([^"]*)"', browser.stdout)
    assert found, browser.stderr[-2000:]
    return dict(json.loads(found[1].replace("&quot;", '"')))
