"""When a figure may be told: around its publication, never long before it.

A figure published on day P may be cited in the bulletin of any week whose
last day (its Sunday) is at most 13 days before P, or later: the seed article,
published on Monday, March 23, reported the week to Sunday, March 15 together
with a forecast published that day. Without a published date a figure counts
as published the day it was first collected.

It is news once: in the first bulletin that tells it (novelty, via the
bulletins the store has reported). A weekly run on March 23 writes W12 and
tells it there; a back-fill of W11, written first, tells it in W11.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bulletin.model import Figure
from bulletin.weeks import IsoWeek

# How long before a figure's publication a bulletin's week may end and still cite it.
CITED_BEFORE = timedelta(days=13)


def in_time(week: IsoWeek, figures: Sequence[Figure]) -> tuple[Figure, ...]:
    """The figures a bulletin of ``week`` may cite: none published long after the week.

    Otherwise a backtest (or a late bulletin) would cite a forecast in weeks
    before anyone had published it.
    """
    return tuple(figure for figure in figures if citable(week, figure))


def citable(week: IsoWeek, figure: Figure) -> bool:
    start = cited_from(figure)
    return start is None or week.sunday >= start


def cited_from(figure: Figure) -> date | None:
    """The first Sunday of a week whose bulletin may cite ``figure`` (None: any week)."""
    published = published_on(figure)
    return published - CITED_BEFORE if published else None


def may_be_news(week: IsoWeek, figure: Figure) -> bool:
    """Whether ``week``'s bulletin may still tell ``figure`` as news, if none told it before.

    From the first week that may cite it until the week ending 13 days after it
    was published: a weekly run that collects it a few days late still tells it,
    a bulletin months later does not.
    """
    published = published_on(figure)
    return published is not None and published - CITED_BEFORE <= week.sunday <= published + CITED_BEFORE


def published_on(figure: Figure) -> date | None:
    return _day(figure.published_at) if figure.published_at else _day(figure.fetched_at)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
