"""Write a week's editions beside its main bulletin, and send them where editions go.

Each edition is the main story told for one subject (story/editions.py),
rendered in every language into ``bulletins/<week>/editions/<name>/``, and
held to the same claim check: a number the store does not give stops the
run before anything of the week is written as final. An edition goes out
with its main bulletin, as an editor decided that one, and only to the
targets that publish editions (the site, the email list).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from bulletin import clock
from bulletin.errors import PublishError
from bulletin.model import BulletinRecord, Delivery, DeliveryStatus, Story, WeekStats, event_data
from bulletin.model.corrections import Correction
from bulletin.model.editions import Edition, Subject, SubjectKind
from bulletin.model.edits import NO_EDITS
from bulletin.publish.files import write_artifacts
from bulletin.publish.publisher import Publisher, RenderedBulletin
from bulletin.render import claims, correction_notes
from bulletin.render.article import Rendering, Settings, render_week, start_chart
from bulletin.render.correction_notes import NO_NOTES, Notes
from bulletin.render.raster import Batch
from bulletin.render.rendered import RenderedWeek, editions_of, folder_of
from bulletin.store.database import Store
from bulletin.store.editions import EditionRecord
from bulletin.story.editions import edition_story, editions_of_week
from bulletin.story.quantities import quantities
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")


def render_editions(specs: Sequence[Edition], story: Story, history: Mapping[IsoWeek, WeekStats],
                    settings: Settings, output: Path, max_events: int, words: Sequence[str],
                    notes: Notes = NO_NOTES) -> list[tuple[Edition, Story, Rendering]]:
    """Every edition of the week rendered in memory and its numbers checked; nothing written yet.

    ``notes``: the week's corrections; each edition shows those of the numbers it stated.
    """
    stories = [(edition, edition_story(story, edition, history, max_events),
                replace(settings, folder=folder_of(output, story.week, edition.name), edition=edition))
               for edition in specs]
    # The charts are drawn by a few processes from the start, while the articles are written.
    batch = Batch()
    drawings = [start_chart(told, own, batch) for _, told, own in stories]
    batch.launch()
    rendered = []
    try:
        for (edition, told, own), drawing in zip(stories, drawings, strict=True):
            mine = edition_notes(notes, output, told, edition.name)
            rendering = render_week(told, own, mine, NO_EDITS, drawing)
            titles = list(rendering.data.get("edition", {}).get("titles", {}).values())
            claims.check(told, claims.readable(rendering.texts(), settings.locales), settings.title,
                         correction_notes.quoted_of(rendering.data, mine.own), [*words, *titles])
            rendered.append((edition, told, rendering))
    except BaseException:
        batch.cancel()  # no drawing left running for editions that will not be written
        raise
    return rendered


def edition_notes(notes: Notes, output: Path, told: Story, name: str) -> Notes:
    """The week's corrections an edition shows: those of numbers it stated that no longer stand,
    and those its page shows already. Earlier weeks' notices are the main bulletin's email's.

    A number it wrote stands while any quantity it was traced to still gives it (a "+14.7%" of
    one model's is not corrected because another's was revised), as for the main bulletin.
    """
    if not notes.own:
        return replace(notes, earlier=())
    try:
        before = RenderedWeek.load(output, told.week, name).data
    except PublishError:
        return replace(notes, own=(), earlier=())  # never written: it states the revised numbers
    now = {q.id: q for q in quantities(told)}
    revised = set()
    for locale, rows in before.get("numbers", {}).items():
        for row in rows:
            what = [name for name in row.get("what", []) if name in now]
            text = row.get("text")
            if not any(text in claims.stated_forms(now[name], locale) for name in what):
                revised |= {(locale, text, name) for name in row.get("what", [])}
    shown = {(item.get("locale"), item.get("quantity"), item.get("old"), item.get("new"))
             for item in before.get("corrections", {}).get("items", [])}
    own = tuple(c for c in notes.own if (c.locale, c.old, c.quantity) in revised
                or (c.locale, c.quantity, c.old, c.new) in shown)
    return replace(notes, own=own, earlier=())


def correct_editions(store: Store, bulletins: Sequence[RenderedBulletin], targets: Sequence[Publisher],
                     corrections: Sequence[Correction]) -> list[Delivery]:
    """Each edition whose page now carries a correction, to the targets that have it."""
    deliveries = []
    for bulletin in bulletins:
        shown = bulletin.data.get("corrections", {}).get("items", [])
        if not shown:
            continue  # it stated none of the revised numbers
        quantities = {(item.get("locale"), item.get("quantity")) for item in shown}
        mine = [c for c in corrections if (c.locale, c.quantity) in quantities]
        for target in (t for t in targets if t.takes_editions and t.corrects):
            before = store.editions.delivery(bulletin.week, bulletin.edition, target.name)
            if before is None or before.status != DeliveryStatus.OK:
                continue
            try:
                delivery = replace(target.correct(bulletin, store, mine), edition=bulletin.edition)
            except PublishError as exc:
                delivery = replace(before, status=DeliveryStatus.FAILED, detail=f"correcting: {exc}",
                                   attempts=exc.attempts, delivered_at=clock.stamp())
                log.warning("%s: sending the %s edition's correction to %s failed: %s", bulletin.week,
                            bulletin.edition, target.name, exc)
            store.record_delivery(delivery)
            deliveries.append(delivery)
    return deliveries


def write_editions(store: Store, output: Path, week: IsoWeek, main: BulletinRecord,
                   rendered: Sequence[tuple[Edition, Story, Rendering]]) -> list[RenderedBulletin]:
    """Write the rendered editions into their folders and record them; an edition the week no
    longer has (a developer left its top models since an earlier run) is taken away, unless it went
    out already."""
    bulletins = []
    for edition, told, rendering in rendered:
        folder = folder_of(output, week, edition.name)
        write_artifacts(folder, list(rendering.artifacts))
        for name in rendering.left_out:
            (folder / name).unlink(missing_ok=True)
        titles = rendering.data.get("edition", {}).get("titles", {})
        events = tuple(event_data(e) for e in told.events)
        store.editions.record(EditionRecord(week, edition.name, rendering.headline, events, titles,
                                            main.rendered_at))
        record = replace(main, headline=rendering.headline, events=events)
        bulletins.append(RenderedBulletin(week, output, rendering.data, edition.name, record))
    kept = {edition.name for edition, _, _ in rendered}
    for name in editions_of(output, week):
        sent = [d for d in store.editions.deliveries(week) if d.edition == name]
        if name not in kept and not sent:
            shutil.rmtree(folder_of(output, week, name), ignore_errors=True)
    return bulletins


def edition_bulletins(output: Path, store: Store, week: IsoWeek, main: BulletinRecord
                      ) -> list[RenderedBulletin]:
    """The week's editions as written earlier, each with the main bulletin's decision."""
    found = []
    for record in store.editions.of(week):
        try:
            rendered = RenderedWeek.load(output, week, record.edition)
        except PublishError as exc:
            log.warning("%s: the %s edition cannot be published: %s", week, record.edition, exc)
            continue
        found.append(RenderedBulletin.of(rendered, replace(main, headline=record.headline,
                                                           events=record.events)))
    return found


def edition_of(bulletin: RenderedWeek) -> Edition:
    """The edition a rendered one is, as its bulletin.json says (its titles as written)."""
    data = bulletin.data["edition"]
    subject = Subject(SubjectKind(data["subject"]["kind"]), data["subject"]["key"])
    titles = data["titles"]
    return Edition(data["name"], titles.get("en", data["name"]), subject, titles.get("zh", ""),
                   data.get("generated", False))


def check_editions(bulletins: Sequence[RenderedBulletin], story: Story, history: Mapping[IsoWeek, WeekStats],
                   locales: Sequence[str], title: str, max_events: int, words: Sequence[str],
                   corrections: Sequence[Correction] = ()) -> None:
    """Check the editions written earlier against the store as it is now, as the main one is; a
    correction's note may quote the figure it corrects (``corrections``: the week's)."""
    for bulletin in bulletins:
        edition = edition_of(bulletin)
        told = edition_story(story, edition, history, max_events)
        titles = list(bulletin.data["edition"]["titles"].values())
        shown = {(item.get("locale"), item.get("quantity"), item.get("old"), item.get("new"))
                 for item in bulletin.data.get("corrections", {}).get("items", [])}
        mine = [c for c in corrections if (c.locale, c.quantity, c.old, c.new) in shown]
        claims.check(told, claims.readable(bulletin.texts(), locales), title,
                     correction_notes.quoted_of(bulletin.data, mine), [*words, *titles])


def deliver_editions(store: Store, bulletins: Sequence[RenderedBulletin], targets: Sequence[Publisher],
                     missing_only: bool = False) -> list[Delivery]:
    """Each edition to each target that publishes editions; one failing is recorded as failed."""
    deliveries = []
    for bulletin in bulletins:
        for target in (t for t in targets if t.takes_editions):
            if missing_only:
                before = store.editions.delivery(bulletin.week, bulletin.edition, target.name)
                if before is not None and before.status == DeliveryStatus.OK:
                    continue
            try:
                delivery = replace(target.publish(bulletin, store), edition=bulletin.edition)
            except PublishError as exc:
                delivery = Delivery(bulletin.week, target.name, DeliveryStatus.FAILED, detail=str(exc),
                                    attempts=exc.attempts, delivered_at=clock.stamp(),
                                    edition=bulletin.edition)
            store.record_delivery(delivery)
            if delivery.status == DeliveryStatus.FAILED:
                log.warning("%s: publishing the %s edition to %s failed: %s", bulletin.week,
                            bulletin.edition, target.name, delivery.detail)
            deliveries.append(delivery)
    return deliveries


__all__ = ["deliver_editions", "edition_bulletins", "editions_of_week", "render_editions", "write_editions"]
