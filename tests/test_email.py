"""Emailing the bulletin to a real SMTP server on loopback (aiosmtpd in its own process)."""

from __future__ import annotations

import json
from pathlib import Path

import dkim
import pytest

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support.emailing import (
    KEY,
    email_config,
    ledger,
    make_certificate,
    make_dkim_key,
    per_recipient,
    received,
    smtp_server,
)

HEADLINE = "Chinese models take OpenRouter's top three places"
CONFIRMED = ["ana@example.com", "bo@example.net", "chen@example.cn"]
SENDS = "; `bulletin subscribers sends --week 2026-W11` says which"


@pytest.fixture
def mailing(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch):
    """The demo project, week 2026-W11 rendered, three confirmed subscribers, one pending, one gone."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    for address in CONFIRMED[:2]:
        assert bulletin("subscribers", "add", address).code == 0
    assert bulletin("subscribers", "add", CONFIRMED[2], "--locale", "zh").code == 0
    assert bulletin("subscribers", "add", "pending@example.com", "--pending").code == 0
    assert bulletin("subscribers", "add", "left@example.com").code == 0
    assert bulletin("subscribers", "remove", "left@example.com").code == 0
    return project


def test_each_confirmed_subscriber_gets_one_signed_message_with_both_parts(
        mailing: Path, bulletin, tmp_path: Path) -> None:
    key_file, txt_record = make_dkim_key(tmp_path)
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(mailing, port, extra=f"    dkim:\n      selector: w26\n      key_file: {key_file}\n")
        result = bulletin("publish", "--week", "2026-W11", "--to", "email")
        assert result.code == 0, result.err
        assert result.out == "newsletter: ok 127.0.0.1 (3 sent)\n"
        again = bulletin("publish", "--week", "2026-W11", "--to", "email")
    assert again.out == "newsletter: ok 127.0.0.1 (0 sent, 3 sent before)\n"  # this run's, not a total
    assert per_recipient(inbox) == {address: 1 for address in CONFIRMED}

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        return txt_record if name == b"w26._domainkey.bulletin.example.org." else None

    for path in sorted(inbox.glob("*.eml")):
        raw = path.read_bytes().split(b"\r\n", 2)[2]  # without the recorder's X-Envelope- lines
        assert dkim.verify(raw, dnsfunc=dns)
        assert not dkim.verify(raw.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://"),
                               dnsfunc=dns)
    for message in received(inbox):
        assert "h=from:to:subject:date:message-id:list-id:list-unsubscribe:list-unsubscribe-post" in \
            "".join(str(message["DKIM-Signature"]).split())
        assert message.get_content_type() == "multipart/alternative"
        plain = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert plain is not None and html is not None
        unsubscribe = str(message["List-Unsubscribe"]).strip(" <>")
        assert unsubscribe.startswith("https://bulletin.example.org/unsubscribe?token=")
        assert "mailto:" not in unsubscribe  # without a bounce address no mailbox is read for it
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        assert str(message["List-Id"]) == "Token Bulletin <bulletin.bulletin.example.org>"
        assert str(message["Message-ID"]).endswith("@bulletin.example.org>")
        assert str(message["Subject"]) == HEADLINE
        assert unsubscribe in plain.get_content()
        assert unsubscribe.replace("&", "&amp;") in html.get_content()
        assert "4.69 trillion" in plain.get_content()
    assert len({str(m["Message-ID"]) for m in received(inbox)}) == 3
    assert {email: row[0] for email, row in ledger(mailing).items()} == {a: "sent" for a in CONFIRMED}


def test_without_smtp_messages_are_written_to_the_outbox_once(mailing: Path, bulletin) -> None:
    email_config(mailing)
    assert bulletin("publish", "--week", "2026-W11").out.startswith("newsletter: ok ")
    outbox = mailing / "output" / "outbox" / "2026-W11"
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 3
    stamps = [path.stat().st_mtime_ns for path in files]
    assert bulletin("publish", "--week", "2026-W11").code == 0
    assert [path.stat().st_mtime_ns for path in sorted(outbox.glob("*.eml"))] == stamps
    assert sorted(str(m["To"]) for m in received(outbox)) == sorted(CONFIRMED)


def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The databases sqlite3.connect() opens from now on, in order."""
    import sqlite3

    opened: list[object] = []
    connect = sqlite3.connect

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(args[0])
        return connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting)
    return opened


