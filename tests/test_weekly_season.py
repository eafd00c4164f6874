"""The weekly leaderboard copies (2025-W46 to 2026-W11) as an editor reads them, en and zh.

A top-10 leaderboard is not the platform: its total is "the models listed",
never "all models on OpenRouter". The season's first week holds the top three
(it takes nothing), a sweep that reached back to it ends "unbroken since"
then, and a country with no model in the top nine has none, not "0 tokens".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import ROOT, SHARED_DATA, needs_shared_data, write_config
from support.recorded import leaderboard_csv

WEEKLY = SHARED_DATA / "openrouter-weekly-top10"
pytestmark = needs_shared_data()


@pytest.fixture(scope="module")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("weekly")
    leaderboard_csv(folder, sorted(path.name for path in WEEKLY.glob("*.json")))
    shutil.copy(ROOT / "demo" / "figures.yaml", folder / "figures.yaml")
    return write_config(folder, "  - {name: board, type: csv, path: leaderboard.csv}\n"
                                "  - {name: editor-figures, type: figures, path: figures.yaml}",
                        "locales: [en, zh]\n")


def article(bulletin, config: Path, week: str, name: str = "bulletin.md") -> str:
    result = bulletin("render", "--config", config, "--week", week)
    assert result.code == 0, result.err
    return (config.parent / "output" / "bulletins" / week / name).read_text(encoding="utf-8")


def test_the_weekly_copies_read_as_an_editor_would_sign_them(weekly: Path, bulletin) -> None:
    assert bulletin("collect", "--config", weekly).code == 0
    first = article(bulletin, weekly, "2025-W46")
    assert first.startswith("# American models hold OpenRouter's top three places\n")
    ended = article(bulletin, weekly, "2025-W52")
    # No hedge in a headline (STYLEBOOK 5); the story says since when.
    assert ended.startswith("# MiMo-V2-Flash (free) ends American models' hold on OpenRouter's top three\n")
    assert "not all American for the first time since these records began on November 10" in ended
    assert "climbed from No. 9 to No. 2" not in ended  # the same story as the sweep's end
    zh = article(bulletin, weekly, "2025-W52", "bulletin.zh.md")
    assert "有记录以来" not in zh.splitlines()[0] and "自11月10日有记录以来" in zh
    none = article(bulletin, weekly, "2025-W50")
    assert "while China had no model among the week's top nine" in none and "against 0" not in none
    assert "本周前九中没有中国模型" in article(bulletin, weekly, "2025-W50", "bulletin.zh.md")
    # The total of a top-10 leaderboard is what it is, the listed models', never the platform's
    # (how it is named where told: tests/test_principles.py, test_8_a_headline_names_the_platform_once).
    for week in [f"2025-W{n}" for n in range(46, 53)] + [f"2026-W{n:02d}" for n in range(1, 12)]:
        assert "all models on OpenRouter" not in article(bulletin, weekly, week), week

    assert "OpenRouter全部模型" not in article(bulletin, weekly, "2025-W51", "bulletin.zh.md")
    # Every No. 1 before it was American: the first Chinese one is the news, hedged in the story.
    kimi = article(bulletin, weekly, "2026-W06")
    assert kimi.startswith("# Kimi K2.5 puts a Chinese model in first place on OpenRouter\n")
    assert "Kimi K2.5 is the first Chinese model at No. 1 since these records began on November 10." in kimi
    assert "这是自11月10日有记录以来，中国模型首次位居榜首。" in article(bulletin, weekly, "2026-W06",
                                                                     "bulletin.zh.md")
    # The forecast published on March 22 is told from the week to March 15 on, not before.
    assert "JPMorgan" in article(bulletin, weekly, "2026-W11")
    assert "JPMorgan" not in article(bulletin, weekly, "2026-W10")
