"""Unsubscribing by mail: each copy's List-Unsubscribe offers a signed mailto address at the bounce
domain, and `bulletin bounces` acts on what is sent to it as the one-click link does."""

from __future__ import annotations

import io
import json
import sys
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.config.load import load_config
from bulletin.publish.email import reports, verp
from bulletin.store.database import Store
from support.emailing import KEY, email_config, make_dkim_key, received
from support.reports import (
    ANA,
    BO,
    BOUNCES,
    CHEN,
    arf,
    dsn,
    maildir,
    mailto_of,
    mbox,
    request,
    three_listed,
    token_address,
)
from support.serving import bulletin_serve

WEEK = "2026-W11"


@pytest.fixture
def listed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three confirmed subscribers with a bounce address, each sent the copy of 2026-W11."""
    three_listed(project, bulletin, monkeypatch)
    assert bulletin("publish", "--week", WEEK).out.startswith("newsletter: ok ")
    return project


def copies(project: Path, week: str = WEEK) -> dict[str, EmailMessage]:
    return {str(m["To"]): m for m in received(project / "output" / "outbox" / week)}


def rows(project: Path) -> dict[str, tuple[object, ...]]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        found = store.db.execute("SELECT email, status, reason, soft_bounces, changed_at "
                                 "FROM subscribers").fetchall()
    return {row[0]: row[1:] for row in found}


def statuses(project: Path) -> dict[str, str]:
    return {email: str(row[0]) for email, row in rows(project).items()}


def reports_kept(project: Path) -> list[tuple[object, ...]]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        return store.db.execute("SELECT * FROM mail_reports ORDER BY 1").fetchall()


def test_each_copy_offers_a_signed_mailto_at_the_bounce_domain_beside_the_one_click_link(
        listed: Path) -> None:
    with Store.open(load_config(listed / "config.yaml").database) as store:
        people = {sub.email: sub for sub in store.subscribers.listing()}
    found = copies(listed)
    assert set(found) == {ANA, BO, CHEN}
    for address, copy in found.items():
        by_mail, one_click = (part.strip(" <>") for part in str(copy["List-Unsubscribe"]).split(","))
        assert by_mail.startswith("mailto:bounces+u-")
        assert one_click.startswith("https://bulletin.example.org/unsubscribe?token=")
        assert str(copy["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        to, subject = mailto_of(copy)
        local, domain = to.rsplit("@", 1)
        assert domain == "news.example.org" and len(local) <= 64 and local == local.lower()
        assert address not in by_mail and "example" not in local  # the address is not shown
        [token] = verp.find(to)
        assert subject == f"unsubscribe {token.text}"
        assert token.purpose == verp.UNSUBSCRIBE and str(token.week) == WEEK
        assert verp.valid(KEY.encode(), token, people[address].uid, address)
        other = people[ANA if address != ANA else BO]
        assert not verp.valid(KEY.encode(), token, other.uid, other.email)
        assert to == token_address(listed, address, WEEK, KEY, verp.UNSUBSCRIBE)
        assert to != token_address(listed, address, WEEK, KEY)  # not the copy's bounce address


def test_the_mailto_is_covered_by_the_dkim_signature(project: Path, bulletin, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    assert bulletin("subscribers", "add", ANA).code == 0
    key_file, txt_record = make_dkim_key(tmp_path)
    email_config(project, extra=f"    bounce_address: {BOUNCES}\n"
                                f"    dkim:\n      selector: w26\n      key_file: {key_file}\n")
    assert bulletin("publish", "--week", WEEK).code == 0
    [path] = (project / "output" / "outbox" / WEEK).glob("*.eml")
    raw = path.read_bytes()
    # Folded after the comma; no line near RFC 5322's limit of 998.
    assert b"\r\nList-Unsubscribe: <mailto:bounces+u-" in raw and b">,\r\n <https://" in raw
    assert max(len(line) for line in raw.split(b"\r\n")) < 200

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return txt_record if name == b"w26._domainkey.bulletin.example.org." else None

    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"<mailto:bounces+u-", b"<mailto:bounces+x-"), dnsfunc=dns)


def test_a_mail_to_the_mailto_unsubscribes_as_the_one_click_link_does(listed: Path, bulletin,
                                                                      tmp_path: Path) -> None:
    to, subject = mailto_of(copies(listed)[ANA])
    box = mbox(tmp_path / "bounces.mbox", request(to, subject, "u1@example.com", delivered_to=to))
    result = bulletin("bounces", box)
    assert result.out == ("1 messages: 0 hard bounces, 0 soft bounces, 0 complaints, 1 unsubscribe "
                          "requests; 0 marked bounced, 0 marked complained, 1 marked unsubscribed; "
                          "0 already read, 0 without a valid token, 0 other messages\n"), result.err
    # BO leaves by the https link of the same week's copy, through `bulletin serve`.
    link = str(copies(listed)[BO]["List-Unsubscribe"]).split(",")[1].strip(" <>")
    with bulletin_serve(listed) as site:
        posted = urllib.request.Request(link.replace("https://bulletin.example.org", site),
                                        data=b"List-Unsubscribe=One-Click", method="POST")
        with urllib.request.urlopen(posted) as answer:
            assert answer.status == 200
    after = rows(listed)
    assert after[ANA][:3] == after[BO][:3] == ("unsubscribed", "", 0)
    assert after[ANA][3] and after[BO][3]  # when it changed
    assert after[CHEN][0] == "confirmed"
    [row] = [r for r in json.loads(bulletin("subscribers", "list", "--format", "json").out)
             if r["email"] == ANA]
    assert [(r["kind"], r["week"]) for r in row["reports"]] == [("unsubscribe", WEEK)]
    # Both are kept as unsubscribed alike: neither `subscribers add` nor an import brings one back.
    for address in (ANA, BO):
        refused = bulletin("subscribers", "add", address)
        assert refused.code == 1 and f"{address}: unsubscribed; only its owner" in refused.err
    (tmp_path / "list.csv").write_text(f"email,locale,status\n{ANA},en,confirmed\n", encoding="utf-8")
    assert bulletin("subscribers", "import", tmp_path / "list.csv").code == 0
    assert statuses(listed)[ANA] == "unsubscribed"
    # Another week's copy goes to CHEN only.
    assert bulletin("render", "--week", "2026-W10").code == 0
    assert bulletin("publish", "--week", "2026-W10").out.endswith(" (1 sent)\n")
    assert set(copies(listed, "2026-W10")) == {CHEN}


@pytest.mark.parametrize("where", ["to-only", "subject-only", "encoded-subject", "pipe"])
def test_the_token_is_found_in_the_recipient_or_the_subject(listed: Path, bulletin, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            where: str) -> None:
    to, subject = mailto_of(copies(listed)[BO])
    if where == "to-only":  # a client that drops ?subject=
        raw = request(to, "unsubscribe", "w1@example.net", sender=BO)
    elif where == "subject-only":  # a relay that rewrote the recipient to the bare address
        raw = request(BOUNCES, subject, "w2@example.net", sender=BO, delivered_to=BOUNCES)
    elif where == "encoded-subject":  # a client that wrote its own word first (RFC 2047 encoded)
        raw = request(BOUNCES, subject.replace("unsubscribe", "退订"), "w3@example.net", sender=BO)
        assert b"=?utf-8?" in raw
    else:  # Postfix's pipe: the recipient in ORIGINAL_RECIPIENT, the headers naming no token
        raw = request(BOUNCES, "unsubscribe", "w4@example.net", sender=BO)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        monkeypatch.setenv("ORIGINAL_RECIPIENT", to)
    result = bulletin("bounces", "-" if where == "pipe" else mbox(tmp_path / "in.mbox", raw))
    assert "1 unsubscribe requests;" in result.out and "1 marked unsubscribed;" in result.out, result
    assert statuses(listed) == {ANA: "confirmed", BO: "unsubscribed", CHEN: "confirmed"}


def test_a_forged_request_or_a_bad_token_changes_nothing(listed: Path, bulletin, tmp_path: Path) -> None:
    good = token_address(listed, ANA, WEEK, KEY, verp.UNSUBSCRIBE)
    local, domain = good.split("@")
    flipped = f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}"
    other_week = good.replace("2026w11", "2026w12")
    other_key = token_address(listed, ANA, WEEK, "another-key-0123456789abcdef", verp.UNSUBSCRIBE)
    bo = token_address(listed, BO, WEEK, KEY, verp.UNSUBSCRIBE)
    moved = bo[:bo.rindex("-") + 1] + good[good.rindex("-") + 1:]  # BO's uid with ANA's MAC
    bounce_token = token_address(listed, ANA, WEEK, KEY)  # the copy's envelope sender
    forged_token = [request(address, "unsubscribe", f"t{n}@evil.example", delivered_to=address)
                    for n, address in enumerate((flipped, other_week, other_key, moved))]
    no_token = [
        # The address only where anyone can write it: From, the subject, the body.
        request(BOUNCES, "unsubscribe", "n1@evil.example", sender=ANA, body=f"unsubscribe {ANA}\n"),
        request(BOUNCES, f"unsubscribe {ANA}", "n2@evil.example", sender=ANA),
        request(f"bounces+{ANA.replace('@', '=')}@news.example.org", "unsubscribe", "n3@evil.example"),
        # A bounce token unsubscribes nobody; a real unsubscribe token in the body counts for nothing.
        request(bounce_token, "unsubscribe", "n4@evil.example", delivered_to=bounce_token),
        request(BOUNCES, "unsubscribe", "n5@evil.example", body=f"mailto:{good}\n"),
    ]
    # And an unsubscribe token bounces nobody.
    bounce = dsn(good, "5.1.1", ANA, "n6@mx.example.net", delivered_to=good)
    result = bulletin("bounces", mbox(tmp_path / "forged.mbox", *forged_token, *no_token, bounce))
    assert result.out == ("10 messages: 0 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe "
                          "requests; 0 marked bounced, 0 marked complained, 0 marked unsubscribed; "
                          "0 already read, 5 without a valid token, 5 other messages\n"), result.err
    assert set(statuses(listed).values()) == {"confirmed"}
    assert reports_kept(listed) == []


def test_reading_a_request_twice_changes_nothing_the_second_time(listed: Path, bulletin,
                                                                 tmp_path: Path) -> None:
    to, subject = mailto_of(copies(listed)[CHEN])
    first_request = request(to, subject, "i1@example.cn", sender=CHEN, delivered_to=to)
    box = mbox(tmp_path / "bounces.mbox", first_request)
    assert "1 marked unsubscribed;" in bulletin("bounces", box).out
    before = (rows(listed), reports_kept(listed))
    # The same mail again, in the mbox and in a Maildir a second MTA delivered it to.
    again = bulletin("bounces", box, maildir(tmp_path / "Maildir", first_request))
    assert again.out == ("2 messages: 0 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe "
                         "requests; 0 marked bounced, 0 marked complained, 0 marked unsubscribed; "
                         "2 already read, 0 without a valid token, 0 other messages\n")
    assert (rows(listed), reports_kept(listed)) == before
    # A second request (a new message) from one already gone is read, and changes nothing either.
    second = bulletin("bounces", mbox(tmp_path / "second.mbox",
                                      request(to, subject, "i2@example.cn", sender=CHEN)))
    assert "1 unsubscribe requests;" in second.out and "0 marked unsubscribed;" in second.out
    assert rows(listed) == before[0]


def test_one_bounced_or_complained_stays_so(listed: Path, bulletin, tmp_path: Path) -> None:
    marks = mbox(tmp_path / "reports.mbox",
                 dsn(token_address(listed, BO, WEEK, KEY), "5.1.1", BO, "h1@mx.example.net"),
                 arf(token_address(listed, CHEN, WEEK, KEY), "c1@fbl.example.net", CHEN))
    assert bulletin("bounces", marks).code == 0
    before = rows(listed)
    assert (before[BO][0], before[CHEN][0]) == ("bounced", "complained")
    requests = [request(*mailto_of(copies(listed)[address]), f"k{n}@example.org", sender=address)
                for n, address in enumerate((BO, CHEN))]
    result = bulletin("bounces", mbox(tmp_path / "requests.mbox", *requests))
    assert "2 unsubscribe requests; 0 marked bounced, 0 marked complained, 0 marked unsubscribed;" \
        in result.out
    assert rows(listed) == before  # status, reason and date unchanged
    # The https one-click link of the same copies leaves them as they are too.
    with bulletin_serve(listed) as site:
        for address in (BO, CHEN):
            link = str(copies(listed)[address]["List-Unsubscribe"]).split(",")[1].strip(" <>")
            posted = urllib.request.Request(link.replace("https://bulletin.example.org", site),
                                            data=b"List-Unsubscribe=One-Click", method="POST")
            with urllib.request.urlopen(posted) as answer:
                assert answer.status == 200
    assert rows(listed) == before


REQUEST = request("bounces+u-aaaaaaaaaaaaaaaaaaaaaaaaaa-2026w11-aaaaaaaaaaaaa@news.example.org",
                  "unsubscribe u-aaaaaaaaaaaaaaaaaaaaaaaaaa-2026w11-aaaaaaaaaaaaa", "m@example.com")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80), st.integers(0, len(REQUEST)))
def test_a_mangled_request_is_read_without_an_error(subject: bytes, at: int) -> None:
    """Any bytes in the subject (encoded words that do not decode, unknown charsets), or a message
    cut anywhere, are read as well as they can be and never raise."""
    start = REQUEST.index(b"Subject: ") + len(b"Subject: ")
    raw = REQUEST[:start] + subject + REQUEST[REQUEST.index(b"\r\n", start):]
    for message in (raw, raw[:at]):
        report = reports.parse(message, "")
        assert report.kind in set(reports.Kind) and len(report.digest) == 64
        if report.kind == reports.Kind.UNSUBSCRIBE:  # matched by unsubscribe tokens only
            assert report.tokens and {t.purpose for t in report.tokens} == {verp.UNSUBSCRIBE}
