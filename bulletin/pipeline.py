"""The weekly run, stage by stage. This is the only place that knows the order.

collect -> store -> aggregate -> detect -> compose -> render -> write
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin import clock
from bulletin.collect.collection import Outcome, collect_sources, settle
from bulletin.config.load import Config
from bulletin.errors import BulletinError, PublishError
from bulletin.model import Delivery, Event, Figure, Observation, Story, WeekStats
from bulletin.publish.files import write_artifacts
from bulletin.publish.publisher import RenderedBulletin
from bulletin.store.database import SaveReport, SourceState, Store
from bulletin.story import review
from bulletin.story.compose import TREND_WEEKS, compose
from bulletin.story.detect import detect
from bulletin.story.rules.forecast import figure_key
from bulletin.story.stats import is_complete, weekly_stats, weekly_stats_from
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.render.article import Settings

# Rendering (Jinja, Markdown, Babel) is imported where a bulletin is written, so that
# `bulletin events` and `bulletin stats` do not pay for it.

log = logging.getLogger("bulletin")


@dataclass(frozen=True)
class RunResult:
    week: IsoWeek
    headline: str
    paths: tuple[Path, ...]
    outcomes: tuple[Outcome, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    status: str = "ready"
    reasons: tuple[str, ...] = ()

    @property
    def reports(self) -> tuple[SaveReport, ...]:
        return tuple(o.report for o in self.outcomes if o.report is not None)


def run(config: Config, week: IsoWeek | None = None) -> RunResult:
    """Collect every source, write the bulletin for ``week`` (default: latest complete), publish it.

    A bulletin the review gate holds is written but not published; an editor
    decides with ``bulletin approve`` or ``bulletin reject``.
    """
    outcomes = collect(config)  # (its own store: a first collection that fails removes the file)
    stale = [o for o in outcomes if o.state == "stale" and _is_leaderboard(config, o.source)]
    with Store.open(config.database) as store:  # one for the rest of the run, every target included
        if stale:
            _check_leaderboard(config, week, stale, store)
        result = render(config, week, store)
        deliveries: list[Delivery] = []
        if result.status in ("ready", "approved") and config.publishers:
            deliveries = publish(config, result.week, store=store)
        elif result.status == "held":
            log.warning("%s: held for review (%s); see `bulletin review`", result.week,
                        "; ".join(result.reasons))
    return RunResult(result.week, result.headline, result.paths, tuple(outcomes), tuple(deliveries),
                     result.status, result.reasons)


def collect(config: Config, start: date | None = None, end: date | None = None) -> list[Outcome]:
    """Read every source (concurrently), then store what they gave in one transaction."""
    now = clock.now()
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


def _is_leaderboard(config: Config, name: str) -> bool:
    return any(s.name == name and s.leaderboard for s in config.sources)


def _opened(config: Config, store: Store | None) -> AbstractContextManager[Store]:
    """The caller's store (left open), or the config's database opened for this call."""
    return nullcontext(store) if store is not None else Store.open(config.database)


def _check_leaderboard(config: Config, week: IsoWeek | None, stale: list[Outcome],
                       store: Store | None = None) -> None:
    """A stale leaderboard is fine while the store still has the week; without it, say so."""
    wanted = week or IsoWeek.of(clock.now().date()).previous()
    with _opened(config, store) as store:
        history = stats_history(config, store)
    if wanted in history:
        return
    names = ", ".join(o.source for o in stale)
    raise BulletinError(f"{wanted}: no statistics for this week: {names} failed "
                        f"({stale[0].detail}) and the store has nothing older for it")


def render(config: Config, week: IsoWeek | None = None, store: Store | None = None) -> RunResult:
    from bulletin.render import claims
    from bulletin.render.article import event_data, render_story

    with _opened(config, store) as store:
        story = build_story(config, store, week)
        folder = config.output / "bulletins" / str(story.week)
        artifacts = render_story(story, replace(settings(config), folder=folder))
        # Nothing is written as final until every number in it is recomputed and found.
        claims.check(story, articles(config, {a.filename: a.content for a in artifacts
                                              if isinstance(a.content, str)}), config.title)
        found = review.reasons(story, store.last_read(), config.review,
                               [s.name for s in config.sources])
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
    from bulletin.render.article import Settings

    return Settings(config.title, config.templates_dir, config.locales, config.base_url, config.chart)


# Every file a reader sees, in each language; the pages are checked as the text they show.
READ = ("bulletin{}.md", "bulletin{}.html", "email{}.html", "email{}.txt")


def articles(config: Config, files: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Each language's article, page and emails, by file name, for the claim check."""
    from bulletin.render import claims
    from bulletin.render.article import suffix

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
    from bulletin.render import claims

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
            return _withdraw(config, store, week)
    return publish(config, week) if approve and config.publishers else []


