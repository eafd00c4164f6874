"""The weekly run, stage by stage. This is the only place that knows the order.

    collect -> store -> story (statistics, rules, composition) -> render
            -> claim check -> review -> write the edition -> publish

One function per command. Each opens the store once and hands it to every
stage it runs, and composes the week's story at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin import clock
from bulletin.collect.collection import Outcome, collect_sources, settle
from bulletin.config.settings import Config
from bulletin.corrections import stated
from bulletin.corrections.detect import revised_in, revisions
from bulletin.errors import BulletinError, PublishError
from bulletin.model import (
    BulletinRecord,
    Delivery,
    DeliveryStatus,
    Event,
    EvidenceKey,
    Figure,
    Observation,
    SourceStatus,
    Status,
    Story,
    WeekStats,
    event_data,
)
from bulletin.model.corrections import Corrected, CorrectionStatus
from bulletin.model.edits import Edits
from bulletin.pipeline import editions
from bulletin.publish.files import write_artifacts
from bulletin.publish.publisher import Publisher, RenderedBulletin
from bulletin.records import record
from bulletin.render import claims, correction_notes, restate, untranslated
from bulletin.render.article import Settings, render_week
from bulletin.render.correction_notes import quoted
from bulletin.render.rendered import DEFAULT_LOCALE, RenderedWeek, article_name, folder_of, page_name
from bulletin.store.database import SaveReport, SourceState, Store
from bulletin.story import review
from bulletin.story.compose import TREND_WEEKS, compose
from bulletin.story.detect import detect
from bulletin.story.rules.forecast import figure_key
from bulletin.story.stats import is_complete, weekly_stats, weekly_stats_from
from bulletin.story.timing import citable, cited_from, published_on
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.render.article import Settings

# Rendering (Jinja, Markdown, Babel) is imported where a bulletin is written, so that
# `bulletin events` and `bulletin stats` do not pay for it.

log = logging.getLogger("bulletin")
progress = logging.getLogger("bulletin.progress")


@record
class RunResult:
    week: IsoWeek
    headline: str
    paths: tuple[Path, ...]
    outcomes: tuple[Outcome, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    status: Status = Status.READY
    reasons: tuple[str, ...] = ()
    done_before: bool = False  # a rerun found the week written and delivered: nothing done
    targets: int = 0  # how many publish targets the run had for the week
    corrected: Corrected = field(default_factory=lambda: Corrected({}, {}))  # the collection's corrections
    reached: tuple[str, ...] = ()  # a held week: the targets that had it before it was held


# -- the commands ------------------------------------------------------------


def run(config: Config, week: IsoWeek | None = None, email: bool = False) -> RunResult:
    """Collect every source, write the bulletin for ``week`` (default: latest complete), publish it.

    A bulletin the review gate holds is written but not published; an editor
    decides with ``bulletin approve`` or ``bulletin reject``. A rerun does only
    what is missing: with nothing new collected, a week already written and
    delivered everywhere is left alone, and one delivered to some targets goes
    to the others only. A week older than the newest published is not emailed
    unless ``email`` asks (see ``_not_back_filled``).
    """
    store, outcomes = _collected(config)
    with store:
        history = stats_history(config, store)
        corrected = correct_published(config, store, outcomes, history)
        stale = [o for o in outcomes if o.state == SourceStatus.STALE and _is_leaderboard(config, o.source)]
        if stale:
            _check_leaderboard(week, stale, history)
        chosen = choose_week(history, week)
        record = store.bulletin(chosen)
        held = store.corrections.of(chosen, CorrectionStatus.HELD)
        if record is not None and held:
            # Rendering it again now would publish, unseen, what an editor is to decide.
            return RunResult(chosen, record.headline, (), tuple(outcomes), status=Status.HELD,
                             reasons=(f"a correction is held: {held[0].held_for}",),
                             targets=len(config.publishers), corrected=corrected)
        # A week just corrected went to its targets with its note; the rest is a rerun's.
        fresh = any(o.state == SourceStatus.OK for o in outcomes) and chosen not in corrected.published
        targets = _not_back_filled(store, chosen, config.publishers, email)
        if record is not None and not fresh:
            targets = [t for t in targets if _missing(store, chosen, t.name)]
            finished = not targets and record.status != Status.HELD
            if _written(config, chosen) and (finished or record.status == Status.REJECTED):
                return RunResult(chosen, record.headline, (), tuple(outcomes), status=record.status,
                                 reasons=record.reasons, done_before=True,
                                 targets=len(config.publishers), corrected=corrected)
        story = build_story(config, store, chosen, history=history)
        # The latest week the store has is not news when it is old: the live sources stopped
        # bringing newer ones. (A file is the editor's: its age is the "last read" check's.)
        live = any(s.live and s.leaderboard for s in config.sources)
        extra = out_of_date(chosen, config.review.stale_after_days) if live and week is None else []
        written = write_edition(config, store, story, extra, history)
        deliveries: list[Delivery] = []
        if written.bulletin.publishable and targets:
            # The claim check has just passed on this story; publishing does not repeat it.
            deliveries = deliver(store, written.bulletin, targets)
            deliveries += editions.deliver_editions(store, written.editions, targets, missing_only=True)
        elif written.bulletin.status == Status.HELD:
            log.warning("%s: held for review (%s); see `bulletin review`", story.week,
                        "; ".join(written.bulletin.reasons))
        reached = tuple(t.name for t in config.publishers if not _missing(store, chosen, t.name))
    return replace(written.result, outcomes=tuple(outcomes), deliveries=tuple(deliveries),
                   targets=len(targets) or len(config.publishers), corrected=corrected,
                   reached=reached if written.bulletin.status == Status.HELD else ())


def out_of_date(week: IsoWeek, days: int) -> list[str]:
    """Why a bulletin on the newest stored week would mislead, if that week ended long ago."""
    age = (clock.now().date() - week.sunday).days - 1  # days since the week's last day ended
    if age <= days:
        return []
    return [f"{week}: the newest complete week in the store ended {age} days ago (the limit is "
            f"{days} days); no newer data has been collected"]


def _not_back_filled(store: Store, week: IsoWeek, targets: Sequence[Publisher], email: bool
                     ) -> list[Publisher]:
    """``targets`` less those to which a week older than the newest published is no news.

    Approving weeks 30-33 of a back-fill once emailed every subscriber four old
    bulletins. Such a week goes to the site and the like, and to the list only
    when ``email`` asks; a send already begun (paused by a quota, killed
    midway) is finished, which is no back-fill.
    """
    newest = store.newest_published()
    if email or newest is None or week >= newest:
        return list(targets)
    passed = [t for t in targets if t.news_only and not t.under_way(week, store)]
    if passed:
        log.warning("%s: not sent to %s: older than %s, the newest week published (a back-fill); "
                    "`--email` sends it", week, ", ".join(t.name for t in passed), newest)
    return [t for t in targets if t not in passed]


def _missing(store: Store, week: IsoWeek, target: str) -> bool:
    """Whether the target lacks the week: its main bulletin, or an edition it publishes."""
    delivery = store.delivery(week, target)
    if delivery is None or delivery.status != DeliveryStatus.OK:
        return True
    # An edition that failed there is tried again; one the target does not publish was never tried.
    return any(d.target == target and d.status != DeliveryStatus.OK for d in store.editions.deliveries(week))


def _written(config: Config, week: IsoWeek) -> bool:
    return (folder_of(config.output, week) / page_name(DEFAULT_LOCALE)).exists()


def collect(config: Config, start: date | None = None, end: date | None = None) -> list[Outcome]:
    """Read every source (concurrently), then store what they gave in one transaction."""
    store, outcomes = _collected(config, start, end)
    with store:
        correct_published(config, store, outcomes)
    return outcomes


def render(config: Config, week: IsoWeek | None = None) -> RunResult:
    """Write a week's bulletin from what the store holds."""
    with Store.open(config.store) as store:
        history = stats_history(config, store)
        story = build_story(config, store, week, history=history)
        return write_edition(config, store, story, history=history).result


