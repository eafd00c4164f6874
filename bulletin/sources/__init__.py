"""Sources: where statistics come from. Each type registers under a name.

A source is built from its config entry (validated, problems collected) and
``collect()`` returns everything it read as one frozen ``Collected``. It never
writes to the store itself: the pipeline stores all sources' data in one
transaction, so a bad file leaves the history as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from bulletin import validation as check
from bulletin.model import Collected, SourceCredit

COMMON_KEYS = {"name", "type", "attribution", "licence"}


@dataclass(frozen=True)
class Source:
    """Base of every source type: the settings all of them share."""

    type: ClassVar[str] = ""
    keys: ClassVar[set[str]] = set()  # keys this type accepts beyond the common ones

    name: str
    attribution: str
    licence: str

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> Source | None:
        raise NotImplementedError

    @classmethod
    def common(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> dict[str, str]:
        check.unknown_keys(raw, COMMON_KEYS | cls.keys, where, problems)
        name = check.string(raw, "name", where, problems, required=True) or ""
        return {
            "name": name,
            "attribution": check.string(raw, "attribution", where, problems, default=name) or name,
            "licence": check.string(raw, "licence", where, problems, default="") or "",
        }

    @property
    def url(self) -> str:
        return ""

    @property
    def credit(self) -> SourceCredit:
        return SourceCredit(self.name, self.url, self.attribution, self.licence)

    def collect(self) -> Collected:
        raise NotImplementedError
