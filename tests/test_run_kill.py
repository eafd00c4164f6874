"""SIGKILL a whole weekly run (collect, site, WordPress, email) at random points; the next run mends it.

Each trial starts from a fresh copy of one project (demo data, a site target,
a WordPress target on the real WordPress the other tests use, an email target
writing to the outbox, SUBSCRIBERS subscribers), kills its first `bulletin
run` after a random share of a measured run's time, runs it again to the end,
and checks: the week is on the site once, WordPress holds one post of it (each
trial has its own slug), every subscriber has exactly one copy, no temporary
or half-written file is left anywhere in the output, and SQLite's integrity
check passes. The seed is printed;
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

import httpx
import pytest

from support import FIXED_EPOCH, copy_demo
from support.emailing import KEY, email_config, received
from support.wordpress import USER, WordPress

pytestmark = [pytest.mark.slow, pytest.mark.external]

TRIALS = int(os.environ.get("BULLETIN_RUN_KILL_TRIALS", "30"))
SUBSCRIBERS = 12
ENV = {**os.environ, "BULLETIN_SIGNING_KEY": KEY, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
SLUG = "slug_prefix: template-"  # each trial's copy names its own: its post is told from the others'


def start(project: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bulletin", "run"], cwd=project, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def env(wordpress: WordPress) -> dict[str, str]:
    return {**ENV, "WP_USER": USER, "WP_APP_PASSWORD": wordpress.password}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, wordpress: WordPress, env: dict[str, str]
             ) -> Path:
    folder = tmp_path_factory.mktemp("run-kill") / "template"
    folder.mkdir()
    copy_demo(folder)
    # In the order a run publishes: the site, WordPress, then the email.
    with open(folder / "config.yaml", "a", encoding="utf-8") as config:
        config.write("publish:\n  - {name: site, type: site, base_url: 'https://news.example.org'}\n"
                     f"  - {{name: newsroom, type: wordpress, url: '{wordpress.url}', user_env: WP_USER,"
                     f" password_env: WP_APP_PASSWORD, status: publish, {SLUG}}}\n")
    email_config(folder)
    text = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(text.replace("publish:\n  - name: newsletter",
                                                     "  - name: newsletter"), encoding="utf-8")
    names = folder / "subscribers.csv"
    names.write_text("email\n" + "".join(f"reader{n}@example.com\n" for n in range(SUBSCRIBERS)),
                     encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bulletin", "subscribers", "import", str(names)],
                          cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder


def copy(template: Path, project: Path, name: str) -> Path:
    shutil.copytree(template, project)
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(SLUG, f"slug_prefix: {name}-"),
                      encoding="utf-8")
    return project


def posts(wordpress: WordPress, name: str) -> list[dict[str, object]]:
    """The posts of the week with this trial's slug, in any state, and any WordPress made unique."""
    slug = f"{name}-2026-w11"
    answer = httpx.get(f"{wordpress.url}/", auth=(USER, wordpress.password), timeout=30, params={
        "rest_route": "/wp/v2/posts", "context": "edit", "per_page": "100",
        "status": "publish,future,draft,pending,private",
        "slug": ",".join([slug] + [f"{slug}-{n}" for n in range(2, 6)])})
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def check(project: Path, trial: str, wordpress: WordPress, name: str) -> None:
    output = project / "output"
    leftovers = [str(p.relative_to(output)) for p in output.rglob(".*")]
    assert leftovers == [], f"{trial}: temporaries left: {leftovers}"
    copies = Counter(str(m["To"]).lower() for m in received(output / "outbox" / "2026-W11"))
    assert len(copies) == SUBSCRIBERS and set(copies.values()) == {1}, f"{trial}: copies {copies}"
    feed = (output / "site" / "feed.xml").read_text(encoding="utf-8")
    entries = re.findall(r"<entry>.*?</entry>", feed, re.S)
    assert sum("2026/w11/" in entry for entry in entries) == 1, f"{trial}: the week in the feed"
    assert (output / "site" / "2026" / "w11" / "index.html").is_file(), trial
    assert (output / "outbox" / "preview" / "2026-W11.eml").is_file(), trial
    with sqlite3.connect(output / "bulletin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", trial
        recorded = db.execute("SELECT status, remote_id FROM deliveries WHERE target = 'newsroom'"
                              ).fetchall()
    found = posts(wordpress, name)
    assert [(p["slug"], p["status"]) for p in found] == [(f"{name}-2026-w11", "publish")], \
        f"{trial}: WordPress posts {[(p['id'], p['slug']) for p in found]}"
    assert recorded == [("ok", str(found[0]["id"]))], f"{trial}: the store says {recorded}"


def test_a_run_killed_anywhere_is_mended_by_the_next(template: Path, tmp_path: Path,
                                                     wordpress: WordPress, env: dict[str, str]
                                                     ) -> None:
    seed = int(os.environ.get("BULLETIN_KILL_SEED") or random.SystemRandom().randrange(2**32))
    print(f"run kill points: BULLETIN_KILL_SEED={seed}")
    chance = random.Random(seed)
    # The kill points are shares of an unkilled run's time: the quicker of two, as the first
    # pays for cold caches (and WordPress's first answers), and kills must land inside runs.
    times = []
    for name in ("measured", "measured-again"):
        measured = copy(template, tmp_path / name, name)
        started = time.monotonic()
        done = run(measured, env)
        assert done.returncode == 0, done.stderr
        times.append(time.monotonic() - started)
        check(measured, "an unkilled run", wordpress, name)
    took = min(times)

    killed_midway = 0
    for n in range(TRIALS):
        name = f"trial-{seed}-{n}"
        project = copy(template, tmp_path / name, name)
        process = start(project, env)
        time.sleep(chance.uniform(0.05, 1.0) * took)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        killed_midway += code == -signal.SIGKILL
        mended = run(project, env)
        trial = f"trial {n} [BULLETIN_KILL_SEED={seed}]"
        assert mended.returncode == 0, f"{trial}: {mended.stderr}"
        check(project, trial, wordpress, name)
        shutil.rmtree(project)
    print(f"{TRIALS} trials, {killed_midway} killed before they ended; run time {took:.2f} s")
    assert killed_midway >= TRIALS // 2  # the kills land inside runs, not after them
