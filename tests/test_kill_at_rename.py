"""SIGKILL a weekly run just before and just after each of its renames; the next run mends it.

A rename is the moment a file appears under its final name, so these are the
points where a killed run can leave the outputs out of step with each other or
with the store. For every rename of an unkilled run (counted by
``support/kill_at_rename.py``: the store's creation by a subscriber import,
then every file of a run with a site and an email target, in two languages),
two trials kill there, run the same commands again to the end and compare:
the site and the week's files as an unkilled run leaves them, byte for byte,
one email to each reader, no temporary file anywhere, and SQLite's
integrity check.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from support import FIXED_EPOCH, ROOT, copy_demo
from support.emailing import KEY, email_config, received

pytestmark = [pytest.mark.slow]

READERS = 3
KILLER = ROOT / "tests" / "support" / "kill_at_rename.py"
IMPORT = ("subscribers", "import", "readers.csv")


def bulletin(project: Path, *args: str, kill_at: str = "", renames: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BULLETIN_SIGNING_KEY": KEY, "SOURCE_DATE_EPOCH": FIXED_EPOCH,
           # The compiled templates, warmed by a first run: every later run makes the same renames.
           "XDG_CACHE_HOME": str(project.parent.parent / "cache"),
           "BULLETIN_KILL_AT": kill_at or "0:before", "BULLETIN_RENAMES": str(renames or "")}
    return subprocess.run([sys.executable, str(KILLER), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # BASE/template, BASE/unkilled/project, BASE/trials/project: all share BASE/cache.
    folder = tmp_path_factory.mktemp("kill-at-rename") / "template"
    folder.mkdir()
    copy_demo(folder)
    email_config(folder)
    config = folder / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "publish:\n", "locales: [en, zh]\npublish:\n"
                      "  - {name: site, type: site, base_url: 'https://news.example.org'}\n"),
        encoding="utf-8")
    (folder / "readers.csv").write_text(
        "email\n" + "".join(f"reader{n}@example.com\n" for n in range(READERS)), encoding="utf-8")
    return folder


def outputs(project: Path) -> dict[str, bytes]:
    """What readers see: the site and the week's files (the outbox's names are random)."""
    output = project / "output"
    return {str(path.relative_to(output)): path.read_bytes()
            for folder in ("site", "bulletins") for path in sorted((output / folder).rglob("*"))
            if path.is_file()}


@pytest.fixture(scope="module")
def unkilled(template: Path) -> tuple[dict[str, bytes], list[tuple[tuple[str, ...], int]]]:
    """An unkilled import and run: what they leave, and how many renames each makes."""
    folder = template.parent / "unkilled"
    shutil.copytree(template, folder / "warm-up")
    for args in (IMPORT, ("run",)):
        assert bulletin(folder / "warm-up", *args).returncode == 0
    project = folder / "project"
    shutil.copytree(template, project)
    counts = []
    for args in (IMPORT, ("run",)):
        renames = project / "renames.txt"
        done = bulletin(project, *args, renames=renames)
        assert done.returncode == 0, done.stderr
        counts.append((args, len(renames.read_text(encoding="utf-8").splitlines())))
    check(project, "an unkilled run")
    return outputs(project), counts


def check(project: Path, trial: str) -> None:
    output = project / "output"
    leftovers = [str(p.relative_to(project)) for p in output.rglob(".*")]
    assert leftovers == [], f"{trial}: temporaries left: {leftovers}"
    copies = Counter(str(m["To"]).lower() for m in received(output / "outbox" / "2026-W11"))
    assert len(copies) == READERS and set(copies.values()) == {1}, f"{trial}: copies {copies}"
    assert "2026-W11" in json.loads((output / "site-excerpts.json").read_text(encoding="utf-8"))
    with sqlite3.connect(output / "bulletin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", trial


def points(counts: list[tuple[tuple[str, ...], int]]) -> list[tuple[int, int, str]]:
    return [(step, n, when) for step, (_, renames) in enumerate(counts)
            for n in range(1, renames + 1) for when in ("before", "after")]


def test_a_run_killed_at_any_rename_is_mended_by_the_next(template: Path, unkilled) -> None:
    expected, counts = unkilled
    assert counts[0][1] >= 1 and counts[1][1] >= 40, counts  # the store's creation; every file
    for step, n, when in points(counts):
        trial = f"{' '.join(counts[step][0])}, killed {when} rename {n}"
        project = template.parent / "trials" / "project"
        shutil.copytree(template, project)
        for earlier in range(step):
            assert bulletin(project, *counts[earlier][0]).returncode == 0
        killed = bulletin(project, *counts[step][0], kill_at=f"{n}:{when}")
        assert killed.returncode == -9, f"{trial}: not killed ({killed.returncode}) {killed.stderr}"
        for args, _ in counts[step:]:
            mended = bulletin(project, *args)
            assert mended.returncode == 0, f"{trial}: {' '.join(args)}: {mended.stderr}"
        check(project, trial)
        found = outputs(project)
        differ = sorted(name for name in expected.keys() | found.keys()
                        if expected.get(name) != found.get(name))
        assert differ == [], f"{trial}: unlike an unkilled run: {differ}"
        shutil.rmtree(project)
