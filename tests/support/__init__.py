"""Helpers shared by the tests: paths, the recorded data, config and template writers.

Fixtures live in tests/conftest.py; everything a test imports lives here, in
``support`` (``pythonpath = ["tests"]`` in pyproject.toml makes it importable),
so that no test module imports another test module or conftest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def run_bulletin(cwd: Path, *args: object, pythonpath: Iterable[Path] = ()) -> Result:
    """``bulletin ARGS`` as a separate process (a fresh interpreter) in ``cwd``.

    ``pythonpath`` comes first on its PYTHONPATH, as packages installed beside bulletin.
    """
    env = dict(os.environ)
    paths = [str(path) for path in pythonpath] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    done = subprocess.run([sys.executable, "-m", "bulletin", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_demo(folder: Path, targets: bool = False) -> Path:
    """The bundled demo (config.yaml and demo/) in ``folder``; its config.yaml.

    Without ``targets`` the demo's ``publish:`` list (the site and the email
    preview, the last section of the file) is left out, so a test can add its own.
    """
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    if not targets:
        text = text[:text.index("\npublish:\n") + 1]
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "demo", folder / "demo")
    return path


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
