"""Where ``bulletin bounces`` reads its messages: an mbox file, a Maildir folder, or stdin (``-``).

Every source is read, and every message parsed, before the store is touched:
a source that cannot be read stops the run with nothing written. The
sources themselves are only read, never changed: the store remembers what
was read (mail_reports), so a mailbox can be read again and again.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from bulletin.errors import PublishError
from bulletin.publish.email import reports
from bulletin.publish.email.reports import Report
from bulletin.records import record

STDIN = "-"
# A report is a few kilobytes and the returned copy (Postfix returns 50 kB of it by default);
# a larger message is no report of this list's, and is not parsed.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


@record
class Messages:
    reports: tuple[Report, ...]
    too_large: int  # messages over MAX_MESSAGE_BYTES, skipped


def read(sources: Sequence[str], stdin: BinaryIO, envelope_recipient: str = "") -> Messages:
    """Every message of every source, parsed; PublishError naming the source that cannot be read.

    ``envelope_recipient``: the address the MTA delivered a message piped on stdin to.
    """
    found: list[Report] = []
    too_large = 0
    for source in sources:
        try:
            for raw in _messages(source, stdin):
                if raw is None:
                    too_large += 1
                else:
                    found.append(reports.parse(raw, envelope_recipient if source == STDIN else ""))
        except OSError as exc:
            raise PublishError(f"{source}: cannot read: {exc.strerror or exc}") from None
        except mailbox.Error as exc:
            raise PublishError(f"{source}: not a mailbox: {exc}") from None
    return Messages(tuple(found), too_large)


def _messages(source: str, stdin: BinaryIO) -> Iterator[bytes | None]:
    """Each message's bytes, or None for one too large to read."""
    if source == STDIN:
        yield _capped(stdin)
        return
    path = Path(source)
    if path.is_dir():
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise PublishError(f"{source}: not a Maildir folder (it has no cur/, new/ and tmp/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    else:
        with open(path, "rb") as handle:
            start = handle.read(5)
        if start and start != b"From ":
            raise PublishError(f"{source}: not an mbox file (its first line is no 'From ' line); "
                               f"one message is read from stdin: bulletin bounces -")
        box = mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            with box.get_file(key) as handle:
                yield _capped(handle)
    finally:
        box.close()


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _capped(handle: _Readable) -> bytes | None:
    data = handle.read(MAX_MESSAGE_BYTES + 1)
    return None if len(data) > MAX_MESSAGE_BYTES else bytes(data)
