"""The subscribe form left open to the world: limits, not tokens, and answers that give nothing away.

Each test runs the real `bulletin serve` (waitress) on loopback; readers are told
apart by their own loopback source addresses (127.0.2.N), as the server sees them.
"""

from __future__ import annotations

import http.client
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bulletin.store.database import Store
from support import serving
from support.emailing import KEY, email_config, received, settled, smtp_server
from support.serving import bulletin_serve


def sign_up(base: str, email: str, client: int = 1) -> tuple[int, bytes]:
    return serving.sign_up(base, email, f"127.0.2.{client}")


def rows(project: Path) -> list[str]:
    with Store.open(project / "output" / "bulletin.db") as store:
        return [s.email for s in store.subscribers.listing()]


@pytest.fixture
def listing(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project, extra="    signups_per_hour: 1000\n")
    assert bulletin("run").code == 0
    return project


def test_one_client_cannot_fill_the_list(listing: Path) -> None:
    with bulletin_serve(listing) as site:
        answers = [sign_up(site, f"reader{n}@example.com")[0] for n in range(300)]
        other = sign_up(site, "someone@example.org", client=2)[0]
    kept = rows(listing)
    assert answers.count(200) + 1 == len(kept) <= 50  # the default: 20 a minute
    assert set(answers) == {200, 429}
    assert "someone@example.org" in kept and other == 200  # another reader is not locked out
    # No row for a refused sign-up.
    assert kept == sorted(["someone@example.org", *(f"reader{n}@example.com" for n in range(300)
                                                     if answers[n] == 200)])


def test_one_inbox_spelt_forty_ways_gets_at_most_three_confirmations(listing: Path) -> None:
    spellings = [f"victimname+{n}@gmail.com" for n in range(20)]
    spellings += ["".join(c + ("." if i % (n + 2) == 0 else "") for i, c in enumerate("victimname"))
                  .rstrip(".") + "@gmail.com" for n in range(20)]
    with bulletin_serve(listing) as site:
        statuses = {sign_up(site, email, client=n % 20 + 1)[0] for n, email in enumerate(spellings)}
        sent = settled(listing / "output" / "outbox" / "confirm", quiet=3)
    assert statuses == {200}
    assert 1 <= len(sent) <= 3


def test_known_and_unknown_addresses_get_the_same_answer(listing: Path, bulletin) -> None:
    for email, status in (("in@example.com", "confirmed"), ("left@example.com", "unsubscribed"),
                          ("gone@example.com", "bounced"), ("sore@example.com", "complained")):
        assert bulletin("subscribers", "add", email).code == 0
        if status != "confirmed":
            with Store.open(listing / "output" / "bulletin.db") as store:
                found = store.subscribers.get(email)
                assert found is not None
                store.subscribers.set_status(found.id, status)
    with bulletin_serve(listing) as site:
        answers = {email: sign_up(site, email, client=n + 1) for n, email in enumerate(
            ["new@example.com", "in@example.com", "left@example.com", "gone@example.com",
             "sore@example.com"])}
        sent = settled(listing / "output" / "outbox" / "confirm")
    statuses = {status for status, _ in answers.values()}
    pages = {page.replace(email.encode(), b"ADDRESS") for email, (_, page) in answers.items()}
    assert statuses == {200} and len(pages) == 1
    # One who reported the list as spam is sent nothing, and stays complained.
    assert {str(m["To"]) for m in sent} == {"new@example.com", "left@example.com"}
    with Store.open(listing / "output" / "bulletin.db") as store:
        sore = store.subscribers.get("sore@example.com")
        assert sore is not None and sore.status == "complained"


def test_the_server_answers_while_confirmations_wait_on_a_slow_relay(listing: Path, tmp_path: Path) -> None:
    with smtp_server(tmp_path / "relay", "--delay", "3") as port:
        config = listing / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "    retry_seconds: 0.05\n", "    retry_seconds: 0.05\n    smtp:\n      host: 127.0.0.1\n"
            f"      port: {port}\n      security: none\n"), encoding="utf-8")
        with bulletin_serve(listing) as site:
            started = time.monotonic()
            answers = [sign_up(site, f"slow{n}@example.com", client=n + 1)[0] for n in range(10)]
            signed_up = time.monotonic() - started
            url = urlsplit(site)
            with closing(http.client.HTTPConnection(url.hostname, url.port, timeout=10)) as home:
                started = time.monotonic()
                home.request("GET", "/subscribe")
                assert home.getresponse().status == 200
                answered = time.monotonic() - started
    assert answers == [200] * 10
    # Generous bounds: ten sign-ups take no relay time at all, and the site is not held.
    assert signed_up < 10 and answered < 2
    assert len(received(tmp_path / "relay")) >= 1  # the worker did send, beside the requests


def test_behind_a_proxy_each_reader_is_counted_by_the_address_it_forwards(listing: Path) -> None:
    import subprocess
    import sys

    server = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", "0", "--proxy",
                               "127.0.0.1"], cwd=listing, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        port = int(server.stderr.readline().split(":")[-1].split("/")[0])
        answers = []
        for n in range(30):  # thirty readers through one proxy: each under its own limit
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with closing(connection):
                connection.request("POST", "/subscribe", f"email=far{n}%40example.com",
                                   {"Content-Type": "application/x-www-form-urlencoded",
                                    "X-Forwarded-For": f"203.0.113.{n + 1}"})
                answers.append(connection.getresponse().status)
    finally:
        server.terminate()
        server.wait(10)
    assert answers == [200] * 30