def _withdraw(config: Config, store: Store, week: IsoWeek) -> list[Delivery]:
    """A week rejected after it was published comes off the site and the blog.

    One target that fails is recorded as failed; the others are still withdrawn.
    """
    withdrawn = []
    for target in config.publishers:
        if not hasattr(target, "withdraw"):
            continue  # an email cannot be recalled
        before = store.delivery(str(week), target.name)
        if before is None or before.status != "ok":
            continue  # never there, or already taken down
        try:
            delivery = target.withdraw(config.output, before, store)
        except PublishError as exc:
            # Keep what identifies the post, so a later try (or approval) finds it again.
            delivery = Delivery(str(week), target.name, "failed", before.remote_id, before.location,
                                f"withdrawing: {exc}", exc.attempts, clock.stamp())
        if delivery is not None:
            store.record_delivery(delivery)
            withdrawn.append(delivery)
    return withdrawn


def publish(config: Config, week: IsoWeek, to: Sequence[str] = (),
            store: Store | None = None) -> list[Delivery]:
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
    with _opened(config, store) as store:
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
                                    attempts=exc.attempts, delivered_at=clock.stamp())
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


def build_story(config: Config, store: Store, week: IsoWeek | None = None,
                now: datetime | None = None) -> Story:
    history = stats_history(config, store)
    chosen = choose_week(history, week)
    stats = history[chosen]
    if stats.unmapped_authors:
        log.warning("%s: no country configured for %s; add them under methodology.countries",
                    chosen, ", ".join(stats.unmapped_authors))
    figures = store.figures()
    events = detect_week(config, store, history, chosen, figures)
    # The trail needs the weeks the article can quote: those the events cite,
    # and the chart's and tables' weeks. Reading every stored observation
    # would cost more than the whole story on a large store.
    quoted = {w for w in history if w <= chosen}
    weeks = sorted(quoted)[-(TREND_WEEKS + 1):]
    weeks += [w for event in events for key in event.evidence if (w := _cited_week(key))]
    observations = store.observations_in(sorted(set(weeks)))
    return compose(stats, events, config, provenance(observations, figures), now, history)


def _cited_week(key: str) -> IsoWeek | None:
    parts = key.split("|")
    if len(parts) != 3:
        return None
    try:
        return IsoWeek.parse(parts[1])
    except ValueError:
        return None  # a figure's key: source|period|subject


def detect_week(config: Config, store: Store, history: Mapping[IsoWeek, WeekStats], week: IsoWeek,
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
                  observations: list[Observation] | None = None) -> Mapping[IsoWeek, WeekStats]:
    """Every stored week's statistics; the store sums the weeks unless observations are at hand."""
    order = [source.name for source in config.sources]
    if observations is not None:
        return weekly_stats(observations, store.model_names(), config.methodology, order)
    return weekly_stats_from(store.source_weeks(), store.model_names(), config.methodology, order)


def choose_week(history: Mapping[IsoWeek, WeekStats], week: IsoWeek | None) -> IsoWeek:
    if not history:
        raise BulletinError("the store holds no statistics yet: run `bulletin collect` first")
    if week is None:
        complete = [w for w in history if is_complete(history, w)]
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