def publish(config: Config, week: IsoWeek, to: Sequence[str] = ()) -> list[Delivery]:
    """Send a rendered bulletin to the configured targets (all, or those named in ``to``).

    A held or rejected bulletin goes nowhere. Its articles are checked against
    the store first: a number the store no longer supports stops it.
    """
    targets = _targets(config, to)
    with Store.open(config.store) as store:
        return _publish_week(config, store, week, targets)


def decide(config: Config, week: IsoWeek, approve: bool, why: str = "", to: Sequence[str] = (),
           email: bool = False) -> list[Delivery]:
    """An editor's decision; approving publishes to the configured targets (or those in ``to``).

    Approving a week older than the newest published does not email it unless
    ``email`` asks (``_not_back_filled``).
    """
    targets = _targets(config, to)
    with Store.open(config.store) as store:
        record = store.bulletin(week)
        if record is None:
            raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
        held = store.corrections.of(week, CorrectionStatus.HELD)
        if not approve:
            store.corrections.set_status(week, CorrectionStatus.HELD, CorrectionStatus.REJECTED)
            store.set_status(week, Status.REJECTED, [why])
            return _withdraw(config, store, week)
        _keep_approved_text(config, store, week)
        if held:
            # The editor accepts the revised story: the page is written again, with its note.
            store.corrections.set_status(week, CorrectionStatus.HELD, CorrectionStatus.PENDING)
            if record.status == Status.HELD:  # the corrected week was held for an anomaly too
                store.set_status(week, Status.APPROVED, record.reasons)
            return publish_corrections(config, store, week)
        store.set_status(week, Status.APPROVED, record.reasons)
        targets = _not_back_filled(store, week, targets, email)
        return _publish_week(config, store, week, targets) if targets else []


