"""The demo project published to a static site target (used by the site and browser tests)."""

from __future__ import annotations

import json
from pathlib import Path

BASE = "https://news.example.org/bulletin/"
SITE_TARGET = "chart: false\n" + f"""publish:
  - name: site
    type: site
    base_url: {BASE.rstrip('/')}
    title: Token Bulletin
"""
WEEKS = ("2026-W08", "2026-W09", "2026-W10", "2026-W11")
# The files no week changes: the about page, the icons, robots.txt.
STATIC = ["about/index.html", "favicon.ico", "favicon.png", "favicon.svg", "robots.txt"]


def add_site(project: Path) -> None:
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(SITE_TARGET)


def headline(project: Path, week: str) -> str:
    return json.loads((project / "output" / "bulletins" / week / "bulletin.json").read_text())["headline"]
