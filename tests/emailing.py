"""Helpers for the email tests: a real SMTP server process, a project set up to mail."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEY = "test-signing-key-0123456789abcdef"


@contextmanager
def smtp_server(folder: Path, *options: str) -> Iterator[int]:
    """The recording SMTP server (tests/smtp_recorder.py) in its own process; yields its port."""
    process = subprocess.Popen([sys.executable, str(HERE / "smtp_recorder.py"), str(folder),
                                *options], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(10)


def received(folder: Path) -> list[EmailMessage]:
    return [message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for path in sorted(folder.glob("*.eml"))]


def per_recipient(folder: Path) -> Counter[str]:
    return Counter(str(m["X-Envelope-To"]).lower() for m in received(folder))


def email_config(project: Path, smtp_port: int | None = None, extra: str = "",
                 smtp_extra: str = "") -> None:
    """Add an email target to the demo project's config."""
    smtp = (f"    smtp:\n      host: 127.0.0.1\n      port: {smtp_port}\n      security: none\n"
            f"{smtp_extra}") if smtp_port else ""
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("publish:\n"
                     "  - name: newsletter\n"
                     "    type: email\n"
                     "    from: Token Bulletin <news@bulletin.example.org>\n"
                     "    base_url: https://bulletin.example.org\n"
                     "    retry_seconds: 0.05\n"
                     f"{smtp}{extra}")
