"""One correction: a number one bulletin stated, in one language, and what the store now gives."""

from __future__ import annotations

import re
from dataclasses import asdict
from enum import StrEnum
from typing import Any

from bulletin.records import record
from bulletin.weeks import IsoWeek


class CorrectionStatus(StrEnum):
    HELD = "held"  # the story itself changed: waiting for an editor (`bulletin approve`)
    # To be shown: recorded with the revision, published once the week's outputs are written
    # again. A run that fails before then leaves it pending, and the next run writes it.
    PENDING = "pending"
    PUBLISHED = "published"  # the week's page carries the note
    REJECTED = "rejected"  # an editor rejected the week instead (it came off the site)


@record
class Correction:
    week: IsoWeek
    locale: str
    quantity: str  # the number's id (story/quantities.py): "country(CN).tokens"
    sentence: str  # the sentence (or table row) that stated it, as published
    old: str  # as the article wrote it: "4.19 trillion"
    new: str  # as the article writes it from the store now: "4.29 trillion"
    source: str  # the source behind the number: "openrouter-weekly"
    revised_by: str  # the collection that revised it (when it ran, UTC)
    detected_at: str
    status: CorrectionStatus
    held_for: str = ""  # why an editor must decide ("" when it publishes by itself)
    announced_in: str = ""  # the later week whose email carried the notice
    subject: str = ""  # what the number is of: a country code or a model's name

    @property
    def kind(self) -> str:
        """How the note describes the number: country_tokens, model_change, ... or other."""
        of, measure = self.quantity.partition("(")[0], self.quantity.rsplit(".", 1)[-1]
        if of in ("country", "model") and measure in ("tokens", "change"):
            return f"{of}_{measure}"
        return "other"

    @property
    def clause(self) -> str:
        """The part of the sentence that holds the number, for a note that quotes it."""
        parts = re.split(r"(?<=[,;:，；：。])\s*|\s*\|\s*", self.sentence)
        found = next((part for part in parts if self.old in part), self.sentence)
        return found.strip(" ,;:.，；：。|") or self.old

    def data(self) -> dict[str, Any]:
        return asdict(self) | {"week": str(self.week), "status": str(self.status)}


@record
class Corrected:
    """What one collection's corrections did: each week's revised numbers, published or held."""

    published: dict[IsoWeek, int]  # week -> how many numbers its page now corrects
    held: dict[IsoWeek, int]  # week -> how many wait for an editor (the story changed)

    def __bool__(self) -> bool:
        return bool(self.published or self.held)

    def line(self) -> str:
        """The run summary's line: "corrections: 2026-W10 corrected (2 numbers), ...; 0 held"."""
        done = ", ".join(f"{week} corrected ({_numbers(n)})" for week, n in sorted(self.published.items()))
        held = f"{len(self.held)} held" + (
            " (" + ", ".join(f"{week}: {_numbers(n)}" for week, n in sorted(self.held.items()))
            + "; `bulletin review` shows them)" if self.held else "")
        return f"corrections: {done or 'none published'}; {held}"


def _numbers(count: int) -> str:
    return f"{count} number" if count == 1 else f"{count} numbers"