def _keep_approved_text(config: Config, store: Store, week: IsoWeek) -> None:
    """Each language's article as the editor approves it: held again after a new collection,
    the week is shown with what changed since (the desk's diff)."""
    try:
        rendered = RenderedWeek.load(config.output, week)
    except PublishError:
        return  # nothing rendered to keep; publishing says why
    texts = {locale: rendered.text(article_name(locale)) for locale in rendered.locales
             if rendered.has(article_name(locale))}
    store.decisions.approved(week, texts, clock.stamp())


def review_list(config: Config) -> list[tuple[BulletinRecord, Path]]:
    """Bulletins waiting for an editor, with where to look at each."""
    with Store.open(config.store) as store:
        found = [(record, folder_of(config.output, record.week) / page_name(DEFAULT_LOCALE))
                 for record in store.bulletins() if record.status == Status.HELD]
        held = store.corrections.of(status=CorrectionStatus.HELD)
        for week in sorted({c.week for c in held}):
            record = store.bulletin(week)
            if record is None or record.status == Status.HELD:
                continue
            mine = [c for c in held if c.week == week and c.locale == config.locales[0]]
            reasons = (f"a correction changes the story: {mine[0].held_for}" if mine else "a correction",
                       *(f"said {c.old}, the store now gives {c.new or 'nothing'}: {c.sentence}"
                         for c in mine))
            found.append((replace(record, status=Status.HELD, reasons=reasons),
                          folder_of(config.output, week) / page_name(DEFAULT_LOCALE)))
        return sorted(found, key=lambda item: item[0].week)


def rebuild_site(config: Config) -> list[tuple[str, int]]:
    """Write every site target again from the weeks published to it: (target, files written)."""
    sites = [p for p in config.publishers if p.rebuilds]
    if not sites:
        raise PublishError("no site configured: add a `type: site` entry under publish:")
    with Store.open(config.store) as store:
        return [(site.name, site.rebuild(config.output, store)) for site in sites]


def week_stats(config: Config, week: IsoWeek | None = None) -> WeekStats:
    with Store.open(config.store) as store:
        history = stats_history(config, store)
        return history[choose_week(history, week)]


def week_events(config: Config, week: IsoWeek | None = None) -> tuple[WeekStats, list[Event]]:
    with Store.open(config.store) as store:
        history = stats_history(config, store)
        chosen = choose_week(history, week)
        return history[chosen], detect_week(config, store, history, chosen, store.figures())


# -- the stages --------------------------------------------------------------


