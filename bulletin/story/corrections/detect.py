"""Which numbers published bulletins stated that the store, after a collection, no longer gives.

Each published week's story is recomputed from the store as it is now (the
same statistics, rules and composition that wrote it, at the time it was
written), and each number its bulletin.json records as stated is looked up
among the recomputed quantities it was traced to. A stated number none of
them gives any more is a correction. A number no bulletin stated is none,
however much it moved. A recomputed story whose events differ from the
published one (another lead, a streak broken or lengthened, an event gone
or new) changed the story itself: its corrections wait for an editor.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bulletin.config.settings import Config
from bulletin.errors import PublishError
from bulletin.model import Event, EvidenceKey, Story, WeekStats, event_data
from bulletin.model.corrections import Correction, CorrectionStatus
from bulletin.render import claims
from bulletin.render.rendered import RenderedWeek, article_name, folder_of
from bulletin.store.database import SaveReport, Store
from bulletin.story.compose import TREND_WEEKS, choose, compose, mark_basis
from bulletin.story.detect import detect
from bulletin.story.rules import HistoryIndex
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")

# The story's parts a note can speak of, the most describable first. Dates,
# the week's own number, day counts and settings are not revisable figures.
_PREFERRED = ("countries.", "models.", "events[", "trend.", "notes.")
_NOT_FIGURES = (".days", ".year", ".number")


@dataclass(frozen=True)
class Revision:
    """One published week the collection revised."""

    week: IsoWeek
    corrections: tuple[Correction, ...]
    story_change: tuple[str, ...]  # why an editor must decide; () when the note publishes by itself


def revisions(config: Config, store: Store, history: Mapping[IsoWeek, WeekStats],
              revised: Sequence[tuple[str, str | None]], revised_by: str, now: str) -> list[Revision]:
    """The published weeks whose stated numbers the store no longer gives.

    ``revised``: the (source, ISO week) pairs the collection changed; a week
    None means any (a figures file). Only the weeks with a stated number
    resting on one of them, and the week after each revised week (whose
    changes compare with it), are recomputed.
    """
    published = [week for week in store.corrections.published_weeks() if week in history]
    if not published:
        return []
    stating = store.corrections.stating()
    _remember(config, store, [week for week in published if week not in stating])
    weeks = touched(store, revised, published)
    if not weeks:
        return []
    figures = store.figures()
    index = HistoryIndex(history)  # shared: the rules' look-ups over history are built once
    found = []
    for week in weeks:
        record = store.bulletin(week)
        assert record is not None  # published
        reported = store.reported_before(week, config.story.memory_weeks)
        events = detect(week, history, figures, config.methodology, config.rules, reported,
                        config.story.repeat_factor, index)
        if _unchanged(week, revised, index, events, record.events, config.story.max_events):
            continue
        story = compose(history[week], events, config, {}, datetime.fromisoformat(record.rendered_at),
                        history)
        stated = store.corrections.stated(week)
        corrections = compare(config.output, stated, story, config.title, revised_by, now)
        corrections += counted(config.output, list(stated), record.events, story, revised_by, now,
                               {c.quantity for c in corrections})
        if corrections:
            change = tuple(story_changes(record.events, story))
            if config.review.mode == "always":
                change = change or ("review: always (every bulletin waits for an editor)",)
            # Held like any anomaly: `review: auto` publishes it, its reasons recorded.
            held = bool(change) and config.review.mode != "auto"
            status = CorrectionStatus.HELD if held else CorrectionStatus.PENDING
            held_for = "; ".join(change)
            found.append(Revision(week, tuple(replace(c, status=status, held_for=held_for)
                                              for c in corrections), change if held else ()))
    return found


def _unchanged(week: IsoWeek, revised: Sequence[tuple[str, str | None]], index: HistoryIndex,
               events: list[Event], published: Sequence[Mapping[str, Any]], limit: int) -> bool:
    """Whether the week's story gives every number it gave when published, without composing it.

    So when the revised weeks are neither the week nor the one before (its
    statistics and changes), nor among its trend's weeks, and the events it
    tells come out as they were published, facts and all: every quantity its
    numbers were traced to is what it was. Most of a long history's weeks are
    only reached by a run or a record over the revised week, which stays as
    it was; composing and checking each was most of a recheck's time.
    """
    at = index.position(week)
    if at is None:
        return False
    trend = set(index.weeks()[max(0, at - TREND_WEEKS + 1):at + 1])  # compose._trend()'s weeks
    for _, period in revised:
        if not period or "-W" not in period:
            return False  # a figures file: any note or forecast may rest on it
        changed = IsoWeek.parse(period)
        if changed in (week, week.previous()) or changed in trend:
            return False
    told = mark_basis(choose(events, limit))
    return [json.loads(json.dumps(event_data(e), sort_keys=True)) for e in told] == list(published)


def touched(store: Store, revised: Sequence[tuple[str, str | None]], published: Sequence[IsoWeek]
            ) -> list[IsoWeek]:
    """The published weeks with a number the revision can have changed."""
    found = store.corrections.resting_on(revised)
    for _, period in revised:
        if period and "-W" in period:
            # Its own bulletin, the next week's (whose changes compare with it), and every later
            # one with a number reaching back over it (a run of weeks, a record "since records began").
            found |= store.corrections.reaching(IsoWeek.parse(period)) | {IsoWeek.parse(period).next()}
    return [week for week in published if week in found]


def revised_in(reports: Sequence[SaveReport]) -> list[tuple[str, str | None]]:
    """What a collection's writes changed: (source, ISO week), or (source, None) for any of its weeks.

    A figures file or a news feed has no weeks of its own: any bulletin citing
    it may be touched. Display names change no number.
    """
    revised: set[tuple[str, str | None]] = set()
    for report in reports:
        if report.periods:
            revised.update((report.source, str(IsoWeek.parse(p) if "-W" in p
                                               else IsoWeek.of(date.fromisoformat(p))))
                           for p in report.periods)
        elif report.added or report.changed or report.removed:
            revised.add((report.source, None))
    return sorted(revised, key=lambda pair: (pair[0], pair[1] or ""))


def remember(store: Store, week: IsoWeek, numbers: Mapping[str, Any],
             events: Sequence[Mapping[str, Any]]) -> None:
    """Keep what a bulletin just written states (its bulletin.json "numbers"), for later collections.

    With it, how far back a revision can change one of its numbers. A number
    still stands while any one quantity it was traced to is untouched, so each
    number reaches back only as far as the latest-starting of them: a total
    to the week before (its change), a trend point to its week, an event's
    fact to the earliest week the event speaks of ("the fifth week running",
    "since records began"). The bulletin reaches as far as its furthest number.
    """
    # A week an event names is reached from the week before it: a run "since" it is
    # lengthened by a revision that makes the week before part of it.
    spans = [min([week.previous(), *(named.previous() for named in _weeks_in(event.get("facts", {}))),
                  *(key.week for text in event.get("evidence", ())
                    if (key := EvidenceKey.parse(str(text))) is not None and key.week is not None)])
             for event in events]
    reach = [week]
    for rows in numbers.values():
        for row in rows:
            names = [name for name in row.get("what", [])
                     if _is_figure(name) and not _is_date(_fact(name, events))]
            if names:
                reach.append(max(_start(week, name, spans) for name in names))
    store.corrections.record_stated(week, numbers, _is_figure, min(reach))


def _fact(name: str, events: Sequence[Mapping[str, Any]]) -> Any:
    """The published value of an event's fact ``events[1].facts.since``; None for other names."""
    found = re.match(r"events\[(\d+)\]\.facts\.(.+)", name)
    if found is None or int(found[1]) >= len(events):
        return None
    value: Any = events[int(found[1])].get("facts", {})
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", found[2]):
        try:
            value = value[int(step[1:-1])] if step.startswith("[") else value[step]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return value


