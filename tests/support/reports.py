"""Hand-built delivery status notifications (RFC 3464) and abuse reports (RFC 5965 ARF),
shaped like those Postfix and the feedback loops send, requests to unsubscribe as mail clients
write them, and mailboxes holding them."""

from __future__ import annotations

import mailbox
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bulletin.config.load import load_config
from bulletin.publish.email import verp
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek
from support.emailing import KEY, email_config

BOUNCES = "bounces@news.example.org"
ANA, BO, CHEN = "ana@example.com", "bo@example.net", "chen@example.cn"


def three_listed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo project, week 2026-W11 rendered, three confirmed subscribers, a bounce address."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    for address in (ANA, BO, CHEN):
        assert bulletin("subscribers", "add", address).code == 0
    email_config(project, extra=f"    bounce_address: {BOUNCES}\n")
    return project


def token_address(project: Path, email: str, week: str, key: str, purpose: str = verp.BOUNCE) -> str:
    """The VERP address the list sent ``email``'s copy of ``week`` from (with ``verp.UNSUBSCRIBE``:
    the address that copy's List-Unsubscribe mailto names)."""
    with Store.open(load_config(project / "config.yaml").database) as store:
        found = store.subscribers.get(email)
    assert found is not None
    return verp.envelope_sender(BOUNCES, verp.make(key.encode(), found.uid, found.email,
                                                   IsoWeek.parse(week), purpose))


def mailto_of(copy: Message) -> tuple[str, str]:
    """The address and the subject a mail client takes from a copy's List-Unsubscribe mailto."""
    [mailto] = [part.strip(" <>") for part in str(copy["List-Unsubscribe"]).split(",")
                if part.strip(" <>").startswith("mailto:")]
    url = urlsplit(mailto)
    return unquote(url.path), parse_qs(url.query)["subject"][0]


def request(to: str, subject: str, message_id: str, sender: str = ANA, body: str = "",
            delivered_to: str = "") -> bytes:
    """A plain message as a mail client sends it to a List-Unsubscribe mailto address (with
    ``delivered_to``: as the MTA that delivered it to the list's mailbox leaves it)."""
    message = EmailMessage(policy=policy.SMTP)
    if delivered_to:
        message["Delivered-To"] = delivered_to
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 07 Dec 2026 19:00:00 +0000"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content(body or "This message was sent to unsubscribe.\n")
    return message.as_bytes()


def dsn(to: str, status: str, recipient: str, message_id: str, action: str = "failed",
        delivered_to: str = "") -> bytes:
    """A bounce as Postfix writes it: a human part, the delivery status, the returned headers."""
    head = f"Delivered-To: {delivered_to}\n" if delivered_to else ""
    return (f"""{head}From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: <{message_id}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients: <{recipient}>

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Mon,  7 Dec 2026 18:00:00 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; {status.replace('.', '')[0]}50 {status} <{recipient}>: mailbox problem

--B1
Content-Type: text/rfc822-headers

From: Token Bulletin <news@bulletin.example.org>
To: {recipient}
Subject: This week in tokens

--B1--
""").replace("\n", "\r\n").encode()


def arf(to: str, message_id: str, recipient: str, return_path: str = "",
        feedback_type: str = "abuse") -> bytes:
    """A feedback loop's spam complaint about the copy sent to ``recipient``."""
    returned = f"Return-Path: <{return_path}>\n" if return_path else ""
    return (f"""From: Feedback Loop <fbl@mail.example.net>
To: {to}
Subject: Complaint about message from news@bulletin.example.org
Message-ID: <{message_id}>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
\tboundary="F1"

--F1
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received on 7 Dec 2026.

--F1
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: ExampleFBL/1.0
Version: 1
Original-Rcpt-To: <{recipient}>

--F1
Content-Type: message/rfc822

{returned}From: Token Bulletin <news@bulletin.example.org>
To: {recipient}
Subject: This week in tokens
Message-ID: <2026-W11.x@bulletin.example.org>

The bulletin.

--F1--
""").replace("\n", "\r\n").encode()


def mbox(path: Path, *messages: bytes) -> Path:
    box = mailbox.mbox(path)
    for message in messages:
        box.add(message)
    box.close()
    return path


def maildir(path: Path, *messages: bytes) -> Path:
    box = mailbox.Maildir(path)
    for message in messages:
        box.add(message)
    box.close()
    return path
