"""What earlier bulletins reported, and how new this week's events still are.

An event repeats an earlier one when it has the same kind and subjects. A
repeat that has progressed (a streak that grew, a higher record) is news
again; one that has not loses novelty each further week it is repeated, so
the same sweep four weeks running is not the headline four times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bulletin.model import Event

# The fact that measures progress for the kinds that can progress; a repeat of
# any other kind is old news.
PROGRESS = {"streak": "weeks", "subject_streak": "weeks", "growth_streak": "weeks",
            "record": "tokens"}
# Runs are the same fact while they last: same subjects and same first week.
# A sweep that lasts is not progress (the same top three again is old news).
RUNS = {"streak", "subject_streak", "growth_streak", "sweep", "author_sweep"}
# Facts about one week's change: every occurrence is news of its own.
ONE_OFF = {"lead_change", "subject_lead_change", "rank_change", "new_entrant", "milestone",
           "share", "volume_change", "growth"}

# What a reported event is stored as: event_data() in render.py.
Reported = Sequence[Mapping[str, Any]]


def same_fact(event: Event, earlier: Mapping[str, Any]) -> bool:
    if event.kind in ONE_OFF:
        return False
    if earlier.get("kind") != event.kind or list(earlier.get("subjects", ())) != list(event.subjects):
        return False
    if event.kind in RUNS:
        return bool(earlier.get("facts", {}).get("since") == event.facts.get("since"))
    return True


def progressed(event: Event, earlier: Mapping[str, Any]) -> bool:
    measure = PROGRESS.get(event.kind)
    if measure is None:
        return False
    now, then = event.facts.get(measure), earlier.get("facts", {}).get(measure)
    if event.kind == "record" and event.facts.get("low"):
        return isinstance(now, (int, float)) and isinstance(then, (int, float)) and now < then
    return isinstance(now, (int, float)) and isinstance(then, (int, float)) and now > then


def novelty(event: Event, reported: Sequence[Reported], repeat_factor: float) -> float:
    """1 for news; ``repeat_factor`` to the power of the bulletins that told it unchanged.

    ``reported`` holds the events of the bulletins before this week, most
    recent first.
    """
    repeats = 0
    for bulletin in reported:
        earlier = next((item for item in bulletin if same_fact(event, item)), None)
        if earlier is None:
            continue  # a week it was not told (or not chosen) does not make it new again
        if progressed(event, earlier):
            break
        repeats += 1
    return float(repeat_factor ** repeats)
