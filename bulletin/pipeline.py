"""The weekly run, stage by stage. This is the only place that knows the order.

collect -> store -> aggregate -> detect -> compose -> render -> write
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bulletin.aggregate import weekly_stats, weekly_stats_from
from bulletin.collection import Outcome, collect_sources, settle
from bulletin.compose import compose
from bulletin.config import Config
from bulletin.detect import detect
from bulletin.errors import BulletinError, PublishError
from bulletin.model import Delivery, Event, Figure, Observation, Story, WeekStats
from bulletin.output import write_artifacts
from bulletin.publishers import RenderedBulletin
from bulletin.render import event_data, render_story
from bulletin.rules.forecast import figure_key
from bulletin.store import SaveReport, SourceState, Store
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")


@dataclass(frozen=True)
class RunResult:
    week: IsoWeek
    headline: str
    paths: tuple[Path, ...]
    outcomes: tuple[Outcome, ...] = ()
    deliveries: tuple[Delivery, ...] = ()

    @property
    def reports(self) -> tuple[SaveReport, ...]:
        return tuple(o.report for o in self.outcomes if o.report is not None)


def run(config: Config, week: IsoWeek | None = None) -> RunResult:
    """Collect every source, write the bulletin for ``week`` (default: latest complete), publish it."""
    outcomes = collect(config)
    stale = [o for o in outcomes if o.state == "stale" and _is_leaderboard(config, o.source)]
    if stale:
        _check_leaderboard(config, week, stale)
    result = render(config, week)
    deliveries = publish(config, result.week) if config.publishers else []
    return RunResult(result.week, result.headline, result.paths, tuple(outcomes), tuple(deliveries))


def collect(config: Config, start: date | None = None, end: date | None = None) -> list[Outcome]:
    """Read every source (concurrently), then store what they gave in one transaction."""
    now = collect_time()
    if not config.database.exists():
        try:
            return _collect_into(config, now, start, end)
        except BaseException:
            # A first collection that fails leaves no empty history behind either.
            config.database.unlink(missing_ok=True)
            raise
    return _collect_into(config, now, start, end)


def _collect_into(config: Config, now: datetime, start: date | None, end: date | None
                  ) -> list[Outcome]:
    with Store.open(config.database) as store:
        # Every source is read before anything is written: one bad file and the store is untouched.
        outcomes = collect_sources(config.sources, store, now, start, end)
        settled: list[Outcome] = []

        def states(reports: list[SaveReport]) -> list[SourceState]:
            by_source = {report.source: report for report in reports}
            settled.extend(settle(o, by_source.get(o.source)) for o in outcomes)
            return [o.record(now) for o in settled]

        store.save([o.collected for o in outcomes if o.collected is not None], states)
    return settled


def collect_time() -> datetime:
    return datetime.now(UTC)


def _is_leaderboard(config: Config, name: str) -> bool:
    return any(s.name == name and s.leaderboard for s in config.sources)


def _check_leaderboard(config: Config, week: IsoWeek | None, stale: list[Outcome]) -> None:
    """A stale leaderboard is fine while the store still has the week; without it, say so."""
    wanted = week or IsoWeek.of(collect_time().date()).previous()
    with Store.open(config.database) as store:
        history = stats_history(config, store)
    if wanted in history:
        return
    names = ", ".join(o.source for o in stale)
    raise BulletinError(f"{wanted}: no statistics for this week: {names} failed "
                        f"({stale[0].detail}) and the store has nothing older for it")


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


def publish(config: Config, week: IsoWeek, to: Sequence[str] = ()) -> list[Delivery]:
    """Send a rendered bulletin to the configured targets (all, or those named in ``to``).

    A held or rejected bulletin goes nowhere. One failing target is recorded
    as failed and the others still run.
    """
    targets = [p for p in config.publishers if not to or p.name in to or p.type in to]
    unknown = [name for name in to if not any(name in (p.name, p.type) for p in config.publishers)]
    if unknown:
        known = ", ".join(p.name for p in config.publishers) or "none configured"
        raise PublishError(f"no publish target named {', '.join(unknown)} (configured: {known})")
    deliveries = []
    with Store.open(config.database) as store:
        bulletin = RenderedBulletin.load(config.output, store, str(week))
        if not bulletin.publishable:
            why = "; ".join(bulletin.reasons) or "no reason recorded"
            raise PublishError(f"{week}: the bulletin is {bulletin.status} ({why}); nothing published")
        for target in targets:
            try:
                delivery = target.publish(bulletin, store)
            except PublishError as exc:
                delivery = Delivery(str(week), target.name, "failed", detail=str(exc),
                                    attempts=exc.attempts, delivered_at=_now())
            store.record_delivery(delivery)
            if delivery.status == "failed":
                log.warning("%s: publishing to %s failed: %s", week, target.name, delivery.detail)
            elif delivery.status == "gone":
                log.warning("%s: %s: %s", week, target.name, delivery.detail)
            deliveries.append(delivery)
    return deliveries


def rebuild_site(config: Config) -> list[tuple[str, int]]:
    """Write every site target again from the weeks published to it: (target, files written)."""
    sites = [p for p in config.publishers if hasattr(p, "rebuild")]
    if not sites:
        raise PublishError("no site configured: add a `type: site` entry under publish:")
    with Store.open(config.database) as store:
        return [(site.name, site.rebuild(config.output, store)) for site in sites]  # type: ignore[attr-defined]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_story(config: Config, store: Store, week: IsoWeek | None = None) -> Story:
    history = stats_history(config, store)
    chosen = choose_week(history, week)
    stats = history[chosen]
    if stats.unmapped_authors:
        log.warning("%s: no country configured for %s; add them under methodology.countries",
                    chosen, ", ".join(stats.unmapped_authors))
    figures = store.figures()
    events = detect_week(config, store, history, chosen, figures)
    # Provenance only for the weeks the events cite: reading every stored
    # observation would cost more than the whole story on a large store.
    cited = sorted({week for event in events for key in event.evidence
                    if (week := _cited_week(key)) is not None})
    return compose(stats, events, config, provenance(store.observations_in(cited), figures))


def _cited_week(key: str) -> IsoWeek | None:
    parts = key.split("|")
    if len(parts) != 3:
        return None
    try:
        return IsoWeek.parse(parts[1])
    except ValueError:
        return None  # a figure's key: source|period|subject


def detect_week(config: Config, store: Store, history: dict[IsoWeek, WeekStats], week: IsoWeek,
                figures: list[Figure]) -> list[Event]:
    """The week's events, scored against what the bulletins before it reported."""
    reported = store.reported_before(str(week), config.story.memory_weeks)
    return detect(week, history, figures, config.methodology, config.rules, reported,
                  config.story.repeat_factor)


def week_events(config: Config, week: IsoWeek | None = None) -> tuple[WeekStats, list[Event]]:
    with Store.open(config.database) as store:
        history = stats_history(config, store)
        chosen = choose_week(history, week)
        return history[chosen], detect_week(config, store, history, chosen, store.figures())


def week_stats(config: Config, week: IsoWeek | None = None) -> WeekStats:
    with Store.open(config.database) as store:
        history = stats_history(config, store)
        return history[choose_week(history, week)]


def stats_history(config: Config, store: Store,
                  observations: list[Observation] | None = None) -> dict[IsoWeek, WeekStats]:
    """Every stored week's statistics; the store sums the weeks unless observations are at hand."""
    order = [source.name for source in config.sources]
    if observations is not None:
        return weekly_stats(observations, store.model_names(), config.methodology, order)
    return weekly_stats_from(store.source_weeks(), store.model_names(), config.methodology, order)


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
