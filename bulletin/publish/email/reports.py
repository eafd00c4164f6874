"""What one message that came back to the bounce address says, read with the ``email`` package.

It is one of:

* a delivery status notification (RFC 3464: ``multipart/report;
  report-type=delivery-status``): a 5.x.x status is a hard bounce, a 4.x.x
  one (the server gave up for now, or only warns of a delay) a soft one;
* an abuse report (RFC 5965 ARF: ``report-type=feedback-report``, a
  ``Feedback-Type`` of abuse, fraud or other): a complaint;
* a request to unsubscribe: any other message sent to a copy's
  ``List-Unsubscribe`` mailto address (verp.unsubscribe_mailto), whatever it
  says, as RFC 2369 has it;
* anything else (an auto-reply, spam, a success notice): nothing to act on.

Whose copy it was is told by the VERP tokens (verp.py) in the envelope's
headers only: the recipient the MTA says it delivered to (``Delivered-To``,
``X-Original-To``, the pipe's ``ORIGINAL_RECIPIENT``), then ``To``. An
address a report names in its body (``Final-Recipient``, the returned
message's ``To``) is never used: anyone can write one. A feedback loop
reports to its own registered address, so for an abuse report the returned
message's ``Return-Path`` is read too: it can only hold a token, which is
signed, never an address this module would believe.

A bounce or complaint is matched by its bounce tokens only, an unsubscribe
request by its unsubscribe tokens only (those of the envelope's headers, then
of its Subject).
"""

from __future__ import annotations

import hashlib
import re
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value
from enum import StrEnum
from typing import Any

from bulletin.publish.email import verp
from bulletin.records import record


class Kind(StrEnum):
    HARD = "hard"  # 5.x.x: the address is gone
    SOFT = "soft"  # 4.x.x: a full mailbox, a server down for days
    COMPLAINT = "complaint"  # the reader marked the bulletin as spam
    UNSUBSCRIBE = "unsubscribe"  # the reader wrote to the List-Unsubscribe mailto address
    OTHER = "other"  # not a report this list acts on


# The envelope's headers, most trusted first: the MTA that delivered to the bounce mailbox
# wrote the first two; To is the bouncing server's word for where the report goes.
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To")
COMPLAINT_TYPES = {"abuse", "fraud", "other"}  # RFC 5965 3.1; "virus", "not-spam" are no complaint
_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
DETAIL_MAX = 300  # characters of the server's words kept with a report


@record
class Report:
    kind: Kind
    digest: str  # what the store keeps so that a report is read once
    tokens: tuple[verp.Token, ...]  # well-formed, not yet checked; most trusted first
    detail: str  # "5.1.1 <diagnostic>" or "abuse"


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def digest(message: Message, raw: bytes) -> str:
    """The report's Message-ID (the same report in an mbox and a Maildir has the same one), or
    its bytes where it has none."""
    message_id = _text(message.get("Message-ID"))
    if message_id:
        return hashlib.sha256(f"message-id\n{message_id}".encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(b"bytes\n" + raw).hexdigest()


def parse(raw: bytes, envelope_recipient: str = "") -> Report:
    """What ``raw`` (one message) reports; malformed MIME is read as well as it can be."""
    try:
        message = message_from_bytes(raw)
    except RecursionError:
        # Thousands of nested multiparts overflow the email package's recursive parser. Anyone can
        # send such a message to the bounce address: it must not stop every later run from reading.
        return Report(Kind.OTHER, hashlib.sha256(b"bytes\n" + raw).hexdigest(), (), "nested too deeply")
    key = digest(message, raw)
    found = verp.find(envelope_recipient)
    for name in ENVELOPE_HEADERS:
        for value in message.get_all(name, []):
            found += verp.find(_text(value))
    kind, detail, returned = _classify(message)
    if kind == Kind.COMPLAINT and returned is not None:
        for value in returned.get_all("Return-Path", []):
            found += verp.find(_text(value))
    if kind == Kind.OTHER:
        found += verp.find(_subject(message), bare=True)
        if any(token.purpose == verp.UNSUBSCRIBE for token in found):
            kind, detail = Kind.UNSUBSCRIBE, "by mail to the List-Unsubscribe address"
    wanted = verp.UNSUBSCRIBE if kind == Kind.UNSUBSCRIBE else verp.BOUNCE
    return Report(kind, key, tuple(t for t in found if t.purpose == wanted), detail[:DETAIL_MAX])


def _subject(message: Message) -> str:
    """The Subject, its RFC 2047 words decoded (a client may encode the whole line)."""
    value = message.get("Subject")
    if value is None:
        return ""
    try:
        return _text(make_header(decode_header(str(value))))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return _text(value)


def _classify(message: Message) -> tuple[Kind, str, Message | None]:
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return Kind.OTHER, "", None
    report_type = collapse_rfc2231_value(message.get_param("report-type", "") or "")
    parts = [part for part in message.get_payload() if isinstance(part, Message)]
    if str(report_type).lower() == "delivery-status":
        kind, detail = _delivery_status(parts)
        return kind, detail, None
    if str(report_type).lower() == "feedback-report":
        return _feedback(parts)
    return Kind.OTHER, "", None


def _fields(part: Message) -> list[Message]:
    """The header blocks of a machine-readable report part, however the parser left them."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    if isinstance(payload, str):
        blocks = re.split(r"\r?\n\s*\r?\n", payload.strip())
        return [HeaderParser().parsestr(block) for block in blocks if block.strip()]
    return []


def _delivery_status(parts: list[Message]) -> tuple[Kind, str]:
    """The worst recipient's outcome: one report may name several recipients (only one was ours)."""
    status_part = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        return Kind.OTHER, ""
    worst: tuple[Kind, str] = (Kind.OTHER, "")
    for block in _fields(status_part):
        action = _text(block.get("Action")).lower()
        status = _STATUS.match(_text(block.get("Status")))
        if status is None or action not in ("failed", "delayed"):
            continue  # "delivered", "relayed", "expanded": no bounce
        detail = f"{'.'.join(status.groups())} {_diagnostic(block)}".strip()
        if status.group(1) == "5" and action == "failed":
            return Kind.HARD, detail
        if status.group(1) == "4" and worst[0] == Kind.OTHER:
            worst = (Kind.SOFT, detail)
    return worst


def _diagnostic(block: Message) -> str:
    # "smtp; 550 5.1.1 <x@example.org>: Recipient address rejected": the words after the type.
    text = _text(block.get("Diagnostic-Code"))
    return text.split(";", 1)[1].strip() if ";" in text else text


def _feedback(parts: list[Message]) -> tuple[Kind, str, Message | None]:
    report = next((p for p in parts if p.get_content_type() == "message/feedback-report"), None)
    if report is None:
        return Kind.OTHER, "", None
    blocks = _fields(report)
    kind = _text(blocks[0].get("Feedback-Type")).lower() if blocks else ""
    if kind not in COMPLAINT_TYPES:
        return Kind.OTHER, "", None
    return Kind.COMPLAINT, kind, _returned(parts)


def _returned(parts: list[Message]) -> Message | None:
    """The reported message's headers: a message/rfc822 part, or text/rfc822-headers."""
    for part in parts:
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if part.get_content_type() == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return HeaderParser().parsestr(payload.decode("ascii", "replace"))
    return None
