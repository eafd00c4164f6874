"""Parts found by name: bulletin's own first, then any installed package's."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.config import registry
from bulletin.publish.site.publisher import SitePublisher


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder at the end of sys.path, where a test writes a distribution's metadata.

    Last, so that a look through every package meets it after bulletin's own.
    """
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path)])
    yield tmp_path
    for found in (registry._all, registry._group, registry._own):
        found.cache_clear()


def distribution(folder: Path, entry_points: str) -> None:
    info = folder / "bulletin_extra-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bulletin-extra\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    for found in (registry._all, registry._group, registry._own):
        found.cache_clear()


def test_another_package_adds_a_part_but_cannot_take_a_built_ins_name(installed: Path) -> None:
    distribution(installed, "[bulletin.publishers]\n"
                            "site = support.folder_target:FolderCopy\n"
                            "folder = support.folder_target:FolderCopy\n")
    assert registry.load(registry.PUBLISHERS, "site") is SitePublisher
    assert registry.load(registry.PUBLISHERS, "folder").__name__ == "FolderCopy"
    assert {"site", "folder", "email"} <= set(registry.names(registry.PUBLISHERS))
    with pytest.raises(KeyError):
        registry.load(registry.PUBLISHERS, "carrier-pigeon")
