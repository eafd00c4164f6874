"""What a value from outside may be before it is stored: the bounds every reader applies.

A token count must fit SQLite's INTEGER with room for the sums the store
makes of it (a week's platform total adds up hundreds of rows), so one row
may hold at most ten quadrillion tokens, about 3,000 times OpenRouter's
whole weekly volume in 2026. Digits are ASCII only: Python's ``int`` reads
full-width digits ("１２") that no spreadsheet meant. Names and slugs carry
no control or bidi characters: they end up in pages, mail subjects and logs.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TOKENS = 10**16
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# The permaslugs the Data API uses: "deepseek/deepseek-v4-flash-20260423", "...:free", "other".
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+@/-]*", re.ASCII)
MAX_NAME = 200  # characters in a display name


def whole_number(text: str) -> int | None:
    """``text`` as a token count within bounds, or None."""
    if not _DIGITS.fullmatch(text) or len(text) > 17:
        return None
    value = int(text)
    return value if value <= MAX_TOKENS else None


def tokens_problem(value: object) -> str:
    """Why a token count is refused (the reader has found it refused)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value) or type(value) is int and value > 0:
        return f"is more than {MAX_TOKENS:,} tokens in one row (the most a row may hold)"
    return "is not a whole number of tokens"


def in_bounds(value: object) -> bool:
    """A count as JSON gives it: a non-negative int or a string of ASCII digits, within bounds."""
    if type(value) is int:
        return 0 <= value <= MAX_TOKENS
    return isinstance(value, str) and whole_number(value) is not None


def unsafe_character(text: str) -> str | None:
    """The first control, bidi or other invisible format character in ``text``, if any."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return char
    return None


def name_problem(text: str) -> str | None:
    """Why a display name is refused, or None."""
    char = unsafe_character(text)
    if char is not None:
        return f"contains the control character U+{ord(char):04X}"
    if len(text) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    return None
