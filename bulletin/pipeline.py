"""The weekly run, stage by stage. This is the only place that knows the order.

collect -> store -> aggregate -> detect -> compose -> render -> write
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin.aggregate import weekly_stats
from bulletin.compose import compose
from bulletin.config import Config
from bulletin.detect import detect
from bulletin.errors import BulletinError
from bulletin.model import Collected, Event, Figure, Observation, Story, WeekStats
from bulletin.output import write_artifacts
from bulletin.render import event_data, render_story
from bulletin.rules.forecast import figure_key
from bulletin.store import SaveReport, Store
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")


@dataclass(frozen=True)
class RunResult:
    week: IsoWeek
    headline: str
    paths: tuple[Path, ...]
    reports: tuple[SaveReport, ...] = ()


def run(config: Config, week: IsoWeek | None = None) -> RunResult:
    """Collect every source, then write the bulletin for ``week`` (default: latest complete)."""
    reports = collect(config)
    result = render(config, week)
    return RunResult(result.week, result.headline, result.paths, tuple(reports))


def collect(config: Config) -> list[SaveReport]:
    # Read every source before writing any: one bad file and the store is untouched.
    collected: list[Collected] = [source.collect() for source in config.sources]
    with Store.open(config.database) as store:
        return store.save(collected)


def render(config: Config, week: IsoWeek | None = None) -> RunResult:
    with Store.open(config.database) as store:
        story = build_story(config, store, week)
        artifacts = render_story(story, config.title, config.templates_dir)
        folder = config.output / "bulletins" / str(story.week)
        paths = write_artifacts(folder, artifacts)
        headline = next(a.content for a in artifacts if a.format == "markdown").splitlines()[0]
        headline = headline.removeprefix("# ").strip()
        store.record_bulletin(str(story.week), headline, [event_data(e) for e in story.events],
                              story.generated_at.isoformat())
    return RunResult(story.week, headline, tuple(paths))


def build_story(config: Config, store: Store, week: IsoWeek | None = None) -> Story:
    observations = store.observations()
    history = stats_history(config, store, observations)
    chosen = choose_week(history, week)
    stats = history[chosen]
    if stats.unmapped_authors:
        log.warning("%s: no country configured for %s; add them under methodology.countries",
                    chosen, ", ".join(stats.unmapped_authors))
    figures = store.figures()
    events = detect(chosen, history, figures, config.methodology)
    return compose(stats, events, config, provenance(observations, figures))


def week_events(config: Config, week: IsoWeek | None = None) -> tuple[WeekStats, list[Event]]:
    with Store.open(config.database) as store:
        history = stats_history(config, store)
        chosen = choose_week(history, week)
        return history[chosen], detect(chosen, history, store.figures(), config.methodology)


def week_stats(config: Config, week: IsoWeek | None = None) -> WeekStats:
    with Store.open(config.database) as store:
        history = stats_history(config, store)
        return history[choose_week(history, week)]


def stats_history(config: Config, store: Store,
                  observations: list[Observation] | None = None) -> dict[IsoWeek, WeekStats]:
    if observations is None:
        observations = store.observations()
    return weekly_stats(observations, store.model_names(), config.methodology,
                        [source.name for source in config.sources])


def choose_week(history: dict[IsoWeek, WeekStats], week: IsoWeek | None) -> IsoWeek:
    if not history:
        raise BulletinError("the store holds no statistics yet: run `bulletin collect` first")
    if week is None:
        complete = [w for w, stats in history.items() if stats.complete]
        if not complete:
            raise BulletinError("no complete week in the store yet (every week has missing days)")
        return max(complete)
    if week not in history:
        weeks = sorted(history)
        raise BulletinError(f"{week}: no statistics for this week in the store "
                            f"(it holds {weeks[0]} to {weeks[-1]})")
    return week


def provenance(observations: list[Observation], figures: list[Figure]) -> dict[str, dict[str, Any]]:
    """Where each number came from, keyed as the rules' evidence keys are."""
    found: dict[str, dict[str, Any]] = {}
    for obs in observations:
        key = f"{obs.source}|{obs.week}|{obs.model}"
        entry = found.setdefault(key, {"source": obs.source, "url": obs.source_url,
                                       "week": str(obs.week), "model": obs.model,
                                       "tokens": 0, "periods": [], "fetched_at": obs.fetched_at})
        entry["tokens"] += obs.tokens
        entry["periods"].append(obs.period)
        entry["fetched_at"] = max(entry["fetched_at"], obs.fetched_at)
    for figure in figures:
        found[figure_key(figure)] = {"source": figure.source, "url": figure.link,
                                     "organisation": figure.organisation, "period": figure.period,
                                     "value": str(figure.value), "quote": figure.quote,
                                     "fetched_at": figure.fetched_at}
    return found
