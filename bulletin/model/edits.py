"""An editor's change to the wording of one paragraph of a week's article, in one language.

The generated paragraph is the key: each time the week is rendered, a
paragraph the story writes exactly as it did when the editor changed it is
replaced by the editor's text. A paragraph the story now writes otherwise (a
correction changed its numbers) is not replaced, and the week is held: the
change no longer fits the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bulletin.records import record
from bulletin.weeks import IsoWeek


@record
class Edit:
    week: IsoWeek
    locale: str
    generated: str  # the paragraph as the story writes it
    text: str  # as the editor wrote it
    editor: str  # the user who signed in
    name: str  # the editor's full name, for the disclosure
    at: str  # when (UTC, ISO 8601)


@record
class Edits:
    """A week's edits, as rendering applies them."""

    edits: tuple[Edit, ...] = ()

    @classmethod
    def of(cls, edits: Iterable[Edit]) -> Edits:
        return cls(tuple(edits))

    def apply(self, locale: str, paragraphs: Sequence[str]) -> list[str]:
        by_generated = {e.generated: e.text for e in self.edits if e.locale == locale}
        return [by_generated.get(paragraph, paragraph) for paragraph in paragraphs]

    def editors(self, locale: str, paragraphs: Sequence[str]) -> list[str]:
        """The names of the editors whose changes apply to these generated paragraphs."""
        return list(dict.fromkeys(e.name for e in self.edits
                                  if e.locale == locale and e.generated in paragraphs))

    def unused(self, locale: str, paragraphs: Sequence[str]) -> list[Edit]:
        """The changes to paragraphs the story no longer writes."""
        return [e for e in self.edits if e.locale == locale and e.generated not in paragraphs]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.name for e in self.edits))


NO_EDITS = Edits()
