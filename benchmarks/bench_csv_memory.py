"""Peak memory of reading a large leaderboard CSV into a fresh store.

Generates CSV files of the given sizes (daily rows: date, model, tokens, name)
and, for each, runs one collect-and-save in a child process, then prints the
child's peak resident memory and time. A file source must be read without
holding it whole: peak memory should stay roughly flat as the file grows.
Run by hand:

    .venv/bin/python benchmarks/bench_csv_memory.py [--sizes 50 200]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CHILD = """
import sys
from pathlib import Path
from bulletin.collect.csv_leaderboard import CsvLeaderboard
from bulletin.store.database import Store

source = CsvLeaderboard(name="board", attribution="board", licence="", path=Path(sys.argv[1]))
with Store.open(Path(sys.argv[2])) as store:
    report = store.save([source.collect()])[0]
print(report.added, report.unchanged)
"""


def write_csv(path: Path, megabytes: int) -> int:
    rng = random.Random(11)
    models = [f"lab{n % 23}/model-{n}-2026{n % 12 + 1:02d}01" for n in range(2000)]
    limit = megabytes * 1024 * 1024
    rows = 0
    day = date(2000, 1, 3)
    with path.open("w", encoding="utf-8") as out:
        out.write("date,model,tokens,name\n")
        while out.tell() < limit:
            for model in rng.sample(models, 200):
                out.write(f"{day.isoformat()},{model},{rng.randrange(10**9, 10**12)},"
                          f"Model {model[-12:]}\n")
                rows += 1
            day += timedelta(days=1)
    return rows


def measure(csv_path: Path, store_path: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(csv_path), str(store_path)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{csv_path.name}: the read failed: {done.stderr.strip()[-400:]}")
    seconds = time.perf_counter() - start
    # ru_maxrss of children is the largest child so far: sizes run smallest first.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(peak, before) / 1024, seconds, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="CSV sizes in MB")
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    if args.quick:
        args.sizes = [1]
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sorted(args.sizes):
            csv_path = Path(folder) / f"board-{megabytes}.csv"
            rows = write_csv(csv_path, megabytes)
            peak, seconds, said = measure(csv_path, Path(folder) / f"store-{megabytes}.db")
            print(f"{megabytes:4d} MB CSV, {rows:,} rows: peak RSS {peak:,.0f} MB, "
                  f"{seconds:.1f} s (added, unchanged: {said})")


if __name__ == "__main__":
    main()
