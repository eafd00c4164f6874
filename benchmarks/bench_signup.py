"""Time sign-ups on the real `bulletin serve`: does a new address answer as fast as a known one?

A sign-up's answer must not tell whether an address is on the list. Its page
is the same (tests/test_subscribe_limits.py); this measures the other channel,
time: REQUESTS sign-ups of new addresses and as many of known ones (confirmed,
unsubscribed, bounced, in turn), interleaved, each its own connection from
its own loopback address, with a relay that takes a second a message (the
recording SMTP server of the tests: the confirmations go out from the server's
worker, never inside the request). The goal is medians within 50 ms of each
other. Run by hand:

    .venv/bin/python benchmarks/bench_signup.py [--requests 50]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RECORDER = ROOT / "tests" / "support" / "smtp_recorder.py"  # aiosmtpd: the [test] extra
KEY = "benchmark-signing-key-0123456789abcdef"
KNOWN = ("confirmed", "unsubscribed", "bounced")


def setup(folder: Path, known: int, relay: int) -> None:
    shutil.copytree(ROOT / "demo", folder / "demo")
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config[:config.index("\npublish:\n") + 1]
    config += ("publish:\n  - name: site\n    type: site\n    base_url: https://bulletin.example.org\n"
               "  - name: newsletter\n    type: email\n"
               "    from: Token Bulletin <news@bulletin.example.org>\n"
               "    base_url: https://bulletin.example.org\n"
               "    signups_per_hour: 100000\n    signups_per_client: 100000\n"
               f"    smtp: {{host: 127.0.0.1, port: {relay}, security: none}}\n")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "bulletin", "run", "-q"], cwd=folder, check=True,
                   env={**os.environ, "BULLETIN_SIGNING_KEY": KEY})
    with sqlite3.connect(folder / "output" / "bulletin.db") as db:
        db.executemany("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                       "VALUES (?, ?, 'en', ?, '2026-03-01', '2026-03-01')",
                       ((f"uid{n}", f"known{n}@example.com", KNOWN[n % 3]) for n in range(known)))


def sign_up(port: int, email: str, client: int) -> float:
    """One sign-up as a browser posts it; the seconds until the whole answer is read."""
    source = f"127.0.{3 + client // 250}.{client % 250 + 1}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    started = time.perf_counter()
    with closing(connection):
        connection.request("POST", "/subscribe", f"email={quote(email)}",
                           {"Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        answer.read()
    took = time.perf_counter() - started
    assert answer.status == 200, (email, answer.status)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="five of each, to see it works")
    args = parser.parse_args()
    count = 5 if args.quick else args.requests
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        relay = subprocess.Popen([sys.executable, str(RECORDER), str(folder / "relay"), "--delay", "1"],
                                 stdout=subprocess.PIPE, text=True)
        assert relay.stdout is not None
        setup(folder, count, int(relay.stdout.readline()))
        server = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", "0"], cwd=folder,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "BULLETIN_SIGNING_KEY": KEY})
        try:
            assert server.stderr is not None
            found = re.search(r":(\d+)/", server.stderr.readline())
            assert found, "bulletin serve did not start"
            port = int(found[1])
            sign_up(port, "warm-up@example.com", 0)  # the first request loads the templates
            new, known = [], []
            for n in range(count):
                new.append(sign_up(port, f"new{n}@example.com", 2 * n + 1))
                known.append(sign_up(port, f"known{n}@example.com", 2 * n + 2))
        finally:
            server.terminate()
            server.wait(10)
            relay.terminate()
            relay.wait(10)
    for label, samples in ((f"new address ({count})", new), (f"known address ({count})", known)):
        print(f"{label}: median {statistics.median(samples) * 1000:.1f} ms, "
              f"max {max(samples) * 1000:.1f} ms")
    gap = abs(statistics.median(new) - statistics.median(known)) * 1000
    print(f"medians differ by {gap:.1f} ms (goal: under 50)")


if __name__ == "__main__":
    main()
