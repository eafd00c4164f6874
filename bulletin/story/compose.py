"""Choose what the article says, in what order, and what it must disclose."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from bulletin import clock
from bulletin.config.settings import Config
from bulletin.model import Event, EvidenceKey, SourceCredit, Story, WeekStats
from bulletin.model.facts import (
    DroppedOutFacts,
    DuelFacts,
    EventKind,
    Facts,
    GrowthFacts,
    GrowthStreakFacts,
    LeadChangeFacts,
    MilestoneFacts,
    ModelFacts,
    Move,
    NewEntrantFacts,
    RankChangeFacts,
    RecordFacts,
    StreakFacts,
    SubjectFacts,
    SubjectType,
    SweepEndFacts,
    SweepFacts,
    VariantChangeFacts,
    VariantWhat,
    VolumeChangeFacts,
)
from bulletin.story.families import family_name, family_of, line_of
from bulletin.story.stats import is_complete
from bulletin.weeks import IsoWeek

# Kinds that open an article with both lead countries' totals and changes.
LEAD_KINDS = ("lead_change", "streak")
TREND_WEEKS = 12


def compose(stats: WeekStats, events: list[Event], config: Config,
            provenance: dict[str, dict[str, Any]], now: datetime | None = None,
            history: Mapping[IsoWeek, WeekStats] | None = None) -> Story:
    chosen = lead_with_news(choose(events, config.story.max_events))
    chosen = mark_told(mark_basis(chosen))
    # The detected events hold the chosen ones as told (facts added), so that the two still match.
    told = {(e.kind, e.subjects, e.score): e for e in chosen}
    events = [told.get((e.kind, e.subjects, e.score), e) for e in events]
    cited = {key for event in events for key in event.evidence}
    # The tables and the chart quote every model of this week and the last;
    # their observations belong in the trail as much as the events' do.
    trend = _trend(stats, history or {}, config.methodology.lead_countries)
    for week_stats in (stats, (history or {}).get(stats.week.previous())):
        if week_stats is not None:
            cited.update(str(EvidenceKey.of(week_stats.source, week_stats.week, row.model))
                         for row in week_stats.models)
    cited.update(key for points in trend.values() for *_, keys in points for key in keys)
    return Story(
        week=stats.week,
        stats=stats,
        events=tuple(chosen),
        detected=tuple(events),
        notes=tuple(_notes(stats, config.methodology.top_n)),
        credits=tuple(_credits(stats, chosen, config)),
        generated_at=now or clock.now(),
        methodology={
            "top_n": config.methodology.top_n,
            "materiality": config.methodology.materiality,
            "exclude_authors": sorted(config.methodology.exclude_authors),
            "lead_countries": list(config.methodology.lead_countries),
        },
        provenance={key: provenance[key] for key in sorted(cited) if key in provenance},
        trend=trend,
    )


def _trend(stats: WeekStats, history: Mapping[IsoWeek, WeekStats],
           lead: tuple[str, str]) -> dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]]:
    """Weekly totals of the lead countries over the last weeks, for the chart.

    Partial weeks are left out: a line dipping because days are missing would
    tell a story the data does not.
    """
    weeks = [w for w in sorted(history) if w <= stats.week and is_complete(history, w)][-TREND_WEEKS:]
    if len(weeks) < 2:
        return {}
    trend: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {}
    for code in lead:
        points = []
        for week in weeks:
            total, source = history[week].country(code), history[week].source
            keys = tuple(str(EvidenceKey.of(source, week, model)) for model in total.models) if total else ()
            points.append((str(week), total.tokens if total else 0, keys))
        trend[code] = tuple(points)
    return trend


# No token amount is told in more than this many paragraphs of one article (the
# leader of the models, of the authors and of a sweep are often one model).
MAX_TELLINGS = 2


def fold_records(events: list[Event], headline: Sequence[Event] = ()) -> list[Event]:
    """A lead country's record told in the countries' paragraph, not in one of its own.

    Both paragraphs stated the same total ("China's AI models reached 36.15
    trillion tokens, the highest ..." then "China's AI models handled 36.15
    trillion tokens ..."), and the second took the place of other news
    (weekly W06: MiniMax M2.1's debut at No. 5). A record that would make the
    headline (``headline``) keeps its paragraph. Nothing to fold: ``events`` itself.
    """
    pair = next((e for e in events if e.kind in LEAD_KINDS and isinstance(e.facts, DuelFacts)
                 and e.facts.subject_type == SubjectType.COUNTRY), None)
    if pair is None:
        return events
    facts, score, folded = pair.facts, pair.score, set()
    assert isinstance(facts, DuelFacts)
    for e in events:
        record = e.facts
        if not isinstance(record, RecordFacts) or record.subject_type != SubjectType.COUNTRY \
                or not record.all_time or record.low or e in headline:
            continue
        side = "leader" if record.subject == facts.leader else "trailer" if record.subject == facts.trailer \
            else ""
        if not side:
            continue
        told: dict[str, Any] = {f"{side}_record_since": record.records_since,
                                f"{side}_previous_record": record.previous_record,
                                f"{side}_previous_record_week_ending": record.previous_record_week_ending}
        if record.driver and not facts.driver:
            told |= {"driver_side": side, "driver": record.driver, "driver_name": record.driver_name,
                     "driver_tokens": record.driver_tokens, "driver_change": record.driver_change}
        facts, score = replace(facts, **told), max(score, e.score)
        folded.add(id(e))
    if not folded:
        return events
    merged = replace(pair, facts=facts, score=score,
                     evidence=tuple(dict.fromkeys(pair.evidence + tuple(
                         k for e in events if id(e) in folded for k in e.evidence))))
    return sorted((merged if e is pair else e for e in events if id(e) not in folded),
                  key=lambda e: -e.score)


def choose(events: list[Event], limit: int) -> list[Event]:
    """The best ``limit`` events that say something the others do not, best first.

    An event that would tell an amount already told twice is left out; the
    first (the headline's) is always kept. Background (a forecast after the
    week it was published) is detected and listed, never told.
    """
    # The record that would make the headline keeps its paragraph: the one told first without folding.
    plain = _pick(_collapse(events), events, limit)
    folded = fold_records(events, lead_with_news(plain)[:1])
    return plain if folded is events else _pick(_collapse(folded), events, limit)


def _pick(candidates: list[Event], events: list[Event], limit: int) -> list[Event]:
    """choose()'s pick among ``candidates`` (collapsed, maybe folded); ``events``: all detected."""
    chosen: list[Event] = []
    told: Counter[int] = Counter()
    for event in candidates:
        if len(chosen) == limit:
            break
        if event.facts.background:
            continue
        stated = amounts(event.facts.as_data())
        if chosen and any(told[amount] >= MAX_TELLINGS for amount in stated):
            continue
        chosen.append(_without_a_told_driver(event, told))
        told.update(stated)
    return _membership_told_once(_succession_told_once(
        _with_debuts(_without_drivers_told_elsewhere(chosen), events, limit), events))


def _membership_told_once(chosen: list[Event]) -> list[Event]:
    """The models entering or leaving a side's top nine, named in the countries' paragraph, less
    those another paragraph tells (weekly W07: MiniMax M2.1 "left the list" twice)."""
    found = []
    for index, event in enumerate(chosen):
        facts = event.facts
        if isinstance(facts, DuelFacts) and (facts.leader_entered or facts.trailer_entered
                                             or facts.leader_left or facts.trailer_left):
            named = {family_name(name) for i, other in enumerate(chosen) if i != index
                     for name in _names(other.facts.as_data())}

            def untold(names: tuple[str, ...], named: set[str] = named) -> tuple[str, ...]:
                return tuple(name for name in names if name not in named)

            event = replace(event, facts=replace(
                facts, leader_entered=untold(facts.leader_entered), leader_left=untold(facts.leader_left),
                trailer_entered=untold(facts.trailer_entered), trailer_left=untold(facts.trailer_left)))
        found.append(event)
    return found


def _names(facts: Mapping[str, Any]) -> set[str]:
    """The models an event's facts name (a name, a leader's, one it follows, nested lists too)."""
    found: set[str] = set()
    for key, value in facts.items():
        if isinstance(value, str) and (key in ("name", "succeeds") or key.endswith("_name")):
            found.add(value)
        elif isinstance(value, Mapping):
            found |= _names(value)
        elif isinstance(value, (list, tuple)):
            found |= {name for item in value if isinstance(item, Mapping) for name in _names(item)}
    return found


def _succession_told_once(chosen: list[Event], events: list[Event]) -> list[Event]:
    """A model leaving the list that a new No. 1 or a debut follows is told in their sentence.

    STYLEBOOK 8, one event, one paragraph: weekly W07 said "MiniMax M2.5, new on OpenRouter this
    week, following MiniMax M2.1, took first place" and, paragraphs later, "MiniMax M2.1 ... is
    no longer among the top 10". The new model's sentence now says its predecessor left. A new
    model with no predecessor found by its fall follows the one of its maker's line that left
    (dropped_out: a top model or a former No. 1 gone, a leaving that is news of its own).
    """
    dropped = [e.facts for e in events if isinstance(e.facts, DroppedOutFacts)]
    told = []
    for event in chosen:
        facts = event.facts
        if isinstance(facts, (LeadChangeFacts, NewEntrantFacts)):
            maker, name = _newcomer_of(facts)
            gone = next((d for d in dropped if family_name(d.name) == facts.succeeds
                         or (maker and not facts.succeeds and d.model.split("/")[0] == maker
                             and line_of(d.name) == line_of(name))), None)
            if isinstance(facts, NewEntrantFacts) and gone is not None:
                event = replace(event, facts=replace(facts, succeeds=family_name(gone.name),
                                                     succeeded_left=True, succeeded_change=None))
            elif gone is not None:
                event = replace(event, facts=replace(facts, succeeds=family_name(gone.name),
                                                     succeeded_left=True))
        told.append(event)
    followed = {f.succeeds for e in told if isinstance(f := e.facts, (LeadChangeFacts, NewEntrantFacts))
                and f.succeeded_left}
    return [e for e in told if not (isinstance(e.facts, DroppedOutFacts)
                                    and family_name(e.facts.name) in followed)]


def _newcomer_of(facts: LeadChangeFacts | NewEntrantFacts) -> tuple[str, str]:
    """The maker and name of a model new to the list this week, which may follow an older one
    ("", "" for a lead that is not a new model's, or a model back in the table)."""
    if isinstance(facts, NewEntrantFacts):
        return ("", "") if facts.returning or facts.previous_rank is not None else (facts.author, facts.name)
    if facts.subject_type == SubjectType.MODEL and facts.leader_new:
        return facts.leader.split("/")[0], facts.leader_name
    return "", ""


def _without_drivers_told_elsewhere(chosen: list[Event]) -> list[Event]:
    """A folded record's cause, unless another paragraph states its figure (W07: MiniMax M2.5's
    1.44 trillion, the new No. 1's own paragraph, which may come first or later)."""
    found = []
    for index, event in enumerate(chosen):
        facts = event.facts
        others = set().union(*(amounts(e.facts.as_data()) for i, e in enumerate(chosen) if i != index))
        if isinstance(facts, DuelFacts) and facts.driver_tokens is not None and facts.driver_tokens in others:
            event = replace(event, facts=replace(facts, driver="", driver_side="", driver_name="",
                                                 driver_tokens=None, driver_change=None))
        found.append(event)
    return found


def _without_a_told_driver(event: Event, told: Counter[int]) -> Event:
    """A record's cause, unless an earlier paragraph already gave its figure (a developer
    whose one model did the rise: "Tencent's models, 11.5 trillion" then "Tencent Hy3, 11.5")."""
    facts = event.facts
    if isinstance(facts, DuelFacts) and facts.driver_tokens in told:
        return replace(event, facts=replace(facts, driver="", driver_side="", driver_name="",
                                            driver_tokens=None, driver_change=None))
    if not isinstance(facts, RecordFacts) or facts.driver_tokens not in told:
        return event
    return replace(event, facts=replace(facts, driver="", driver_name="", driver_tokens=None,
                                        driver_change=None))


def _with_debuts(chosen: list[Event], events: list[Event], limit: int) -> list[Event]:
    """Every model new to the table is told: the week's debuts share one paragraph, which
    takes the place of the last event that gives way (_gives_way), within the limit.

    STYLEBOOK 1 counts a debut in the table among the week's news; scored by its
    rank, a debut at No. 8 loses every place to runs that go on (W31: GPT-5.6 Luna
    and Kimi K3 both entered the top 10, and neither was told).
    """
    if not chosen:
        return chosen
    # At No. 1 the lead change tells it ("takes first place", "new on OpenRouter this week").
    debuts = sorted((e for e in events if _debut(e) and not e.facts.background
                     and isinstance(e.facts, NewEntrantFacts) and e.facts.rank > 1),
                    key=lambda e: e.facts.rank)  # type: ignore[attr-defined]
    # A model a record already names as its cause is told (W33: Claude Opus 5), and so is one
    # whose debut broke a sweep (its end says it is new).
    drivers = {e.facts.driver for e in chosen if isinstance(e.facts, RecordFacts) and e.facts.driver}
    drivers |= {family_of(e.facts.breaker.model) for e in chosen
                if isinstance(e.facts, SweepEndFacts) and e.facts.breaker_new}
    untold = [e for e in debuts if e not in chosen
              and family_of(e.facts.model) not in drivers]  # type: ignore[attr-defined]
    if not untold:
        return chosen
    host = next((e for e in chosen if e in debuts), None)
    told = list(chosen)
    if host is None:
        host = untold.pop(0)
        if len(told) >= limit:
            # Never the countries' lead: the paragraph that gives both countries' totals.
            last = next((i for i in range(len(told) - 1, 0, -1) if _gives_way(told[i])), None)
            if last is None:
                return told
            told.pop(last)
        told.append(host)
    if not untold:
        return told
    assert isinstance(host.facts, NewEntrantFacts)
    joined = replace(host, facts=replace(host.facts, also=tuple(
        ModelFacts(**{f.name: getattr(e.facts, f.name) for f in fields(ModelFacts)}) for e in untold)),
        evidence=tuple(dict.fromkeys(host.evidence + tuple(k for e in untold for k in e.evidence))))
    return [joined if e is host else e for e in told]


def _gives_way(event: Event) -> bool:
    """What a debut may take the place of: a run that goes on (not a sweep telling a big move),
    one model's move, a new snapshot's first days (W33: DeepSeek V4 Pro's at No. 21, against
    Claude Opus 5 at No. 8), or a high of a top-ten list's own total, which measures the list (weekly W06)."""
    facts = event.facts
    arriving = isinstance(facts, VariantChangeFacts) and bool(facts.first_listed)
    listed_high = isinstance(facts, RecordFacts) and facts.subject_type == SubjectType.TOTAL \
        and facts.name == "listed"
    return event.kind not in LEAD_KINDS and not big_move(event) and (
        continues(event) or arriving or listed_high
        or event.kind in (EventKind.RANK_CHANGE, EventKind.VOLUME_CHANGE))


BIG_MOVE = 0.5  # a top model's move the sweep's paragraph flags: "(up 66.9%)" (templates' big_move)


def big_move(event: Event) -> bool:
    """A sweep whose paragraph tells a top model moving by half or more: that move is news
    of its own, which no debut lower in the table displaces (W32: Tencent Hy3, up 66.9% to No. 2)."""
    facts = event.facts
    return isinstance(facts, SweepFacts) and biggest_move(facts.models) is not None


def biggest_move(models: Sequence[ModelFacts]) -> ModelFacts | None:
    """Of a list's models, the one that moved by half or more, the biggest rise before any fall."""
    moved = [m for m in models if m.change is not None and abs(m.change) >= BIG_MOVE]
    rises = [m for m in moved if m.change is not None and m.change > 0]
    return max(rises or moved, key=lambda m: abs(m.change or 0), default=None)


def _debut(event: Event) -> bool:
    return isinstance(event.facts, NewEntrantFacts) and not event.facts.returning


def lead_with_news(events: list[Event]) -> list[Event]:
    """The week's biggest change first: a lead that merely continues leads only a quiet week.

    STYLEBOOK 1: a new No. 1, a debut high in the table, a sweep that starts or
    ends, a lead changing hands, a free tier or stealth model that ends, a
    record of the platform total or of the lead country, a country past a round level: any of them
    outranks "stays ahead".
    """
    if not events:
        return events
    first = events[0]
    ahead = next((e.facts.leader for e in events
                  if e.kind in LEAD_KINDS and isinstance(e.facts, DuelFacts)), None)
    if continues(first) or made_by_the_list(first):
        news = next((e for e in events if is_change(e, ahead) and not made_by_the_list(e)), None)
        # Nothing changed hands: a top model's move by half or more is the week's news (W24:
        # MiniMax M3 up 73.0% to No. 2), before a lead that merely holds.
        news = news or next((e for e in events if big_move(e)), None)
    elif _developers_lead(first):  # a new No. 1 model is the bigger change (STYLEBOOK 1's first)
        news = next((e for e in events if e.kind == EventKind.SUBJECT_LEAD_CHANGE
                     and isinstance(e.facts, LeadChangeFacts) and e.facts.subject_type == SubjectType.MODEL
                     and not e.facts.retaken), None)
        # So is a former No. 1 leaving the list, often what cost its developer the lead (weekly
        # W50: Grok 4.1 Fast (free) gone, xAI's models −52.1%, Google's first among developers).
        news = news or next((e for e in events if isinstance(e.facts, DroppedOutFacts) and e.facts.last_led),
                            None)
    else:
        news = None
    if news is None:
        return events
    return [news, *(event for event in events if event is not news)]


def _developers_lead(event: Event) -> bool:
    facts = event.facts
    return isinstance(facts, LeadChangeFacts) and facts.subject_type == SubjectType.AUTHOR


def made_by_the_list(event: Event) -> bool:
    """A developer's lead that changed because a model left or entered the top nine, not by use,
    or a country's or developer's high that came mostly from such a change.

    The old leader's total fell while the models it had in the nine both weeks did
    not: what moved is the list (STYLEBOOK 3), a smaller story than a lead.
    """
    facts = event.facts
    if isinstance(facts, (RecordFacts, GrowthFacts)):  # W32: the US's 11.04 trillion, 2.5-fold,
        return facts.membership  # its models counted in both weeks +56.5%
    return _developers_lead(event) and isinstance(facts, LeadChangeFacts) and facts.trailer_churn \
        and facts.trailer_same_change is not None and facts.trailer_same_change > 0


def is_change(event: Event, ahead: str | None = None) -> bool:
    """Whether the event is something that changed this week (STYLEBOOK 1's list).

    ``ahead``: the lead country, whose passing a round level is news enough to lead.
    """
    facts = event.facts
    if event.kind in (EventKind.LEAD_CHANGE, EventKind.SUBJECT_LEAD_CHANGE, EventKind.SWEEP_END,
                      EventKind.AUTHOR_SWEEP_END, EventKind.VARIANT_CHANGE, EventKind.STEALTH_WITHDRAWN,
                      EventKind.SUCCESSOR):
        return True
    if isinstance(facts, NewEntrantFacts):  # a debut in the table, not a model back in it
        return not facts.returning
    if isinstance(facts, DroppedOutFacts):  # a model that was near the top, or No. 1, leaves the list
        return facts.previous_rank <= 3 or bool(facts.last_led)
    if isinstance(facts, MilestoneFacts):  # the lead country or the platform past a round level
        return facts.subject_type == SubjectType.TOTAL or (
            facts.subject_type == SubjectType.COUNTRY and facts.subject == ahead)
    if isinstance(facts, RankChangeFacts):
        return facts.move == Move.NEW_LEADER
    if isinstance(facts, SweepFacts):
        return facts.weeks == 1 and not facts.open_ended
    if isinstance(facts, RecordFacts):  # the platform's or the lead country's all-time high
        return facts.all_time and not facts.low and (facts.subject_type == SubjectType.TOTAL or (
            facts.subject_type == SubjectType.COUNTRY and facts.subject == ahead))
    if isinstance(facts, GrowthStreakFacts):  # the platform's run of growth stalls or ends
        return facts.ended and facts.subject_type == SubjectType.TOTAL
    return False


def continues(event: Event) -> bool:
    """Whether the event tells that something still holds: a lead, a sweep, a run of growth."""
    facts = event.facts
    if event.kind in (EventKind.STREAK, EventKind.SUBJECT_STREAK):
        return True
    if isinstance(facts, SweepFacts):
        return facts.weeks > 1 or facts.open_ended
    return isinstance(facts, GrowthStreakFacts) and not facts.ended


def total_kind(event: Event) -> str:
    """Which kind of top-nine total an event states: "country", "author" or none."""
    if event.kind in LEAD_KINDS or event.kind == EventKind.GROWTH:
        return "country"
    facts = event.facts
    kind = facts.subject_type if isinstance(facts, (DuelFacts, SubjectFacts)) else ""
    return kind if kind in (SubjectType.COUNTRY, SubjectType.AUTHOR) else ""


def mark_basis(events: list[Event]) -> list[Event]:
    """Mark the first event stating a country total, and the first an author total.

    Those totals count the week's top nine models only (methodology.top_n); the
    article says so where a reader first meets one (facts.basis), once.
    """
    told: set[str] = set()
    marked = []
    for event in events:
        kind = total_kind(event)
        if kind and kind not in told:
            told.add(kind)
            event = replace(event, facts=replace(event.facts, basis=kind))
        marked.append(event)
    return marked


def mark_told(events: list[Event]) -> list[Event]:
    """Mark a record, milestone, run at No. 1 or snapshots' total whose amount an earlier paragraph stated.

    Its paragraph then says what is new about the amount ("the highest since
    these records began") without writing it again (STYLEBOOK 8).
    """
    told: set[int] = set()
    marked = []
    for event in events:
        main = _main_amount(event.facts)
        if main is not None and main in told:
            event = replace(event, facts=replace(event.facts, told_before=True))
        facts = event.facts
        if isinstance(facts, StreakFacts) and facts.subject_type != SubjectType.COUNTRY \
                and facts.trailer_tokens in told:
            event = replace(event, facts=replace(facts, trailer_told_before=True))
        told |= amounts(event.facts.as_data())
        marked.append(event)
    return marked


def _main_amount(facts: Facts) -> int | None:
    if isinstance(facts, (RecordFacts, MilestoneFacts)):
        return facts.tokens
    if isinstance(facts, VariantChangeFacts) and facts.what == VariantWhat.SNAPSHOT:
        return facts.family_tokens  # a sweep gave the model's total: its snapshots' split is what is new
    if isinstance(facts, StreakFacts) and facts.subject_type != SubjectType.COUNTRY:
        return facts.leader_tokens
    return None


def amounts(facts: Mapping[str, Any]) -> set[int]:
    """The token counts an event states (facts named ``*tokens``, nested lists included)."""
    found: set[int] = set()
    for key, value in facts.items():
        if key.startswith("driver"):
            continue  # a record's cause, said in passing: no telling of its own
        if isinstance(value, Mapping):
            found |= amounts(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Mapping):
                    found |= amounts(item)
        elif "tokens" in key and isinstance(value, int) and not isinstance(value, bool) and value:
            found.add(value)
    return found


def _collapse(events: list[Event]) -> list[Event]:
    """Drop events whose numbers a better event already states.

    The lead paragraph gives both countries' week-on-week change, so a growth
    event for either of them would say the same thing twice.
    """
    lead = next((e for e in events if e.kind in LEAD_KINDS), None)
    told = set(lead.subjects) if lead else set()
    # A model new in the top 10 is told once: its entry, not its climb as well.
    entered = {e.subjects[0] for e in events if e.kind == EventKind.NEW_ENTRANT}
    # A debut that breaks a sweep is told in the sweep's end, as new there, not again (STYLEBOOK 8).
    breakers = {e.facts.breaker.model for e in events if isinstance(e.facts, SweepEndFacts)}
    debut_breakers = breakers & {e.subjects[0] for e in events if _debut(e)}
    entered |= breakers
    # A developer whose lead is one model's: the model's lead change says it (developer_too).
    models = [e for e in events if _new_lead(e, SubjectType.MODEL)]
    echoed = {id(e) for e in events
              if (author := _new_lead(e, SubjectType.AUTHOR)) and any(_same_lead(m, author) for m in models)}
    # A free tier's end told as the cause of a lead change is not told again on its own.
    causes = {family_of(f.previous_leader) for e in events
              if isinstance(f := e.facts, LeadChangeFacts) and f.free_ended_on}
    # A model new at No. 1 is the lead change's story, told there ("new", "free", whom it follows).
    new_leaders = {found.leader for e in events if (found := _new_lead(e, SubjectType.MODEL))}
    # A developer's new lead gives its week-on-week change: a paragraph of that change says it twice.
    new_developers = {found.leader for e in events if (found := _new_lead(e, SubjectType.AUTHOR))}
    # The old No. 1 model's fall down the table is told where the lead change says it fell.
    fallen = {e.facts.model: e.facts.rank for e in events
              if isinstance(e.facts, RankChangeFacts) and e.facts.move == Move.FALL}
    dethroned = {found.previous_leader for e in events if (found := _new_lead(e, SubjectType.MODEL))
                 and found.previous_change is not None and found.previous_change < 0}
    # A developer whose lead was one model's fell as that model did: said once, of the model (W31:
    # "MiMo V2.5 fell 39.7%", then "Xiaomi's models fell 39.7%").
    model_falls = {(found.previous_leader.split("/")[0], found.previous_change) for e in events
                   if (found := _new_lead(e, SubjectType.MODEL)) and found.previous_change is not None}
    kept = []
    for e in events:
        if isinstance(e.facts, VolumeChangeFacts) and e.facts.subject_type == SubjectType.AUTHOR \
                and e.facts.weeks == 1 and e.facts.subject in new_developers:
            continue
        if isinstance(e.facts, VariantChangeFacts) and e.facts.what == VariantWhat.FREE_ENDED \
                and e.subjects[0] in causes:
            continue
        if e.kind == EventKind.NEW_ENTRANT and e.subjects[0] in new_leaders | debut_breakers:
            continue
        if isinstance(e.facts, SweepEndFacts) and e.facts.breaker.model in debut_breakers:
            e = replace(e, facts=replace(e.facts, breaker_new=True))
        if (e.kind == EventKind.GROWTH and e.subjects[0] in told) or id(e) in echoed or (
                isinstance(e.facts, RankChangeFacts) and e.facts.move != Move.NEW_LEADER
                and e.subjects[0] in entered):
            continue
        if isinstance(e.facts, RankChangeFacts) and e.facts.move == Move.FALL and e.facts.model in dethroned:
            continue
        if (found := _new_lead(e, SubjectType.MODEL)) and found.previous_leader in fallen \
                and found.previous_leader in dethroned:
            e = replace(e, facts=replace(found, previous_rank_now=fallen[found.previous_leader]))
        if (found := _new_lead(e, SubjectType.AUTHOR)) and (found.previous_leader, found.previous_change) \
                in model_falls:
            e = replace(e, facts=replace(found, previous_change=None))
        echo = next((author for a in events if id(a) in echoed and e in models
                     and (author := _new_lead(a, SubjectType.AUTHOR)) and _same_lead(e, author)), None)
        if echo and isinstance(e.facts, LeadChangeFacts):
            e = replace(e, facts=replace(e.facts, developer_too=echo.leader))
        kept.append(e)
    return kept


def _new_lead(event: Event, subject_type: SubjectType) -> LeadChangeFacts | None:
    """The facts of a new No. 1 developer or model, if ``event`` tells one of ``subject_type``."""
    facts = event.facts
    if (event.kind == EventKind.SUBJECT_LEAD_CHANGE and isinstance(facts, LeadChangeFacts)
            and facts.subject_type == subject_type):
        return facts
    return None


def _same_lead(model: Event, author: LeadChangeFacts) -> bool:
    """A developer's new lead that is its one counted model's: the same tokens, the same change."""
    facts = _new_lead(model, SubjectType.MODEL)
    return (facts is not None and facts.leader.split("/")[0] == author.leader
            and facts.leader_tokens == author.leader_tokens)


def _notes(stats: WeekStats, top_n: int) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    if not stats.complete:
        notes.append({"kind": "partial", "days": stats.days})
    if stats.unmapped_authors:
        notes.append({"kind": "unmapped", "authors": list(stats.unmapped_authors)})
    left_out = [row for row in stats.models if row.excluded and row.rank <= top_n]
    if left_out:
        notes.append({"kind": "excluded", "models": [
            {"name": row.name, "model": row.model, "rank": row.rank} for row in left_out]})
    return notes


def _credits(stats: WeekStats, events: list[Event], config: Config) -> list[SourceCredit]:
    used = sources_used(stats.source, events)
    return [source.credit for source in config.sources if source.name in used]


def sources_used(leaderboard: str, events: list[Event]) -> set[str]:
    """The sources an article built on ``leaderboard`` and telling ``events`` must credit."""
    used = {leaderboard}
    for event in events:
        # EvidenceKey.parse(key).source, without a key object per observation.
        used.update(key.split("|", 1)[0] for key in event.evidence if key.count("|") >= 2)
    return used
