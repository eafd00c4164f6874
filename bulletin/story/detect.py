"""Run the rules over a week, score what they find and order it, most newsworthy first.

An event's score is its rule's weight (config) times how unusual the rule
found it times its novelty (novelty.py). Events that state the same fact
(the same topic) collapse into the best of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bulletin.config.load import default_rules
from bulletin.config.settings import StoryConfig
from bulletin.model import Event, Figure, Methodology, WeekStats
from bulletin.story.novelty import FACT, Reported, novelty
from bulletin.story.rules import HistoryIndex, Rule, RuleContext
from bulletin.story.timing import in_time
from bulletin.weeks import IsoWeek

# Used where no config says otherwise.
REPEAT_FACTOR = StoryConfig.repeat_factor


def detect(week: IsoWeek, history: Mapping[IsoWeek, WeekStats], figures: Sequence[Figure],
           methodology: Methodology, rules: Sequence[Rule] | None = None,
           reported: Sequence[Reported] = (), repeat_factor: float = REPEAT_FACTOR,
           index: HistoryIndex | None = None) -> list[Event]:
    if rules is None:
        rules = default_rules()
    context = RuleContext(history[week], history, in_time(week, figures), methodology,
                          index or HistoryIndex(history), reported)
    kinds = {kind: how for rule in rules for kind, how in rule.novelty.items()}
    events = []
    for rule in rules:
        for event in rule.detect(context):
            fresh = novelty(event, reported, repeat_factor, kinds.get(event.kind, FACT))
            events.append(replace(event, score=event.score * rule.weight * fresh, novelty=fresh))
    # Stable sort: equal scores keep the rules' order.
    return collapse(sorted(events, key=lambda event: -event.score))


def collapse(events: list[Event]) -> list[Event]:
    """Keep the best of the events that share a topic (events arrive best first)."""
    seen: set[str] = set()
    kept = []
    for event in events:
        if event.topic:
            if event.topic in seen:
                continue
            seen.add(event.topic)
        kept.append(event)
    return kept

