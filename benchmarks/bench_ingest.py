"""Ingest ten years of daily Data API rows (about 186,000) into a fresh store.

Times what a back-fill costs once the responses are in: checking every row of
each 31-day response and merging them into SQLite in one transaction, then a
second, unchanged import (which must write nothing). The goal is at least
200,000 rows a second. Run by hand:

    .venv/bin/python benchmarks/bench_ingest.py [--years 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bulletin.collect.openrouter import parse_rankings, windows
from bulletin.model import Collected
from bulletin.store.database import Store


def responses(years: int) -> list[tuple[bytes, date, date]]:
    rng = random.Random(7)
    models = [f"lab{n % 17}/model-{n}-2026{n % 12 + 1:02d}01" for n in range(400)]
    first = date(2016, 8, 22)
    days = [first + timedelta(days=n) for n in range(365 * years)]
    bodies = []
    for low, high in windows(days, 31):
        data = []
        day = low
        while day <= high:
            for model in rng.sample(models, 50):
                data.append({"date": day.isoformat(), "model_permaslug": model,
                             "total_tokens": str(rng.randrange(10**9, 10**12))})
            data.append({"date": day.isoformat(), "model_permaslug": "other",
                         "total_tokens": str(rng.randrange(10**11, 10**13))})
            day += timedelta(days=1)
        meta = {"as_of": "2026-08-22T04:00:00Z", "start_date": low.isoformat(),
                "end_date": high.isoformat(), "version": "1"}
        bodies.append((json.dumps({"data": data, "meta": meta}).encode(), low, high))
    return bodies


def ingest(store: Store, bodies: list[tuple[bytes, date, date]]) -> tuple[int, float, float, float]:
    cpu = time.process_time()
    start = time.perf_counter()
    rows = []
    for body, low, high in bodies:
        parsed, _ = parse_rankings(json.loads(body), "bench", "openrouter", "https://openrouter.ai/rankings",
                                   "2026-08-22T05:00:00+00:00", low, high)
        rows.extend(parsed)
    parsed_at = time.perf_counter()
    store.save([Collected("openrouter", rows=tuple(rows), figures_replace=False)])
    return len(rows), parsed_at - start, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    if args.quick:
        args.years = 1
    bodies = responses(args.years)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bulletin.db"
        with Store.open(path) as store:
            for label in ("fresh store", "same rows again (writes nothing)"):
                rows, parsing, total, cpu = ingest(store, bodies)
                # CPU time beside wall time: the machine is shared, and waiting for a core is not ours.
                print(f"{label}: {rows:,} rows in {total:.3f} s = {rows / total:,.0f} rows/s "
                      f"(parsing and checking {parsing:.3f} s, storing {total - parsing:.3f} s; "
                      f"CPU {cpu:.3f} s = {rows / cpu:,.0f} rows/s)")
    print(f"{len(bodies)} responses of at most 31 days; "
          f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
