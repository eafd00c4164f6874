"""What a written bulletin states, kept in the store for later collections to check.

Each number as the article wrote it, the ids of the quantities it was traced
to (story/quantities.py), its sentence, and how far back in the data each
number reaches: a revision of a week no number reaches cannot change it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bulletin.model import EvidenceKey
from bulletin.store.database import Store
from bulletin.story.quantities import QuantityId, event_ids
from bulletin.weeks import IsoWeek

_EARLIEST = IsoWeek(1, 1)  # a quantity whose reach is unknown: any week may change it


def remember(store: Store, week: IsoWeek, numbers: Mapping[str, Sequence[Mapping[str, Any]]],
             events: Sequence[Mapping[str, Any]]) -> None:
    """Keep what a bulletin just written states (its bulletin.json "numbers").

    With it, how far back a revision can change one of its numbers. A number
    still stands while any one quantity it was traced to is untouched, so each
    number reaches back only as far as the latest-starting of them: a total
    to the week before (its change), a trend point to its week, an event's
    fact to the earliest week the event speaks of ("the fifth week running",
    "since records began"). The bulletin reaches as far as its furthest number.
    """
    prefixes = event_ids(_kinds(events))
    starts = dict(zip(prefixes, (_event_start(week, e) for e in events), strict=True))
    facts = dict(zip(prefixes, (e.get("facts", {}) for e in events), strict=True))
    reach = [week]
    for rows in numbers.values():
        for row in rows:
            ids = [parsed for name in row.get("what", []) if (parsed := QuantityId.parse(name)) is not None
                   and parsed.is_figure and not _is_date(_fact(parsed, facts))]
            if ids:
                reach.append(max(_start(week, parsed, starts) for parsed in ids))
    store.corrections.record_stated(week, numbers, is_figure, min(reach))


def is_figure(name: str) -> bool:
    """Whether the id names a number a source can revise (not a date's part or a setting)."""
    parsed = QuantityId.parse(name)
    return parsed is not None and parsed.is_figure


def legacy(numbers: Mapping[str, Sequence[Mapping[str, Any]]], events: Sequence[Mapping[str, Any]]
           ) -> dict[str, list[dict[str, Any]]]:
    """A bulletin.json written before quantities had ids: its "numbers" under ids.

    Those bulletins named a number by where it sat in the story's data
    (``countries.CN.tokens``, ``events[0].facts.leader_tokens``).
    """
    prefixes = event_ids(_kinds(events))
    return {locale: [{**row, "what": sorted({_legacy_id(str(n), prefixes) for n in row.get("what", [])})}
                     for row in rows]
            for locale, rows in numbers.items()}


def _legacy_id(name: str, events: Sequence[str]) -> str:
    if found := re.fullmatch(r"events\[(\d+)\]\.facts\.(.+)", name):
        index = int(found[1])
        return f"{events[index]}.{found[2]}" if index < len(events) else name
    if found := re.fullmatch(r"(countries|models|trend|notes)\.(.+)\.([^.]+)", name):
        kind = {"countries": "country", "models": "model", "trend": "trend", "notes": "note"}[found[1]]
        if kind == "trend" and found[3] == "sunday":  # trend.CN.2026-W10.sunday
            code, week = found[2].split(".", 1)
            return f"trend({code}).{week}.sunday"
        if kind == "trend":  # trend.CN.2026-W10
            return f"trend({found[2]}).{found[3]}"
        return f"{kind}({found[2]}).{found[3]}"
    return name


def _kinds(events: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(str(e["kind"]), [str(s) for s in e.get("subjects", ())]) for e in events]


def _event_start(week: IsoWeek, event: Mapping[str, Any]) -> IsoWeek:
    """The earliest week an event speaks of, reached from the week before it.

    A run "since" a week is lengthened by a revision that makes the week
    before part of it.
    """
    return min([week.previous(), *(named.previous() for named in _weeks_in(event.get("facts", {}))),
                *(key.week for text in event.get("evidence", ())
                  if (key := EvidenceKey.parse(str(text))) is not None and key.week is not None)])


def _fact(parsed: QuantityId, facts: Mapping[str, Any]) -> Any:
    """The published value of an event's fact, ``since`` of ``streak(CN).since``; None for others."""
    prefix = f"{parsed.kind}({parsed.subject})" if parsed.subject else parsed.kind
    value: Any = facts.get(prefix)
    if value is None:
        return None
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", parsed.measure):
        try:
            value = value[int(step[1:-1])] if step.startswith("[") else value[step]
        except (KeyError, IndexError, TypeError, ValueError):
            return None
    return value


def _is_date(value: Any) -> bool:
    """A date or a week ("since March 2"): the calendar's, never revised by a source."""
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-(W\d{2}|\d{2}-\d{2})", value))


def _start(week: IsoWeek, parsed: QuantityId, starts: Mapping[str, IsoWeek]) -> IsoWeek:
    """The earliest week whose data the quantity depends on."""
    if parsed.of_event:
        prefix = f"{parsed.kind}({parsed.subject})" if parsed.subject else parsed.kind
        return starts.get(prefix, _EARLIEST)
    if parsed.kind == "trend":
        try:
            return IsoWeek.parse(parsed.measure.split(".")[0])
        except ValueError:
            return _EARLIEST
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