def _is_date(value: Any) -> bool:
    """A date or a week ("since March 2"): the calendar's, never revised by a source."""
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-(W\d{2}|\d{2}-\d{2})", value))


def _start(week: IsoWeek, name: str, spans: Sequence[IsoWeek]) -> IsoWeek:
    """The earliest week whose data the quantity ``name`` of ``week``'s story depends on."""
    if found := re.match(r"events\[(\d+)\]", name):
        index = int(found[1])
        return spans[index] if index < len(spans) else IsoWeek(1, 1)  # unknown: any week
    if name.startswith("trend."):
        try:
            return IsoWeek.parse(name.rsplit(".", 1)[1])
        except ValueError:
            return IsoWeek(1, 1)
    return week.previous()  # the week's own statistics, and the one its changes compare with


def _weeks_in(value: Any) -> list[IsoWeek]:
    if isinstance(value, Mapping):
        return [week for inner in value.values() for week in _weeks_in(inner)]
    if isinstance(value, (list, tuple)):
        return [week for inner in value for week in _weeks_in(inner)]
    if isinstance(value, date):
        return [IsoWeek.of(value)]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-W\d{2}", value):
        return [IsoWeek.parse(value)]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [IsoWeek.of(date.fromisoformat(value))]
    return []


def _remember(config: Config, store: Store, weeks: Sequence[IsoWeek]) -> None:
    """Weeks published before the store kept what they state: read once from their bulletin.json."""
    for week in weeks:
        try:
            edition = RenderedWeek.load(config.output, week)
        except PublishError as exc:
            log.warning("%s: cannot check the published bulletin for revised numbers: %s", week, exc)
            continue
        remember(store, week, edition.data.get("numbers", {}), edition.data.get("events", []))


