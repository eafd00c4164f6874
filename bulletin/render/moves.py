"""The week's moves on the leaderboard, listed under the lede for a reader who only scans.

The list says what the top 10 did (a new No. 1, the biggest rise and fall, models
entering or leaving) and nothing the story's paragraphs already say: an editor
strikes a figure told twice. The templates phrase each move with the article's
own number filters, so the claim check traces every figure in it.

Which moves the paragraphs already tell is read from their sentences, as a
reader meets them (an editor's wording included), not from the events' facts:
reading the text holds for every event kind, new ones included, where a list of
facts would need keeping in step with the templates. A change is told by any
sentence writing it, in any form the claim check reads ("+79.1%", "79.1%",
"2.1-fold"); a rise or fall also by a sentence naming the model with its place
this week or last ("No. 7"). A change at No. 1, and a model coming into the top
rows or leaving them, is told by any sentence naming the model: "took first
place" writes no figure, and "Entering the United States' top nine: Gemini 2.5
Flash Lite" no place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from bulletin.model import APART, ModelWeek, WeekStats
from bulletin.model.markup import markdown_to_text
from bulletin.render import numbers_en, numbers_zh
from bulletin.render.claims import numbers_in
from bulletin.story.families import family_name

TOP = 10  # the rows of the article's leaderboard table
MOST = 4  # items a phone reader takes in at a glance

FORMATS = {"en": numbers_en, "zh": numbers_zh}


@dataclass(frozen=True)
class Move:
    """One item of the list: what moved, and the rows it names."""

    kind: str  # "leader", "rise", "fall", "new", "back", "up", "out"
    rows: tuple[ModelWeek, ...]
    before: ModelWeek | None = None  # the No. 1 a new leader took over from, where still listed


def moves(stats: WeekStats, paragraphs: Sequence[str], locale: str, materiality: float,
          names: Sequence[str] = ()) -> list[Move]:
    """The week's moves in the top rows that ``paragraphs`` (Markdown) do not already tell.

    ``names`` are the names holding digits that no figure is read in (claims.names).
    None for a week not compared with the one before: a partial week, or the first held.
    """
    if not (stats.complete and stats.has_previous):
        return []
    top = stats.top(TOP)
    size = len(top)  # a weekly copy may list nine rows: "the top nine"
    fmt = FORMATS[locale]
    # Each sentence's models, each name read whole ("MiMo V2.5 Pro" does not name MiMo V2.5),
    # and its figures: a sentence, for "Kimi K2.5 is the first Chinese model at No. 1" tells
    # nothing of Claude Sonnet 4.5, No. 1 the week before, named in the sentence before it.
    every = _every_name(stats, locale, names)
    told_in = [(_named(part, every), set(_numbers(part, locale, names)))
               for text in (markdown_to_text(p) for p in paragraphs) for part in _sentences(text, locale)]

    stated_anywhere = {figure for _, stated in told_in for figure in stated}

    def told(row: ModelWeek, figures: set[str] | None) -> bool:
        forms = _forms(row, locale)
        return any(forms & named and (figures is None or figures & stated) for named, stated in told_in)

    def told_move(row: ModelWeek) -> bool:
        """Told by a paragraph naming the model with its change, its rank or last week's: the
        same move. No. 1 is told in words ("took first place"): naming the model tells it."""
        if row.rank == 1:
            return told(row, None)
        # A change is told once whoever it is written of (W05: "DeepSeek V3.2, its one model
        # counted in both weeks, rose 28.2%" is "中国增长28.2%" in Chinese); a place is a small
        # number many sentences hold, told only beside the model's name.
        if row.change is not None and _change_forms(row.change, fmt) & stated_anywhere:
            return True
        figures = _rank_forms(row.rank)
        if row.previous_rank is not None:
            figures |= _rank_forms(row.previous_rank)
        return told(row, figures)

    found: list[Move] = []
    used: set[str] = set()

    def add(move: Move) -> None:
        found.append(move)
        used.update(row.model for row in move.rows)

    leader = top[0] if top else None
    if leader and leader.previous_rank not in (None, 1) and not told(leader, None):
        before = next((row for row in stats.models if row.previous_rank == 1), None)
        # A snapshot or tier that overtook its own model's other row is not a new leader (STYLEBOOK 4).
        if before is None or _family(before) != _family(leader):
            add(Move("leader", (leader,), before))
    # Like for like: a row's own change, over two full weeks (ModelWeek.change). A bullet of its
    # own for ten points or more (the house's measure of a change that moves what a reader takes,
    # model.APART): "the biggest fall, 1.7%" in a week when all rose is noise told as news.
    least = max(materiality, APART)
    # The biggest of them all, or none: the second biggest is not "the biggest rise". A new No. 1
    # is told as that, not again as a rise.
    # A row of a model with another row in the table (a free tier, a second snapshot) moved
    # partly by use passing between its rows: told beside its model's name, it would read as a
    # rival's move (STYLEBOOK 4). No biggest rise or fall is told when it is one of them.
    changed = [row for row in top if row.change is not None]
    split = {family for family in (_family(row) for row in top) if sum(_family(r) == family for r in top) > 1}
    rise = max(changed, key=lambda row: row.change or 0.0, default=None)
    if rise and rise.change is not None and rise.change >= least and rise.model not in used \
            and _family(rise) not in split \
            and not told_move(rise):
        add(Move("rise", (rise,)))
    fall = min(changed, key=lambda row: row.change or 0.0, default=None)
    if fall and fall.change is not None and fall.change <= -least and fall.model not in used \
            and _family(fall) not in split \
            and not told_move(fall):
        add(Move("fall", (fall,)))
    families = {_family(row) for row in top}
    entering: dict[str, list[ModelWeek]] = {"new": [], "back": [], "up": []}
    for row in top:
        # A new tier or snapshot of a listed model is that model's (the table says so), and a
        # row beyond a shorter list last week may not be new at all.
        if row.model in used or row.kin_before or row.beyond_last_list:
            continue
        if row.previous_rank is not None and row.previous_rank <= size:
            continue
        if told(row, None):  # a sentence naming it, with or without its place, tells its coming
            continue
        kind = "up" if row.previous_rank is not None else "back" if row.returning else "new"
        entering[kind].append(row)
    for kind, rows in entering.items():
        if rows:
            add(Move(kind, tuple(rows)))
    # Still listed, out of the top rows; not one whose own model has another row in them.
    leaving = tuple(row for row in stats.models[size:]
                    if row.previous_rank is not None and row.previous_rank <= size
                    and _family(row) not in families and not told(row, None))
    if leaving:
        add(Move("out", leaving))
    return found[:MOST]


def _family(row: ModelWeek) -> str:
    return row.family or row.model


def _forms(row: ModelWeek, locale: str) -> set[str]:
    """The names a paragraph may give a row: its own, its model's without the tier, in the language."""
    forms = {row.name, family_name(row.name)}
    if locale == "zh":
        forms |= {numbers_zh.model_name(form) for form in list(forms)}
        # "Step 3.5 Flash（免费版，1.34万亿Token）": a note sharing the tier's brackets.
        forms |= {form.removesuffix("）") for form in forms if form.endswith(numbers_zh.FREE)}
    return {form for form in forms if form}


