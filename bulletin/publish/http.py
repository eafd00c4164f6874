"""What the HTTP publishers share: settings, secrets from the environment, bounded retries."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bulletin.config import validation as check
from bulletin.errors import PublishError

HTTP_KEYS = {"timeout", "retries"}


@dataclass(frozen=True)
class Retry:
    timeout: float = 20.0  # seconds per request
    attempts: int = 3  # tries per request before the target is reported failed
    backoff: float = 0.5  # seconds before the second try, doubled after each

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> Retry:
        timeout = raw.get("timeout", 20)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            problems.add(f"{where}.timeout", "expected a number of seconds above 0")
            timeout = 20
        attempts = check.integer(raw, "retries", where, problems, default=3)
        if attempts is not None and not 1 <= attempts <= 10:
            problems.add(f"{where}.retries", "expected 1 to 10 attempts")
            attempts = 3
        return cls(float(timeout), attempts or 3)


@dataclass
class Attempts:
    """Counts the tries a delivery took, for the deliveries table."""

    count: int = 0


def secret(variable: str, target: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise PublishError(f"{target}: environment variable {variable} is not set")
    return value


def send(client: httpx.Client, retry: Retry, tally: Attempts, method: str, url: str,
         **options: Any) -> httpx.Response:
    """One request, tried again on a timeout, a lost connection or a 5xx, up to the bound.

    4xx answers come back at once: asking again would get the same answer.
    """
    problem = ""
    for attempt in range(retry.attempts):
        if attempt:
            time.sleep(retry.backoff * 2 ** (attempt - 1))
        tally.count += 1
        try:
            response = client.request(method, url, timeout=retry.timeout, **options)
        except httpx.TimeoutException:
            problem = f"no answer within {retry.timeout:g} s"
            continue
        except httpx.TransportError as exc:
            problem = f"cannot connect ({exc})"
            continue
        if response.status_code < 500:
            return response
        problem = f"HTTP {response.status_code}"
    raise PublishError(f"{url}: {problem} after {retry.attempts} attempts", tally.count)

