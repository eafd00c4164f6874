"""Which of an event kind's phrasings a bulletin uses.

An event template defines ``paragraph`` and, if it has more ways of saying
the same thing, ``paragraph_2``, ``paragraph_3``... (likewise ``headline``).
The choice depends only on the week and the kind, so a rerun writes the same
text, and no phrasing is used twice in one article while another is free.
A template with a single phrasing simply always uses it.
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
    """One phrasing index per event, in article order."""
    used: set[tuple[str, int]] = set()
    chosen = []
    for kind in kinds:
        count = counts[kind]
        first = start(week, kind, count)
        options = [(first + step) % count for step in range(count)]
        pick = next((i for i in options if (kind, i) not in used), first)
        used.add((kind, pick))
        chosen.append(pick)
    return chosen
