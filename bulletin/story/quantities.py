"""Every number a week's story can state, each under a stable id, with the evidence behind it.

An id names what the number is of, not where it sits in the story's data:
``country(CN).tokens``, ``model(tencent/hy3-preview:free).change``,
``lead_change(CN,US).leader_tokens`` (an event's kind and subjects, then its
fact), ``trend(CN).2026-W10``, ``platform.tokens``. A week's story told
again later gives its numbers the same ids whatever order its events come
in, so the store can keep what a bulletin stated and a later collection can
find the same quantity recomputed (the corrections stage). The render stage
writes these numbers, and its claim check reads them back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bulletin.model import EvidenceKey, Story
from bulletin.records import record
from bulletin.story.families import family_of
from bulletin.weeks import IsoWeek

# The kinds of quantity of the week's statistics; any other kind is an event's or a note's.
COUNTRY, MODEL, TREND, PLATFORM, NOTE = "country", "model", "trend", "platform", "note"
# What the ids of figures start with, the most describable first: a correction names the first.
FIGURES = (COUNTRY, MODEL, "event", TREND, NOTE, PLATFORM)
_ID = re.compile(r"(?P<kind>[a-z_]+(?:#\d+)?)(?:\((?P<subject>.*)\))?\.(?P<measure>.+)", re.DOTALL)


@record
class Quantity:
    id: str  # what it is: "country(CN).tokens"
    value: Any
    evidence: tuple[str, ...]


@record
class QuantityId:
    """An id taken apart: ``lead_change(CN,US).leader_tokens`` is its kind, subject and measure."""

    kind: str
    subject: str
    measure: str

    @classmethod
    def parse(cls, text: str) -> QuantityId | None:
        found = _ID.fullmatch(text)
        if found is None:
            return None
        return cls(found["kind"], found["subject"] or "", found["measure"])

    @property
    def of_event(self) -> bool:
        return self.kind.split("#")[0] not in (COUNTRY, MODEL, TREND, PLATFORM, NOTE, "week",
                                                "methodology")

    @property
    def family(self) -> str:
        """Which of FIGURES it belongs to: "event" for any event's fact."""
        return "event" if self.of_event else self.kind

    @property
    def is_figure(self) -> bool:
        """A number a source can revise: not a date's parts, a day count or a setting."""
        return self.family in FIGURES and self.measure.rsplit(".", 1)[-1] not in ("days", "year", "number")


def event_ids(events: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Each event's part of its facts' ids, ``lead_change(CN,US)``; a repeat is ``growth#2(total)``."""
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    found = []
    for kind, subjects in events:
        key = (kind, tuple(subjects))
        seen[key] += 1
        kind_id = kind if seen[key] == 1 else f"{kind}#{seen[key]}"
        found.append(f"{kind_id}({','.join(subjects)})" if subjects else kind_id)
    return found


def model_count(models: Sequence[str]) -> int:
    """How many models a list of rows is: a model's tiers and snapshots are one (STYLEBOOK 4)."""
    return len({family_of(model) for model in models})


def quantities(story: Story) -> list[Quantity]:
    found: list[Quantity] = []
    stats = story.stats
    for prefix, event in zip(event_ids([(e.kind, e.subjects) for e in story.events]), story.events,
                             strict=True):
        found.extend(_walk(prefix, event.facts.as_data(), event.evidence))
    everything = tuple(str(EvidenceKey.of(stats.source, stats.week, row.model)) for row in stats.models)
    if stats.platform_tokens is not None:
        found.append(Quantity(f"{PLATFORM}.tokens", stats.platform_tokens, everything))
    for total in stats.countries:
        keys = tuple(str(EvidenceKey.of(stats.source, stats.week, m)) for m in total.models)
        of = f"{COUNTRY}({total.key})"
        if (share := stats.share(total)) is not None:
            found.append(Quantity(f"{of}.share", share, keys + everything))
        found += [Quantity(f"{of}.tokens", total.tokens, keys),
                  Quantity(f"{of}.change", total.change, keys),
                  Quantity(f"{of}.models", model_count(total.models), keys)]
    for row in stats.models:
        key = (str(EvidenceKey.of(stats.source, stats.week, row.model)),)
        of = f"{MODEL}({row.model})"
        found += [Quantity(f"{of}.tokens", row.tokens, key), Quantity(f"{of}.rank", row.rank, key),
                  Quantity(f"{of}.change", row.change, key), Quantity(f"{of}.days", row.days, key)]
        if row.family_change is not None:  # over all its tiers: its family's rows, both weeks
            kin = tuple(str(EvidenceKey.of(stats.source, stats.week, other.model)) for other in stats.models
                        if other.family == row.family)
            found.append(Quantity(f"{of}.family_change", row.family_change, kin))
    for code, points in story.trend.items():
        for week, tokens, keys in points:
            found.append(Quantity(f"{TREND}({code}).{week}", tokens, keys))
            # The chart's alt text names each week by its last day, as its axis does.
            found.append(Quantity(f"{TREND}({code}).{week}.sunday", IsoWeek.parse(week).sunday, keys))
    found += [Quantity("week.monday", story.week.monday, ()), Quantity("week.sunday", story.week.sunday, ()),
              Quantity("week.number", story.week.week, ()),
              Quantity("week.generated_at", story.generated_at.date(), ()),
              Quantity("methodology.top_n", story.methodology.get("top_n", 0), ()),
              Quantity("week.days", stats.days, ())]
    for note in story.notes:
        found.extend(_walk(f"{NOTE}({note['kind']})", note, ()))
    return found


def _walk(name: str, value: Any, evidence: tuple[str, ...]) -> Iterator[Quantity]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            # A figure's own evidence is its key, not the whole event's.
            keys = evidence if "source" not in value else tuple(
                k for k in evidence if _is_figure_of(k, value)) or evidence
            yield from _walk(f"{name}.{key}", inner, keys)
    elif isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            yield from _walk(f"{name}[{index}]", inner, evidence)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        yield Quantity(name, value, evidence)
    elif isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", value):
        yield Quantity(name, date.fromisoformat(value) if "-" in value else int(value), evidence)
    elif isinstance(value, str) and (week := re.fullmatch(r"(\d{4})-W(\d{2})", value)):
        # An ISO week ("2025-W46", the first week on record) is written as its year and number.
        yield Quantity(f"{name}.year", int(week[1]), evidence)
        yield Quantity(f"{name}.number", int(week[2]), evidence)


def _is_figure_of(text: str, figure: Mapping[str, Any]) -> bool:
    key = EvidenceKey.parse(text)
    return key is not None and (key.source, key.period) == (figure["source"], str(figure.get("period", "")))
