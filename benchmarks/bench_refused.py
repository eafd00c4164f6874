"""An SMTP server that refuses connections: how long a send takes to give up, and its CPU.

300 confirmed subscribers, DKIM-signed, the default retries (5 attempts, 2 s
backoff doubling), SMTP pointed at a loopback port nobody listens on. Prints
the wall time and the CPU time of the `bulletin publish` process. Run by hand:

    .venv/bin/python benchmarks/bench_refused.py [--subscribers 300]
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


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def setup(folder: Path, subscribers: int) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    shutil.copytree(ROOT / "demo", folder / "demo")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config[:config.index("\npublish:\n") + 1]  # the demo's own targets: this one instead
    config += ("publish:\n  - name: newsletter\n    type: email\n"
               "    from: Token Bulletin <news@bulletin.example.org>\n"
               "    base_url: https://bulletin.example.org\n"
               f"    smtp: {{host: 127.0.0.1, port: {closed_port()}, security: none}}\n"
               "    dkim: {selector: bench, key_file: dkim.pem}\n")
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    env = {**os.environ, "BULLETIN_SIGNING_KEY": KEY}
    subprocess.run([sys.executable, "-m", "bulletin", "collect", "--config",
                    str(folder / "config.yaml")], check=True, capture_output=True, env=env)
    subprocess.run([sys.executable, "-m", "bulletin", "render", "--config",
                    str(folder / "config.yaml")], check=True, capture_output=True, env=env)
    with sqlite3.connect(folder / "output" / "bulletin.db") as db:
        db.executemany("INSERT INTO subscribers (uid, email, locale, status, created_at, changed_at) "
                       "VALUES (?, ?, 'en', 'confirmed', '2026-03-01', '2026-03-01')",
                       ((secrets.token_urlsafe(16), f"reader{n:06d}@example.com")
                        for n in range(subscribers)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="a small run, to see it works")
    args = parser.parse_args()
    subscribers = 10 if args.quick else args.subscribers
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        setup(folder, subscribers)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "bulletin", "publish", "--week", "2026-W11",
                               "--config", str(folder / "config.yaml")], capture_output=True,
                              text=True, env={**os.environ, "BULLETIN_SIGNING_KEY": KEY})
        seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{subscribers} subscribers, server refusing connections: exit {done.returncode} in "
          f"{seconds:.2f} s, {cpu:.2f} s of CPU")
    print(done.stdout.strip() or done.stderr.strip())


if __name__ == "__main__":
    main()
