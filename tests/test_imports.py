"""What a weekly run imports: nothing it does not use.

A run's time is mostly its start-up (benchmarks/bench_run.py keeps it within
3x the import floor). Each module named here once slipped into the demo's run,
costing it 5 to 10 ms, through a convenience: xml.sax for escaping (it brings
urllib.request), smtplib and ssl with no mail server set, a feed library with
lxml and dateutil for one Atom file, the HTTP and feed parsers for a CSV source.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support import FIXED_EPOCH, copy_demo

NOT_IMPORTED = ("xml.sax", "urllib.request", "smtplib", "ssl", "lxml", "dateutil", "feedgen",
                "httpx", "feedparser", "psycopg")


def test_the_demo_run_imports_none_of_what_it_does_not_use(tmp_path: Path) -> None:
    copy_demo(tmp_path, targets=True)
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bulletin", "run"], cwd=tmp_path,
                          env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", done.stderr, re.MULTILINE))
    assert "bulletin.pipeline" in imported  # the listing was read
    assert sorted(name for name in imported if name.split(".")[0] in NOT_IMPORTED
                  or name in NOT_IMPORTED) == []