def _every_name(stats: WeekStats, locale: str, names: Sequence[str]) -> re.Pattern[str]:
    known = {form for row in stats.models for form in _forms(row, locale)} | set(names)
    # Longest first: at each place the whole name is read, not a shorter one it begins with.
    return re.compile("|".join(re.escape(n) for n in sorted(known, key=len, reverse=True)))


def _named(text: str, every: re.Pattern[str]) -> set[str]:
    return set(every.findall(text))


# Sentence ends; "No. 7" ends none.
_ENDS = {"en": re.compile(r"(?<=[.!?])(?<!No\.)\s+"), "zh": re.compile(r"(?<=[。！？])")}


def _sentences(text: str, locale: str) -> list[str]:
    return [part for part in _ENDS[locale].split(text) if part.strip()]


def _numbers(text: str, locale: str, names: Sequence[str]) -> list[str]:
    return [number.lstrip("+-\u2212") for number in numbers_in(text, locale, tuple(names))]


def _change_forms(change: float, fmt: ModuleType) -> set[str]:
    """The ways the article's filters write a change, signs aside, as the claim check reads them."""
    forms = {fmt.percent(change), fmt.rough_percent(change), fmt.signed_percent(change)}
    if change >= 1:
        forms |= {fmt.times(change)}
    return {form.lstrip("+-\u2212") for form in forms}


def _rank_forms(rank: int) -> set[str]:
    """A place as the paragraphs write it, in figures ("No. 7", "第7名"): "top nine" is no rank."""
    return {str(rank)}
