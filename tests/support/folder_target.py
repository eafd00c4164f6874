"""A third-party publish target, ``type: folder``, installed as a real distribution would be.

``install()`` writes a ``*.dist-info`` folder whose entry point registers
FolderCopy in bulletin's ``bulletin.publishers`` group; a ``bulletin`` process
with that folder (and tests/, for this module) on PYTHONPATH finds it exactly
as it finds a package installed with pip.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from bulletin.config import validation as check
from bulletin.model import Delivery
from bulletin.publish.publisher import Publisher, RenderedBulletin
from bulletin.store.database import Store

TESTS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class FolderCopy(Publisher):
    """A real, if humble, target: copies the bulletin's files into a folder."""

    type: ClassVar[str] = "folder"
    keys: ClassVar[set[str]] = {"path"}
    path: Path = Path()

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> FolderCopy | None:
        common = cls.common(raw, where, problems)
        return cls(common["name"], base_dir / raw["path"])

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        target = self.path / str(bulletin.week)
        shutil.copytree(bulletin.folder, target, dirs_exist_ok=True)
        return Delivery(bulletin.week, self.name, "ok", location=str(target))


def install(folder: Path) -> list[Path]:
    """The distribution's metadata in ``folder``; returns the PYTHONPATH entries that install it."""
    info = folder / "bulletin_folder_target-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bulletin-folder-target\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[bulletin.publishers]\nfolder = {__name__}:FolderCopy\n", encoding="utf-8")
    return [folder, TESTS]