def _collected(config: Config, start: date | None = None, end: date | None = None
               ) -> tuple[Store, list[Outcome]]:
    """The store, opened and with every source collected into it, for the stages after.

    A first collection that fails leaves no empty history behind (an SQLite file; a
    PostgreSQL database is the administrator's, and keeps its empty schema).
    """
    new = not config.store_url and not config.database.exists()
    store = Store.open(config.store)
    try:
        return store, collect_into(config, store, start, end)
    except BaseException:
        store.close()
        if new:
            Store.delete(config.database)
        raise


def collect_into(config: Config, store: Store, start: date | None = None,
                 end: date | None = None) -> list[Outcome]:
    """Read every source (concurrently), then store what they gave in one transaction."""
    now = clock.now()
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


def _check_leaderboard(week: IsoWeek | None, stale: list[Outcome],
                       history: Mapping[IsoWeek, WeekStats]) -> None:
    """A stale leaderboard is fine while the store still has the week; without it, say so."""
    wanted = week or IsoWeek.of(clock.now().date()).previous()
    if wanted in history:
        return
    names = ", ".join(o.source for o in stale)
    raise BulletinError(f"{wanted}: no statistics for this week: {names} failed "
                        f"({stale[0].detail}) and the store has nothing older for it")


def stats_history(config: Config, store: Store,
                  observations: list[Observation] | None = None) -> Mapping[IsoWeek, WeekStats]:
    """Every stored week's statistics; the store sums the weeks unless observations are at hand."""
    order = [source.name for source in config.sources]
    # A name an editor confirmed or corrected is the model's from then on (`bulletin names`).
    decided = {model: found.name for model, found in store.decisions.names().items()}
    if observations is not None:
        return weekly_stats(observations, store.model_names(), config.methodology, order, decided)
    return weekly_stats_from(store.source_weeks(), store.model_names(), config.methodology, order, decided)


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


def detect_week(config: Config, store: Store, history: Mapping[IsoWeek, WeekStats], week: IsoWeek,
                figures: list[Figure]) -> list[Event]:
    """The week's events, scored against what the bulletins before it reported."""
    reported = store.reported_before(week, config.story.memory_weeks)
    return detect(week, history, figures, config.methodology, config.rules, reported,
                  config.story.repeat_factor)


def build_story(config: Config, store: Store, week: IsoWeek | None = None, now: datetime | None = None,
                history: Mapping[IsoWeek, WeekStats] | None = None) -> Story:
    """The week's story: its statistics, what is news in them, and where each number came from.

    ``history`` is every week's statistics, when the caller has them already.
    """
    if history is None:
        history = stats_history(config, store)
    chosen = choose_week(history, week)
    stats = history[chosen]
    if stats.unmapped_authors:
        log.warning("%s: no country configured for %s; add them under methodology.countries",
                    chosen, ", ".join(stats.unmapped_authors))
    figures = store.figures()
    # Said, so that an editor who expected a figure in this week's article knows why it is not.
    for organisation, subject, published, start in sorted({
            (f.organisation, f.subject, published_on(f), cited_from(f))
            for f in figures if not citable(chosen, f)}):
        log.warning("%s: %s's figure %r (published %s) is left out: it may be cited from the "
                    "week ending %s on", chosen, organisation, subject, published, start)
    events = detect_week(config, store, history, chosen, figures)
    # The trail needs the weeks the article can quote: those the events cite,
    # and the chart's and tables' weeks. Reading every stored observation
    # would cost more than the whole story on a large store.
    quoted = sorted(w for w in history if w <= chosen)[-(TREND_WEEKS + 1):]
    keys = [EvidenceKey.parse(text) for event in events for text in event.evidence]
    cited = {key.week for key in keys if key is not None and key.week is not None}
    weeks = sorted({*quoted, *cited})
    observations = store.observations_in(weeks)
    return compose(stats, events, config, provenance(observations, figures), now, history)


def provenance(observations: list[Observation], figures: list[Figure]) -> dict[str, dict[str, Any]]:
    """Where each number came from, keyed as the rules' evidence keys are."""
    found: dict[str, dict[str, Any]] = {}
    for obs in observations:
        key = str(EvidenceKey.of(obs.source, obs.week, obs.model))
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


def render_settings(config: Config) -> Settings:
    return Settings(config.title, config.templates_dir, config.locales, config.base_url, config.chart,
                    publication=config.publication)


