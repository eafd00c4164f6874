"""Helpers for the email tests: a real SMTP server process, a project set up to mail."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from bulletin.config.load import load_config
from bulletin.store.database import Store

HERE = Path(__file__).resolve().parent
KEY = "test-signing-key-0123456789abcdef"


@contextmanager
def smtp_server(folder: Path, *options: str) -> Iterator[int]:
    """The recording SMTP server (tests/support/smtp_recorder.py) in its own process; yields its port."""
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


def confirmations(folder: Path, at_least: int = 1, within: float = 10.0) -> list[EmailMessage]:
    """The confirmation emails in ``folder`` once ``bulletin serve``'s worker has sent at least
    ``at_least`` (it sends them beside the requests, within a second or two)."""
    deadline = time.monotonic() + within
    while len(list(folder.glob("*.eml"))) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    return received(folder)


def settled(folder: Path, quiet: float = 1.5) -> list[EmailMessage]:
    """What is in ``folder`` once the worker has had time to send anything it was going to."""
    time.sleep(quiet)
    return received(folder)


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


def ledger(project: Path, week: str = "2026-W11") -> dict[str, tuple[str, int, str]]:
    config = load_config(project / "config.yaml")
    with Store.open(config.database) as store:
        rows = store.db.execute("SELECT s.email, e.state, e.attempts, e.detail FROM email_sends e "
                                "JOIN subscribers s ON s.id = e.subscriber WHERE week = ?", (week,))
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def make_dkim_key(folder: Path) -> tuple[Path, bytes]:
    """A fresh RSA key for signing, and the DNS TXT record that publishes its public half."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "dkim.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, and its key."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
