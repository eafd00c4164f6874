"""bulletin's one HTTP client: polite requests with one retry policy, failures in one line.

Live sources ``get`` (async) and the HTTP publishers ``request`` (sync); both
try a request again on what a later attempt can fix (429, 5xx, timeouts,
dropped connections), back off between tries, honour ``Retry-After`` and stop
after ``Policy.attempts`` tries or before a wait that would end past
``Policy.bound`` seconds, so one unwell server cannot hold up a weekly run.
Answers not worth asking again for (2xx, 3xx, 4xx but 429) come back at once.

A failure that outlasts the policy becomes the caller's error: ``get`` raises
a ``CollectError`` naming the URL (the caller prefixes the source's name),
``request`` a ``PublishError`` naming the URL and carrying the tries made.

httpx and tenacity are imported inside the functions that send: commands that
never go online do not load them.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from bulletin.collect import bounded
from bulletin.errors import CollectError, PublishError
from bulletin.records import record

if TYPE_CHECKING:
    import asyncio

    import httpx

# The wait before the second try; it doubles after each try, up to BACKOFF_MOST,
# plus up to JITTER at random. A Retry-After replaces it.
BACKOFF_FIRST = 0.5
BACKOFF_MOST = 8.0
JITTER = 0.5


@dataclass
class RateLimit:
    """At most ``requests`` requests in any ``per`` seconds (OpenRouter: 30 a minute)."""

    requests: int = 30
    per: float = 60.0
    _sent: deque[float] = field(default_factory=deque)
    _lock: asyncio.Lock | None = None

    async def wait(self) -> None:
        import asyncio

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self.per:
                self._sent.popleft()
            if len(self._sent) >= self.requests:
                await asyncio.sleep(self.per - (now - self._sent[0]))
                self._sent.popleft()
            self._sent.append(time.monotonic())


@record
class Policy:
    """How hard to try one request."""

    timeout: float = 30.0  # seconds for one try
    # Seconds for all tries and the waits between them together. None: no bound
    # of its own beyond ``attempts``; see ``bound``.
    retry_within: float | None = 120.0
    attempts: int = 5  # tries at most
    limit: RateLimit | None = None  # a budget shared by the requests of a source (``get`` only)
    max_bytes: int = bounded.MAX_BYTES  # the most one answer may hold, decompressed (``get`` only)

    @property
    def bound(self) -> float:
        """Seconds all tries may take: ``retry_within``, or else as long as ``attempts``
        tries that each time out take with the longest waits between them.

        A ``Retry-After`` that would end past it is not waited for: the request gives up.
        """
        if self.retry_within is not None:
            return self.retry_within
        waits = sum(min(BACKOFF_FIRST * 2 ** n, BACKOFF_MOST) + JITTER for n in range(self.attempts - 1))
        return self.attempts * self.timeout + waits


@dataclass
class Attempts:
    """Counts tries across requests, such as all those of one delivery, for the deliveries table."""

    count: int = 0


class _Retryable(Exception):
    """One try failed in a way the next may not; ``problem`` says how, without the URL."""

    def __init__(self, problem: str, response: httpx.Response | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.response = response
        self.retry_after = (_retry_after(response.headers.get("retry-after"))
                            if response is not None else None)


def _retry_settings(policy: Policy) -> dict[str, Any]:
    """The tenacity settings for ``policy``, shared by ``Retrying`` and ``AsyncRetrying``."""
    from tenacity import (
        RetryCallState,
        retry_if_exception_type,
        stop_after_attempt,
        stop_before_delay,
        wait_exponential,
        wait_random,
    )

    backoff = wait_exponential(multiplier=BACKOFF_FIRST, max=BACKOFF_MOST) + wait_random(0, JITTER)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return backoff(state)

    return {
        "retry": retry_if_exception_type(_Retryable),
        "wait": wait,
        # stop_before_delay: give up rather than sleep past the bound.
        "stop": stop_after_attempt(policy.attempts) | stop_before_delay(policy.bound),
        "reraise": True,
    }


def _lost(error: httpx.TransportError, policy: Policy) -> _Retryable:
    """A try that got no answer."""
    import httpx

    if isinstance(error, httpx.TimeoutException):
        return _Retryable(f"no answer within {policy.timeout:g} s")
    return _Retryable(f"cannot connect ({error or type(error).__name__})")


def _answered(response: httpx.Response) -> httpx.Response:
    """The response, unless it says to ask again later."""
    if response.status_code == 429 or response.status_code >= 500:
        raise _Retryable(f"HTTP {response.status_code} {response.reason_phrase}", response)
    return response


def _tries(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


async def get(client: httpx.AsyncClient, url: str, policy: Policy,
              headers: dict[str, str] | None = None,
              params: dict[str, str] | None = None) -> httpx.Response:
    """GET for a live source; a failure that outlasts ``policy`` is a CollectError."""
    import httpx
    from tenacity import AsyncRetrying

    shown = str(httpx.URL(url, params=params)) if params else url
    tally = Attempts()

    async def once() -> httpx.Response:
        tally.count += 1
        if policy.limit is not None:
            await policy.limit.wait()
        try:
            response = await bounded.fetch(client, httpx.URL(url, params=params), headers or {},
                                           policy.timeout, policy.max_bytes)
        except httpx.TransportError as exc:
            raise _lost(exc, policy) from None
        except bounded.Deadline as exc:
            raise _Retryable(str(exc)) from None
        return _answered(response)

    try:
        return await AsyncRetrying(**_retry_settings(policy))(once)
    except _Retryable as exc:
        raise CollectError(f"{shown}: {exc.problem} (gave up after {_tries(tally.count)})") from None


def request(client: httpx.Client, method: str, url: str, policy: Policy,
            tally: Attempts | None = None, **options: Any) -> httpx.Response:
    """A request for a publisher, each try counted in ``tally``.

    A failure that outlasts ``policy`` is a PublishError with ``tally.count`` attempts.
    """
    import httpx
    from tenacity import Retrying

    if policy.limit is not None:
        raise ValueError("a RateLimit paces async requests only")
    tally = tally if tally is not None else Attempts()
    tries = Attempts()

    def once() -> httpx.Response:
        tally.count += 1
        tries.count += 1
        try:
            response = client.request(method, url, timeout=policy.timeout, **options)
        except httpx.TransportError as exc:
            raise _lost(exc, policy) from None
        return _answered(response)

    try:
        return Retrying(**_retry_settings(policy))(once)
    except _Retryable as exc:
        # A publisher's failure names the status alone, as it always has.
        problem = f"HTTP {exc.response.status_code}" if exc.response is not None else exc.problem
        raise PublishError(f"{url}: {problem} after {_tries(tries.count)}", tally.count) from None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def json_body(response: httpx.Response, shown: str) -> Any:
    """The response's JSON, or a CollectError saying what came instead."""
    body = response.content
    if not body.strip():
        raise CollectError(f"{shown}: empty response where JSON was expected "
                           f"(HTTP {response.status_code})")
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if kind == "text/html" or body.lstrip()[:1] == b"<":
        raise CollectError(f"{shown}: expected JSON, got an HTML page (HTTP {response.status_code})")
    try:
        return json.loads(body)
    except RecursionError:
        raise CollectError(f"{shown}: the JSON is nested too deeply to read") from None
    except UnicodeDecodeError:
        raise CollectError(f"{shown}: response is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CollectError(f"{shown}: invalid JSON at line {exc.lineno} column {exc.colno} "
                           f"({exc.msg}; cut off?)") from None


def status_error(response: httpx.Response, shown: str) -> CollectError:
    return CollectError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}")
