"""What the HTTP publishers share besides the HTTP client: their settings and secrets.

The requests themselves go through ``bulletin.collect.http.request``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bulletin.collect.http import Policy
from bulletin.config import validation as check
from bulletin.errors import PublishError

if TYPE_CHECKING:
    from bulletin.collect.http import Policy

HTTP_KEYS = {"timeout", "retries"}


@dataclass(frozen=True)
class Retry:
    timeout: float = 20.0  # seconds per request
    attempts: int = 3  # tries per request before the target is reported failed

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, problems: check.Problems) -> Retry:
        timeout = raw.get("timeout", 20)
        # Chained: NaN and infinity fail it too.
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not 0 < timeout < 1e6:
            problems.add(f"{where}.timeout", "expected a number of seconds above 0")
            timeout = 20
        attempts = check.integer(raw, "retries", where, problems, default=3)
        if attempts is not None and not 1 <= attempts <= 10:
            problems.add(f"{where}.retries", "expected 1 to 10 attempts")
            attempts = 3
        return cls(float(timeout), attempts or 3)

    @property
    def policy(self) -> Policy:
        """The HTTP client's policy: ``attempts`` tries; no time bound but the one they imply."""
        return Policy(self.timeout, retry_within=None, attempts=self.attempts)


def secret(variable: str, target: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise PublishError(f"{target}: environment variable {variable} is not set")
    return value
