"""Print a recorded season's headlines and ledes, en and zh, for an editor's read.

The recorded Data API days (../shared/data/openrouter-rankings-daily,
2026-05-04 to 2026-08-21) are served by the tests' loopback server in the
API's own shape; one store collects them, then ``bulletin render`` writes
each complete week, as a weekly cron would. ``--weekly`` reads the other
recorded season instead: the weekly leaderboard copies (2025-W46 to
2026-W11, ../shared/data/openrouter-weekly-top10) through a CSV source. With
``--counts`` it also counts what an editor would strike: raw ids printed,
changes against partial weeks, records not hedged to the data held, figures
stated in more than two paragraphs, and distinct headlines.

    .venv/bin/python benchmarks/read_season.py [--weekly] [--counts] [--keep FOLDER] [--editions]

SEASON_FIGURES names another figures file, to read a season with an older
checkout (PYTHONPATH=that checkout) whose figures file lacks newer keys.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support import SHARED_DATA  # noqa: E402 - the tests' paths and loopback server
from support.loopback import API_KEY, Api  # noqa: E402
from support.recorded import leaderboard_csv  # noqa: E402

DAILY = SHARED_DATA / "openrouter-rankings-daily"
WEEKLY = SHARED_DATA / "openrouter-weekly-top10"
WEEKS = [f"2026-W{n:02d}" for n in range(19, 34)]
WEEKLY_WEEKS = [f"2025-W{n:02d}" for n in range(46, 53)] + [f"2026-W{n:02d}" for n in range(1, 12)]
# A permaslug as the Data API writes it: author/model, often dated or ":free"
# (not a web address's path, "openrouter.ai/rankings" in a source's credit).
RAW_ID = re.compile(r"(?<!\.)\b[a-z][a-z0-9-]+/[a-z0-9][a-z0-9.:_-]*[a-z0-9]\b")
MOVE = r"(from No\. \d+ to No\. \d+|up [\d.,]+%|down [\d.,]+%)"  # a rank move or a change
LINK = re.compile(r"https?://\S+")
UNHEDGED = re.compile(r"all-time|ever\b|since records began in|历史最高|有史以来")
# An edition for each developer among a week's top eight models, and one for China's.
EDITIONS = "editions:\n  - {name: china, title: \"China's AI models on OpenRouter\", country: CN}\n" \
           "  - {per: developer, top: 8}\n"
AMOUNT = re.compile(r"\d[\d,.]*\s?(?:trillion|billion|万亿|亿)")


def config(folder: Path, api: Api, weekly: bool = False, editions: bool = False) -> Path:
    path = folder / "config.yaml"
    figures = Path(os.environ.get("SEASON_FIGURES", ROOT / "demo" / "figures.yaml"))
    if weekly:
        board = leaderboard_csv(folder, sorted(p.name for p in WEEKLY.glob("*.json")))
        # The copies are of openrouter.ai/rankings: credited to it, as a user would give its url.
        sources = f"  - {{name: board, type: csv, path: '{board}', url: 'https://openrouter.ai/rankings'}}\n"
    else:
        sources = (f"  - {{name: openrouter, type: openrouter, base_url: '{api.base_url}', timeout: 5}}\n"
                   f"  - {{name: catalogue, type: openrouter-models, base_url: '{api.base_url}', "
                   "timeout: 5}\n")
    path.write_text("output: output\nlocales: [en, zh]\nsources:\n" + sources +
                    f"  - {{name: editor-figures, type: figures, path: '{figures}'}}\n" +
                    (EDITIONS if editions else ""), encoding="utf-8")
    return path


def bulletin(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulletin", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=dict(os.environ, OPENROUTER_API_KEY=API_KEY))


def listed_days() -> dict[str, dict[str, int]]:
    """Week -> model -> days listed, from the recorded days themselves."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in DAILY.glob("*.json"):
        day = json.loads(path.read_text(encoding="utf-8"))
        year, number, _ = date.fromisoformat(day["date"]).isocalendar()
        for row in day["rows"]:
            days[f"{year}-W{number:02d}"][row["model_permaslug"]] += 1
    return days


