"""What the HTTP publishers share besides the HTTP client: their settings and secrets.

The requests themselves go through ``bulletin.collect.http.request``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bulletin.collect.http import Policy
from bulletin.config import options as option
from bulletin.errors import PublishError
from bulletin.records import record

if TYPE_CHECKING:
    from bulletin.collect.http import Policy

# The keys every HTTP publisher (WordPress, the webhook) takes.
RETRY_OPTIONS = option.schema(
    # Chained: NaN and infinity fail it too.
    option.bounded_number("timeout", 20.0, "seconds per request", lambda t: 0 < t < 1e6,
                          "expected a number of seconds above 0", "number of seconds above 0"),
    option.integer("retries", 3, "attempts per request on a timeout, a 429 or a 5xx", maximum=10,
                   above_maximum="expected 1 to 10 attempts"),
)


@record
class Retry:
    timeout: float = RETRY_OPTIONS.default("timeout")  # seconds per request
    attempts: int = RETRY_OPTIONS.default("retries")  # tries per request before the target is reported failed

    @classmethod
    def of(cls, values: option.Values) -> Retry:
        """From what a schema holding RETRY_OPTIONS read (a failed value: its default, the
        problem being noted already)."""
        return cls(values["timeout"] or cls.timeout, values["retries"] or cls.attempts)

    @property
    def policy(self) -> Policy:
        """The HTTP client's policy: ``attempts`` tries; no time bound but the one they imply."""
        return Policy(self.timeout, retry_within=None, attempts=self.attempts)


def secret(variable: str, target: str) -> str:
    value = os.environ.get(variable, "")
    if not value:
        raise PublishError(f"{target}: environment variable {variable} is not set")
    return value
