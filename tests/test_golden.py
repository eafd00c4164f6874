"""The week 11 bulletin in both languages, compared with golden files.

Set BULLETIN_UPDATE_GOLDEN=1 to rewrite them after a deliberate wording change,
then read the diff as an editor would.
"""

from __future__ import annotations

import os
from pathlib import Path

import html5lib
import pytest

from support import ROOT

GOLDEN = ROOT / "tests" / "golden"


def with_locales(project: Path) -> None:
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "locales: [en, zh]\n", encoding="utf-8")


def page_text(html: str) -> str:
    """What a reader sees of the page's article, one block per line."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    lines = []
    for block in document.find(".//main").iter():
        if block.tag in ("h1", "h2", "p", "li", "tr", "img"):
            text = block.get("alt") if block.tag == "img" else " | ".join(
                " ".join("".join(cell.itertext()).split()) for cell in block) if block.tag == "tr" \
                else " ".join("".join(block.itertext()).split())
            lines.append(text or "")
    return "\n".join(lines) + "\n"


def compare(actual: str, name: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("BULLETIN_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_week_11_bulletin_matches_its_golden_files(project, bulletin, locale) -> None:
    with_locales(project)
    assert bulletin("run").code == 0
    folder = project / "output" / "bulletins" / "2026-W11"
    end = "" if locale == "en" else f".{locale}"
    compare((folder / f"bulletin{end}.md").read_text(encoding="utf-8"), f"2026-W11{end}.md")
    compare(page_text((folder / f"bulletin{end}.html").read_text(encoding="utf-8")),
            f"2026-W11{end}.html.txt")
    compare((folder / f"email{end}.txt").read_text(encoding="utf-8"), f"2026-W11{end}.email.txt")
