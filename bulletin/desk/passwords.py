"""Editors' passwords: hashed with argon2id (argon2-cffi's defaults, RFC 9106's second choice).

A password is never stored, logged or shown; the store keeps its hash only.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bulletin.errors import BulletinError

_HASHER = PasswordHasher()
MIN_LENGTH = 12  # characters: a desk that can publish deserves more than a PIN
MAX_LENGTH = 1024  # hashing a megabyte on every attempt would be a way to tire the server
# Checked against when the user is unknown, so that an unknown name takes as long to refuse
# as a wrong password (no telling which editors exist by the time an answer takes).
_NOBODY = _HASHER.hash("no editor has this password")
# Each check takes 64 MiB for a moment (argon2-cffi's memory cost): a burst of sign-ins on every
# server thread at once would take half a gigabyte. Two at a time; the others wait their turn.
_CHECKING = threading.BoundedSemaphore(2)


def make(password: str) -> str:
    """The hash to store for ``password``; a password too short or too long is refused."""
    if len(password) < MIN_LENGTH:
        raise BulletinError(f"the password is shorter than {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise BulletinError(f"the password is longer than {MAX_LENGTH} characters")
    return _HASHER.hash(password)


def matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (None: no such editor)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        with _CHECKING:
            return _HASHER.verify(stored or _NOBODY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def outdated(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
