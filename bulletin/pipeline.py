"""The weekly run, stage by stage. This is the only place that knows the order.

collect -> store -> aggregate -> detect -> compose -> render -> write
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bulletin import claims, review
from bulletin.aggregate import weekly_stats
from bulletin.compose import compose
from bulletin.config import Config
from bulletin.detect import detect
from bulletin.errors import BulletinError, PublishError
from bulletin.model import Collected, Delivery, Event, Figure, Observation, Story, WeekStats
from bulletin.output import write_artifacts
from bulletin.publishers import RenderedBulletin
from bulletin.render import Settings, event_data, render_story, suffix
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
    deliveries: tuple[Delivery, ...] = ()
    status: str = "ready"
    reasons: tuple[str, ...] = ()


def run(config: Config, week: IsoWeek | None = None) -> RunResult:
    """Collect every source, write the bulletin for ``week`` (default: latest complete), publish it.

    A bulletin the review gate holds is written but not published; an editor
    decides with ``bulletin approve`` or ``bulletin reject``.
    """
    reports = collect(config)
    result = render(config, week)
    deliveries: list[Delivery] = []
    if result.status in ("ready", "approved") and config.publishers:
        deliveries = publish(config, result.week)
    elif result.status == "held":
        log.warning("%s: held for review (%s); see `bulletin review`", result.week,
                    "; ".join(result.reasons))
    return RunResult(result.week, result.headline, result.paths, tuple(reports), tuple(deliveries),
                     result.status, result.reasons)


def collect(config: Config) -> list[SaveReport]:
    # Read every source before writing any: one bad file and the store is untouched.
    collected: list[Collected] = [source.collect() for source in config.sources]
    with Store.open(config.database) as store:
        return store.save(collected)


def render(config: Config, week: IsoWeek | None = None) -> RunResult:
    with Store.open(config.database) as store:
        observations = store.observations()
        story = build_story(config, store, week, observations)
        folder = config.output / "bulletins" / str(story.week)
        artifacts = render_story(story, replace(settings(config), folder=folder))
        # Nothing is written as final until every number in it is recomputed and found.
        claims.check(story, articles(config, {a.filename: a.content for a in artifacts
                                              if isinstance(a.content, str)}), config.title)
        found = review.reasons(story, observations, config.review, [s.name for s in config.sources])
        status, reasons = review.status(found, config.review)
        previous = store.bulletin(str(story.week))
        status = _kept_decision(previous, status, reasons)
        if status == "rejected" and previous:
            reasons = previous["reasons"]
        paths = write_artifacts(folder, artifacts)
        headline = str(next(a.content for a in artifacts if a.format == "markdown")).splitlines()[0]
        headline = headline.removeprefix("# ").strip()
        store.record_bulletin(str(story.week), headline, [event_data(e) for e in story.events],
                              story.generated_at.isoformat(), status, reasons)
    return RunResult(story.week, headline, tuple(paths), status=status, reasons=tuple(reasons))


def settings(config: Config) -> Settings:
    return Settings(config.title, config.templates_dir, config.locales, config.base_url, config.chart)


# Every file a reader sees, in each language; the pages are checked as the text they show.
READ = ("bulletin{}.md", "bulletin{}.html", "email{}.html", "email{}.txt")


def articles(config: Config, files: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each language's article, page and emails, by file name, for the claim check."""
    found = {}
    for locale in config.locales:
        for pattern in READ:
            name = pattern.format(suffix(locale))
            if name in files:
                text = files[name]
                found[name] = (locale, claims.page_text(text) if name.endswith(".html") else text)
    return found


def _kept_decision(record: dict[str, Any] | None, status: str, reasons: list[str]) -> str:
    """A rerun keeps an editor's decision.

    A rejection stands until an editor approves the week. An approval stands
    while the checks find what the editor saw; anything new holds it again.
    """
    if record and record["status"] == "rejected":
        return "rejected"
    if record and record["status"] == "approved" and record["reasons"] == reasons:
        return "approved"
    return status


def check_claims(config: Config, store: Store, week: IsoWeek, folder: Path,
                 rendered_at: str) -> None:
    """Recompute the week from the store and refuse if a written article disagrees."""
    story = build_story(config, store, week, now=datetime.fromisoformat(rendered_at))
    files = {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()
             if path.suffix in (".md", ".html", ".txt")}
    claims.check(story, articles(config, files), config.title)


def review_list(config: Config) -> list[dict[str, Any]]:
    """Bulletins waiting for an editor, with why and where to look."""
    with Store.open(config.database) as store:
        return [record | {"preview": config.output / "bulletins" / record["week"] / "bulletin.html"}
                for record in store.bulletins() if record["status"] == "held"]


def decide(config: Config, week: IsoWeek, approve: bool, why: str = "") -> list[Delivery]:
    """An editor's decision; approving publishes to the configured targets."""
    with Store.open(config.database) as store:
        record = store.bulletin(str(week))
        if record is None:
            raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
        if approve:
            store.set_status(str(week), "approved", record["reasons"])
        else:
            store.set_status(str(week), "rejected", [why])
    return publish(config, week) if approve and config.publishers else []


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
        record = store.bulletin(str(week))
        assert record is not None  # RenderedBulletin.load found it
        check_claims(config, store, week, bulletin.folder, record["rendered_at"])
        for target in targets:
            try:
                delivery = target.publish(bulletin, store)
            except PublishError as exc:
                delivery = Delivery(str(week), target.name, "failed", detail=str(exc),
                                    delivered_at=_now())
            store.record_delivery(delivery)
            if delivery.status == "failed":
                log.warning("%s: publishing to %s failed: %s", week, target.name, delivery.detail)
            deliveries.append(delivery)
    return deliveries


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_story(config: Config, store: Store, week: IsoWeek | None = None,
                observations: list[Observation] | None = None, now: datetime | None = None) -> Story:
    if observations is None:
        observations = store.observations()
    history = stats_history(config, store, observations)
    chosen = choose_week(history, week)
    stats = history[chosen]
    if stats.unmapped_authors:
        log.warning("%s: no country configured for %s; add them under methodology.countries",
                    chosen, ", ".join(stats.unmapped_authors))
    figures = store.figures()
    events = detect(chosen, history, figures, config.methodology)
    return compose(stats, events, config, provenance(observations, figures), now, history)


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
