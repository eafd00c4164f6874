"""Email throughput: N confirmed subscribers to a local SMTP sink, with and without DKIM.

Run by hand (not in CI):  .venv/bin/python benchmarks/bench_email.py [--subscribers 100000]

Needs Debian's postfix for `smtp-sink` and `smtp-source`:
    apt-get install -y -o DPkg::Lock::Timeout=600 postfix
(pass --install to have this script do it). Prints, for each run: messages per
second, the CPU time a message costs (the `bulletin publish` process with
its DKIM signing processes: the figure that other load on the machine moves
least), the sender's peak memory (max RSS of the `bulletin publish` process),
and the sink's own ceiling measured with smtp-source in the same session.
The unsigned and the signed sends take turns (--rounds, 4 of each by default,
each a quarter of the subscribers), and the totals give the ratio.

``--china 0.5``: that share of the readers chose the China edition only, the
rest the main bulletin, so the same number of copies goes out in two mailings
(the week's and its edition's), each through its own rows of the send ledger.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = secrets.token_hex(32)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sink(port: int) -> subprocess.Popen[bytes]:
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink = subprocess.Popen(["smtp-sink", *user, f"127.0.0.1:{port}", "1000"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return sink
        except OSError:
            time.sleep(0.05)
    raise SystemExit("smtp-sink did not start")


def sink_ceiling(port: int, size: int, count: int, sessions: int) -> float:
    started = time.monotonic()
    subprocess.run(["smtp-source", "-s", str(sessions), "-m", str(count), "-l", str(size),
                    "-f", "news@bulletin.example.org", "-t", "reader@example.com",
                    f"127.0.0.1:{port}"], check=True)
    return count / (time.monotonic() - started)


EDITION = 'editions:\n  - {name: china, title: "China\'s AI models on OpenRouter", country: CN}\n'


def setup(folder: Path, port: int, concurrency: int, editions: bool = False) -> Path:
    shutil.copytree(ROOT / "demo", folder / "demo")
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config[:config.index("\npublish:\n") + 1]  # the demo's own targets: this one instead
    config += EDITION if editions else ""
    config += ("publish:\n  - name: newsletter\n    type: email\n"
               "    from: Token Bulletin <news@bulletin.example.org>\n"
               "    base_url: https://bulletin.example.org\n"
               f"    concurrency: {concurrency}\n"
               f"    smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "bulletin", "run", "--config", str(folder / "config.yaml")],
                   check=True, capture_output=True, env={**os.environ, "BULLETIN_SIGNING_KEY": KEY})
    return folder / "output" / "bulletin.db"


def add_subscribers(database: Path, count: int, china: float = 0.0) -> None:
    """``count`` confirmed readers, the share ``china`` of them reading the China edition only."""
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM email_sends")
        if china:
            db.execute("DELETE FROM subscriber_editions")
        db.execute("DELETE FROM subscribers")
        db.executemany("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                       "VALUES (?, ?, ?, 'confirmed', '2026-03-01', '2026-03-01')",
                       ((secrets.token_urlsafe(16), f"reader{n:06d}@example.com",
                         "zh" if n % 10 == 0 else "en") for n in range(count)))
        if china:
            db.execute("INSERT INTO subscriber_editions (subscriber, edition) SELECT id, 'china' "
                       "FROM subscribers WHERE id % 1000 < ?", (round(china * 1000),))


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def send(folder: Path, config: str) -> tuple[float, float, float, str]:
    """Seconds, CPU seconds (the sender with its signing processes), peak RSS in MB, the report line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = _cpu()
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bulletin", "publish", "--week", "2026-W11",
                           "--to", "email", "--config", str(folder / config)],
                          capture_output=True, text=True, env={**os.environ, "BULLETIN_SIGNING_KEY": KEY})
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, _cpu() - cpu, max(peak, before) / 1024, "; ".join(done.stdout.strip().splitlines())


def add_dkim(folder: Path) -> str:
    """A second config, the first with a DKIM key; its name."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    config = (folder / "config.yaml").read_text(encoding="utf-8")
    (folder / "config-dkim.yaml").write_text(config + "    dkim: {selector: bench, key_file: dkim.pem}\n",
                                             encoding="utf-8")
    return "config-dkim.yaml"


class Tally:
    """One kind of send (signed or not) summed over the rounds."""

    def __init__(self, label: str) -> None:
        self.label, self.messages, self.seconds, self.cpu, self.peak = label, 0, 0.0, 0.0, 0.0

    def add(self, messages: int, seconds: float, cpu: float, peak: float, line: str) -> None:
        self.messages += messages
        self.seconds += seconds
        self.cpu += cpu
        self.peak = max(self.peak, peak)
        print(f"  {self.label}: {messages:,} messages in {seconds:.1f} s = {messages / seconds:,.0f}/s, "
              f"CPU {1000 * cpu / messages:.3f} ms each ({line}); load average {os.getloadavg()[0]:.2f}")

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def line(self) -> str:
        return (f"{self.label}: {self.messages:,} messages in {self.seconds:.1f} s = {self.rate:,.0f} "
                f"messages/s ({1000 / self.rate:.3f} ms each, CPU {1000 * self.cpu / self.messages:.3f} "
                f"ms each), peak memory {self.peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--dkim-subscribers", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4, help="unsigned and signed sends, in turn")
    parser.add_argument("--install", action="store_true", help="apt-get install postfix first")
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    parser.add_argument("--china", type=float, default=0.0,
                        help="the share of readers who chose the China edition only (0 to 1)")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.dkim_subscribers, args.rounds = 200, 200, 2
    if args.install:
        subprocess.run(["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=600", "postfix"],
                       check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not shutil.which("smtp-sink"):
        raise SystemExit("smtp-sink not found: apt-get install postfix (or pass --install)")
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    port = free_port()
    sink = start_sink(port)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            database = setup(folder, port, args.concurrency, editions=bool(args.china))
            html = folder / "output" / "bulletins" / "2026-W11" / "bulletin.html"
            size = html.stat().st_size * 3  # roughly both parts, base64-encoded
            ceiling = sink_ceiling(port, size, 20_000, args.concurrency)
            print(f"smtp-sink ceiling (smtp-source, {args.concurrency} sessions, {size} bytes): "
                  f"{ceiling:,.0f} messages/s")
            dkim = add_dkim(folder)
            unsigned = Tally("without DKIM")
            signed = Tally("with DKIM (rsa-sha256, 2048 bits)")
            # Unsigned and signed sends take turns, so that other load on the
            # machine, which comes and goes, weighs on both alike.
            for _ in range(args.rounds):
                for tally, config, count in ((unsigned, "config.yaml", args.subscribers),
                                             (signed, dkim, args.dkim_subscribers)):
                    add_subscribers(database, count // args.rounds, args.china)
                    tally.add(count // args.rounds, *send(folder, config))
            print(unsigned.line())
            print(signed.line())
            # The goal: signing costs at most as much again as everything else a message costs.
            print(f"signed / unsigned: {signed.rate / unsigned.rate:.2f} (goal: at least 0.50)")
            print(f"load average after: {os.getloadavg()}")
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
