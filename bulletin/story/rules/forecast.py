"""Forecast series: how many times larger, and the compound annual growth rate.

Forecasts with the same subject, organisation and unit and different periods
form a series; the event compares its first and last points. 10 -> 3,900
quadrillion over 2025-2030 is 390 times, about +230% a year.

Claim check: where a source's own text states a multiple ("an estimated
370-fold increase", "about 370 times") that its figures contradict, a
``claim_check`` event carries both numbers, so the article can say which one
the figures support.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from bulletin.model import Event, EvidenceKey, Figure
from bulletin.model.facts import ClaimCheckFacts, EventKind, FigurePoint, ForecastFacts
from bulletin.story.rules import Param, Rule, RuleContext
from bulletin.story.timing import may_be_news


def years_between(first: str, last: str) -> float:
    return (_start(last) - _start(first)).days / 365.2425


def _start(period: str) -> date:
    if "-W" in period:
        year, week = period.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    return date(int(period), 1, 1)


def figure_facts(figure: Figure) -> FigurePoint:
    value = int(figure.value) if figure.value == figure.value.to_integral_value() else str(figure.value)
    return FigurePoint(value=value, unit=figure.unit, scale=figure.scale, period=figure.period,
                       link=figure.link, quote=figure.quote, source=figure.source)


def figure_key(figure: Figure) -> str:
    return str(EvidenceKey(figure.source, str(figure.period), f"{figure.organisation}: {figure.subject}"))


# "370-fold", "370 fold", "370 times", "370x", "370×"; thousands separators allowed.
STATED_MULTIPLE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:-\s*fold|fold|times\b|x\b|×)",
                             re.IGNORECASE)


def stated_multiple(text: str) -> tuple[float, str] | None:
    """The multiple a text states, and the words that state it."""
    match = STATED_MULTIPLE.search(text)
    if match is None:
        return None
    return float(match[1].replace(",", "")), match[0]


class Forecast(Rule):
    name = "forecast"
    params = {"claims": Param(True, "bool",
                   help="check a multiple the source's text states against its figures"),
              # How far a stated multiple may be from the figures' before it is contradicted.
              "tolerance": Param(0.02, "number", minimum=0, maximum=1,
                   help="how far a stated multiple may be from the figures' before it is contradicted")}
    claims: bool
    tolerance: float

    def detect(self, context: RuleContext) -> Iterable[Event]:
        series: dict[tuple[str, str, str], list[Figure]] = defaultdict(list)
        for figure in context.figures:
            if figure.kind == "forecast":
                series[(figure.subject, figure.organisation, figure.unit)].append(figure)
        for (subject, organisation, unit), points in sorted(series.items()):
            points.sort(key=lambda f: _start(f.period))
            first, last = points[0], points[-1]
            years = years_between(first.period, last.period)
            if years <= 0 or first.value <= 0:
                continue
            multiple = last.value / first.value
            cagr = float(multiple) ** (1 / years) - 1
            fresh = any(may_be_news(context.stats.week, point) for point in points)
            facts = ForecastFacts(
                subject=subject,
                # As an editor or a Chinese text gave it; any figure of the subject will do.
                subject_zh=next((f.subject_zh for f in [*points, *context.figures]
                                 if f.subject == subject and f.subject_zh), ""),
                organisation=organisation,
                unit=unit,
                first=figure_facts(first),
                last=figure_facts(last),
                multiple=_plain(multiple),
                years=round(years),
                cagr=cagr,
            )
            # News once: in the first bulletin that tells it, or tells a new point of it.
            fresh = fresh and not _told(context, facts)
            facts = replace(facts, background=not fresh)
            keys = tuple(figure_key(point) for point in points)
            # A forecast is news the week it (or a new point of its series) is published;
            # after that it is background, which the article leaves out (compose.choose):
            # a March forecast retold in May's bulletins reads stale.
            score = 60.0 if fresh else 30.0
            yield Event(EventKind.FORECAST, (organisation, subject), facts, score, keys)
            if self.claims:
                yield from self._claim(facts, points, float(multiple), keys, score)

    def _claim(self, facts: ForecastFacts, points: list[Figure], multiple: float,
               keys: tuple[str, ...], told_at: float = 30.0) -> Iterable[Event]:
        for point in reversed(points):
            stated = stated_multiple(point.quote)
            if stated is None:
                continue
            value, words = stated
            off = abs(value - multiple) / multiple
            if off <= self.tolerance:
                return
            claim = ClaimCheckFacts(**vars(facts), stated_multiple=_plain(Decimal(str(value))),
                                    stated_words=words, quote=point.quote, quote_link=point.link,
                                    quoted_by=_site(point.link) or point.source,
                                    figures_multiple=facts.multiple, difference=off)
            yield Event(EventKind.CLAIM_CHECK, (facts.organisation, facts.subject), claim,
                        # Just below its forecast, so that it follows the paragraph it questions.
                        told_at - 1 + min(0.9, 10 * off), keys)
            return


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _site(link: str) -> str:
    """The site a report is on, as a reader would name it: "news.example.com"."""
    host = urlsplit(link).hostname or ""
    return host.removeprefix("www.")


def _told(context: RuleContext, facts: ForecastFacts) -> bool:
    """Whether an earlier bulletin told this forecast, with these same figures."""
    return any(isinstance(event.facts, ForecastFacts) and event.kind == EventKind.FORECAST
               and not event.facts.background and event.facts.first == facts.first
               and event.facts.last == facts.last and event.facts.subject == facts.subject
               and event.facts.organisation == facts.organisation
               for bulletin in context.reported for event in bulletin)