@record
class Written:
    bulletin: RenderedBulletin
    result: RunResult
    editions: tuple[RenderedBulletin, ...] = ()  # the week's editions, written beside it


def write_edition(config: Config, store: Store, story: Story, extra_reasons: Sequence[str] = (),
                  history: Mapping[IsoWeek, WeekStats] | None = None) -> Written:
    """Render the story and its editions, check every number in them, pass the story through review,
    write and record them.

    ``extra_reasons`` are the run's own findings for the review gate (old data); ``history``
    every week's statistics, where the caller has them (the editions need them).
    """
    folder = folder_of(config.output, story.week)
    notes = correction_notes.of_week(store, story.week, config.sources, config.base_url)
    edits = Edits.of(store.edits.of(story.week))
    rendering = render_week(story, replace(render_settings(config), folder=folder), notes, edits)
    # Nothing is written as final until every number in it is recomputed and found.
    claims.check(story, claims.readable(rendering.texts(), config.locales), config.title,
                 correction_notes.quoted(store, story.week, rendering.data, notes.earlier),
                 words_of(config, store, story.week))
    editions_rendered = []
    if config.editions:
        if history is None:
            history = stats_history(config, store)
        editions_rendered = editions.render_editions(
            editions.editions_of_week(config.editions, story.stats), story, history, render_settings(config),
            config.output, config.story.max_events, words_of(config, store, story.week), notes)
    found = review.reasons(story, store.last_read(), config.review, [s.name for s in config.sources])
    found += untranslated.figures(story, config.locales)
    found += extra_reasons
    # A correction changed a paragraph an editor had reworded: the wording is not used, and an
    # editor looks again before the week goes out.
    found += [f"{edit.locale}: {edit.name}'s wording no longer fits the data (the story now writes "
              f"that paragraph otherwise): \"{edit.text[:80]}\"" for edit in rendering.unused]
    # A revised story an editor has not seen yet: `bulletin render` must not let it out either.
    found += [f"a correction is held: {c.held_for}" for c in
              store.corrections.of(story.week, CorrectionStatus.HELD)[:1]]
    status, reasons = _kept_decision(store.bulletin(story.week), *review.status(found, config.review))
    paths = write_artifacts(folder, list(rendering.artifacts))
    for name in rendering.left_out:  # e.g. a Chinese PNG drawn before its font was lost: no words
        (folder / name).unlink(missing_ok=True)
    record = BulletinRecord(story.week, rendering.headline, tuple(event_data(e) for e in story.events),
                            story.generated_at.isoformat(), status, reasons)
    store.record_bulletin(record.week, record.headline, record.events, record.rendered_at, status,
                          reasons)
    if notes.earlier:
        store.corrections.announced(notes.earlier, story.week)
    stated.remember(store, story.week, rendering.data["numbers"], record.events)  # for later corrections
    bulletin = RenderedBulletin(story.week, config.output, rendering.data, record=record)
    written = editions.write_editions(store, config.output, story.week, record, editions_rendered)
    return Written(bulletin, RunResult(story.week, rendering.headline, tuple(paths), status=status,
                                       reasons=reasons), tuple(written))


def story_texts(config: Config, store: Store, week: IsoWeek) -> dict[str, str]:
    """Each language's article as the store's data tells the week now, rendered in memory only
    (no chart, nothing written): what approving a held correction would publish."""
    story = build_story(config, store, week)
    notes = correction_notes.of_week(store, week, config.sources, config.base_url)
    rendering = render_week(story, replace(render_settings(config), chart=False), notes,
                            Edits.of(store.edits.of(week)))
    texts = rendering.texts()
    return {locale: texts[article_name(locale)] for locale in config.locales if article_name(locale) in texts}


def words_of(config: Config, store: Store, week: IsoWeek) -> list[str]:
    """What an article may write that is no claim: the publication's words and its editors' names."""
    return [*config.publication.words(), *(edit.name for edit in store.edits.of(week))]


def _kept_decision(record: BulletinRecord | None, status: Status, reasons: list[str]
                   ) -> tuple[Status, tuple[str, ...]]:
    """A rerun keeps an editor's decision.

    A rejection stands (with its reason) until an editor approves the week. An
    approval stands while the checks find what the editor saw; anything new
    holds it again.
    """
    if record and record.status == Status.REJECTED:
        return Status.REJECTED, record.reasons
    if record and record.status == Status.APPROVED and record.reasons == tuple(reasons):
        return Status.APPROVED, tuple(reasons)
    return status, tuple(reasons)


