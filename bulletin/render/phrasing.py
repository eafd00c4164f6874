"""Which of an event kind's phrasings a bulletin uses.

An event template defines ``paragraph`` and, if it has more ways of saying
the same thing, ``paragraph_2``, ``paragraph_3``... (likewise ``headline``).
The choice depends only on the week and the kind, so a rerun writes the same
text, and weeks vary. Two events of one kind in one article are told in the
same phrasing (STYLEBOOK 8: two debuts are not told in two styles). A
template with a single phrasing simply always uses it.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any


def names(module: Any, base: str) -> list[str]:
    """The phrasing macros a template module defines for ``base``, in order."""
    found = [base]
    while hasattr(module, f"{base}_{len(found) + 1}"):
        found.append(f"{base}_{len(found) + 1}")
    return found


def start(week: str, kind: str, count: int) -> int:
    # crc32, not hash(): Python salts str hashes per process.
    return zlib.crc32(f"{week}/{kind}".encode()) % count


def choose(week: str, kinds: Sequence[str], counts: dict[str, int]) -> list[int]:
    """One phrasing index per event, in article order: one per kind."""
    return [start(week, kind, counts[kind]) for kind in kinds]
