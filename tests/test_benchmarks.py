"""The benchmarks the story issues measure still run (their --quick form; figures are by hand)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import ROOT


@pytest.mark.parametrize(("script", "says"), [
    ("bench_run.py", "bulletin run, new store"),
    ("bench_rules.py", "backtest 52 weeks"),
    ("bench_render.py", "claim check"),
])
def test_a_benchmark_runs_quickly(script: str, says: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert says in done.stdout, done.stdout
