"""Rules on a large synthetic store: 10 years of daily data for 500 models.

Run by hand: ``.venv/bin/python benchmarks/bench_rules.py [--years 10 --models 500]``.
The rows go in the way a collection writes them (Store.save, a year at a
time), so the store keeps its weekly totals as it would in use. Prints the
time to aggregate the history, to detect one week's events, to run
``bulletin events --week W`` as a fresh process (the goal: well under 0.5 s),
to backtest every week, and the peak memory (the process's maximum RSS).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bulletin.config.load import load_config
from bulletin.model import Collected
from bulletin.pipeline import stats_history, week_events
from bulletin.pipeline.backtest import backtest
from bulletin.store.database import Store
from bulletin.story.detect import detect
from bulletin.story.rules import HistoryIndex

AUTHORS = ["openai", "anthropic", "google", "deepseek", "minimax", "qwen", "moonshotai", "z-ai",
           "x-ai", "mistralai", "meta-llama", "stepfun", "openrouter"]


def build(folder: Path, years: int, models: int) -> Path:
    (folder / "empty.csv").write_text("date,model,tokens\n", encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text("output: output\nsources:\n  - {name: api, type: csv, path: empty.csv}\n",
                      encoding="utf-8")
    database = folder / "output" / "bulletin.db"
    rng = random.Random(7)
    slugs = [f"{AUTHORS[i % len(AUTHORS)]}/model-{i}" for i in range(models)]
    level = {slug: rng.lognormvariate(22, 1.5) for slug in slugs}
    start = date(2016, 1, 4)  # a Monday
    with Store.open(database) as store:
        for year in range(years):
            rows = []
            for day in range(year * 364, (year + 1) * 364):
                period = (start + timedelta(days=day)).isoformat()
                for slug in slugs:
                    level[slug] *= rng.uniform(0.97, 1.035)
                    rows.append(("api", period, slug, int(level[slug]), None, "", ""))
            store.save([Collected("api", rows=tuple(rows), figures_replace=False)])
    return config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="a year of 30 models, to see it works")
    args = parser.parse_args()
    if args.quick:
        args.years, args.models = 1, 30
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        config = load_config(build(Path(tmp), args.years, args.models))
        print(f"built {args.years * 52 * 7 * args.models:,} observations in "
              f"{time.perf_counter() - t:.1f} s")
        with Store.open(config.database) as store:
            t = time.perf_counter()
            history = stats_history(config, store)
            print(f"aggregate {len(history)} weeks: {time.perf_counter() - t:.2f} s")
            figures = store.figures()
        last = max(history)
        t = time.perf_counter()
        events = detect(last, history, figures, config.methodology, config.rules,
                        index=HistoryIndex(history))
        print(f"detect one week ({last}, {len(events)} events): {time.perf_counter() - t:.3f} s")
        t = time.perf_counter()
        week_events(config, last)
        print(f"`bulletin events --week {last}` work (aggregate + detect): "
              f"{time.perf_counter() - t:.2f} s")
        command = [sys.executable, "-m", "bulletin", "events", "--config", str(config.path),
                   "--week", str(last)]
        timings = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            timings.append(time.perf_counter() - t)
        print(f"`bulletin events --week {last}` as a fresh process: best of 3 "
              f"{min(timings):.2f} s ({', '.join(f'{x:.2f}' for x in timings)})")
        t = time.perf_counter()
        results = backtest(config)
        print(f"backtest {len(results)} weeks (aggregation included): "
              f"{time.perf_counter() - t:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB; load average {os.getloadavg()[0]:.2f}", file=sys.stdout)


if __name__ == "__main__":
    main()