def against_partial(text: str, week: str, names: dict[str, str], days: dict[str, dict[str, int]]) -> int:
    """Changes and rank moves stated for a model listed on only some days of this week or the last."""
    if week not in WEEKS:
        return 0  # a weekly leaderboard lists whole weeks: no model's week is partial
    previous = WEEKS[WEEKS.index(week) - 1] if week != WEEKS[0] else ""
    found = 0
    for model, name in names.items():
        if days[week].get(model, 0) == 7 and days[previous].get(model, 0) == 7:
            continue
        if not previous or model not in days[previous]:
            continue  # new this week: no change is stated, "new"
        for line in text.splitlines():
            cells = [cell.strip() for cell in line.split("|")]
            if line.startswith("|") and name in cells and re.search(r"\d%|×", cells[-2]):
                found += 1
            # A name followed by another word is another model ("MiMo V2.5 Pro").
            elif not line.startswith("|") and name in line and re.search(
                    rf"{re.escape(name)}(?! [A-Z0-9])[^.]*{MOVE}", line):
                found += 1
    return found


def paragraphs(text: str) -> list[str]:
    body = text.split("\n## ", 1)[0]  # the story, not the tables and notes below it
    # The chart's alt text repeats the figures by design; it is no paragraph of the story.
    return [p for p in body.split("\n\n") if p.strip() and not p.startswith(("#", "!["))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", action="store_true")
    parser.add_argument("--weekly", action="store_true", help="the weekly leaderboard copies' season")
    parser.add_argument("--keep", type=Path, help="write the season's bulletins here")
    parser.add_argument("--editions", action="store_true",
                        help="also write China's edition and one per developer among the top eight")
    args = parser.parse_args()
    if not DAILY.is_dir():
        sys.exit(f"recorded data not found at {DAILY}")
    with tempfile.TemporaryDirectory() as scratch, Api(daily=DAILY, weekly=SHARED_DATA /
                                                       "openrouter-weekly-top10") as api:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = config(folder, api, args.weekly, args.editions)
        span = () if args.weekly else ("--from", "2026-05-04", "--to", "2026-08-21")
        done = bulletin("collect", "--config", path, *span, cwd=folder)
        if done.returncode not in (0, 3):
            sys.exit(done.stderr)
        counts: Counter[str] = Counter()
        days = listed_days()
        headlines: dict[str, set[str]] = {"en": set(), "zh": set()}
        for week in WEEKLY_WEEKS if args.weekly else WEEKS:
            done = bulletin("render", "--config", path, "--week", week, cwd=folder)
            if done.returncode != 0:
                print(f"{week}: {done.stderr.strip()}")
                continue
            stats = json.loads(bulletin("stats", "--config", path, "--week", week, "--format", "json",
                                        cwd=folder).stdout)
            names = {row["model"]: row["name"] for row in stats["models"]}
            traced = json.loads((folder / "output" / "bulletins" / week / "bulletin.json")
                                .read_text(encoding="utf-8"))["numbers"]
            for locale, name in (("en", "bulletin.md"), ("zh", "bulletin.zh.md")):
                text = (folder / "output" / "bulletins" / week / name).read_text(encoding="utf-8")
                partial = against_partial(text, week, names, days)
                counts[f"changes against partial weeks ({locale})"] += partial
                counts[f"numbers the claim check verified ({locale})"] += len(traced[locale])
                lines = [line for line in text.splitlines() if line.strip()]
                headline = lines[0].lstrip("# ")
                body = paragraphs(text)
                headlines[locale].add(headline)
                print(f"{week} {locale}: {headline}\n    {body[1] if len(body) > 1 else ''}\n")
                counts[f"raw ids ({locale})"] += len(RAW_ID.findall(LINK.sub(" ", text)))
                counts[f"unhedged records ({locale})"] += len(UNHEDGED.findall(text))
                told = Counter(a for p in body for a in set(AMOUNT.findall(p)))
                counts[f"figures in >2 paragraphs ({locale})"] += sum(n > 2 for n in told.values())
        if args.counts:
            for locale, seen in headlines.items():
                counts[f"distinct headlines ({locale})"] = len(seen)
            for key, value in sorted(counts.items()):
                print(f"{key}: {value}")


if __name__ == "__main__":
    main()
