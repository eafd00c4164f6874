"""The recorded real data in ../shared/data, in the shapes bulletin reads."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

from support import SHARED_DATA

WEEKLY = SHARED_DATA / "openrouter-weekly-top10"
DAILY = SHARED_DATA / "openrouter-rankings-daily"


def leaderboard_csv(folder: Path, files: list[str]) -> Path:
    """The recorded weekly leaderboards, rewritten in bulletin's CSV format."""
    path = folder / "leaderboard.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["week", "rank", "model", "name", "tokens"])
        for name in files:
            recorded = json.loads((WEEKLY / name).read_text(encoding="utf-8"))
            # Each file holds the Monday-to-Sunday week before its date.
            year, week, _ = (date.fromisoformat(recorded["date"]) - timedelta(days=1)).isocalendar()
            for model in recorded["models"]:
                writer.writerow([f"{year}-W{week:02d}", model["rank"], model["slug"],
                                 model["name"], model["total_tokens"]])
    return path


def daily_csv(folder: Path) -> Path:
    """The recorded Data API days as bulletin's CSV of days (date, model, tokens).

    The ``other`` row (the long tail) is no model, and a CSV holds models only.
    """
    path = folder / "days.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "model", "tokens"])
        for day in sorted(DAILY.glob("*.json")):
            recorded = json.loads(day.read_text(encoding="utf-8"))
            for row in recorded["rows"]:
                if row["model_permaslug"] == "other":
                    continue
                writer.writerow([recorded["date"], row["model_permaslug"], row["total_tokens"]])
    return path