def compare(output: Path, stated: Mapping[str, Sequence[tuple[str, Sequence[str]]]], story: Story,
            title: str, revised_by: str, now: str) -> list[Correction]:
    """The numbers a bulletin states that none of the quantities they were traced to gives now."""
    values: dict[str, claims.Quantity] = {}
    for quantity in claims.quantities(story):
        values.setdefault(quantity.name, quantity)
    model_names = {row.model: row.name for row in story.stats.models}
    names: tuple[str, ...] | None = None
    found: list[Correction] = []
    for locale, rows in stated.items():
        if locale not in claims.FORMATS:
            continue
        # Each revised number once, where the article first states it ("34.3%" in prose, "+34.3%"
        # in the table are one number); told signed where the article signed it anywhere, so
        # that the note keeps the direction ("fell 8.3%" in prose, "-8.3%" in the table).
        revised: dict[str, list[tuple[str, claims.Quantity | None]]] = {}
        for text, traced in rows:
            # Dates ("the week to March 15") are the calendar's, not the source's.
            what = [n for n in traced if not (n in values and isinstance(values[n].value, date))]
            now_given = [values[n] for n in what if n in values]
            if not what or _still_states(text, now_given, locale):
                continue
            if not now_given and text.isdigit():
                continue  # a plain number of an event that is gone (a rank): the story's change says it
            primary = min(what, key=_preference)
            revised.setdefault(primary, []).append(
                (text, values.get(primary) or (now_given[0] if now_given else None)))
        for primary, said in revised.items():
            first = said[0][0]
            text, given = next((one for one in said if one[0].startswith(("+", "-"))), said[0])
            new = like(given, text, locale) if given is not None else ""
            if names is None:
                names = claims.names(story, title)
            statement = sentence(_article(output, story.week, locale), first, locale, names)
            found.append(Correction(
                story.week, locale, primary, statement, text, new, _source(given, story), revised_by, now,
                CorrectionStatus.PUBLISHED, subject=_subject(primary, model_names)))
    return found


