"""Forecast series: how many times larger, and the compound annual growth rate.

Forecasts with the same subject, organisation and unit and different periods
form a series; the event compares its first and last points. 10 -> 3,900
quadrillion over 2025-2030 is 390 times, about +230% a year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from bulletin.model import Event, Figure
from bulletin.rules import Rule, RuleContext


def years_between(first: str, last: str) -> float:
    return (_start(last) - _start(first)).days / 365.2425


def _start(period: str) -> date:
    if "-W" in period:
        year, week = period.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    return date(int(period), 1, 1)


def figure_facts(figure: Figure) -> dict[str, object]:
    value = int(figure.value) if figure.value == figure.value.to_integral_value() else str(figure.value)
    return {"value": value, "unit": figure.unit, "scale": figure.scale, "period": figure.period,
            "link": figure.link, "quote": figure.quote, "source": figure.source}


def figure_key(figure: Figure) -> str:
    return f"{figure.source}|{figure.period}|{figure.organisation}: {figure.subject}"


class Forecast(Rule):
    name = "forecast"

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
            facts = {
                "subject": subject,
                "organisation": organisation,
                "unit": unit,
                "first": figure_facts(first),
                "last": figure_facts(last),
                "multiple": _plain(multiple),
                "years": round(years),
                "cagr": cagr,
            }
            yield Event("forecast", (organisation, subject), facts, 25.0,
                        tuple(figure_key(point) for point in points))


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)
