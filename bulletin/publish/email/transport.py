"""Where messages go: an SMTP server (smtp.py), or .eml files in the outbox when none is set.

Both take a ``commit`` callback that runs at the last moment before the
message becomes irrevocable (the final "." of SMTP DATA, the rename of the
file). It records the claim in the ledger and may refuse (the subscriber left
a second ago); a refused SMTP message is abandoned by dropping the connection
before the ".", which makes the server discard it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from bulletin.publish import files
from bulletin.records import record

Commit = Callable[[], bool]


class Attempt(StrEnum):
    """What one try at one copy came to."""

    SENT = "sent"
    RETRY = "retry"  # a 4xx answer or connection trouble: try again later
    FAILED = "failed"  # a 5xx answer
    SKIPPED = "skipped"  # left the list before the copy went
    UNCERTAIN = "uncertain"  # the connection was lost after the message was sent


@record
class Outcome:
    state: Attempt
    detail: str = ""


class OutboxTransport:
    """Writes each message to ``folder/<name>.eml``; the offline default."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def holds(folder: Path, name: str) -> bool:
        return (folder / f"{name}.eml").exists()

    @staticmethod
    def sweep(folder: Path) -> None:
        """Remove the half-written files of a run that was killed (only one run writes here)."""
        files.sweep(folder)

    def send_file(self, name: str, message: bytes, commit: Commit) -> Outcome:
        # Readable by the owner only: each message holds a subscriber's address and links.
        staged = files.Staged(self.folder / f"{name}.eml", message, mode=0o600)
        if not commit():
            staged.discard()
            return Outcome(Attempt.SKIPPED, "no longer subscribed")
        return Outcome(Attempt.SENT, str(staged.commit()))

    def close(self) -> None:
        pass