def counted(output: Path, locales: Sequence[str], published: Sequence[Mapping[str, Any]], story: Story,
            revised_by: str, now: str, found: set[str]) -> list[Correction]:
    """Runs of weeks whose length the article wrote as a word ("the second week in a row").

    The claim check reads figures, not words, so these are found here: a
    run's length in the recomputed story that is not the published one's,
    where the article wrote the old length as a word the templates use (an
    ordinal, a small count). Its run has another length: the story changed,
    so such a correction waits for an editor like any change of the story.
    """
    before = {(str(e["kind"]), tuple(e.get("subjects", ()))): e.get("facts", {}) for e in published}
    corrections = []
    for index, event in enumerate(story.events):
        facts = before.get((event.kind, tuple(event.subjects)), {})
        for key, value in event.facts.as_data().items():
            old = facts.get(key)
            name = f"events[{index}].facts.{key}"
            if ("weeks" not in key or name in found or not isinstance(value, int) or not isinstance(old, int)
                    or isinstance(value, bool) or old == value):
                continue
            for locale in locales:
                fmt = claims.FORMATS.get(locale)
                if fmt is None:
                    continue
                article = _article(output, story.week, locale)
                for form in (fmt.ordinal, fmt.count_words):
                    was, now_is = str(form(old)), str(form(value))
                    if any(c.isdigit() for c in was) or was == now_is:
                        continue  # written in figures: the number check reads it
                    statement = _sentence_with(article, was, locale)
                    if statement:
                        evidence = claims.Quantity(name, value, event.evidence)
                        corrections.append(Correction(
                            story.week, locale, name, statement, was, now_is, _source(evidence, story),
                            revised_by, now, CorrectionStatus.PUBLISHED))
                        break
    return corrections


def _sentence_with(article: str, word: str, locale: str) -> str:
    """The first sentence of the article telling a run of weeks with ``word`` ("second week", "三周")."""
    if locale == "zh":
        pattern = re.compile(re.escape(word) + r"(个)?(周|星期)")
        ends = r"(?<=[。！？])"
    else:
        # "the second consecutive week", "a six-week run"
        pattern = re.compile(rf"\b{re.escape(word)}\b.{{0,30}}?\bweeks?\b", re.IGNORECASE)
        ends = r"(?<=[.!?])\s+"
    for line in article.splitlines():
        for part in re.split(ends, line.strip()):
            if pattern.search(part):
                return " ".join(part.replace("**", "").replace("*", "").lstrip("#").split())[:400]
    return ""


def _still_states(text: str, given: Sequence[claims.Quantity], locale: str) -> bool:
    """Whether any of the quantities is still written ``text`` (claims.stated_forms()).

    The way the article most often writes one (a token count, a change) is
    tried first: making every form of every number of hundreds of weeks was
    most of a recheck's time, and nearly every stated number still stands.
    """
    fmt = claims.FORMATS[locale]
    for quantity in given:
        value = quantity.value
        if isinstance(value, bool):
            continue
        if isinstance(value, float):
            likely = (fmt.signed_percent(value), fmt.percent(value))
        elif isinstance(value, int):
            likely = (fmt.tokens(value), str(value))
        else:
            continue
        # Normalised as stated_forms() normalises: these are some of its forms, never others.
        for form in likely:
            form = form.replace("\u2212", "-")
            if text == (form if "%" in form else form.lstrip("+-")):
                return True
    return any(text in claims.stated_forms(q, locale) for q in given)


def _article(output: Path, week: IsoWeek, locale: str) -> str:
    """The published article, to quote the sentence a correction is about.

    Only a missing file is passed over (the output folder moved): the
    correction is still due, and quotes the number alone. Any other error
    reading it stops the run rather than record a half-found statement.
    """
    path = folder_of(output, week) / article_name(locale)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.warning("%s: the published article %s is missing; its correction quotes the number alone",
                    week, path)
        return ""


