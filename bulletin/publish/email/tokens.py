"""Signed links for confirming and unsubscribing.

A token is ``<uid>.<mac>``: the subscriber's random uid (never the row id, so
nothing can be guessed by counting) and an HMAC-SHA256 over the purpose, the
uid and the address. Changing the uid, the purpose or the address the uid
stands for breaks the MAC, so a token works for one address and one job only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from bulletin.errors import PublishError

PURPOSES = ("confirm", "unsubscribe")
MIN_KEY_BYTES = 16


def key_from_env(variable: str) -> bytes:
    value = os.environ.get(variable, "")
    if not value:
        raise PublishError(f"email: environment variable {variable} is not set "
                           "(it holds the key that signs confirm and unsubscribe links)")
    if len(value.encode()) < MIN_KEY_BYTES:
        raise PublishError(f"email: the key in {variable} is too short "
                           f"(at least {MIN_KEY_BYTES} bytes; `openssl rand -hex 32` makes one)")
    return value.encode()


def _mac(key: bytes, purpose: str, uid: str, email: str) -> str:
    message = f"{purpose}\n{uid}\n{email.lower()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make(key: bytes, purpose: str, uid: str, email: str) -> str:
    assert purpose in PURPOSES
    return f"{uid}.{_mac(key, purpose, uid, email)}"


def uid_of(token: str) -> str | None:
    uid, dot, mac = token.partition(".")
    return uid if dot and uid and mac else None


def valid(key: bytes, token: str, purpose: str, uid: str, email: str) -> bool:
    """Whether ``token`` was made by ``make(key, purpose, uid, email)``."""
    _, _, mac = token.partition(".")
    return hmac.compare_digest(mac.encode(), _mac(key, purpose, uid, email).encode()) and \
        uid_of(token) == uid
