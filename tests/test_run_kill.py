"""SIGKILL a whole weekly run (collect, render, site, email) at random points; the next run mends it.

Each trial starts from a fresh copy of one project (demo data, a site target,
an email target writing to the outbox, SUBSCRIBERS subscribers), kills its
first `bulletin run` after a random share of a measured run's time, runs it
again to the end, and checks: the week is on the site once, every subscriber
has exactly one copy, no temporary or half-written file is left anywhere in
the output, and SQLite's integrity check passes. The seed is printed;
``BULLETIN_KILL_SEED`` repeats the kill points, ``BULLETIN_RUN_KILL_TRIALS``
sets how many (30 by default).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from support import FIXED_EPOCH, ROOT
from support.emailing import KEY, email_config, received

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("BULLETIN_RUN_KILL_TRIALS", "30"))
SUBSCRIBERS = 12
ENV = {**os.environ, "BULLETIN_SIGNING_KEY": KEY, "SOURCE_DATE_EPOCH": FIXED_EPOCH}


def start(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bulletin", "run"], cwd=project, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=project, env=ENV,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run-kill") / "template"
    folder.mkdir()
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "demo", folder / "demo")
    email_config(folder)
    with open(folder / "config.yaml", "a", encoding="utf-8") as config:
        config.write("  - {name: site, type: site, base_url: 'https://news.example.org'}\n")
    names = folder / "subscribers.csv"
    names.write_text("email\n" + "".join(f"reader{n}@example.com\n" for n in range(SUBSCRIBERS)),
                     encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bulletin", "subscribers", "import", str(names)],
                          cwd=folder, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder


def check(project: Path, trial: str) -> None:
    output = project / "output"
    leftovers = [str(p.relative_to(output)) for p in output.rglob(".*")]
    assert leftovers == [], f"{trial}: temporaries left: {leftovers}"
    copies = Counter(str(m["To"]).lower() for m in received(output / "outbox" / "2026-W11"))
    assert len(copies) == SUBSCRIBERS and set(copies.values()) == {1}, f"{trial}: copies {copies}"
    feed = (output / "site" / "feed.xml").read_text(encoding="utf-8")
    entries = re.findall(r"<entry>.*?</entry>", feed, re.S)
    assert sum("2026/w11/" in entry for entry in entries) == 1, f"{trial}: the week in the feed"
    assert (output / "site" / "2026" / "w11" / "index.html").is_file(), trial
    with sqlite3.connect(output / "bulletin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", trial


def test_a_run_killed_anywhere_is_mended_by_the_next(template: Path, tmp_path: Path) -> None:
    seed = int(os.environ.get("BULLETIN_KILL_SEED") or random.SystemRandom().randrange(2**32))
    print(f"run kill points: BULLETIN_KILL_SEED={seed}")
    chance = random.Random(seed)
    measured = tmp_path / "measured"
    shutil.copytree(template, measured)
    started = time.monotonic()
    assert run(measured).returncode == 0
    took = time.monotonic() - started
    check(measured, "an unkilled run")

    killed_midway = 0
    for n in range(TRIALS):
        project = tmp_path / f"trial-{n}"
        shutil.copytree(template, project)
        process = start(project)
        time.sleep(chance.uniform(0.05, 1.0) * took)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        killed_midway += code == -signal.SIGKILL
        mended = run(project)
        trial = f"trial {n} [BULLETIN_KILL_SEED={seed}]"
        assert mended.returncode == 0, f"{trial}: {mended.stderr}"
        check(project, trial)
        shutil.rmtree(project)
    print(f"{TRIALS} trials, {killed_midway} killed before they ended; run time {took:.2f} s")
    assert killed_midway >= TRIALS // 2  # the kills land inside runs, not after them
