"""Shared fixtures: the project's demo config, the recorded data, and a CLI runner."""

from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
# 2026-03-16 06:00 UTC: the Monday morning after week 2026-W11.
FIXED_EPOCH = "1773640800"


def needs_shared_data() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SHARED_DATA.is_dir(),
                              reason=f"recorded data not found at {SHARED_DATA}")


@dataclass
class Result:
    code: int
    out: str
    err: str


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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_config(folder: Path, sources: str, extra: str = "") -> Path:
    path = folder / "config.yaml"
    path.write_text(f"output: output\nsources:\n{sources}\n{extra}", encoding="utf-8")
    return path


def override_template(project: Path, name: str, text: str) -> None:
    """Give the project's config a templates_dir holding one template that replaces a built-in."""
    path = project / "my-templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates_dir: my-templates\n",
                      encoding="utf-8")
