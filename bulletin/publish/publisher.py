"""Publishers: where a rendered bulletin goes. Each type registers under a name.

A publisher is built from its ``publish:`` config entry (validated, problems
collected) and ``publish()`` delivers one rendered bulletin, returning a
``Delivery`` that the pipeline records. A publisher that fails returns a
failed Delivery (or raises PublishError); the other targets still run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import Delivery
from bulletin.store.database import Store

COMMON_KEYS = {"name", "type"}


@dataclass(frozen=True)
class RenderedBulletin:
    """A week's bulletin as rendered on disk, with its review status."""

    week: str
    folder: Path
    headline: str
    status: str  # ready, held, approved, rejected
    reasons: tuple[str, ...]
    data: dict[str, Any]  # bulletin.json

    @classmethod
    def load(cls, output: Path, store: Store, week: str) -> RenderedBulletin:
        folder = output / "bulletins" / week
        record = store.bulletin(week)
        data_path = folder / "bulletin.json"
        if record is None or not data_path.exists():
            raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
        data = json.loads(data_path.read_text(encoding="utf-8"))
        return cls(week, folder, record["headline"], record["status"], tuple(record["reasons"]), data)

    @property
    def output(self) -> Path:
        """The output folder the bulletin was rendered into (``OUTPUT/bulletins/WEEK``)."""
        return self.folder.parent.parent

    def path(self, filename: str) -> Path:
        return self.folder / filename

    def text(self, filename: str) -> str:
        return self.path(filename).read_text(encoding="utf-8")

    @property
    def publishable(self) -> bool:
        return self.status in ("ready", "approved")


@dataclass(frozen=True)
class Publisher:
    """Base of every publisher type: the settings all of them share."""

    type: ClassVar[str] = ""
    keys: ClassVar[set[str]] = set()  # keys this type accepts beyond name and type

    name: str

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Publisher | None:
        raise NotImplementedError

    @classmethod
    def common(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> dict[str, str]:
        check.unknown_keys(raw, COMMON_KEYS | cls.keys, where, problems)
        return {"name": check.string(raw, "name", where, problems, required=True) or ""}

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        raise NotImplementedError
