"""Rules: each looks at the week in its history and returns the facts it finds.

A rule produces numbers and flags, never sentences: wording lives in the
templates. Each rule kind registers under its name (see pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from bulletin.config import Methodology
from bulletin.model import Event, Figure, ModelWeek, WeekStats
from bulletin.weeks import IsoWeek


@dataclass(frozen=True)
class RuleContext:
    stats: WeekStats
    history: dict[IsoWeek, WeekStats]  # every week in the store, this one included
    figures: tuple[Figure, ...]
    methodology: Methodology

    def week_before(self, stats: WeekStats) -> WeekStats | None:
        """The previous week if it is in the store and comparable with this one."""
        if not stats.has_previous:
            return None
        return self.history.get(stats.week.previous())


class Rule:
    name: ClassVar[str] = ""

    def detect(self, context: RuleContext) -> Iterable[Event]:
        raise NotImplementedError


def evidence(stats: WeekStats, models: Iterable[str]) -> tuple[str, ...]:
    """Keys naming the observations behind a number: ``source|week|model``."""
    return tuple(f"{stats.source}|{stats.week}|{model}" for model in models)


def model_facts(row: ModelWeek) -> dict[str, object]:
    return {"model": row.model, "name": row.name, "author": row.author, "country": row.country,
            "rank": row.rank, "tokens": row.tokens, "previous_rank": row.previous_rank,
            "stealth": row.excluded}
