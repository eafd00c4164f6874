"""DKIM signing: OpenSSL does the RSA step, and the result is dkimpy's own, byte for byte."""

from __future__ import annotations

from pathlib import Path

import dkim
import dkim.crypto
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bulletin.errors import PublishError
from bulletin.publish.email.dkim import Signer
from support.emailing import make_dkim_key

MESSAGE = (b"From: Token Bulletin <news@bulletin.example.org>\r\nTo: ana@example.com\r\n"
           b"Subject: China ahead again\r\nMessage-ID: <2026-W11.x@bulletin.example.org>\r\n\r\n"
           b"4.69 trillion tokens.\r\n")
HEADERS = (b"from", b"to", b"subject", b"message-id")


def test_the_signature_is_dkimpys_own_and_verifies(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    key_file, txt_record = make_dkim_key(tmp_path)
    signer = Signer(key_file, "w26", "bulletin.example.org", HEADERS)
    # dkimpy's own (pure-Python) RSA step stays in dkim.crypto; the name dkim.sign calls
    # is taken over for the key just loaded.
    pure_python = dkim.crypto.RSASSA_PKCS1_v1_5_sign
    assert dkim.RSASSA_PKCS1_v1_5_sign is not pure_python
    assert dkim.RSASSA_PKCS1_v1_5_sign.__module__ == Signer.__module__
    signed = signer.sign(MESSAGE)
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: txt_record)
    # The same message signed by dkimpy's pure-Python RSA, in the same second.
    monkeypatch.setattr(dkim, "RSASSA_PKCS1_v1_5_sign", pure_python)
    timestamp = signed.split(b"t=")[1].split(b";")[0]
    monkeypatch.setattr("time.time", lambda: int(timestamp))
    assert dkim.sign(MESSAGE, b"w26", b"bulletin.example.org", key_file.read_bytes(),
                     include_headers=list(HEADERS)) + MESSAGE == signed


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
