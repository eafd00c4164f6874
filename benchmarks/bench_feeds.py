"""Collect 50 feeds from a loopback server that takes 200 ms to answer each.

Sources run concurrently, so the whole collection should take little more
than one answer's latency, far under 2 s. Run by hand:

    .venv/bin/python benchmarks/bench_feeds.py [--feeds 50] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bulletin import pipeline  # noqa: E402
from bulletin.config.load import load_config  # noqa: E402
from support.loopback import Api  # noqa: E402


def feed(number: int) -> str:
    entries = "".join(
        f"<entry><title>Lab {number} news {i}</title><id>lab{number}-{i}</id>"
        f"<link href='https://lab{number}.example/{i}'/><updated>2026-03-{i + 1:02d}T08:00:00Z</updated>"
        f"<summary type='html'>&lt;p&gt;Usage reached {i + 1}.5 trillion tokens in 2026.&lt;/p&gt;</summary>"
        "</entry>" for i in range(20))
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Lab {number}</title><id>lab{number}</id><updated>2026-03-22T08:00:00Z</updated>"
            f"{entries}</feed>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    if args.quick:
        args.feeds, args.latency = 3, 0.01
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "feeds").mkdir()
        for n in range(args.feeds):
            (folder / "feeds" / f"lab{n}.xml").write_text(feed(n), encoding="utf-8")
        with Api(feeds=folder / "feeds", delay=args.latency) as api:
            sources = "\n".join(f"  - {{name: lab{n}, type: feed, url: '{api.base_url}/feeds/lab{n}.xml'}}"
                                for n in range(args.feeds))
            (folder / "config.yaml").write_text(f"output: output\nsources:\n{sources}\n", encoding="utf-8")
            config = load_config(folder / "config.yaml")
            for label in ("first (200, all items new)", "second (304, unchanged)"):
                start = time.perf_counter()
                outcomes = pipeline.collect(config)
                took = time.perf_counter() - start
                states = sorted({o.state for o in outcomes})
                print(f"{label}: {len(outcomes)} feeds in {took:.3f} s "
                      f"(latency {args.latency * 1000:.0f} ms each; states {', '.join(states)})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
