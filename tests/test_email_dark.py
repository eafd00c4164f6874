"""The email's chart in a mail client set to dark: a real headless chromium that prefers the dark
scheme opens the email, its images served from the site on loopback, and finds the chart drawn
dark on the dark page; in the light scheme, the light PNG."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support.png import rows
from support.reader import chromium
from support.servers import running

pytestmark = [pytest.mark.slow, pytest.mark.external]  # a real chromium
WEEK = "2026-W11"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def emails(project: Path, bulletin) -> Iterator[list[Path]]:
    """The week's emails in both languages, whose charts link the site served on loopback."""
    site = project / "output" / "site"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"locales: [en, zh]\npublish:\n  - {{name: site, type: site, base_url: '{base}'}}\n")
    assert bulletin("run").code == 0
    week = project / "output" / "bulletins" / WEEK
    with running(server):
        yield [week / "email.html", week / "email.zh.html"]


def luminance(png: bytes) -> list[float]:
    """Each pixel's lightness, 0 (black) to 255 (white)."""
    return [0.2126 * line[x] + 0.7152 * line[x + 1] + 0.0722 * line[x + 2]
            for line in rows(png) for x in range(0, len(line), 4)]


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_emails_chart_suits_the_readers_scheme(emails: list[Path], tmp_path: Path, scheme: str) -> None:
    from selenium.webdriver.common.by import By

    with chromium(tmp_path, scheme, 390) as reader:
        for email in emails:
            dark_file = "chart-dark.svg" if email.name == "email.html" else "chart-dark.zh.svg"
            light_file = "chart.png" if email.name == "email.html" else "chart.zh.png"
            reader.get(email.as_uri())
            image = reader.find_element(By.CSS_SELECTOR, 'img[src*="/2026/w11/chart"]')
            reader.execute_script("arguments[0].scrollIntoView()", image)
            reader.execute_async_script("""
                const [img, done] = arguments;
                img.complete ? done() : img.addEventListener('load', () => done(), {once: true});""", image)
            page, source, loaded = reader.execute_script(
                "return [getComputedStyle(document.body).backgroundColor, arguments[0].currentSrc,"
                " arguments[0].naturalWidth]", image)
            assert loaded > 0, (email.name, source)  # drawn, not a broken image
            shown = luminance(image.screenshot_as_png)
            light_share = sum(1 for value in shown if value > 200) / len(shown)
            ink = sum(1 for value in shown if (value > 150 if scheme == "dark" else value < 110))
            if scheme == "dark":
                assert page == "rgb(21, 21, 24)", (email.name, page)
                assert source.endswith(f"/2026/w11/{dark_file}"), (email.name, source)
                # The chart itself is dark (no white slab), and its words and lines stand out light.
                assert statistics.median(shown) < 50 and light_share < 0.1, (email.name, light_share)
            else:
                assert page == "rgb(244, 244, 246)", (email.name, page)
                assert source.endswith(f"/2026/w11/{light_file}"), (email.name, source)
                assert statistics.median(shown) > 220, email.name
            assert ink > 2000, (email.name, scheme, ink)
