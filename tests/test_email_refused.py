"""An SMTP server that refuses connections: the run stops trying at once, and the next one sends all.

Before, every copy was tried ``max_attempts`` times with backoff (300 copies:
51 s and 85 s of CPU). `benchmarks/bench_email.py --refused` times it.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bulletin.publish.email.sender import DOWN_AFTER
from support.emailing import KEY, email_config, ledger, per_recipient, smtp_server

SUBSCRIBERS = [f"reader{n}@example.com" for n in range(40)]


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailing(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    names = project / "readers.csv"
    names.write_text("email\n" + "".join(f"{a}\n" for a in SUBSCRIBERS), encoding="utf-8")
    assert bulletin("subscribers", "import", names).code == 0
    return project


def test_a_refusing_server_stops_the_send_after_a_few_tries(mailing: Path, bulletin,
                                                           tmp_path: Path) -> None:
    port = closed_port()
    # retry_seconds 0.05 and five attempts: without the stop, 40 copies would be tried 200 times.
    email_config(mailing, port)

    refused = bulletin("publish", "--week", "2026-W11")

    assert refused.code == 1
    [line] = refused.out.splitlines()
    assert line.startswith(f"newsletter: failed (email: 127.0.0.1:{port} cannot be reached "
                           "(connection: [Errno 111] Connection refused; 3 tries in a row); "
                           "stopped trying: 0 sent, 40 left for the next run)"), line
    rows = ledger(mailing)
    tried = {a: r for a, r in rows.items() if r[0] == "deferred"}
    # Each worker stops at the next copy once the server is known down: a handful tried, once each.
    assert DOWN_AFTER <= len(tried) <= DOWN_AFTER + 4, tried
    assert all(attempts == 1 and detail.startswith("connection: ") for _, attempts, detail
               in tried.values())
    assert {state for state, _, _ in rows.values()} == {"queued", "deferred"}

    # The server is back: the next run sends every copy, once.
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as live:
        config = mailing / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(f"port: {port}",
                                                                     f"port: {live}"),
                          encoding="utf-8")
        again = bulletin("publish", "--week", "2026-W11")
    assert again.code == 0, again.out + again.err
    assert again.out == "newsletter: ok 127.0.0.1 (40 sent)\n"
    assert per_recipient(inbox) == {address: 1 for address in SUBSCRIBERS}


def test_one_refused_connection_among_good_ones_is_only_retried(mailing: Path, bulletin,
                                                                tmp_path: Path) -> None:
    """A server that drops a connection mid-send is not "down": the copies still all go."""
    inbox = tmp_path / "inbox"
    with smtp_server(inbox, "--drop-at", "5") as port:
        email_config(mailing, port)
        result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 0, result.out + result.err
    assert per_recipient(inbox) == {address: 1 for address in SUBSCRIBERS}
