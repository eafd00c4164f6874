"""Time rendering one bulletin (all formats, English and Chinese, with the chart)
against the whole `bulletin run`, each in a fresh process.

Rendering here is render_story(): Markdown, page, email HTML (CSS inlined),
email text, in both languages, the chart as SVG and PNG (matplotlib imported
on the way, as in a real run) and bulletin.json with the number trail; plus
the claim check. Run by hand and note the machine's load:

    .venv/bin/python benchmarks/bench_render.py [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = """
import json, time
start = time.perf_counter()
from pathlib import Path
from bulletin.render import claims
from bulletin import pipeline
from bulletin.config.load import load_config
from bulletin.render.article import render_story
from bulletin.store.database import Store
config = load_config(Path("config.yaml"))
with Store.open(config.database) as store:
    story = pipeline.build_story(config, store)
    before = time.perf_counter()
    artifacts = render_story(story, pipeline.render_settings(config))
    rendered = time.perf_counter()
    texts = {a.filename: a.content for a in artifacts if isinstance(a.content, str)}
    claims.check(story, claims.readable(texts, config.locales), config.title)
    checked = time.perf_counter()
print(json.dumps({"render": rendered - before, "check": checked - rendered}))
"""


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(project: Path, runs: int, chart: bool) -> dict[str, float]:
    config = project / "config.yaml"
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text[:text.index("\npublish:\n") + 1]  # rendering only, without the demo's targets
    config.write_text(text + f"locales: [en, zh]\nchart: {'true' if chart else 'false'}\n",
                      encoding="utf-8")
    bulletin = Path(sys.executable).with_name("bulletin")
    whole, again, render, check = [], [], [], []
    for _ in range(runs):
        shutil.rmtree(project / "output", ignore_errors=True)
        whole.append(timed([str(bulletin), "run"], project))  # draws the chart
        again.append(timed([str(bulletin), "run"], project))  # same data: reuses it
        out = subprocess.run([sys.executable, "-c", PHASES], cwd=project, check=True,
                             capture_output=True, text=True).stdout
        phases = json.loads(out)
        render.append(phases["render"])
        check.append(phases["check"])
    return {"whole": statistics.median(whole), "again": statistics.median(again),
            "render": statistics.median(render),
            "check": statistics.median(check)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one run of each, to see it works")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copytree(ROOT / "demo", project / "demo")
        for chart in (True, False):
            m = measure(project, runs, chart)
            label = "with chart" if chart else "without chart"
            print(f"{label}: render {m['render'] * 1000:.0f} ms + claim check {m['check'] * 1000:.0f} ms "
                  f"of a {m['whole'] * 1000:.0f} ms `bulletin run` "
                  f"({(m['render'] + m['check']) / m['whole']:.0%} of the run); a rerun on the same "
                  f"data {m['again'] * 1000:.0f} ms; medians of {runs}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
