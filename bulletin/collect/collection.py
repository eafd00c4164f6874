"""Run every source at once and say how each one fared: ok, unchanged or stale.

Sources wait on the network, so they run concurrently on one asyncio loop
with one shared HTTP client. A live source that fails is stale (its last good
data stays in the store, and the others go on); a file source that fails stops
the collection before anything is stored, because its file is the editor's to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from bulletin import __version__
from bulletin.collect.source import CollectContext, Source
from bulletin.errors import CollectError
from bulletin.model import Collected, SourceStatus
from bulletin.records import record
from bulletin.store.database import SaveReport, SourceState, Store

log = logging.getLogger("bulletin")


@record
class Outcome:
    source: str
    type: str
    state: SourceStatus
    collected: Collected | None = None
    detail: str = ""  # why it is stale
    report: SaveReport | None = None

    def record(self, now: datetime) -> SourceState:
        when = now.isoformat(timespec="seconds")
        as_of = self.collected.as_of if self.collected else ""
        return SourceState(self.source, self.type, self.state, self.detail, when,
                           "" if self.state == SourceStatus.STALE else when, as_of)


def collect_sources(sources: Sequence[Source], store: Store, now: datetime,
                    start: date | None = None, end: date | None = None) -> list[Outcome]:
    if not any(source.live for source in sources):
        # Files only: no event loop and no HTTP client for a run that needs neither.
        context = CollectContext(store, None, now, start, end)
        return [Outcome(s.name, s.type, SourceStatus.OK, s.collect(context)) for s in sources]
    import asyncio

    return asyncio.run(_collect_all(sources, store, now, start, end))


async def _collect_all(sources: Sequence[Source], store: Store, now: datetime,
                       start: date | None, end: date | None) -> list[Outcome]:
    import httpx

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
    headers = {"User-Agent": f"bulletin/{__version__}"}
    # Redirects are followed by collect/bounded.py, to the same host only.
    async with httpx.AsyncClient(limits=limits, headers=headers, follow_redirects=False) as client:
        results = await _gather(sources, CollectContext(store, client, now, start, end))
    # Fatal errors are raised only now, after every task has finished, so none is left running.
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [result for result in results if isinstance(result, Outcome)]


async def _gather(sources: Sequence[Source], context: CollectContext) -> list[object]:
    import asyncio

    return await asyncio.gather(*(_one(source, context) for source in sources),
                                return_exceptions=True)


async def _one(source: Source, context: CollectContext) -> Outcome:
    try:
        collected = await source.fetch(context)
    except Exception as exc:
        if not source.live or not _outside_world(exc):
            raise
        detail = str(exc) or type(exc).__name__
        log.warning("%s: %s", source.name, detail)
        return Outcome(source.name, source.type, SourceStatus.STALE, detail=detail)
    return Outcome(source.name, source.type, SourceStatus.OK, collected)


def _outside_world(error: Exception) -> bool:
    """Failures a live source meets on the network; anything else is a bug and keeps its traceback."""
    if isinstance(error, CollectError):
        return True
    import httpx

    return isinstance(error, httpx.HTTPError)


def settle(outcome: Outcome, report: SaveReport | None) -> Outcome:
    """The outcome once stored: ok if it brought something new, unchanged if not."""
    if outcome.state == SourceStatus.STALE or report is None:
        return outcome
    return replace(outcome, state=SourceStatus.OK if report.wrote else SourceStatus.UNCHANGED, report=report)