def test_an_email_publish_opens_the_store_once(mailing: Path, bulletin,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The sender's threads write the ledger on the store's own connection.
    email_config(mailing)
    opened = connections(monkeypatch)
    assert bulletin("publish", "--week", "2026-W11").out.startswith("newsletter: ok ")
    assert len(opened) == 1


def test_a_run_killed_inside_the_outbox_window_is_settled_by_the_files(mailing: Path, bulletin) -> None:
    # As a SIGKILL between the ledger's "sending" and the rename would leave it:
    # one row whose file was written, one whose file was not, a half-written file.
    email_config(mailing)
    assert bulletin("publish", "--week", "2026-W11").code == 0
    outbox = mailing / "output" / "outbox" / "2026-W11"
    written, lost = CONFIRMED[0], CONFIRMED[1]
    uid_of = {str(m["To"]): path.stem for path, m in zip(sorted(outbox.glob("*.eml")),
                                                          received(outbox), strict=True)}
    (outbox / f"{uid_of[lost]}.eml").rename(outbox / f".{uid_of[lost]}.eml.x1y2.part")
    with Store.open(load_config(mailing / "config.yaml").database) as store:
        store.db.execute("UPDATE email_sends SET state = 'sending' WHERE subscriber IN (SELECT id "
                         "FROM subscribers WHERE email IN (?, ?))", (written, lost))
        store.db.commit()
    assert bulletin("publish", "--week", "2026-W11").code == 0
    assert {email: row[0] for email, row in ledger(mailing).items()} == {a: "sent" for a in CONFIRMED}
    assert sorted(str(m["To"]) for m in received(outbox)) == sorted(CONFIRMED)
    assert sorted(path.name for path in outbox.iterdir()) == sorted(f"{uid}.eml" for uid in
                                                                       uid_of.values())


def test_a_copy_left_sending_over_smtp_is_reported_not_sent_twice(mailing: Path, bulletin,
                                                                  tmp_path: Path) -> None:
    # A run killed between "sending" and the server's reply: the server may hold
    # the copy. It is reported as uncertain, sent again only when asked.
    inbox = tmp_path / "inbox"
    with Store.open(load_config(mailing / "config.yaml").database) as store:
        store.db.execute("INSERT INTO email_sends (week, subscriber, state, updated_at) SELECT "
                         "'2026-W11', id, 'sending', '' FROM subscribers WHERE email = ?",
                         (CONFIRMED[0],))
        store.db.commit()
    with smtp_server(inbox) as port:
        email_config(mailing, port)
        assert bulletin("publish", "--week", "2026-W11").out == \
            f"newsletter: ok 127.0.0.1 (2 sent, 1 uncertain{SENDS})\n"
        assert per_recipient(inbox) == {address: 1 for address in CONFIRMED[1:]}
        assert bulletin("subscribers", "sends", "--week", "2026-W11", "--state", "uncertain").out == (
            f"{CONFIRMED[0]}\tuncertain\t0\t"
            "the previous run stopped mid-send: the server may or may not have it\n")
        assert bulletin("publish", "--week", "2026-W11", "--resend-uncertain").code == 0
    assert per_recipient(inbox) == {address: 1 for address in CONFIRMED}
    assert {email: row[0] for email, row in ledger(mailing).items()} == {a: "sent" for a in CONFIRMED}


def test_a_newline_in_the_headline_cannot_add_a_header(mailing: Path, bulletin, tmp_path: Path) -> None:
    config = load_config(mailing / "config.yaml")
    with Store.open(config.database) as store:
        record = store.bulletin("2026-W11")
        assert record is not None
        store.record_bulletin("2026-W11", "Model X\r\nBcc: victim@example.org\nX-Evil:\u2028yes",
                              record.events, record.rendered_at)
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(mailing, port)
        assert bulletin("publish", "--week", "2026-W11").code == 0
    messages = received(inbox)
    assert len(messages) == 3
    for message in messages:
        assert message["Bcc"] is None and message["X-Evil"] is None
        assert str(message["Subject"]) == "Model X Bcc: victim@example.org X-Evil: yes"
        assert message.defects == []


def test_a_test_copy_goes_to_one_address_outside_the_ledger(mailing: Path, bulletin,
                                                            tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(mailing, port)
        result = bulletin("publish", "--week", "2026-W11", "--test-to", "editor@example.org")
    assert result.code == 0, result.err
    assert result.out.startswith("newsletter: test copy sent to editor@example.org")
    assert per_recipient(inbox) == {"editor@example.org": 1}
    assert str(received(inbox)[0]["Subject"]) == "[TEST] " + HEADLINE
    assert ledger(mailing) == {}


def test_a_held_bulletin_is_never_emailed(mailing: Path, bulletin, tmp_path: Path) -> None:
    config = load_config(mailing / "config.yaml")
    with Store.open(config.database) as store:
        record = store.bulletin("2026-W11")
        assert record is not None
        store.record_bulletin("2026-W11", record.headline, record.events,
                              record.rendered_at, "held", ["needs a look"])
    inbox = tmp_path / "inbox"
    with smtp_server(inbox) as port:
        email_config(mailing, port)
        result = bulletin("publish", "--week", "2026-W11", "--to", "email")
    assert result.err == "error: 2026-W11: the bulletin is held (needs a look); nothing published\n"
    assert received(inbox) == [] and ledger(mailing) == {}


def test_without_the_signing_key_nothing_is_sent(mailing: Path, bulletin,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BULLETIN_SIGNING_KEY")
    email_config(mailing)
    result = bulletin("publish", "--week", "2026-W11")
    assert result.out == ("newsletter: failed (email: environment variable BULLETIN_SIGNING_KEY is not set "
                          "(it holds the key that signs confirm, unsubscribe and preferences links))\n")
    assert not (mailing / "output" / "outbox").exists()


def test_greylisting_421_and_451_are_retried_until_delivered(mailing: Path, bulletin,
                                                             tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox, "--tempfail", "4") as port:
        email_config(mailing, port, extra="    concurrency: 1\n")
        result = bulletin("publish", "--week", "2026-W11")
    assert result.out == "newsletter: ok 127.0.0.1 (3 sent)\n"
    assert per_recipient(inbox) == {address: 1 for address in CONFIRMED}
    rows = ledger(mailing)
    # Five refusals (451 four times, then 421 closing the connection), then each delivered once.
    assert sum(row[1] for row in rows.values()) == 3 + 5
    assert all(row[2] == "250 2.0.0 OK queued" for row in rows.values())
    assert {row[0] for row in rows.values()} == {"sent"}


def test_a_dropped_connection_is_reopened_and_the_run_finishes(mailing: Path, bulletin,
                                                               tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox, "--drop-at", "2") as port:
        email_config(mailing, port, extra="    concurrency: 1\n")
        result = bulletin("publish", "--week", "2026-W11")
    assert result.out == "newsletter: ok 127.0.0.1 (3 sent)\n"
    assert per_recipient(inbox) == {address: 1 for address in CONFIRMED}
    rows = ledger(mailing)
    assert rows["bo@example.net"][:2] == ("sent", 2)


def test_a_550_fails_that_address_only_and_marks_it_bounced(mailing: Path, bulletin,
                                                            tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox, "--reject", "bo@example.net") as port:
        email_config(mailing, port, extra="    bounce_after: 1\n")
        result = bulletin("publish", "--week", "2026-W11")
    assert result.out == f"newsletter: ok 127.0.0.1 (2 sent, 1 failed{SENDS})\n"
    assert per_recipient(inbox) == {"ana@example.com": 1, "chen@example.cn": 1}
    assert ledger(mailing)["bo@example.net"] == ("failed", 1, "550 5.1.1 no such user")
    sends = bulletin("subscribers", "sends", "--week", "2026-W11")
    assert sends.out.splitlines() == ["ana@example.com\tsent\t1\t250 2.0.0 OK queued",
                                      "bo@example.net\tfailed\t1\t550 5.1.1 no such user",
                                      "chen@example.cn\tsent\t1\t250 2.0.0 OK queued"]
    listed = bulletin("subscribers", "list", "--status", "bounced")
    assert listed.out == "bo@example.net\tbounced\ten\tmain\n"
    [bounced] = json.loads(bulletin("subscribers", "list", "--status", "bounced", "--format", "json").out)
    assert bounced["reason"] == "refused by the server sending 2026-W11: 550 5.1.1 no such user"


def test_a_server_that_never_accepts_leaves_the_addresses_deferred(mailing: Path, bulletin,
                                                                   tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    with smtp_server(inbox, "--tempfail", "1000") as port:
        email_config(mailing, port, extra="    max_attempts: 2\n")
        result = bulletin("publish", "--week", "2026-W11")
    assert result.out == f"newsletter: failed 127.0.0.1 (3 deferred{SENDS})\n"
    assert {row[:2] for row in ledger(mailing).values()} == {("deferred", 2)}


def test_the_email_bodies_are_used_in_the_subscribers_language(mailing: Path, bulletin) -> None:
    config = mailing / "config.yaml"
    config.write_text("locales: [en, zh]\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    email_config(mailing)
    assert bulletin("run").out.count("\n") >= 1  # `bulletin run` renders both languages and sends
    messages = {str(m["To"]): m for m in received(mailing / "output" / "outbox" / "2026-W11")}
    assert sorted(messages) == sorted(CONFIRMED)
    english, chinese = messages["ana@example.com"], messages["chen@example.cn"]
    assert str(english["Content-Language"]) == "en" and str(chinese["Content-Language"]) == "zh"
    assert str(english["Subject"]) == HEADLINE
    assert str(chinese["Subject"]).startswith("中国模型")
    link = str(english["List-Unsubscribe"]).split(",")[0].strip(" <>")
    plain = english.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert plain.startswith(HEADLINE + "\n") and "4.69 trillion tokens" in plain
    assert plain.endswith(f"Unsubscribe: {link}\n")  # the article's own link, no second footer
    assert "You get Token Bulletin" not in plain
    html = english.get_body(("html",))
    assert html is not None and f'href="{link}"' in html.get_content()
    # No site to link it from: the chart travels inside the message.
    assert 'src="cid:chart@bulletin"' in html.get_content()
    [chart] = [part for part in english.walk() if part.get_content_type() == "image/png"]
    assert str(chart["Content-ID"]) == "<chart@bulletin>"
    assert chart.get_payload(decode=True).startswith(b"\x89PNG")
    assert chart.get_filename() == "chart.png"
    # The Chinese reader gets the chart drawn in Chinese.
    [zh_chart] = [part for part in chinese.walk() if part.get_content_type() == "image/png"]
    assert zh_chart.get_filename() == "chart.zh.png"
    assert 'src="cid:chart@bulletin"' in chinese.get_body(("html",)).get_content()  # type: ignore[union-attr]
    zh_plain = chinese.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "4.69万亿" in zh_plain and "退订：" in zh_plain


def test_bodies_without_a_link_get_the_lists_footer(mailing: Path, bulletin) -> None:
    folder = mailing / "output" / "bulletins" / "2026-W11"
    (folder / "email.txt").write_text("Plain body\n", encoding="utf-8")
    (folder / "email.html").write_text("<html><body><p style=\"color:red\">HTML body</p></body></html>",
                                       encoding="utf-8")
    (folder / "email.zh.txt").write_text("中文正文\n", encoding="utf-8")
    (folder / "email.zh.html").write_text("<html><body><p>中文正文</p></body></html>", encoding="utf-8")
    email_config(mailing)
    assert bulletin("publish", "--week", "2026-W11").code == 0
    messages = {str(m["To"]): m for m in received(mailing / "output" / "outbox" / "2026-W11")}
    english, chinese = messages["ana@example.com"], messages["chen@example.cn"]
    plain = english.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert plain.startswith("Plain body\n\n--\nYou get Token Bulletin because you subscribed")
    html = english.get_body(("html",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert html.startswith("<html><body><p style=\"color:red\">HTML body</p><hr>\n")
    assert html.endswith("</body></html>")
    zh_plain = chinese.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert zh_plain.startswith("中文正文\n\n--\n您收到《Token Bulletin》")


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login_from_the_environment(mailing: Path, bulletin, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch, security: str) -> None:
    cert, key = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate, and only it
    monkeypatch.setenv("SMTP_USER", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    inbox = tmp_path / "inbox"
    options = ["--cert", str(cert), "--key", str(key), "--login", "mailer:s3cret"]
    with smtp_server(inbox, *options, *(["--implicit-tls"] if security == "tls" else [])) as port:
        email_config(mailing, port, smtp_extra="")
        text = (mailing / "config.yaml").read_text(encoding="utf-8")
        (mailing / "config.yaml").write_text(
            text.replace("host: 127.0.0.1", "host: localhost").replace(
                "security: none", f"security: {security}\n      username_env: SMTP_USER\n"
                                  "      password_env: SMTP_PASSWORD"), encoding="utf-8")
        monkeypatch.setenv("SMTP_PASSWORD", "wrong")
        refused = bulletin("publish", "--week", "2026-W11")
        assert refused.out == ("newsletter: failed (email: localhost refused the login in SMTP_USER/"
                               "SMTP_PASSWORD: 535 5.7.8 Authentication credentials invalid)\n")
        assert ledger(mailing) == {a: ("queued", 0, "") for a in CONFIRMED}, ledger(mailing)
        monkeypatch.delenv("SSL_CERT_FILE")
        untrusted = bulletin("publish", "--week", "2026-W11")
        assert untrusted.out.startswith("newsletter: failed (email: localhost: TLS certificate not "
                                        "trusted: "), untrusted.out
        monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        result = bulletin("publish", "--week", "2026-W11")
    assert result.out == "newsletter: ok localhost (3 sent)\n", result.err
    assert per_recipient(inbox) == {address: 1 for address in CONFIRMED}


def test_the_confirmation_email_is_signed_too(project: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bulletin.publish.email.message import simple_message

    key_file, txt_record = make_dkim_key(tmp_path)
    email_config(project, extra=f"    dkim:\n      selector: w26\n      key_file: {key_file}\n")
    settings = load_config(project / "config.yaml").publishers[0].settings  # type: ignore[attr-defined]
    message = simple_message(settings, "chen@example.cn", "确认订阅《Token Bulletin》",
                             "打开此链接即可确认：https://bulletin.example.org/confirm?token=x\n",
                             "confirm.1@bulletin.example.org", datetime(2026, 3, 16, tzinfo=UTC))
    assert message.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
    assert dkim.verify(message, dnsfunc=lambda name, timeout=5: txt_record)
    assert not dkim.verify(message.replace(b"confirm.1@", b"confirm.2@"),
                           dnsfunc=lambda name, timeout=5: txt_record)
