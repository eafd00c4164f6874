"""The pipelined SMTP path (RFC 2920) against postfix's smtp-sink, a real server that offers it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support.emailing import KEY, email_config

SMTP_SINK = shutil.which("smtp-sink") or ("/usr/sbin/smtp-sink" if os.path.exists("/usr/sbin/smtp-sink")
                                          else None)
pytestmark = [pytest.mark.external,
              pytest.mark.skipif(SMTP_SINK is None, reason="smtp-sink not installed (Debian package "
                                 "postfix; .ci/setup.d/50-postfix-smtp-sink.sh installs it)")]
CONFIRMED = ["ana@example.com", "bo@example.net", "chen@example.cn"]
SENDS = "; `bulletin subscribers sends --week 2026-W11` says which"


@contextmanager
def smtp_sink(*options: str) -> Iterator[tuple[int, Path]]:
    """smtp-sink on a free port, dumping each message it accepts into a folder."""
    # Run as root it switches to nobody, who must reach the folder (pytest's are private).
    folder = Path(tempfile.mkdtemp(prefix="smtp-sink-"))
    folder.chmod(0o777)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    assert SMTP_SINK is not None
    process = subprocess.Popen([SMTP_SINK, *user, "-d", f"{folder}/%M.", *options,
                                f"127.0.0.1:{port}", "10"])
    try:
        for _ in range(100):
            assert process.poll() is None, "smtp-sink stopped"
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port, folder
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder)


@pytest.fixture
def mailing(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    for address in CONFIRMED:
        assert bulletin("subscribers", "add", address).code == 0
    assert bulletin("subscribers", "add", "pending@example.com", "--pending").code == 0
    return project


def states(project: Path) -> dict[str, tuple[str, str]]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        rows = store.db.execute("SELECT s.email, e.state, e.detail FROM email_sends e JOIN subscribers s "
                                "ON s.id = e.subscriber")
        return {row[0]: (row[1], row[2]) for row in rows}


def test_pipelined_sends_deliver_one_message_to_each(mailing: Path, bulletin, tmp_path: Path) -> None:
    with smtp_sink() as (port, inbox):
        email_config(mailing, port, extra="    concurrency: 2\n")
        result = bulletin("publish", "--week", "2026-W11")
        assert result.out == "newsletter: ok 127.0.0.1 (3 sent)\n", states(mailing)
        assert bulletin("publish", "--week", "2026-W11").code == 0
        messages = [message_from_bytes(path.read_bytes(), policy=policy.default)
                    for path in inbox.iterdir()]
    assert sorted(str(m["X-Rcpt-Args"]) for m in messages) == sorted(f"<{a}>" for a in CONFIRMED)
    for message in messages:
        assert str(message["To"]) == str(message["X-Rcpt-Args"]).strip("<>")
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None


def test_pipelined_soft_and_hard_refusals_are_told_apart(mailing: Path, bulletin, tmp_path: Path) -> None:
    with smtp_sink("-r", "RCPT") as (port, _):
        email_config(mailing, port, extra="    max_attempts: 2\n")
        assert bulletin("publish", "--week", "2026-W11").out == (
            f"newsletter: failed 127.0.0.1 (3 deferred{SENDS})\n")
    assert {state for state, _ in states(mailing).values()} == {"deferred"}
    assert all(detail.startswith("450 ") for _, detail in states(mailing).values())
    text = (mailing / "config.yaml").read_text(encoding="utf-8")
    with smtp_sink("-f", "RCPT") as (port, inbox):
        (mailing / "config.yaml").write_text(text.replace(f"port: {text.split('port: ')[1].split()[0]}",
                                                          f"port: {port}"), encoding="utf-8")
        result = bulletin("publish", "--week", "2026-W11")
        assert result.out == f"newsletter: ok 127.0.0.1 (3 failed{SENDS})\n"
        assert not any(inbox.iterdir())
    assert {state for state, _ in states(mailing).values()} == {"failed"}
    assert {detail for _, detail in states(mailing).values()} == {"500 5.3.0 Error: command failed"}
