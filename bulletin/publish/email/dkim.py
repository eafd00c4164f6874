"""DKIM signatures made by dkimpy, with the RSA step done by OpenSSL.

dkimpy canonicalises and hashes the message and writes the DKIM-Signature
header, but it does the RSA arithmetic in pure Python: 8.6 ms a signature on
a 2-core machine, holding the GIL the whole time, so a send tops out near
100 signed messages a second. OpenSSL (through ``cryptography``) makes the
same RSASSA-PKCS1-v1_5 signature, byte for byte (it is deterministic), in
0.4 ms and lets the other sending threads run meanwhile.

dkimpy has no hook for its RSA step, so the function it calls is wrapped: for
a key loaded here, and only after that key has given the same signature both
ways, OpenSSL signs; for anything else dkimpy's own code runs unchanged.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dkim
import dkim.crypto
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from bulletin.errors import PublishError

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"sha256": hashes.SHA256,
                                                          "sha1": hashes.SHA1}
_KEYS: dict[int, rsa.RSAPrivateKey] = {}  # modulus -> OpenSSL key, for keys that passed the check
_LOCK = threading.Lock()
_PURE_PYTHON: Callable[[Any, dict[str, int]], bytes] = dkim.crypto.RSASSA_PKCS1_v1_5_sign


def _sign_rsa(digest: Any, private_key: dict[str, int]) -> bytes:
    key = _KEYS.get(private_key["modulus"])
    algorithm = _HASHES.get(digest.name.lower())
    if key is None or algorithm is None:
        return _PURE_PYTHON(digest, private_key)
    return key.sign(digest.digest(), padding.PKCS1v15(), utils.Prehashed(algorithm()))


class Signer:
    """Signs messages for one selector and domain with one RSA key file."""

    def __init__(self, key_file: Path, selector: str, domain: str,
                 headers: tuple[bytes, ...]) -> None:
        self.pem = key_file.read_bytes()
        self.selector = selector.encode()
        self.domain = domain.encode()
        self.headers = list(headers)
        try:
            key = serialization.load_pem_private_key(self.pem, password=None)
        except (ValueError, TypeError) as exc:
            raise PublishError(f"email: dkim.key_file {key_file}: not an unencrypted PEM private "
                               f"key ({exc})") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise PublishError(f"email: dkim.key_file {key_file}: an RSA key is needed "
                               f"(rsa-sha256), this one is {type(key).__name__}")
        try:
            parsed = dkim.crypto.parse_pem_private_key(self.pem)
        except dkim.crypto.UnparsableKeyError as exc:
            raise PublishError(f"email: dkim.key_file {key_file}: dkimpy cannot read it "
                               f"({exc})") from None
        _use_openssl(key, parsed)

    def sign(self, message: bytes) -> bytes:
        """The message with its DKIM-Signature header in front."""
        return bytes(dkim.sign(message, self.selector, self.domain, self.pem,
                               include_headers=self.headers)) + message


def _use_openssl(key: rsa.RSAPrivateKey, parsed: dict[str, int]) -> None:
    with _LOCK:
        modulus = key.private_numbers().public_numbers.n
        if modulus in _KEYS or parsed["modulus"] != modulus:
            return
        probe = dkim.HashThrough(hashlib.sha256())
        probe.update(b"bulletin: does OpenSSL sign as dkimpy does?")
        expected = _PURE_PYTHON(probe, parsed)
        if key.sign(probe.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())) != expected:
            return  # a dkimpy that means something else by this function: leave it alone
        _KEYS[modulus] = key
        dkim.RSASSA_PKCS1_v1_5_sign = _sign_rsa  # the name dkim.DKIM.gen_header calls
