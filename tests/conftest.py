"""Shared fixtures: the project's demo config, the recorded data, and a CLI runner.

Helpers the tests import live in the ``support`` package beside this file.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from bulletin.cli import commands as cli
from support import FIXED_EPOCH, ROOT, Result
from support.site import BASE, WEEKS, add_site


@pytest.fixture
def bulletin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the real ``bulletin`` entry point in-process, as a user would from a shell."""

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["bulletin", *map(str, args)])
        capsys.readouterr()
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo project (config.yaml and demo/) in a temporary folder."""
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    shutil.copytree(ROOT / "demo", tmp_path / "demo")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return tmp_path


@pytest.fixture
def site(project: Path, bulletin) -> Path:
    """The demo project with four weeks rendered and published to the site."""
    add_site(project)
    assert bulletin("collect").code == 0
    for week in WEEKS:
        assert bulletin("render", "--week", week).code == 0, week
        result = bulletin("publish", "--week", week)
        assert result.out == f"site: ok {BASE}{week[:4]}/w{week[-2:]}/\n", result.err
    return project / "output" / "site"
