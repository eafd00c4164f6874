"""``type: openrouter`` — daily token counts from OpenRouter's Data API.

``GET {base_url}/api/v1/datasets/rankings-daily?start_date=..&end_date=..``
answers ``{"data": [{"date", "model_permaslug", "total_tokens"}], "meta":
{"as_of", ...}}``: per UTC day the top 50 models plus one ``other`` row (the
long tail, stored under the permaslug ``other``). Only the days the store
lacks are asked for, in windows of at most 31 days. A day the API has not
finished (after ``meta.as_of``) is not stored, so the next run asks again.
The API key is read from the environment and only ever sent in the header.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin.collect.bounded import MAX_RESPONSE_BYTES
from bulletin.collect.bounds import SLUG, in_bounds, tokens_problem
from bulletin.collect.http import Policy, RateLimit, get, json_body, status_error
from bulletin.collect.source import CollectContext, Source, common_options
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import CollectError
from bulletin.model import Collected
from bulletin.records import record
from bulletin.weeks import IsoWeek

progress = logging.getLogger("bulletin.progress")

if TYPE_CHECKING:
    import httpx

PATH = "/api/v1/datasets/rankings-daily"
MAX_WINDOW = 31  # days the API accepts in one request
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


OPTIONS = option.schema(
    option.url("base_url", "where the API is", default="https://openrouter.ai"),
    option.text("api_key_env", "OPENROUTER_API_KEY", "the environment variable holding the key (sent as "
                "`Authorization: Bearer`, never logged)"),
    option.integer("backfill_weeks", 4, "without `--from/--to`: how many weeks before the current one "
                   "to fill in"),
    option.integer("window_days", MAX_WINDOW, "days per request", maximum=MAX_WINDOW,
                   above_maximum="the API accepts at most {maximum} days"),
    option.number("timeout", 30.0, "seconds for one request, its whole answer included (a server "
                  "trickling bytes cannot stretch it)"),
    option.number("retry_within", 120.0, "seconds for all attempts at one request"),
    option.integer("requests_per_minute", 30, "the API's published limit"),
    option.url("url", "the page credited as the source", default="https://openrouter.ai/rankings"),
    MAX_RESPONSE_BYTES,
)


@record
class OpenRouter(Source):
    type: ClassVar[str] = "openrouter"
    options: ClassVar[option.Schema] = common_options(
        "OpenRouter (openrouter.ai/rankings)", "OpenRouter排行榜（openrouter.ai/rankings）") + OPTIONS
    live: ClassVar[bool] = True
    leaderboard: ClassVar[bool] = True

    base_url: str = OPTIONS.default("base_url")
    api_key_env: str = OPTIONS.default("api_key_env")
    backfill_weeks: int = OPTIONS.default("backfill_weeks")
    window_days: int = OPTIONS.default("window_days")
    timeout: float = OPTIONS.default("timeout")
    retry_within: float = OPTIONS.default("retry_within")
    requests_per_minute: int = OPTIONS.default("requests_per_minute")
    source_url: str = OPTIONS.default("url")
    max_response_bytes: int = OPTIONS.default("max_response_bytes")

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> OpenRouter | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(base_url=values["base_url"].rstrip("/"), api_key_env=values["api_key_env"],
                   backfill_weeks=values["backfill_weeks"], window_days=values["window_days"],
                   timeout=values["timeout"], retry_within=values["retry_within"],
                   requests_per_minute=values["requests_per_minute"], source_url=values["url"],
                   max_response_bytes=values["max_response_bytes"], **cls.common_fields(values))

    @property
    def url(self) -> str:
        return self.source_url

    def wanted_days(self, context: CollectContext) -> list[date]:
        """Days to ask for: the period given, or the last ``backfill_weeks`` weeks to yesterday."""
        if context.start is not None and context.end is not None:
            first, last = context.start, context.end
        else:
            last = context.now.date() - timedelta(days=1)
            first = IsoWeek.of(last).monday - timedelta(weeks=self.backfill_weeks)
        have = context.store.days(self.name)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [day for day in days if day.isoformat() not in have]

    async def fetch(self, context: CollectContext) -> Collected:
        missing = self.wanted_days(context)
        if not missing:
            return Collected(self.name, figures_replace=False)
        key = os.environ.get(self.api_key_env, "").strip()
        if not key:
            raise CollectError(f"no API key: the environment variable {self.api_key_env} is not set")
        assert context.client is not None
        policy = Policy(self.timeout, self.retry_within,
                        limit=RateLimit(self.requests_per_minute, 60.0),
                        max_bytes=self.max_response_bytes)
        fetched_at = context.now.isoformat(timespec="seconds")
        rows: list[Row] = []
        as_of = ""
        spans = windows(missing, self.window_days)
        for done, (first, last) in enumerate(spans, start=1):
            body, shown = await self._request(context.client, policy, key, first, last)
            if len(spans) > 1:
                # A back-fill is paced at the API's 30 a minute: say how far it has got.
                progress.info("%s: %s to %s read (%d of %d requests)", self.name, first, last,
                              done, len(spans))
            window_rows, window_as_of = parse_rankings(body, shown, self.name, self.source_url,
                                                       fetched_at, first, last)
            as_of = max(as_of, window_as_of)
            rows.extend(window_rows)
        complete = complete_until(as_of, context.now)
        kept = tuple(row for row in rows if row[1] <= complete)
        return Collected(self.name, rows=kept, as_of=as_of, figures_replace=False)

    async def _request(self, client: httpx.AsyncClient, policy: Policy, key: str,
                       first: date, last: date) -> tuple[Any, str]:
        import httpx

        params = {"start_date": first.isoformat(), "end_date": last.isoformat()}
        url = self.base_url + PATH
        shown = str(httpx.URL(url, params=params))
        response = await get(client, url, policy, {"Authorization": f"Bearer {key}"}, params)
        if response.status_code in (401, 403):
            raise CollectError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}: "
                               f"the API key in {self.api_key_env} is missing or invalid")
        if response.status_code != 200:
            raise status_error(response, shown)
        return json_body(response, shown), shown


def windows(days: list[date], size: int) -> list[tuple[date, date]]:
    """Runs of consecutive days, each cut into windows of at most ``size`` days."""
    result: list[tuple[date, date]] = []
    for day in sorted(days):
        if result:
            first, last = result[-1]
            if day == last + timedelta(days=1) and (day - first).days < size:
                result[-1] = (first, day)
                continue
        result.append((day, day))
    return result


def complete_until(as_of: str, now: datetime) -> str:
    """The last day the API has finished: the day ``as_of`` names if it is a date;
    if it is a moment, the day before it (a day counts once it has ended);
    without ``as_of``, yesterday."""
    if not as_of:
        return (now.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    if _DAY.match(as_of):
        return as_of
    moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return (moment.date() - timedelta(days=1)).isoformat()


Row = tuple[str, str, str, int, "int | None", str, str]


def parse_rankings(body: Any, shown: str, source: str, url: str, fetched_at: str,
                   first: date, last: date) -> tuple[list[Row], str]:
    """Check a whole response before keeping any of it; one bad row and it is refused.

    Rows come back as the store's plain tuples (source, day, model, tokens,
    rank, url, fetched_at). The checks run over whole columns first, which is what lets a
    ten-year back-fill load in about a second; only a response that fails them
    is walked row by row to say which row is wrong.
    """
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise CollectError(f"{shown}: the JSON has no 'data' list of rows")
    meta = body["meta"] if isinstance(body.get("meta"), dict) else {}
    as_of = meta.get("as_of") or ""
    if not isinstance(as_of, str) or (as_of and not _moment(as_of)):
        raise CollectError(f"{shown}: meta.as_of: {_short(as_of)} is not a date or time")
    low, high = first.isoformat(), last.isoformat()
    data = body["data"]
    try:
        triples = [(row["date"], row["model_permaslug"], row["total_tokens"]) for row in data]
    except (TypeError, KeyError):
        triples = []
    if len(triples) == len(data) and _all_good(triples, low, high):
        return [(source, day, model, int(tokens), None, url, fetched_at)
                for day, model, tokens in triples], as_of
    _explain(data, shown, low, high)
    raise CollectError(f"{shown}: the rows are not as documented")  # _explain names the row


def _all_good(triples: list[tuple[Any, Any, Any]], low: str, high: str) -> bool:
    days = {day for day, _, _ in triples}
    models = {model for _, model, _ in triples}
    return (all(type(day) is str and _DAY.match(day) and low <= day <= high for day in days)
            and all(type(model) is str and SLUG.fullmatch(model) for model in models)
            and all(in_bounds(t) for _, _, t in triples)
            and len({(day, model) for day, model, _ in triples}) == len(triples))


def _explain(data: list[Any], shown: str, low: str, high: str) -> None:
    seen: set[tuple[str, str]] = set()
    for index, row in enumerate(data):
        where = f"{shown}: data[{index}]"
        if not isinstance(row, dict):
            raise CollectError(f"{where}: expected an object with date, model_permaslug, total_tokens")
        day, model, tokens = row.get("date"), row.get("model_permaslug"), row.get("total_tokens")
        if not isinstance(day, str) or not _DAY.match(day) or not low <= day <= high:
            raise CollectError(f"{where}: date {_short(day)} is not a day from {low} to {high}")
        if not isinstance(model, str) or not SLUG.fullmatch(model):
            raise CollectError(f"{where}: model_permaslug {_short(model)} is not a model permaslug")
        if not in_bounds(tokens):
            raise CollectError(f"{where}: total_tokens {_short(tokens)} {tokens_problem(tokens)}")
        if (day, model) in seen:
            raise CollectError(f"{where}: {model} appears twice for {day}")
        seen.add((day, model))


def _short(value: Any) -> str:
    """A value as an error quotes it; an answer's megabyte string is not repeated whole."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _moment(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
