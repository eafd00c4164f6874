"""Signed links for confirming, unsubscribing and choosing editions and language.

A token is ``<uid>.<mac>``: the subscriber's random uid (never the row id, so
nothing can be guessed by counting) and an HMAC-SHA256 over the purpose, the
uid and the address. Changing the uid, the purpose or the address the uid
stands for breaks the MAC, so a token works for one address and one job only.

A confirmation token also carries the moment it was issued,
``<uid>.<issued>.<mac>`` (Unix seconds, under the MAC): each confirmation
mail has its own link, so the server can accept only the newest one and only
for a week. A preferences link (in every bulletin) carries the time its
bulletin was sent, and works for PREFERENCES_LIFETIME: a bulletin forwarded
long ago does not let whoever has it change the reader's choices for ever,
and each new bulletin brings a new link. An unsubscribe link carries no
time: RFC 8058 wants it to work for as long as the mail is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import timedelta

from bulletin.errors import PublishError

PURPOSES = ("confirm", "unsubscribe", "preferences")
TIMED = ("confirm", "preferences")  # purposes whose tokens carry the moment they were made
PREFERENCES_LIFETIME = timedelta(days=60)  # a preferences link in a bulletin, from its sending
MIN_KEY_BYTES = 16


def key_from_env(variable: str) -> bytes:
    value = os.environ.get(variable, "")
    if not value:
        raise PublishError(f"email: environment variable {variable} is not set "
                           "(it holds the key that signs confirm, unsubscribe and preferences links)")
    if len(value.encode()) < MIN_KEY_BYTES:
        raise PublishError(f"email: the key in {variable} is too short "
                           f"(at least {MIN_KEY_BYTES} bytes; `openssl rand -hex 32` makes one)")
    return value.encode()


def _mac(key: bytes, purpose: str, uid: str, email: str, issued: int | None = None) -> str:
    when = "" if issued is None else f"\n{issued}"
    message = f"{purpose}\n{uid}\n{email.lower()}{when}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make(key: bytes, purpose: str, uid: str, email: str, issued: int | None = None) -> str:
    """A link's token; ``issued`` (Unix seconds) is required for a confirmation or preferences."""
    assert purpose in PURPOSES
    if purpose in TIMED:
        assert issued is not None, f"a {purpose} token carries its issue time"
        return f"{uid}.{issued}.{_mac(key, purpose, uid, email, issued)}"
    return f"{uid}.{_mac(key, purpose, uid, email)}"


def uid_of(token: str) -> str | None:
    uid, dot, mac = token.partition(".")
    return uid if dot and uid and mac else None


def issued_at(token: str) -> int | None:
    """When a confirmation or preferences token was made (Unix seconds), or None if it says no time."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit() or len(parts[1]) > 12:
        return None
    return int(parts[1])


def valid(key: bytes, token: str, purpose: str, uid: str, email: str) -> bool:
    """Whether ``token`` was made by ``make(key, purpose, uid, email[, issued])``."""
    if purpose in TIMED:
        issued = issued_at(token)
        if issued is None:
            return False  # an old confirmation token without a time: not accepted
        expected = _mac(key, purpose, uid, email, issued)
    else:
        expected = _mac(key, purpose, uid, email)
    mac = token.rsplit(".", 1)[-1]
    return hmac.compare_digest(mac.encode(), expected.encode()) and uid_of(token) == uid
