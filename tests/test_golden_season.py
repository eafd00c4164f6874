"""The recorded daily season (2026-W19 to W33), en and zh, compared with golden files.

Fifteen weeks of the Data API's days through one store, as a weekly cron
would write them: a change of wording or of a rule shows here as a diff an
editor can read (BULLETIN_UPDATE_GOLDEN=1 rewrites them; review the diff).
``benchmarks/read_season.py`` prints the same season's headlines and ledes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import FIXED_EPOCH, ROOT, needs_shared_data

GOLDEN = ROOT / "tests" / "golden" / "season"
WEEKS = [f"2026-W{n:02d}" for n in range(19, 34)]
pytestmark = needs_shared_data()


@pytest.mark.parametrize("week", WEEKS)
def test_the_recorded_season_matches_its_golden_files(season: Path, bulletin, monkeypatch, week) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)  # "generated on" the same day each time
    result = bulletin("render", "--config", season, "--week", week)
    assert result.code == 0, result.err
    folder = season.parent / "output" / "bulletins" / week
    for name, golden in (("bulletin.md", f"{week}.md"), ("bulletin.zh.md", f"{week}.zh.md")):
        actual = (folder / name).read_text(encoding="utf-8")
        path = GOLDEN / golden
        if os.environ.get("BULLETIN_UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"{golden} differs from the golden file"
