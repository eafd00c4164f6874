"""Helpers shared by the tests: paths, the recorded data, config and template writers.

Fixtures live in tests/conftest.py; everything a test imports lives here, in
``support`` (``pythonpath = ["tests"]`` in pyproject.toml makes it importable),
so that no test module imports another test module or conftest.
"""

from __future__ import annotations

import hashlib
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
