"""Run the rules over a range of stored weeks, as if each week's bulletin had been written.

Nothing is published or recorded: the memory of what "earlier bulletins"
reported is the backtest's own, built week by week, so novelty behaves as it
would have in a real run. The editor's tool for tuning weights.
"""

from __future__ import annotations

from typing import Any

from bulletin.config.settings import Config
from bulletin.errors import BulletinError
from bulletin.model import Event
from bulletin.pipeline import stats_history
from bulletin.records import record
from bulletin.render.article import event_data, headline_of
from bulletin.store.database import Store
from bulletin.story.compose import compose
from bulletin.story.detect import detect
from bulletin.story.rules import HistoryIndex
from bulletin.story.stats import is_complete
from bulletin.weeks import IsoWeek


@record
class WeekResult:
    week: IsoWeek
    headline: str
    events: tuple[Event, ...]  # everything found, best first
    chosen: tuple[Event, ...]  # what the article would tell


def backtest(config: Config, start: IsoWeek | None = None, end: IsoWeek | None = None
             ) -> list[WeekResult]:
    with Store.open(config.store) as store:
        history = stats_history(config, store)
        figures = store.figures()
    weeks = [week for week in sorted(history) if is_complete(history, week)
             and (start is None or week >= start) and (end is None or week <= end)]
    if not weeks:
        held = sorted(history)
        span = f" (the store holds {held[0]} to {held[-1]})" if held else ""
        raise BulletinError(f"no complete week to backtest between {start or 'the first'} and "
                            f"{end or 'the last'}{span}")
    index = HistoryIndex(history)
    memory: list[list[Event]] = []  # what each simulated bulletin reported, oldest first
    results = []
    for week in weeks:
        recent = memory[::-1][: config.story.memory_weeks]
        events = detect(week, history, figures, config.methodology, config.rules, recent,
                        config.story.repeat_factor, index)
        story = compose(history[week], events, config, {})
        headline = headline_of(story, config.templates_dir)
        memory.append(list(story.events))
        results.append(WeekResult(week, headline, story.detected, story.events))
    return results


def results_data(results: list[WeekResult]) -> dict[str, Any]:

    return {
        "from": str(results[0].week),
        "to": str(results[-1].week),
        "weeks": [{
            "week": str(result.week),
            "headline": result.headline,
            "events": [event_data(event) | {"chosen": event in result.chosen}
                       for event in result.events],
        } for result in results],
    }


def results_text(results: list[WeekResult]) -> str:
    lines = []
    for result in results:
        lines.append(f"{result.week}  {result.headline}")
        for event in result.events:
            mark = "*" if event in result.chosen else " "
            facts = ", ".join(f"{key}={_short(value)}" for key, value in event.facts.as_data().items()
                              if not isinstance(value, (list, dict)))
            lines.append(f"  {mark} {event.score:6.1f}  {event.kind:<19} {facts}")
    return "\n".join(lines)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
