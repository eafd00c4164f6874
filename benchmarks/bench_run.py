"""Time a whole `bulletin run` on the demo data, as a fresh process each time.

Prints the median of several runs beside the import floor: a bare Python
process importing the libraries bulletin is built on. The goal is a run
within 3x that floor. Run by hand:

    .venv/bin/python benchmarks/bench_run.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import jinja2, httpx, feedparser, markdown, yaml"


# As an installed package runs: from compiled bytecode, whatever this shell says.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--quick", action="store_true", help="one run of each, to see it works")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    bulletin = Path(sys.executable).with_name("bulletin")

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copy(ROOT / "config.yaml", project)
        shutil.copytree(ROOT / "demo", project / "demo")
        floor, fresh, again = [], [], []
        timed([str(bulletin), "run"], project)  # writes the bytecode the runs below read
        for _ in range(runs):
            floor.append(timed([sys.executable, "-c", FLOOR], project))
            shutil.rmtree(project / "output", ignore_errors=True)
            fresh.append(timed([str(bulletin), "run"], project))  # creates the store
            again.append(timed([str(bulletin), "run"], project))  # store already current
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    floor_ms = statistics.median(floor) * 1000
    print(f"import floor ({FLOOR}): {floor_ms:.0f} ms median of {runs}")
    for label, samples in (("bulletin run, new store", fresh), ("bulletin run, store current", again)):
        ms = statistics.median(samples) * 1000
        print(f"{label}: {ms:.0f} ms median of {runs} ({ms / floor_ms:.2f}x the floor; "
              f"min {min(samples) * 1000:.0f}, max {max(samples) * 1000:.0f})")
    print(f"peak memory of any child process: {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
