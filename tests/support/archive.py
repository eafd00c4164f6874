"""Make an archive of many published weeks quickly, from one really rendered bulletin.

Used by the site tests (a build to kill midway) and by benchmarks/bench_site.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bulletin.model import Delivery
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek


def make_archive(template: Path, output: Path, database: Path, count: int,
                 first: IsoWeek | None = None, target: str = "site") -> list[str]:
    """``count`` weeks from ``first`` on, each a copy of the bulletin folder ``template``
    with its own week and headline, recorded in the store as rendered and published."""
    page = (template / "bulletin.html").read_text(encoding="utf-8")
    markdown = (template / "bulletin.md").read_text(encoding="utf-8")
    data = json.loads((template / "bulletin.json").read_text(encoding="utf-8"))
    old_headline = data["headline"]
    weeks = []
    week = first or IsoWeek(2007, 1)
    with Store.open(database) as store:
        for number in range(count):
            name = str(week)
            headline = f"Weekly token volumes, issue {number + 1} ({name})"
            when = datetime.combine(week.sunday + timedelta(days=1), datetime.min.time(), UTC)
            folder = output / "bulletins" / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "bulletin.html").write_text(page.replace(old_headline, headline), encoding="utf-8")
            (folder / "bulletin.md").write_text(markdown.replace(old_headline, headline), encoding="utf-8")
            (folder / "bulletin.json").write_text(json.dumps(
                {**data, "week": name, "headline": headline, "generated_at": when.isoformat()}),
                encoding="utf-8")
            for extra in data.get("chart", {}).get("files", []) or ("chart.svg", "chart.png"):
                if (template / extra).exists():
                    shutil.copy(template / extra, folder / extra)
            store.record_bulletin(name, headline, [], when.isoformat())
            store.record_delivery(Delivery(name, target, "ok", remote_id=f"{week.year}/w{week.week:02d}/"))
            weeks.append(name)
            week = week.next()
    return weeks
