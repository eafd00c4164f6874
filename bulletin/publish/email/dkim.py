"""DKIM signatures (RFC 6376, rsa-sha256, relaxed/simple), made here, verified by dkimpy in the tests.

Why not dkimpy, the well-kept library: it signs with its own pure-Python RSA
(``pow`` on Python integers), 5.8 ms a bulletin message against 0.24 ms here,
and even on two processes it would sign at a fifth of the unsigned sending
rate. Its verifier checks every signature made here in the tests.

Signing a bulletin is hashing and one RSA operation. The messages are the ones
message.py writes (CRLF lines, ASCII headers, a base64 body), so the body is
canonicalised by trimming its end and hashed by hashlib; only the dozen signed
header lines go through Python. The RSA step is OpenSSL's (through
``cryptography``), which holds the GIL while it signs (two threads sign no
faster than one, measured), so a send to many subscribers hands it to
SigningProcesses on the other cores and the sending threads go on meanwhile.
"""

from __future__ import annotations

import base64
import hashlib
import queue
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from bulletin.errors import PublishError
from bulletin.publish.email.dkim_worker import read_exactly, write_all

_WSP = re.compile(rb"[ \t]+")
_FOLD = re.compile(rb"\r\n(?=[ \t])")
_LINE = 74  # where the signature header is folded, short of the 78 that RFC 5322 advises


