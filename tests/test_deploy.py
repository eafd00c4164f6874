"""The files in deploy/ that run bulletin every week, as an operator pastes them.

Each unit is read as systemd reads it (`systemd-analyze verify`, where the
machine has it) and its command is run on the demo; the crontab line is run
by a shell as cron would, and must print nothing when the run succeeds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, copy_demo

DEPLOY = ROOT / "deploy"
UNITS = ("bulletin.service", "bulletin.timer", "bulletin-serve.service")
BULLETIN = Path(sys.executable).with_name("bulletin")


def _installed(text: str, project: Path, env: Path) -> str:
    """The file as an operator adapts it: this machine's paths for /srv/bulletin and the env file."""
    text = re.sub(r"(/srv/bulletin/|(?<=\s))\.venv/bin/bulletin", str(BULLETIN), text)
    return text.replace("/srv/bulletin", str(project)).replace("/etc/bulletin/env", str(env))


def _settings(text: str) -> list[tuple[str, str, str]]:
    """(section, key, value) of each setting; comments on lines of their own only."""
    found, section = [], ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", stripped):
            section = stripped[1:-1]
            continue
        key, equals, value = stripped.partition("=")
        assert equals and re.fullmatch(r"[A-Za-z]+", key), f"line {number}: {line!r}"
        # systemd keeps "value # text" whole: a comment after a value becomes part of it.
        assert not re.search(r"\s[#;]", value), f"line {number}: a comment after the value: {line!r}"
        found.append((section, key, value))
    return found


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "srv"
    project.mkdir()
    copy_demo(project, targets=True)
    env = tmp_path / "env"
    env.write_text("BULLETIN_EXAMPLE=1\n", encoding="utf-8")
    return project, env


@pytest.mark.parametrize("name", UNITS)
def test_a_unit_has_no_comment_after_a_value(name: str) -> None:
    settings = _settings((DEPLOY / name).read_text(encoding="utf-8"))
    assert settings


def test_a_held_or_partly_published_run_is_a_failure_an_alert_sees() -> None:
    settings = _settings((DEPLOY / "bulletin.service").read_text(encoding="utf-8"))
    assert not [value for _, key, value in settings if key == "SuccessExitStatus"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_units_without_a_warning(demo: tuple[Path, Path], tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        (units / name).write_text(_installed((DEPLOY / name).read_text(encoding="utf-8"), *demo),
                                  encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", *(str(units / n) for n in UNITS)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done


def test_the_services_weekly_command_runs_the_demo(demo: tuple[Path, Path]) -> None:
    project, env = demo
    settings = _settings(_installed((DEPLOY / "bulletin.service").read_text(encoding="utf-8"), *demo))
    command = next(value for _, key, value in settings if key == "ExecStart")
    done = subprocess.run(command.split(), cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (project / "output" / "site" / "index.html").is_file()


def _cron_line() -> tuple[str, str]:
    lines = [line for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    minute, hour, day, month, weekday, command = lines[0].split(maxsplit=5)
    assert "%" not in command  # cron turns % into a new line
    return f"{minute} {hour} {day} {month} {weekday}", command


def test_the_crontab_line_prints_nothing_when_the_run_succeeds(demo: tuple[Path, Path]) -> None:
    when, command = _cron_line()
    assert when == "15 6 * * 1"
    done = subprocess.run(["/bin/sh", "-c", _installed(command, *demo)], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(demo[0])})
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done
    assert (demo[0] / "output" / "site" / "index.html").is_file()


def test_the_crontab_line_says_why_when_the_bulletin_is_held(demo: tuple[Path, Path]) -> None:
    project, env = demo
    with (project / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("\nreview:\n  mode: always\n")
    done = subprocess.run(["/bin/sh", "-c", _installed(_cron_line()[1], *demo)], capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(project)})
    said = done.stdout + done.stderr
    assert "held for review (review: always" in said and "bulletin run exited 3" in said, said