def story_changes(published: Sequence[Mapping[str, Any]], story: Story) -> list[str]:
    """How the recomputed story differs from the published one (its events), beyond its figures."""
    before = [(str(e["kind"]), tuple(e.get("subjects", ()))) for e in published]
    after = [(e.kind, tuple(e.subjects)) for e in story.events]
    reasons = []
    if before[:1] != after[:1]:
        was = _event(before[0]) if before else "no event"
        now = _event(after[0]) if after else "no event"
        reasons.append(f"the lead story changes: it was {was}, it is now {now}")
    elif set(before) != set(after):
        gone = [_event(e) for e in before if e not in after]
        new = [_event(e) for e in after if e not in before]
        reasons.append("the events change: " + "; ".join(
            [*(f"{e} no longer holds" for e in gone), *(f"{e} is new" for e in new)]))
    old_facts = {(str(e["kind"]), tuple(e.get("subjects", ()))): e.get("facts", {})
                 for e in published}
    for event in story.events:
        facts = old_facts.get((event.kind, tuple(event.subjects)), {})
        for key, value in event.facts.as_data().items():
            # A run of weeks is written in words ("the second week in a row"), which the
            # number check does not read: its length is compared here.
            if "weeks" in key and key in facts and facts[key] != value:
                reasons.append(f"{_event((event.kind, tuple(event.subjects)))}: {key} was "
                               f"{facts[key]}, is now {value}")
    return reasons


def like(quantity: claims.Quantity, old: str, locale: str) -> str:
    """The quantity written the way ``old`` was: "4.19 trillion" -> "4.29 trillion", "+34.3%" -> "+36.8%"."""
    forms = sorted(claims.stated_forms(quantity, locale))
    if not forms:
        return ""
    fmt, value = claims.FORMATS[locale], quantity.value
    if isinstance(value, int) and not isinstance(value, bool) and not old.isdigit():
        return str(fmt.tokens(value)).lstrip("+-")  # a token count, as the article's filter writes it
    if isinstance(value, float) and old.endswith("%"):
        # A change as the article's percent filters write it, signed or not as the old one was.
        forms = [str(form(value)).replace("\u2212", "-") for form in (fmt.percent, fmt.signed_percent)]

    def score(form: str) -> tuple[int, int, int, int]:
        # Signed as the old one was ("+34.3%" in a table), then with as many decimals, then scale.
        bare, was = form.lstrip("+-"), old.lstrip("+-")
        return ((form[:1] in "+-") == (old[:1] in "+-"), _shape(bare, fine=True) == _shape(was, fine=True),
                _shape(bare) == _shape(was), -len(form))

    return max(forms, key=score)


def sentence(article: str, number: str, locale: str, names: Sequence[str]) -> str:
    """The sentence (or table row) of the article that states ``number``."""
    ends = r"(?<=[。！？])" if locale == "zh" else r"(?<=[.!?])\s+"
    for line in article.splitlines():
        line = line.strip()
        if line.startswith("|"):
            parts = [" | ".join(cell.strip() for cell in line.strip("|").split("|"))]
        else:
            parts = re.split(ends, line)
        for part in parts:
            if number in claims.numbers_in(part, locale, tuple(names)):
                return " ".join(part.replace("**", "").replace("*", "").split())[:400]
    return number


def _is_figure(name: str) -> bool:
    return name.startswith(_PREFERRED) and not name.endswith(_NOT_FIGURES)


def _preference(name: str) -> tuple[int, str]:
    return next(i for i, prefix in enumerate(_PREFERRED) if name.startswith(prefix)), name


def _shape(text: str, fine: bool = False) -> str:
    """A number's form without its digits: "4.19 trillion" -> "9.9 trillion" (fine) or "9 trillion"."""
    return re.sub(r"\d+(?:,\d{3})*", "9", text) if fine else re.sub(r"\d[\d,.]*", "9", text)


def _subject(name: str, model_names: Mapping[str, str]) -> str:
    parts = name.split(".")
    if name.startswith("countries."):
        return parts[1]
    if name.startswith("models."):
        model = name[len("models."):].rsplit(".", 1)[0]
        return model_names.get(model, model)
    return ""


def _source(quantity: claims.Quantity | None, story: Story) -> str:
    for key in quantity.evidence if quantity else ():
        parsed = EvidenceKey.parse(key)
        if parsed is not None:
            return parsed.source
    return story.stats.source


def _event(event: tuple[str, tuple[str, ...]]) -> str:
    kind, subjects = event
    return f"{kind} ({', '.join(subjects)})" if subjects else kind
