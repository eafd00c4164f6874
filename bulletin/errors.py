"""The exceptions bulletin raises on purpose.

The CLI turns any BulletinError into one line on stderr and a non-zero exit;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class BulletinError(Exception):
    """A failure the user can act on, described in one line."""


class ConfigError(BulletinError):
    """Every problem found in a config file, one line each, file first."""

    def __init__(self, problems: list[str], path: str = "config") -> None:
        self.problems = problems
        super().__init__("\n".join(f"{path}: {problem}" for problem in problems))


class CollectError(BulletinError):
    """A source could not be read or holds malformed data."""


class StoreError(BulletinError):
    """The history database is missing, newer than this version, or damaged."""


class RenderError(BulletinError):
    """A template failed or the data cannot make an article."""


class ClaimError(RenderError):
    """An article states a number that the store does not support."""


class SubscriberError(BulletinError):
    """A subscriber command cannot do what was asked (bad address, unknown one)."""


class PublishError(BulletinError):
    """Writing or sending the rendered bulletin failed."""

    def __init__(self, message: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts  # tries made before giving up, for the deliveries table
