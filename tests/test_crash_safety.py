"""What a killed run, a full disk or an unwritable folder leaves: nothing half-written, one line."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from support import FIXED_EPOCH, copy_demo
from support.emailing import KEY

TARGETS = ("publish:\n  - name: site\n    type: site\n"
           "    base_url: https://bulletin.example.org\n"
           "  - name: newsletter\n    type: email\n"
           "    from: Token Bulletin <news@bulletin.example.org>\n"
           "    base_url: https://bulletin.example.org\n")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_and_the_outbox_are_their_owners_only(project: Path, bulletin, monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS)
    assert bulletin("subscribers", "add", "ana@example.com").code == 0
    assert bulletin("run").code == 0
    output = project / "output"
    assert mode(output / "bulletin.db") == 0o600  # it holds every subscriber's address
    assert mode(output / "bulletin.db.lock") == 0o600
    assert mode(output / "outbox") == 0o700
    for eml in (output / "outbox").rglob("*.eml"):
        assert mode(eml) == 0o600


def test_a_killed_runs_temporaries_are_swept(project: Path, bulletin) -> None:
    assert bulletin("run").code == 0
    folder = project / "output" / "bulletins" / "2026-W11"
    stray = folder / ".bulletin.md.k3j2x9.part"
    stray.write_text("half of an article", encoding="utf-8")
    board = project / "demo" / "openrouter-weekly.csv"  # new data, so the week is written again
    board.write_text(board.read_text(encoding="utf-8").replace("1750000000000", "1760000000000"),
                     encoding="utf-8")
    assert bulletin("run").code == 0
    assert not stray.exists()
    assert not list(folder.glob(".*"))


def test_an_output_that_is_not_a_folder_is_one_line(project: Path, bulletin) -> None:
    (project / "blocked").write_text("a file where the output folder should be", encoding="utf-8")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("output: output", "output: blocked"),
                      encoding="utf-8")
    result = bulletin("run")
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {project / 'blocked' / 'bulletin.db.lock'}"
                                                   ": cannot create the run lock: ")
    assert "Traceback" not in result.err


# Bytes a file may grow to (RLIMIT_FSIZE, with SIGXFSZ ignored: each write past it fails with
# EFBIG, as on a full disk), from nothing at all to more than a run needs.
LIMITS = (0, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 8388608)


@pytest.mark.parametrize("limit", LIMITS)
def test_a_full_disk_is_one_line_and_the_next_run_mends_it(project: Path, limit: int) -> None:
    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    done = subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=full_disk)
    assert "Traceback" not in done.stderr, done.stderr
    if limit <= 65536:  # too small for the store: the run must have failed, and said so
        assert done.returncode == 1, done.stderr
    if done.returncode != 0:
        assert done.returncode == 1
        errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, done.stderr
    again = subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    output = project / "output"
    assert [p.name for p in output.rglob(".*")] == []  # nothing half-written left
    assert (output / "bulletins" / "2026-W11" / "bulletin.html").stat().st_size > 1000
    with sqlite3.connect(output / "bulletin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_targets_that_cannot_write_are_one_line_each_and_the_next_run_mends_them(
        tmp_path: Path) -> None:
    """The bundled demo as it is (the site, the email preview); neither can write its folder.

    (A per-file size limit cannot fill the disk here: the store is the largest
    file and is written first. A file where each target's folder should be fails
    its writes the same way, and root ignores a read-only folder.)
    """
    copy_demo(tmp_path, targets=True)
    output = tmp_path / "output"
    output.mkdir()
    for blocked in ("site", "outbox"):
        (output / blocked).write_text("in the way", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "BULLETIN_SIGNING_KEY"}
    env["SOURCE_DATE_EPOCH"] = FIXED_EPOCH

    done = subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr  # every target failed: nothing published
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert [line.split(" failed: ")[0] for line in warned] == [
        "warning: 2026-W11: publishing to site", "warning: 2026-W11: publishing to newsletter"]
    for blocked in ("site", "outbox"):
        (output / blocked).unlink()
    again = subprocess.run([sys.executable, "-m", "bulletin", "run"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert [str(p) for p in output.rglob(".*")] == []  # nothing half-written left
    assert "2026/w11/" in (output / "site" / "feed.xml").read_text(encoding="utf-8")
    assert (output / "outbox" / "preview" / "2026-W11.eml").stat().st_size > 1000
    with sqlite3.connect(output / "bulletin.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
