"""Run the rules over a week and order what they find, most newsworthy first."""

from __future__ import annotations

from bulletin import registry
from bulletin.config import Methodology
from bulletin.model import Event, Figure, WeekStats
from bulletin.rules import Rule, RuleContext
from bulletin.weeks import IsoWeek

# The rules a week is checked with, in a fixed order so ties sort the same way
# on every run.
DEFAULT_RULES = ("country_lead", "sweep", "growth", "new_entrant", "forecast")


def load_rules(names: tuple[str, ...] = DEFAULT_RULES) -> list[Rule]:
    return [registry.load(registry.RULES, name)() for name in names]


def detect(week: IsoWeek, history: dict[IsoWeek, WeekStats], figures: list[Figure],
           methodology: Methodology, rules: list[Rule] | None = None) -> list[Event]:
    context = RuleContext(history[week], history, tuple(figures), methodology)
    events = [event for rule in rules or load_rules() for event in rule.detect(context)]
    # Stable sort: equal scores keep the rules' order.
    return sorted(events, key=lambda event: -event.score)
