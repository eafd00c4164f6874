"""What changed in an article since an editor approved it: paragraphs, and words within them.

Built with difflib as plain data, (kind, text) pieces; the template writes each piece as
escaped text inside <ins> or <del>, so nothing from an article is ever markup on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME, ADDED, REMOVED = "same", "ins", "del"
# Words and the spaces after them: a changed number is one piece, and joining the pieces
# gives the text back exactly.
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    kind: str  # SAME, ADDED or REMOVED
    text: str


def words(before: str, after: str) -> list[Piece]:
    """One paragraph's change, word by word."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece(SAME, "".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece(REMOVED, "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(Piece(ADDED, "".join(new[b1:b2])))
    return pieces


def changes(before: str, after: str) -> list[list[Piece]]:
    """The paragraphs (blocks between blank lines) that changed, each as its pieces; [] for none.

    A paragraph replaced by one other is diffed word by word; one added or removed is whole.
    """
    old, new = _blocks(before), _blocks(after)
    found: list[list[Piece]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(a2 - a1, b2 - b1) if op == "replace" else 0
        for offset in range(paired):
            found.append(_paragraph(old[a1 + offset], new[b1 + offset]))
        found.extend([Piece(REMOVED, block)] for block in old[a1 + paired:a2])
        found.extend([Piece(ADDED, block)] for block in new[b1 + paired:b2])
    return found


def _paragraph(before: str, after: str) -> list[Piece]:
    """A changed block: a paragraph word by word; a block of lines (a table) by its changed
    lines only, each word by word, so that one figure changed in a table is not the whole table."""
    if "\n" not in before and "\n" not in after:
        return words(before, after)
    old, new = before.split("\n"), after.split("\n")
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(a2 - a1, b2 - b1) if op == "replace" else 0
        lines = [words(old[a1 + offset], new[b1 + offset]) for offset in range(paired)]
        lines += [[Piece(REMOVED, line)] for line in old[a1 + paired:a2]]
        lines += [[Piece(ADDED, line)] for line in new[b1 + paired:b2]]
        for line in lines:
            if pieces:
                pieces.append(Piece(SAME, "\n"))
            pieces.extend(line)
    return pieces


def _blocks(text: str) -> list[str]:
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
