"""The words of direction an editor's wording gives a change: "rose" beside a fall is refused.

The claim check proves a number is one the store gives; it cannot see that
the word before it turns a fall into a rise. Here each change the text
states ("11.8%", "−9.3%") is found among the story's quantities, and the
nearest word of direction before it in the same clause must go the way the
change goes. A number that may be several changes of opposite signs, or has
no word of direction before it, is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bulletin.model import Story
from bulletin.render import claims
from bulletin.story.quantities import QuantityId

RISE = {"en": re.compile(r"\b(?:rose|rises?|rising|risen|up|grew|grows?|growing|grown|gain(?:ed|s)?|"
                         r"climb(?:ed|s)?|jump(?:ed|s)?|increas(?:ed|es|e)|higher|surg(?:ed|es)|soared)\b",
                         re.IGNORECASE),
        "zh": re.compile(r"增长|上升|增加|上涨|攀升|增至")}
FALL = {"en": re.compile(r"\b(?:fell|falls?|fallen|falling|down|drop(?:ped|s)?|declin(?:ed|es|e)|"
                         r"slip(?:ped|s)?|sank|shrank|decreas(?:ed|es|e)|lower|slid|dipped|lost)\b",
                         re.IGNORECASE),
        "zh": re.compile(r"下降|下跌|减少|回落|萎缩|降至")}
# How far before a number its word of direction may stand, within one clause.
REACH = 40
_CLAUSE_END = re.compile(r"[.;:!?()。；：！？（）]|, (?:against|while|but|and)\b")


def contradictions(story: Story, locale: str, text: str, title: str,
                   publication: Sequence[str] = ()) -> list[str]:
    """Each word of direction in ``text`` that goes against the change it stands before."""
    if locale not in RISE:
        return []
    table = claims.table(story, locale)
    found = []
    for number, start in _numbers(story, locale, text, title, publication):
        signs = {value > 0 for q in table.get(number, []) if _is_change(q.id)
                 for value in (q.value,) if isinstance(value, float) and value != 0}
        if len(signs) != 1:
            continue
        rise = signs.pop()
        before = _CLAUSE_END.split(text[max(0, start - REACH):start])[-1]
        words = [(m.end(), True, m[0]) for m in RISE[locale].finditer(before)]
        words += [(m.end(), False, m[0]) for m in FALL[locale].finditer(before)]
        if not words:
            continue
        _, says_rise, word = max(words)
        if says_rise != rise:
            found.append(f'"{word}" before {number}, which is a {"rise" if rise else "fall"}')
    return found


def _is_change(quantity: str) -> bool:
    parsed = QuantityId.parse(quantity)
    return parsed is not None and parsed.measure.rsplit(".", 1)[-1].endswith("change")


def _numbers(story: Story, locale: str, text: str, title: str,
             publication: Sequence[str]) -> list[tuple[str, int]]:
    """The numbers ``text`` states, as the claim check reads them, with where each starts."""
    blank = claims.LINK.sub(lambda m: " " * len(m[0]), text)
    for name in sorted(claims.names(story, title) + tuple(publication), key=len, reverse=True):
        blank = blank.replace(name, " " * len(name))
    return [(m[0].replace("\u2212", "-") if "%" in m[0] else m[0].replace("\u2212", "-").lstrip("+-"),
             m.start()) for m in claims.NUMBER[locale].finditer(blank)]
