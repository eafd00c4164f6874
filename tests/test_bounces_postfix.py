"""A real Postfix accepts the bulletin, bounces a copy later with its own DSN, and the list learns;
a reader's mail to the copy's List-Unsubscribe mailto address comes the same way.

Postfix runs privately on loopback (tests/support/postfix.py): it says 250 to
every copy, as a relay or an ESP does, then its local delivery finds one reader
unknown and sends a genuine delivery status notification to that copy's VERP
address, which its alias puts in a Maildir that `bulletin bounces` reads.
"""

from __future__ import annotations

import email
import smtplib
from pathlib import Path

import pytest

from support.emailing import KEY, email_config, ledger
from support.postfix import missing, private_postfix
from support.reports import BOUNCES, mailto_of, request

pytestmark = [pytest.mark.slow, pytest.mark.external,
              pytest.mark.skipif(bool(missing()), reason=missing() or "postfix can run")]
READER, GONE, STAYS = "reader@example.net", "nosuch@example.net", "stays@example.net"


@pytest.fixture
def mailing(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    assert bulletin("render", "--week", "2026-W10").code == 0
    for address in (READER, GONE):
        assert bulletin("subscribers", "add", address).code == 0
    return project


def test_a_bounce_from_postfix_marks_the_reader_bounced_and_the_next_week_skips_it(
        mailing: Path, bulletin) -> None:
    with private_postfix(mailboxes=("bounces",), readers=("reader",)) as postfix:
        email_config(mailing, postfix.port, extra=f"    bounce_address: {BOUNCES}\n")
        result = bulletin("publish", "--week", "2026-W10")
        assert result.out == "newsletter: ok 127.0.0.1 (2 sent)\n", result.err  # 250 for both
        [report] = postfix.wait_for("bounces")
        postfix.wait_for("reader")
        raw = report.read_bytes()
        assert b"Delivered-To: bounces+b-" in raw and b"Status: 5.1.1" in raw

        maildir = postfix.maildir("bounces")
        first = bulletin("bounces", maildir)
        assert first.out == ("1 messages: 1 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe "
                             "requests; 1 marked bounced, 0 marked complained, 0 marked unsubscribed; "
                             "0 already read, 0 without a valid token, 0 other messages\n"), first.err
        statuses = bulletin("subscribers", "list").out
        assert statuses == f"{GONE}\tbounced\ten\tmain\n{READER}\tconfirmed\ten\tmain\n"
        again = bulletin("bounces", maildir)
        assert "0 marked bounced" in again.out and "1 already read" in again.out

        # The next week goes to the reader only; Postfix has nothing more to bounce.
        assert bulletin("publish", "--week", "2026-W11").out == "newsletter: ok 127.0.0.1 (1 sent)\n"
        assert set(ledger(mailing, "2026-W11")) == {READER}
        postfix.wait_for("reader", 2)
        assert len(postfix.messages("bounces")) == 1
    listed = bulletin("subscribers", "list", "--status", "bounced", "--format", "json").out
    assert 'unknown user: \\"nosuch\\"' in listed and '"week": "2026-W10"' in listed


def test_a_readers_mail_to_the_mailto_address_through_postfix_unsubscribes_them(
        project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    assert bulletin("render", "--week", "2026-W10").code == 0
    for address in (READER, STAYS):
        assert bulletin("subscribers", "add", address).code == 0
    with private_postfix(mailboxes=("bounces",), readers=("reader", "stays")) as postfix:
        email_config(project, postfix.port, extra=f"    bounce_address: {BOUNCES}\n")
        assert bulletin("publish", "--week", "2026-W10").out == "newsletter: ok 127.0.0.1 (2 sent)\n"
        [copy] = postfix.wait_for("reader")
        # The reader's mail client writes to the mailto address the header gives, through Postfix,
        # whose alias takes bounces+TOKEN@ to the list's mailbox.
        to, subject = mailto_of(email.message_from_bytes(copy.read_bytes()))
        with smtplib.SMTP("127.0.0.1", postfix.port, timeout=30) as client:
            client.sendmail(READER, [to], request(to, subject, "leave@example.net", sender=READER))
        [arrived] = postfix.wait_for("bounces")
        assert f"Delivered-To: {to}".encode() in arrived.read_bytes()

        maildir = postfix.maildir("bounces")
        first = bulletin("bounces", maildir)
        assert first.out == ("1 messages: 0 hard bounces, 0 soft bounces, 0 complaints, 1 unsubscribe "
                             "requests; 0 marked bounced, 0 marked complained, 1 marked unsubscribed; "
                             "0 already read, 0 without a valid token, 0 other messages\n"), first.err
        assert bulletin("subscribers", "list").out == (f"{READER}\tunsubscribed\ten\tmain\n"
                                                       f"{STAYS}\tconfirmed\ten\tmain\n")
        assert "1 already read" in bulletin("bounces", maildir).out

        assert bulletin("publish", "--week", "2026-W11").out == "newsletter: ok 127.0.0.1 (1 sent)\n"
        assert set(ledger(project, "2026-W11")) == {STAYS}
