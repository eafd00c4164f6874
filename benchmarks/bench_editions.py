"""Time `bulletin run` on the demo data with twenty editions against the same run without any.

Each run is a fresh process on a fresh output folder (a new store), as in
bench_run.py. The goal: twenty editions cost at most 3x the run without
editions. The editions are the demo week's six developers, ten developers
with no model in its top nine (short editions), and four countries. Run by
hand, on a quiet machine:

    .venv/bin/python benchmarks/bench_editions.py [--runs 11] [--editions 20]
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
DEVELOPERS = ("deepseek", "minimax", "stepfun", "google", "anthropic", "moonshotai", "x-ai", "openai", "qwen",
              "z-ai", "meta-llama", "mistralai", "xiaomi", "tencent", "nvidia", "cohere")
COUNTRIES = (("china", "CN"), ("usa", "US"), ("france", "FR"), ("japan", "JP"))
# As an installed package runs: from compiled bytecode, whatever this shell says.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def editions(count: int) -> str:
    entries = [f"  - {{name: {name}, title: '{{name}} on OpenRouter', developer: {name}}}"
               for name in DEVELOPERS]
    entries += [f"  - {{name: {name}, title: '{{name}} on OpenRouter', country: {code}}}"
                for name, code in COUNTRIES]
    return "editions:\n" + "\n".join(entries[:count]) + "\n"


def timed(bulletin: Path, config: str, project: Path) -> float:
    shutil.rmtree(project / "output", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([str(bulletin), "run", "--config", config], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--editions", type=int, default=20, choices=range(1, 21), metavar="1..20")
    parser.add_argument("--locales", default="en", help="e.g. en,zh")
    parser.add_argument("--quick", action="store_true", help="one run of each, to see it works")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    bulletin = Path(sys.executable).with_name("bulletin")
    locales = f"locales: [{args.locales}]\n"

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copytree(ROOT / "demo", project / "demo")
        base = (ROOT / "config.yaml").read_text(encoding="utf-8") + locales
        (project / "without.yaml").write_text(base, encoding="utf-8")
        (project / "with.yaml").write_text(base + editions(args.editions), encoding="utf-8")
        timed(bulletin, "with.yaml", project)  # writes the bytecode and the templates' cache
        without, with_editions = [], []
        for _ in range(runs):  # interleaved, so that a busy moment falls on both
            without.append(timed(bulletin, "without.yaml", project))
            with_editions.append(timed(bulletin, "with.yaml", project))
        written = len(list((project / "output" / "bulletins" / "2026-W11" / "editions").iterdir()))
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    plain_ms, editions_ms = statistics.median(without) * 1000, statistics.median(with_editions) * 1000
    print(f"bulletin run without editions: {plain_ms:.0f} ms median of {runs} "
          f"(min {min(without) * 1000:.0f}, max {max(without) * 1000:.0f})")
    print(f"bulletin run with {written} editions: {editions_ms:.0f} ms median of {runs} "
          f"(min {min(with_editions) * 1000:.0f}, max {max(with_editions) * 1000:.0f}); "
          f"{editions_ms / plain_ms:.2f}x the run without")
    print(f"peak memory of any run: {peak_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
