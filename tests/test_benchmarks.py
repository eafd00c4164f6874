"""Every benchmark still runs (its --quick form; the figures are measured by hand)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from support import ROOT


@pytest.mark.parametrize(("script", "says"), [
    ("bench_run.py", "bulletin run, new store"),
    ("bench_rules.py", "backtest 52 weeks"),
    ("bench_render.py", "claim check"),
    ("bench_feeds.py", "second (304, unchanged): 3 feeds"),
    ("bench_ingest.py", "same rows again (writes nothing)"),
    ("bench_corrections.py", "revise no stated number"),
    ("bench_csv_memory.py", "1 MB CSV"),
    ("bench_refused.py", "server refusing connections: exit"),
    ("bench_site.py", "publishing one week into the 30-week site, in-process: alone"),
    ("bench_email.py", "signed / unsigned"),
    ("bench_signup.py", "medians differ by"),
    ("bench_quota.py", "most in any 1-second window: 14 (limit 14)"),
    ("bench_editions.py", "bulletin run with 20 editions"),
])
def test_a_benchmark_runs_quickly(script: str, says: str) -> None:
    if script == "bench_email.py" and not shutil.which("smtp-sink"):
        pytest.skip("bench_email.py sends to Postfix's smtp-sink: apt-get install postfix")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert says in done.stdout, done.stdout
