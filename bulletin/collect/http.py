"""Polite HTTP for live sources: a request budget, retries with a bound, clear failures.

Retries cover what a later attempt can fix (429, 5xx, timeouts, dropped
connections) and honour ``Retry-After``; the whole attempt stays within
``retry_within`` seconds so one unwell server cannot hold up a weekly run.
Every failure becomes a ``CollectError`` whose text names the URL and what
went wrong; the caller prefixes the source's name.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from bulletin.errors import CollectError

if TYPE_CHECKING:
    import httpx


@dataclass
class RateLimit:
    """At most ``requests`` requests in any ``per`` seconds (OpenRouter: 30 a minute)."""

    requests: int = 30
    per: float = 60.0
    _sent: deque[float] = field(default_factory=deque)
    _lock: asyncio.Lock | None = None

    async def wait(self) -> None:
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


@dataclass(frozen=True)
class Policy:
    timeout: float = 30.0  # seconds for one request
    retry_within: float = 120.0  # seconds for all attempts together
    attempts: int = 5
    limit: RateLimit | None = None


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def get(client: httpx.AsyncClient, url: str, policy: Policy,
              headers: dict[str, str] | None = None,
              params: dict[str, str] | None = None) -> httpx.Response:
    """GET with retries; returns any response that is not worth retrying (2xx, 3xx, 4xx but 429)."""
    import httpx
    from tenacity import (
        AsyncRetrying,
        RetryCallState,
        retry_if_exception_type,
        stop_after_attempt,
        stop_before_delay,
        wait_exponential,
        wait_random,
    )

    shown = str(httpx.URL(url, params=params)) if params else url
    backoff = wait_exponential(multiplier=0.5, max=8.0) + wait_random(0, 0.5)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return backoff(state)

    attempts = 0

    async def once() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if policy.limit is not None:
            await policy.limit.wait()
        try:
            response = await client.get(url, params=params, headers=headers, timeout=policy.timeout)
        except httpx.TimeoutException:
            raise _Retryable(f"{shown}: no answer within {policy.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"{shown}: cannot connect ({exc or type(exc).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(f"{shown}: HTTP {response.status_code} {response.reason_phrase}",
                             _retry_after(response.headers.get("retry-after")))
        return response

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(_Retryable),
        wait=wait,
        # stop_before_delay: give up rather than sleep past the bound.
        stop=stop_after_attempt(policy.attempts) | stop_before_delay(policy.retry_within),
        reraise=True,
    )
    try:
        return await retrying(once)
    except _Retryable as exc:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        raise CollectError(f"{exc} (gave up after {tries})") from None


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
    except UnicodeDecodeError:
        raise CollectError(f"{shown}: response is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CollectError(f"{shown}: invalid JSON at line {exc.lineno} column {exc.colno} "
                           f"({exc.msg}; cut off?)") from None


def status_error(response: httpx.Response, shown: str) -> CollectError:
    return CollectError(f"{shown}: HTTP {response.status_code} {response.reason_phrase}")
