"""Bounces and complaints (`bulletin bounces`): VERP tokens, hand-built DSN and ARF reports."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.config.load import load_config
from bulletin.publish.email import reports
from bulletin.store.database import Store
from support.emailing import KEY, received
from support.reports import ANA, BO, BOUNCES, CHEN, arf, dsn, maildir, mbox, three_listed, token_address

NOTHING = ("0 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe requests; 0 marked bounced, "
           "0 marked complained, 0 marked unsubscribed; 0 already read")


@pytest.fixture
def listed(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    return three_listed(project, bulletin, monkeypatch)


def statuses(project: Path) -> dict[str, str]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        return {sub.email: sub.status for sub in store.subscribers.listing()}


def table(project: Path, name: str) -> list[tuple[object, ...]]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        return store.db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()


def test_a_hard_bounce_marks_the_subscriber_bounced_and_the_next_send_skips_it(
        listed: Path, bulletin, tmp_path: Path) -> None:
    verp_to = token_address(listed, BO, "2026-W10", KEY)
    box = mbox(tmp_path / "bounces.mbox", dsn(verp_to, "5.1.1", BO, "b1@mx.example.net",
                                               delivered_to=verp_to))
    result = bulletin("bounces", box)
    assert result.code == 0, result.err
    assert result.out == ("1 messages: 1 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe "
                          "requests; 1 marked bounced, 0 marked complained, 0 marked unsubscribed; "
                          "0 already read, 0 without a valid token, 0 other messages\n")
    assert statuses(listed) == {ANA: "confirmed", BO: "bounced", CHEN: "confirmed"}
    listing = bulletin("subscribers", "list", "--status", "bounced", "--format", "json")
    [row] = json.loads(listing.out)
    assert row["email"] == BO and row["status"] == "bounced" and row["changed_at"]
    assert row["reason"] == f"hard bounce of 2026-W10: 5.1.1 550 5.1.1 <{BO}>: mailbox problem"
    assert [(r["kind"], r["week"]) for r in row["reports"]] == [("hard", "2026-W10")]
    assert bulletin("publish", "--week", "2026-W11").out.startswith("newsletter: ok ")
    assert {str(m["To"]) for m in received(listed / "output" / "outbox" / "2026-W11")} == {ANA, CHEN}


def test_a_complaint_marks_complained_and_neither_import_nor_add_brings_it_back(
        listed: Path, bulletin, tmp_path: Path) -> None:
    box = mbox(tmp_path / "fbl.mbox", arf(token_address(listed, CHEN, "2026-W10", KEY),
                                          "c1@fbl.example.net", CHEN))
    assert bulletin("bounces", box).out.startswith("1 messages: 0 hard bounces, 0 soft bounces, "
                                                   "1 complaints, 0 unsubscribe requests; 0 marked "
                                                   "bounced, 1 marked complained,")
    assert statuses(listed)[CHEN] == "complained"
    (tmp_path / "list.csv").write_text(f"email,locale,status\n{CHEN},en,confirmed\n", encoding="utf-8")
    assert bulletin("subscribers", "import", tmp_path / "list.csv").code == 0
    assert statuses(listed)[CHEN] == "complained"
    for extra in ((), ("--force",)):
        refused = bulletin("subscribers", "add", CHEN, *extra)
        assert refused.code == 1
        assert refused.err == (f"error: {CHEN}: complained (reported the bulletin as spam); the list "
                               "never adds it back\n")
    assert statuses(listed)[CHEN] == "complained"
    [row] = json.loads(bulletin("subscribers", "list", "--status", "complained", "--format", "json").out)
    assert row["reason"] == "complaint (abuse) about 2026-W10"


def test_a_feedback_loop_report_is_matched_by_the_token_in_the_returned_return_path(
        listed: Path, bulletin, tmp_path: Path) -> None:
    # A feedback loop reports to the address registered with it, not to the copy's VERP address.
    report = arf("fbl-reports@news.example.org", "c2@fbl.example.net", ANA,
                 return_path=token_address(listed, ANA, "2026-W11", KEY))
    assert bulletin("bounces", mbox(tmp_path / "fbl.mbox", report)).code == 0
    assert statuses(listed)[ANA] == "complained"


def test_three_soft_bounces_in_a_row_mark_bounced_and_one_does_not(listed: Path, bulletin,
                                                                   tmp_path: Path) -> None:
    def soft(week: str, n: int) -> bytes:
        return dsn(token_address(listed, ANA, week, KEY), "4.2.2", ANA, f"s{n}@mx.example.net")

    assert bulletin("bounces", mbox(tmp_path / "one.mbox", soft("2026-W08", 1))).code == 0
    assert statuses(listed)[ANA] == "confirmed"
    # A delay warning and the final failure of one week's copy count once.
    assert bulletin("bounces", mbox(tmp_path / "two.mbox", soft("2026-W08", 2), soft("2026-W09", 3),
                                    soft("2026-W09", 4))).code == 0
    assert statuses(listed)[ANA] == "confirmed"
    result = bulletin("bounces", mbox(tmp_path / "three.mbox", soft("2026-W10", 5)))
    assert "1 soft bounces, 0 complaints, 0 unsubscribe requests; 1 marked bounced" in result.out
    [row] = json.loads(bulletin("subscribers", "list", "--status", "bounced", "--format", "json").out)
    assert row["email"] == ANA
    assert row["reason"].startswith("3 soft bounces in a row, the last of 2026-W10: 4.2.2 ")


def test_a_copy_that_went_out_between_soft_bounces_starts_the_count_again(
        listed: Path, bulletin, tmp_path: Path) -> None:
    assert bulletin("publish", "--week", "2026-W11").code == 0  # the ledger: ANA's W11 copy sent

    def soft(week: str, n: int) -> bytes:
        return dsn(token_address(listed, ANA, week, KEY), "4.2.2", ANA, f"s{n}@mx.example.net")

    box = mbox(tmp_path / "soft.mbox", soft("2026-W09", 1), soft("2026-W10", 2), soft("2026-W12", 3))
    assert bulletin("bounces", box).code == 0
    assert statuses(listed)[ANA] == "confirmed"
    [row] = [r for r in json.loads(bulletin("subscribers", "list", "--format", "json").out)
             if r["email"] == ANA]
    assert row["soft_bounces"] == 1


def test_a_forged_report_naming_an_address_in_its_body_changes_nothing(listed: Path, bulletin,
                                                                       tmp_path: Path) -> None:
    forged = [
        dsn(BOUNCES, "5.1.1", ANA, "f1@evil.example"),  # the address only in the body
        dsn(f"bounces+{ANA.replace('@', '=')}@news.example.org", "5.1.1", ANA, "f2@evil.example"),
        arf(BOUNCES, "f3@evil.example", BO, return_path=BO),
    ]
    result = bulletin("bounces", mbox(tmp_path / "forged.mbox", *forged))
    assert result.out == (f"3 messages: {NOTHING}, 3 without a valid token, 0 other messages\n")
    assert set(statuses(listed).values()) == {"confirmed"}
    assert table(listed, "mail_reports") == []


def test_a_token_with_a_bad_signature_changes_nothing(listed: Path, bulletin, tmp_path: Path) -> None:
    good = token_address(listed, ANA, "2026-W11", KEY)
    local, domain = good.split("@")
    flipped = local[:-1] + ("a" if local[-1] != "a" else "b")
    other_week = token_address(listed, ANA, "2026-W11", KEY).replace("2026w11", "2026w12")
    other_key = token_address(listed, ANA, "2026-W11", "another-key-0123456789abcdef")
    # BO's uid with ANA's MAC: a token moved to another subscriber.
    bo = token_address(listed, BO, "2026-W11", KEY)
    moved = bo[:bo.rindex("-") + 1] + good[good.rindex("-") + 1:]
    reports = [dsn(address, "5.1.1", ANA, f"x{n}@mx.example.net", delivered_to=address)
               for n, address in enumerate((f"{flipped}@{domain}", other_week, other_key, moved))]
    result = bulletin("bounces", mbox(tmp_path / "bad.mbox", *reports))
    assert "0 marked bounced" in result.out and "4 without a valid token" in result.out
    assert set(statuses(listed).values()) == {"confirmed"}


def test_reading_the_same_mail_twice_changes_nothing_the_second_time(listed: Path, bulletin,
                                                                     tmp_path: Path) -> None:
    messages = (dsn(token_address(listed, ANA, "2026-W09", KEY), "4.4.1", ANA, "r1@mx.example.net"),
                dsn(token_address(listed, BO, "2026-W09", KEY), "5.1.1", BO, "r2@mx.example.net"),
                arf(token_address(listed, CHEN, "2026-W09", KEY), "r3@fbl.example.net", CHEN))
    box = mbox(tmp_path / "bounces.mbox", *messages)
    first = bulletin("bounces", box)
    assert first.out.startswith("3 messages: 1 hard bounces, 1 soft bounces, 1 complaints, 0 unsubscribe "
                                "requests; 1 marked bounced, 1 marked complained, 0 marked "
                                "unsubscribed; 0 already read")
    before = (statuses(listed), table(listed, "subscribers"), table(listed, "mail_reports"))
    # The same mail again, in an mbox and in a Maildir a second MTA delivered it to.
    again = bulletin("bounces", box, maildir(tmp_path / "Maildir", *messages))
    assert again.out == ("6 messages: 0 hard bounces, 0 soft bounces, 0 complaints, 0 unsubscribe "
                         "requests; 0 marked bounced, 0 marked complained, 0 marked unsubscribed; "
                         "6 already read, 0 without a valid token, 0 other messages\n")
    assert (statuses(listed), table(listed, "subscribers"), table(listed, "mail_reports")) == before


def test_one_message_on_stdin_with_the_recipient_the_mta_gives(listed: Path, bulletin, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # Postfix's local delivery to a command sets ORIGINAL_RECIPIENT; this report's To names nobody.
    report = dsn(BOUNCES, "5.1.1", ANA, "p1@mx.example.net")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(report)))
    monkeypatch.setenv("ORIGINAL_RECIPIENT", token_address(listed, ANA, "2026-W11", KEY))
    result = bulletin("bounces", "-")
    assert result.code == 0 and "1 marked bounced" in result.out
    assert statuses(listed)[ANA] == "bounced"


def test_mail_that_is_no_report_is_counted_and_left_alone(listed: Path, bulletin, tmp_path: Path) -> None:
    verp_to = token_address(listed, ANA, "2026-W11", KEY)
    auto_reply = (f"To: {verp_to}\r\nFrom: ana@example.com\r\nSubject: Out of office\r\n"
                  "Message-ID: <o1@example.com>\r\n\r\nI am away.\r\n").encode()
    success = dsn(verp_to, "2.0.0", ANA, "o2@mx.example.net", action="delivered")
    malformed = (f"To: {verp_to}\r\nMessage-ID: <o3@x>\r\nContent-Type: multipart/report; "
                 "report-type=delivery-status\r\n\r\n--nothing\r\nStatus: 5.1.1\r\n").encode()
    no_status = dsn(verp_to, "x.y.z", ANA, "o4@mx.example.net")
    huge = (f"To: {verp_to}\r\nMessage-ID: <o5@x>\r\n\r\n").encode() + b"x" * (10 * 1024 * 1024)
    # Deeper than the email package's recursive parser can go: read as no report, not a crash.
    nested = f"To: {verp_to}\r\n".encode() + b"".join(
        b"Content-Type: multipart/mixed; boundary=B%d\r\n\r\n--B%d\r\n" % (n, n) for n in range(5000))
    result = bulletin("bounces", mbox(tmp_path / "other.mbox", auto_reply, success, malformed, no_status,
                                      huge, nested))
    assert result.out == (f"6 messages: {NOTHING}, 0 without a valid token, "
                          "6 other messages\n")
    assert statuses(listed)[ANA] == "confirmed"


def test_a_source_that_is_no_mailbox_is_refused_and_nothing_is_written(listed: Path, bulletin,
                                                                        tmp_path: Path) -> None:
    good = mbox(tmp_path / "good.mbox", dsn(token_address(listed, ANA, "2026-W11", KEY), "5.1.1", ANA,
                                            "g1@mx.example.net"))
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    for source, error in (
            (tmp_path / "missing.mbox", f"{tmp_path}/missing.mbox: cannot read: No such file or directory"),
            (tmp_path / "notes.txt", f"{tmp_path}/notes.txt: not an mbox file (its first line is no "
                                     "'From ' line); one message is read from stdin: bulletin bounces -"),
            (tmp_path / "folder", f"{tmp_path}/folder: not a Maildir folder (it has no cur/, new/ "
                                  "and tmp/)")):
        result = bulletin("bounces", good, source)
        assert (result.code, result.out, result.err) == (1, "", f"error: {error}\n")
    assert statuses(listed)[ANA] == "confirmed"
    assert table(listed, "mail_reports") == []


def test_bounces_without_an_email_target_says_so(project: Path, bulletin, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    result = bulletin("bounces", mbox(tmp_path / "empty.mbox"))
    assert (result.code, result.err) == (1, "error: bounces: the config has no email target "
                                            "(publish: - type: email)\n")


def test_a_valid_token_only_in_a_reports_body_changes_nothing(listed: Path, bulletin, tmp_path: Path) -> None:
    # The returned copy of a bounce (and Postfix's X-Postfix-Sender) may quote a real token; only
    # the address the report was delivered to counts, or a reader could bounce another's copy.
    real = token_address(listed, ANA, "2026-W11", KEY)
    quoted = dsn(BOUNCES, "5.1.1", real, "q1@evil.example").replace(
        b"To: " + real.encode() + b"\r\nSubject: This week",
        b"Return-Path: <" + real.encode() + b">\r\nTo: x\r\nSubject: This week")
    assert quoted.count(real.encode()) == 5
    result = bulletin("bounces", mbox(tmp_path / "quoted.mbox", quoted))
    assert "1 without a valid token" in result.out
    assert statuses(listed)[ANA] == "confirmed"


REPORT = dsn("bounces+b-aaaaaaaaaaaaaaaaaaaaaaaaaa-2026w11-aaaaaaaaaaaaa@news.example.org", "5.1.1",
             "ana@example.com", "z@mx.example.net")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(REPORT)), st.integers(0, 40), st.binary(max_size=40)),
                max_size=6), st.integers(0, len(REPORT)))
def test_a_mangled_report_is_read_without_an_error(edits: list[tuple[int, int, bytes]], cut: int) -> None:
    """Malformed MIME (a boundary lost, a header cut, bytes that are no UTF-8) is read as well as
    it can be, never raises, and at worst is no report."""
    raw = REPORT
    for at, drop, insert in edits:
        raw = raw[:at] + insert + raw[at + drop:]
    report = reports.parse(raw[:cut] if cut % 3 == 0 else raw, "")
    assert report.kind in set(reports.Kind) and len(report.digest) == 64
    assert len(report.detail) <= reports.DETAIL_MAX
