"""What earlier bulletins reported, and how new this week's events still are.

An event repeats an earlier one when it has the same kind and subjects. A
repeat that has progressed (a streak that grew, a higher record) is news
again; one that has not loses novelty each further week it is repeated, so
the same sweep four weeks running is not the headline four times.

Each rule declares, for each kind of event it makes, which of these it is
(``Rule.novelty``); a kind no rule declares is a plain fact.
"""

from __future__ import annotations

from collections.abc import Sequence

from bulletin.model import Event
from bulletin.model.facts import RecordFacts
from bulletin.records import record


@record
class Novelty:
    """How an event kind stays news when it is told again."""

    # "news": a fact about one week's change, so every occurrence is news of its own;
    # "run": the same fact while it lasts (same subjects, same first week);
    # "fact": the same fact whenever the subjects are the same.
    told_again: str = "fact"
    progress: str = ""  # the fact whose growth makes a repeat news again ("weeks", "tokens")


NEWS = Novelty("news")
FACT = Novelty("fact")


def run(progress: str = "") -> Novelty:
    return Novelty("run", progress)


def fact(progress: str = "") -> Novelty:
    return Novelty("fact", progress)


# The events one earlier bulletin reported (read back from the store).
Reported = Sequence[Event]


def same_fact(event: Event, earlier: Event, kind: Novelty = FACT) -> bool:
    if kind.told_again == "news":
        return False
    if earlier.kind != event.kind or earlier.subjects != event.subjects:
        return False
    if kind.told_again == "run":
        # A run's facts name its first week (StreakFacts.since, SweepFacts.since).
        return bool(getattr(earlier.facts, "since", None) == getattr(event.facts, "since", None))
    return True


def progressed(event: Event, earlier: Event, kind: Novelty = FACT) -> bool:
    """Whether the fact named ``kind.progress`` moved on since ``earlier`` told it."""
    if not kind.progress:
        return False
    now, then = getattr(event.facts, kind.progress, None), getattr(earlier.facts, kind.progress, None)
    if not (isinstance(now, (int, float)) and isinstance(then, (int, float))):
        return False
    # A record low progresses downwards.
    low = isinstance(event.facts, RecordFacts) and event.facts.low
    return now < then if low else now > then


def novelty(event: Event, reported: Sequence[Reported], repeat_factor: float,
            kind: Novelty = FACT) -> float:
    """1 for news; ``repeat_factor`` to the power of the bulletins that told it unchanged.

    ``reported`` holds the events of the bulletins before this week, most
    recent first; ``kind`` is how the event's kind stays news.
    """
    repeats = 0
    for bulletin in reported:
        earlier = next((item for item in bulletin if same_fact(event, item, kind)), None)
        if earlier is None:
            continue  # a week it was not told (or not chosen) does not make it new again
        if progressed(event, earlier, kind):
            break
        repeats += 1
    return float(repeat_factor ** repeats)