def _targets(config: Config, to: Sequence[str]) -> list[Publisher]:
    unknown = [name for name in to if not any(name in (p.name, p.type) for p in config.publishers)]
    if unknown:
        known = ", ".join(p.name for p in config.publishers) or "none configured"
        raise PublishError(f"no publish target named {', '.join(unknown)} (configured: {known})")
    return [p for p in config.publishers if not to or p.name in to or p.type in to]


def _publish_week(config: Config, store: Store, week: IsoWeek, targets: Sequence[Publisher]
                  ) -> list[Delivery]:
    """Publish a week rendered earlier: its numbers are checked against the store as it is now."""
    bulletin = RenderedBulletin.read(config.output, store, week)
    if not bulletin.publishable:
        why = "; ".join(bulletin.reasons) or "no reason recorded"
        raise PublishError(f"{week}: the bulletin is {bulletin.status} ({why}); nothing published")
    assert bulletin.record is not None  # read() found it
    history = stats_history(config, store)
    story = build_story(config, store, week, now=datetime.fromisoformat(bulletin.record.rendered_at),
                        history=history)
    words = words_of(config, store, week)
    claims.check(story, claims.readable(bulletin.texts(), config.locales), config.title,
                 quoted(store, week, bulletin.data), words)
    written = editions.edition_bulletins(config.output, store, week, bulletin.record)
    editions.check_editions(written, story, history, config.locales, config.title, config.story.max_events,
                            words, store.corrections.of(week, CorrectionStatus.PUBLISHED))
    return deliver(store, bulletin, targets) + editions.deliver_editions(store, written, targets)


def deliver(store: Store, bulletin: RenderedBulletin, targets: Sequence[Publisher]) -> list[Delivery]:
    """Each target in turn; one failing is recorded as failed and the others still run."""
    deliveries = []
    for target in targets:
        try:
            delivery = target.publish(bulletin, store)
        except PublishError as exc:
            delivery = Delivery(bulletin.week, target.name, DeliveryStatus.FAILED, detail=str(exc),
                                attempts=exc.attempts, delivered_at=clock.stamp())
        store.record_delivery(delivery)
        if delivery.status == DeliveryStatus.FAILED:
            log.warning("%s: publishing to %s failed: %s", bulletin.week, target.name, delivery.detail)
        elif delivery.status == DeliveryStatus.GONE:
            log.warning("%s: %s: %s", bulletin.week, target.name, delivery.detail)
        deliveries.append(delivery)
    return deliveries


def _withdraw(config: Config, store: Store, week: IsoWeek) -> list[Delivery]:
    """A week rejected after it was published comes off the site and the blog.

    An email cannot be recalled. One target that fails is recorded as failed;
    the others are still withdrawn.
    """
    withdrawn = []
    for target in (p for p in config.publishers if p.withdraws):
        before = store.delivery(week, target.name)
        if before is None or before.status != DeliveryStatus.OK:
            continue  # never there, or already taken down
        try:
            delivery = target.withdraw(config.output, before, store)
        except PublishError as exc:
            # Keep what identifies the post, so a later try (or approval) finds it again.
            delivery = Delivery(week, target.name, DeliveryStatus.FAILED, before.remote_id,
                                before.location, f"withdrawing: {exc}", exc.attempts, clock.stamp())
        if delivery is not None:
            store.record_delivery(delivery)
            withdrawn.append(delivery)
            if delivery.status == DeliveryStatus.WITHDRAWN and target.takes_editions:
                # Its editions went with it: none is counted as on the target any more.
                for sent in store.editions.deliveries(week):
                    if sent.target == target.name and sent.status == DeliveryStatus.OK:
                        store.record_delivery(replace(sent, status=DeliveryStatus.WITHDRAWN,
                                                      detail=delivery.detail,
                                                      delivered_at=delivery.delivered_at))
    return withdrawn


# -- corrections -------------------------------------------------------------


