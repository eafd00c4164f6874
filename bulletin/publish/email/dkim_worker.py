"""A signing process: RSA signatures for digests read on stdin, written to stdout.

Started by dkim.SigningProcesses as ``python -m bulletin.publish.email.dkim_worker``.
The protocol is fixed-size so it needs no framing: first a 4-byte big-endian
length and the PEM key (on the pipe, never on the command line, where `ps`
would show it), answered by one byte b"+" once the key is loaded; then, for
each 32-byte SHA-256 digest read, the key's signature (key_size / 8 bytes) is
written. End of input ends the process, so a killed sender leaves none behind.
"""

from __future__ import annotations

import os
import sys

DIGEST = 32


def read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, or fewer only at its end."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main() -> int:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    length = int.from_bytes(read_exactly(stdin, 4) or b"\0", "big")
    key = serialization.load_pem_private_key(read_exactly(stdin, length), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        return 2  # the parent checked the key already; this is a protocol error
    write_all(stdout, b"+")
    pad, prehashed = padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    while len(digest := read_exactly(stdin, DIGEST)) == DIGEST:
        write_all(stdout, key.sign(digest, pad, prehashed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
