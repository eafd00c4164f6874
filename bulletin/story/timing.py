"""When a figure may be told: from its publication, not before.

A bulletin may cite a figure from the week ending seven days before its
published date (a Monday's report on the week just ended), never months
earlier; without a published date, from the day it was first collected.
The first week a figure may be told, it is news.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bulletin.model import Figure
from bulletin.weeks import IsoWeek

PUBLISHED_LEAD = timedelta(days=7)


def in_time(week: IsoWeek, figures: Sequence[Figure]) -> tuple[Figure, ...]:
    """The figures a bulletin of ``week`` may cite: those published by then.

    A figure is cited only in bulletins of weeks ending no more than seven
    days before its published date, or later; without a published date, from
    the day it was first collected. Otherwise a backtest (or a late bulletin)
    would cite a forecast in weeks before anyone had published it.
    """
    return tuple(figure for figure in figures
                 if (known := _known_from(figure)) is None or week.sunday >= known)


def _known_from(figure: Figure) -> date | None:
    if figure.published_at:
        published = _day(figure.published_at)
        return published - PUBLISHED_LEAD if published else None
    return _day(figure.fetched_at)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def first_told(week: IsoWeek, figure: Figure) -> bool:
    """Whether ``week`` is the first whose bulletin may cite the figure: it is fresh news."""
    known = _known_from(figure)
    return known is not None and known <= week.sunday < known + timedelta(days=7)
