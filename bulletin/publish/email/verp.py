"""VERP: each subscriber's copy of a week goes out with an envelope sender of its own.

With ``bounce_address: bounces@news.example.org`` the copy of 2026-W11 for one
subscriber leaves with ``MAIL FROM:<bounces+b-<uid>-2026w11-<mac>@news.example.org>``.
A bounce comes back to that address, so the address itself says whose copy
bounced, whatever the bouncing server writes in its report (many quote a
forwarded or rewritten recipient, or none).

The token is ``b-<uid>-<week>-<mac>``:

* ``uid``: the subscriber's random uid (16 bytes, the same the unsubscribe
  links name), in base32: never the address, never the row id;
* ``week``: ``2026w11``;
* ``mac``: the first 8 bytes of an HMAC-SHA256, under the key that signs the
  subscribers' links (tokens.py), over the purpose, the uid, the address and
  the week. Anyone can send mail to the bounce address; only a token this
  list made names a subscriber.

Lower-case base32 and digits only: some servers fold the case of a local
part, and every character is one RFC 5321 allows unquoted. The token is 50
characters, so the bounce address's local part may have 13 at most before the
``+`` (RFC 5321: a local part holds 64 octets).

The same address carries the copy's unsubscribe-by-mail request: its
``List-Unsubscribe`` header offers ``mailto:bounces+u-<uid>-<week>-<mac>@...``
beside the https one-click link. A ``u-`` token is made the same way under
another purpose, so a bounce token cannot unsubscribe anyone and an
unsubscribe token cannot bounce anyone. A mail client writes the address in
the request's ``To`` and the MTA in its ``Delivered-To``; the request's
subject carries the token as well, for a relay that rewrites the recipient.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from bulletin.records import record
from bulletin.weeks import IsoWeek

BOUNCE, UNSUBSCRIBE = "b", "u"  # a token's first letter: what it may be used for
PURPOSES = {BOUNCE: "bounce", UNSUBSCRIBE: "unsubscribe-by-mail"}  # what its MAC is made over
MAC_BYTES = 8  # 64 bits: a forger must send ~2^63 reports to hit one subscriber's token
_BODY = r"[bu]-[a-z2-7]{26}-[0-9]{4}w[0-9]{2}-[a-z2-7]{13}"
TOKEN = re.compile(rf"\+({_BODY})@", re.IGNORECASE)
BARE_TOKEN = re.compile(rf"(?<![a-z0-9-])({_BODY})(?![a-z0-9-])", re.IGNORECASE)  # in a subject
TOKEN_LENGTH = 50
LOCAL_PART_MAX = 64  # RFC 5321 section 4.5.3.1.1
DELIMITER = "+"


@record
class Token:
    """What a token that parses says, before its MAC is checked against the subscriber."""

    text: str
    uid: str
    week: IsoWeek
    purpose: str  # BOUNCE or UNSUBSCRIBE: what it was made for


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _mac(key: bytes, uid: str, email: str, week: IsoWeek, purpose: str) -> str:
    message = f"{PURPOSES[purpose]}\n{uid}\n{email.lower()}\n{week}".encode()
    return _b32(hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES])


def _week_text(week: IsoWeek) -> str:
    return str(week).lower().replace("-", "")  # 2026-W11 -> 2026w11


def _uid_bytes(uid: str) -> bytes:
    """The 16 random bytes a uid (``secrets.token_urlsafe(16)``) stands for."""
    raw = base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4))
    if len(raw) != 16 or base64.urlsafe_b64encode(raw).decode().rstrip("=") != uid:
        raise ValueError(f"not a subscriber uid: {uid!r}")
    return raw


def make(key: bytes, uid: str, email: str, week: IsoWeek, purpose: str = BOUNCE) -> str:
    return (f"{purpose}-{_b32(_uid_bytes(uid))}-{_week_text(week)}-"
            f"{_mac(key, uid, email, week, purpose)}")


def envelope_sender(bounce_address: str, token: str) -> str:
    """``bounces@example.org`` and a token: ``bounces+TOKEN@example.org``."""
    local, _, domain = bounce_address.rpartition("@")
    return f"{local}{DELIMITER}{token}@{domain}"


def unsubscribe_mailto(bounce_address: str, token: str) -> str:
    """The ``mailto:`` URI of a copy's ``List-Unsubscribe`` (RFC 2369) for an UNSUBSCRIBE token.

    The token is in the address and in the subject (RFC 6068 ``?subject=``): a
    client that sends the request as the header says keeps both, and either one
    names the subscriber.
    """
    return f"mailto:{envelope_sender(bounce_address, token)}?subject=unsubscribe%20{token}"


def local_part_room(bounce_address: str) -> str | None:
    """Why ``bounce_address`` cannot carry a token, or None when it can."""
    local = bounce_address.rpartition("@")[0]
    if DELIMITER in local:
        return f"its local part may not hold {DELIMITER!r}: the token follows the first one"
    most = LOCAL_PART_MAX - len(DELIMITER) - TOKEN_LENGTH
    if len(local) > most:
        return (f"its local part {local!r} is longer than {most} characters: with the "
                f"{TOKEN_LENGTH}-character token it would pass RFC 5321's 64")
    return None


def find(text: str, bare: bool = False) -> list[Token]:
    """Every well-formed token in ``text`` (an address, or a header's value), in order.

    ``bare``: tokens standing alone (a subject's words), not only after the ``+`` of an address.
    """
    found = []
    for match in (BARE_TOKEN if bare else TOKEN).finditer(text):
        token = match.group(1).lower()
        purpose, uid32, week, _mac_text = token.split("-")
        try:
            uid = base64.urlsafe_b64encode(base64.b32decode(uid32.upper() + "======")).decode()
            parsed = IsoWeek.parse(f"{week[:4]}-W{week[5:]}")
        except (binascii.Error, ValueError):
            continue
        found.append(Token(token, uid.rstrip("="), parsed, purpose))
    return found


def valid(key: bytes, token: Token, uid: str, email: str) -> bool:
    """Whether ``token`` was made by ``make(key, uid, email, token.week, token.purpose)``."""
    expected = make(key, uid, email, token.week, token.purpose)
    return token.uid == uid and hmac.compare_digest(token.text.encode(), expected.encode())
