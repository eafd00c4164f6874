"""DKIM signing (RFC 6376): what bulletin signs, dkimpy verifies; a change to anything signed breaks it."""

from __future__ import annotations

from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bulletin.errors import PublishError
from bulletin.publish.email.dkim import Signer, relaxed_header, simple_body
from support.emailing import make_dkim_key

MESSAGE = (b"From: Token Bulletin <news@bulletin.example.org>\r\nTo: ana@example.com\r\n"
           b"Subject: China ahead again\r\nMessage-ID: <2026-W11.x@bulletin.example.org>\r\n\r\n"
           b"4.69 trillion tokens.\r\n")
HEADERS = (b"from", b"to", b"subject", b"message-id")


def _verified(signed: bytes, txt_record: bytes) -> bool:
    return bool(dkim.verify(signed, dnsfunc=lambda name, timeout=5: txt_record))


def test_dkimpy_verifies_the_signature_and_refuses_it_once_anything_signed_changes(
        tmp_path: Path) -> None:
    key_file, txt_record = make_dkim_key(tmp_path)
    signer = Signer(key_file, "w26", "bulletin.example.org", HEADERS)
    signed = signer.sign(MESSAGE, now=1773640800)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple;\r\n"
                             b" d=bulletin.example.org; s=w26; t=1773640800;\r\n"
                             b" h=from:to:subject:message-id;\r\n bh=")
    assert signed.endswith(b"\r\n" + MESSAGE)
    assert all(len(line) <= 78 for line in signed.split(b"\r\n"))
    assert _verified(signed, txt_record)
    assert not _verified(signed.replace(b"4.69 trillion", b"4.96 trillion"), txt_record)
    assert not _verified(signed.replace(b"China ahead", b"China behind"), txt_record)
    # An unsigned header may change on the way; a signed one may only be refolded (relaxed).
    assert _verified(signed.replace(b"To: ana@example.com", b"X-Spam: no\r\nTo: ana@example.com"), txt_record)
    assert _verified(signed.replace(b"Subject: China ahead again", b"Subject:  China\r\n\tahead  again "),
                     txt_record)


def test_folded_and_repeated_headers_and_trailing_blank_lines_verify(tmp_path: Path) -> None:
    key_file, txt_record = make_dkim_key(tmp_path)
    signer = Signer(key_file, "w26", "bulletin.example.org",
                    (b"from", b"to", b"subject", b"list-unsubscribe", b"x-absent"))
    message = (b"Received: by relay\r\nSubject: first\r\nFrom: news@bulletin.example.org\r\n"
               b"To: ana@example.com\r\nList-Unsubscribe: <https://bulletin.example.org/u?t=1>,\r\n"
               b" <mailto:unsubscribe@bulletin.example.org>\r\nSubject: second\r\n\r\nbody\r\n\r\n\r\n")
    signed = signer.sign(message)
    assert b" h=from:to:subject:list-unsubscribe;" in signed  # only the headers there are named
    assert _verified(signed, txt_record)
    assert not _verified(signed.replace(b"Subject: second", b"Subject: third"), txt_record)
    assert not _verified(signed.replace(b"u?t=1", b"u?t=2"), txt_record)
    assert _verified(signed + b"\r\n", txt_record)  # simple: more empty lines at the end change nothing


@pytest.mark.parametrize(("body", "canonical"), [(b"", b"\r\n"), (b"\r\n\r\n", b"\r\n"),
                                                 (b"a\r\n", b"a\r\n"), (b"a", b"a\r\n"),
                                                 (b"a\r\n\r\n\r\n", b"a\r\n"), (b" a \r\n", b" a \r\n")])
def test_the_simple_body_is_the_body_without_its_trailing_empty_lines(body: bytes, canonical: bytes) -> None:
    assert simple_body(body) == canonical


def test_a_relaxed_header_is_unfolded_and_its_spaces_collapsed() -> None:
    assert relaxed_header(b"SubJect :  China\r\n\t ahead   again \r\n") == b"subject:China ahead again"


def test_keys_that_cannot_sign_are_refused_up_front(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    with pytest.raises(PublishError, match=r"garbage.pem: not an unencrypted PEM private key"):
        Signer(garbage, "w26", "bulletin.example.org", HEADERS)
    curve = tmp_path / "ec.pem"
    curve.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(PublishError, match=r"ec.pem: an RSA key is needed"):
        Signer(curve, "w26", "bulletin.example.org", HEADERS)


def test_signatures_made_in_signing_processes_verify_from_many_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    key_file, txt_record = make_dkim_key(tmp_path)
    signer = Signer(key_file, "w26", "bulletin.example.org", HEADERS)
    messages = [MESSAGE.replace(b"ana@", f"reader{n}@".encode()) for n in range(40)]
    with signer.on_processes(2):
        workers = signer.remote.started if signer.remote else []
        assert len(workers) == 2
        with ThreadPoolExecutor(6) as pool:
            signed = list(pool.map(signer.sign, messages))
    assert all(worker.returncode == 0 for worker in workers)  # ended with their input
    assert signer.remote is None
    for original, message in zip(messages, signed, strict=True):
        assert message.endswith(b"\r\n" + original) and _verified(message, txt_record)
    # The same signature as in this process: the key and the bytes signed are the same.
    with signer.on_processes(2):
        assert signer.sign(MESSAGE, now=1773640800) == Signer(
            key_file, "w26", "bulletin.example.org", HEADERS).sign(MESSAGE, now=1773640800)


def test_a_signing_process_that_dies_stops_the_send_with_a_clear_error(tmp_path: Path) -> None:
    key_file, _ = make_dkim_key(tmp_path)
    signer = Signer(key_file, "w26", "bulletin.example.org", HEADERS)
    with signer.on_processes(2):
        assert signer.remote is not None
        for worker in signer.remote.started:
            worker.kill()
            worker.wait()
        with pytest.raises(PublishError, match=r"^email: a DKIM signing process stopped \(exit status -9\)$"):
            signer.sign(MESSAGE)
        with pytest.raises(PublishError, match="signing process stopped"):  # the next one too, at once
            signer.sign(MESSAGE)