class Signer:
    """Signs messages for one selector and domain with one RSA key file."""

    def __init__(self, key_file: Path, selector: str, domain: str,
                 headers: tuple[bytes, ...]) -> None:
        self.pem = key_file.read_bytes()
        try:
            key = serialization.load_pem_private_key(self.pem, password=None)
        except (ValueError, TypeError) as exc:
            raise PublishError(f"email: dkim.key_file {key_file}: not an unencrypted PEM private "
                               f"key ({exc})") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise PublishError(f"email: dkim.key_file {key_file}: an RSA key is needed "
                               f"(rsa-sha256), this one is {type(key).__name__}")
        self.key = key
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.headers = tuple(name.lower() for name in headers)
        self.remote: SigningProcesses | None = None

    @contextmanager
    def on_processes(self, count: int) -> Iterator[None]:
        """Within: the RSA step runs in ``count`` signing processes (below 2, here as before)."""
        if count < 2:
            yield
            return
        processes = SigningProcesses(self.pem, self.key.key_size // 8, count)
        self.remote = processes
        try:
            yield
        finally:
            self.remote = None
            processes.close()

    def sign(self, message: bytes, now: float | None = None) -> bytes:
        """The message with its DKIM-Signature header in front."""
        head, _, body = message.partition(b"\r\n\r\n")
        fields = _fields(head + b"\r\n")
        # RFC 6376 5.4.2: of a header that occurs more than once, the last is signed.
        chosen = [(name, fields[name][-1]) for name in self.headers if name in fields]
        tags = [b"v=1", b"a=rsa-sha256", b"c=relaxed/simple", b"d=" + self.domain,
                b"s=" + self.selector, b"t=%d" % int(time.time() if now is None else now),
                b"h=" + b":".join(name for name, _ in chosen),
                b"bh=" + base64.b64encode(hashlib.sha256(simple_body(body)).digest()), b"b="]
        header = _folded(b"DKIM-Signature: ", tags)
        # The signature covers the signed headers and its own header with b= empty.
        signed = b"".join(relaxed_header(field) + b"\r\n" for _, field in chosen) + relaxed_header(header)
        digest = hashlib.sha256(signed).digest()
        remote = self.remote
        signature = remote.sign(digest) if remote else \
            self.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        encoded = base64.b64encode(signature)
        first = max(8, _LINE - len(header.rsplit(b"\n", 1)[-1]))
        lines = [encoded[:first]] + [encoded[i:i + _LINE - 1] for i in range(first, len(encoded), _LINE - 1)]
        return header + b"\r\n ".join(line for line in lines if line) + b"\r\n" + message


class SigningProcesses:
    """A few dkim_worker processes, each lent to one sending thread per signature.

    The sending thread waits for its signature in a blocking read, without the
    GIL, so the others build and send messages while the worker signs.
    """

    def __init__(self, pem: bytes, signature_size: int, count: int) -> None:
        self.size = signature_size
        self.idle: queue.SimpleQueue[subprocess.Popen[bytes]] = queue.SimpleQueue()
        self.started: list[subprocess.Popen[bytes]] = []
        try:
            for _ in range(count):
                # -P: the working directory is not searched first for a module named bulletin.
                worker = subprocess.Popen([sys.executable, "-P", "-m", "bulletin.publish.email.dkim_worker"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
                self.started.append(worker)
                write_all(_fd(worker.stdin), len(pem).to_bytes(4, "big") + pem)
            for worker in self.started:  # started all first, so they load the key at once
                if read_exactly(_fd(worker.stdout), 1) != b"+":
                    raise self._ended(worker)
                self.idle.put(worker)
        except OSError as exc:
            self.close()
            raise PublishError(f"email: cannot start a DKIM signing process: {exc}") from None
        except BaseException:
            self.close()
            raise

    def sign(self, digest: bytes) -> bytes:
        worker = self.idle.get()
        try:
            write_all(_fd(worker.stdin), digest)
            signature = read_exactly(_fd(worker.stdout), self.size)
        except OSError:  # a broken pipe: the worker is gone
            signature = b""
        finally:
            # Back even when it died, so that every thread meets the error instead of waiting.
            self.idle.put(worker)
        if len(signature) != self.size:
            raise self._ended(worker)
        return signature

    def _ended(self, worker: subprocess.Popen[bytes]) -> PublishError:
        try:
            code = worker.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        return PublishError(f"email: a DKIM signing process stopped (exit status {code})")

    def close(self) -> None:
        for worker in self.started:
            if worker.stdin:
                worker.stdin.close()  # its end of input: the worker exits
        for worker in self.started:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            if worker.stdout:
                worker.stdout.close()
        self.started = []


def _fd(stream: object) -> int:
    assert stream is not None
    return stream.fileno()  # type: ignore[attr-defined]


def simple_body(body: bytes) -> bytes:
    """RFC 6376 3.4.3: the body without its trailing empty lines, ending with one CRLF."""
    end = len(body)
    while body.endswith(b"\r\n", 0, end):
        end -= 2
    return body[:end] + b"\r\n" if end else b"\r\n"


def relaxed_header(field: bytes) -> bytes:
    """RFC 6376 3.4.2: name in lower case, unfolded, runs of space as one, no space at the ends."""
    name, _, value = field.partition(b":")
    value = _WSP.sub(b" ", _FOLD.sub(b"", value.rstrip(b"\r\n"))).strip(b" ")
    return name.strip(b" \t").lower() + b":" + value


def _fields(head: bytes) -> dict[bytes, list[bytes]]:
    """Each header field with its continuation lines, by lower-case name, in order."""
    found: dict[bytes, list[bytes]] = {}
    for field in re.split(rb"\r\n(?![ \t])", head):
        if field:
            found.setdefault(field.split(b":", 1)[0].strip(b" \t").lower(), []).append(field)
    return found


def _folded(start: bytes, tags: list[bytes]) -> bytes:
    """``start`` and the tags joined with "; ", a line broken before a tag that would pass _LINE."""
    out, line = [start], len(start)
    for n, tag in enumerate(tags):
        text = tag + (b";" if n < len(tags) - 1 else b"")
        if line + len(text) + 1 > _LINE and line > len(start):
            out.append(b"\r\n ")
            line = 1
        elif n:
            out.append(b" ")
            line += 1
        out.append(text)
        line += len(text)
    return b"".join(out)