def correct_published(config: Config, store: Store, outcomes: Sequence[Outcome],
                      history: Mapping[IsoWeek, WeekStats] | None = None) -> Corrected:
    """After a collection: correct every published week whose stated numbers the store revised.

    Returns the weeks corrected and published, and those held: corrections
    that change the story itself wait for an editor (`bulletin review`).
    """
    corrected = Corrected({}, {})
    # Corrections a failed run recorded but did not get onto the page (a full disk, say).
    for week in sorted({c.week for c in store.corrections.of(status=CorrectionStatus.PENDING)}):
        publish_corrections(config, store, week, history)
        corrected.published[week] = len(store.corrections.of(week, CorrectionStatus.PUBLISHED))
        progress.info("%s: published the correction an earlier run could not", week)
    revised = revised_in([o.report for o in outcomes if o.report is not None and o.report.wrote])
    if not revised:
        return corrected
    if history is None:
        history = stats_history(config, store)
    stamp = clock.stamp()
    _remember_published(config, store, [week for week in store.corrections.published_weeks()
                                        if week in history])
    for revision in revisions(config, store, history, revised):
        found = restate.corrections(revision, stamp, stamp)
        if not found:
            continue
        new = store.corrections.add(found)
        numbers = len({c.quantity for c in found})
        if revision.held:
            corrected.held[revision.week] = numbers
            if new:
                log.warning("%s: a revised number changes the published story (%s); the correction "
                            "is held: see `bulletin review`", revision.week, "; ".join(revision.story_change))
            continue
        publish_corrections(config, store, revision.week, history)
        corrected.published[revision.week] = numbers
        first = found[0]
        progress.info("%s: corrected %d number(s): it said %s, the store now gives %s",
                      revision.week, numbers, first.old, first.new)
    return corrected


def _remember_published(config: Config, store: Store, published: Sequence[IsoWeek]) -> None:
    """Weeks published before the store kept what they state: read once from their bulletin.json."""
    stating = store.corrections.stating()
    for week in published:
        if week in stating:
            continue
        try:
            edition = RenderedWeek.load(config.output, week)
        except PublishError as exc:
            log.warning("%s: cannot check the published bulletin for revised numbers: %s", week, exc)
            continue
        events = edition.data.get("events", [])
        numbers = stated.legacy(edition.data.get("numbers", {}), events)
        stated.remember(store, week, restate.with_sentences(numbers, edition), events)


def publish_corrections(config: Config, store: Store, week: IsoWeek,
                        history: Mapping[IsoWeek, WeekStats] | None = None) -> list[Delivery]:
    """Write the week again from the store, with its note, and send it to the targets that have it."""

    record = store.bulletin(week)
    if record is None:
        raise PublishError(f"{week}: no rendered bulletin (run `bulletin render --week {week}`)")
    story = build_story(config, store, week, now=datetime.fromisoformat(record.rendered_at),
                        history=history)
    written = write_edition(config, store, story)
    if not written.bulletin.publishable:
        store.corrections.set_status(week, CorrectionStatus.PENDING, CorrectionStatus.HELD)
        log.warning("%s: the corrected bulletin is held (%s); see `bulletin review`", week,
                    "; ".join(written.bulletin.reasons))
        return []
    # The week's files now carry the notes: only now are its corrections published.
    store.corrections.set_status(week, CorrectionStatus.PENDING, CorrectionStatus.PUBLISHED)
    corrections = store.corrections.of(week, CorrectionStatus.PUBLISHED)
    deliveries = []
    for target in config.publishers:
        before = store.delivery(week, target.name)
        if not target.corrects or before is None or before.status != DeliveryStatus.OK:
            continue  # never there (a later publish sends the corrected page), or it cannot be corrected
        try:
            delivery = target.correct(written.bulletin, store, corrections)
        except PublishError as exc:
            delivery = Delivery(week, target.name, DeliveryStatus.FAILED, before.remote_id,
                                before.location, f"correcting: {exc}", exc.attempts, clock.stamp())
            log.warning("%s: sending the correction to %s failed: %s", week, target.name, exc)
        store.record_delivery(delivery)
        deliveries.append(delivery)
    return deliveries + editions.correct_editions(store, written.editions, config.publishers, corrections)
