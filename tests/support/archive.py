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
    (in each language it was written in) with its own week and headlines, recorded in the
    store as rendered and published."""
    data = json.loads((template / "bulletin.json").read_text(encoding="utf-8"))
    old_headline = data["headline"]
    # Each language the template was written in: its article's files, and its headline there.
    articles = data.get("articles") or {"en": {"headline": old_headline, "files": []}}
    texts = {name: (template / name).read_text(encoding="utf-8")
             for name in ("bulletin.html", "bulletin.md",
                          *(f"bulletin.{lang}.{kind}" for lang in articles if lang != "en"
                            for kind in ("html", "md")))
             if (template / name).exists()}
    weeks = []
    week = first or IsoWeek(2007, 1)
    with Store.open(database) as store:
        for number in range(count):
            name = str(week)
            headline = f"Weekly token volumes, issue {number + 1} ({name})"
            headlines = {lang: headline if lang == "en" else f"{article['headline']}（第{number + 1}期）"
                         for lang, article in articles.items()}
            when = datetime.combine(week.sunday + timedelta(days=1), datetime.min.time(), UTC)
            folder = output / "bulletins" / name
            folder.mkdir(parents=True, exist_ok=True)
            for file, text in texts.items():
                for lang, article in articles.items():
                    text = text.replace(old_headline if lang == "en" else article["headline"],
                                        headlines[lang])
                (folder / file).write_text(text, encoding="utf-8")
            (folder / "bulletin.json").write_text(json.dumps(
                {**data, "week": name, "headline": headline, "generated_at": when.isoformat(),
                 "articles": {lang: {**article, "headline": headlines[lang]}
                              for lang, article in articles.items()}}),
                encoding="utf-8")
            for extra in data.get("chart", {}).get("files", []) or ("chart.svg", "chart.png"):
                if (template / extra).exists():
                    shutil.copy(template / extra, folder / extra)
            store.record_bulletin(name, headline, [], when.isoformat())
            path = f"{week.year}/w{week.week:02d}/"
            pages = [path, *(f"{path}{lang}/" for lang in articles if lang != "en")]
            store.record_delivery(Delivery(name, target, "ok", remote_id=" ".join(pages)))
            weeks.append(name)
            week = week.next()
    return weeks
