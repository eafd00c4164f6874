"""ESP webhooks on `bulletin serve`: Mailgun's signed events and Postmark's basic auth, posted to
a real server process on loopback, signed with real keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import socket
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bulletin.config.load import load_config
from bulletin.store.database import Store
from support.emailing import KEY, email_config
from support.serving import bulletin_serve

ANA, BO, CHEN = "ana@example.com", "bo@example.net", "chen@example.cn"
MAILGUN_KEY = "key-" + "5" * 32
PM_USER, PM_PASSWORD = "postmark-hook", "correct horse battery staple"


@pytest.fixture
def hooked(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three confirmed subscribers who were sent 2026-W11; both webhooks set up."""
    for name, value in (("BULLETIN_SIGNING_KEY", KEY), ("MAILGUN_KEY", MAILGUN_KEY),
                        ("PM_USER", PM_USER), ("PM_PASSWORD", PM_PASSWORD)):
        monkeypatch.setenv(name, value)
    assert bulletin("run").code == 0
    for address in (ANA, BO, CHEN):
        assert bulletin("subscribers", "add", address).code == 0
    email_config(project, extra="    mailgun_signing_key_env: MAILGUN_KEY\n"
                                "    postmark_user_env: PM_USER\n    postmark_password_env: PM_PASSWORD\n")
    assert bulletin("publish", "--week", "2026-W11").code == 0
    return project


def post(base: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    url = urlsplit(base)
    with closing(http.client.HTTPConnection(url.hostname, url.port, timeout=30)) as connection:
        connection.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})
        answer = connection.getresponse()
        return answer.status, answer.read()


def mailgun(event: dict[str, Any], key: str = MAILGUN_KEY, at: float | None = None) -> bytes:
    """An event as Mailgun posts it, signed as Mailgun signs it."""
    timestamp, token = str(int(time.time() if at is None else at)), secrets.token_hex(25)
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return json.dumps({"signature": {"timestamp": timestamp, "token": token, "signature": signature},
                       "event-data": event}).encode()


def failed(recipient: str, severity: str = "permanent", event_id: str = "ev1") -> dict[str, Any]:
    return {"event": "failed", "severity": severity, "recipient": recipient, "id": event_id,
            "delivery-status": {"code": 550, "message": "5.1.1 The email account does not exist",
                                "description": ""}}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def people(project: Path) -> dict[str, tuple[str, str]]:
    with Store.open(load_config(project / "config.yaml").database) as store:
        return {s.email: (s.status, s.reason) for s in store.subscribers.listing()}


def test_mailgun_events_signed_with_the_key_mark_the_recipient(hooked: Path) -> None:
    before = people(hooked)
    with bulletin_serve(hooked) as site:
        forged = [
            mailgun(failed(ANA), key="key-" + "6" * 32),  # another account's key
            mailgun(failed(ANA), at=time.time() - 3600),  # an hour old: a replay
            json.dumps({"signature": {"timestamp": "1", "token": "t", "signature": "00"},
                        "event-data": failed(ANA)}).encode(),
            json.dumps({"event-data": failed(ANA)}).encode(),  # not signed at all
            b"not json",
        ]
        assert [post(site, "/webhooks/mailgun", body)[0] for body in forged] == [403] * 5
        assert people(hooked) == before
        assert post(site, "/webhooks/mailgun", mailgun(failed(ANA))) == (200, b"ok\n")
        assert post(site, "/webhooks/mailgun", mailgun(failed(ANA))) == (200, b"already read\n")
        complaint = {"event": "complained", "recipient": BO, "id": "ev2"}
        assert post(site, "/webhooks/mailgun", mailgun(complaint))[0] == 200
        soft = post(site, "/webhooks/mailgun", mailgun(failed(CHEN, "temporary", "ev3")))
        assert soft == (200, b"ok\n")
        stranger = post(site, "/webhooks/mailgun", mailgun(failed("who@example.org", event_id="ev4")))
        assert stranger == (200, b"ignored: not on the list\n")
    assert people(hooked) == {
        ANA: ("bounced", "hard bounce of 2026-W11: mailgun: 550 5.1.1 The email account does not exist"),
        BO: ("complained", "complaint (mailgun) about 2026-W11"),
        CHEN: ("confirmed", ""),  # one soft bounce does not
    }


def test_postmark_posts_need_its_basic_auth(hooked: Path) -> None:
    bounce = json.dumps({"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "HardBounce",
                         "TypeCode": 1, "Email": CHEN, "Description": "The server was unable to deliver "
                         "your message (ex: unknown user, mailbox not found).",
                         "Details": "smtp;550 5.1.1 unknown user"}).encode()
    with bulletin_serve(hooked) as site:
        for headers in ({}, basic(PM_USER, "wrong"), basic("someone", PM_PASSWORD),
                        {"Authorization": "Bearer " + PM_PASSWORD}, {"Authorization": "Basic !!"}):
            status, _ = post(site, "/webhooks/postmark", bounce, headers)
            assert status == 401, headers
        assert people(hooked)[CHEN] == ("confirmed", "")
        assert post(site, "/webhooks/postmark", bounce, basic(PM_USER, PM_PASSWORD)) == (200, b"ok\n")
        complaint = json.dumps({"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint",
                                "Email": ANA}).encode()
        assert post(site, "/webhooks/postmark", complaint, basic(PM_USER, PM_PASSWORD))[0] == 200
    found = people(hooked)
    assert found[CHEN][0] == "bounced" and found[CHEN][1].startswith("hard bounce of 2026-W11: postmark "
                                                                     "HardBounce: The server was unable")
    assert found[ANA] == ("complained", "complaint (postmark) about 2026-W11")
    assert found[BO] == ("confirmed", "")


def test_without_credentials_there_is_no_webhook(project: Path, bulletin,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    email_config(project)
    assert bulletin("run").code == 0
    with bulletin_serve(project) as site:
        # As for a POST to any other path of the site.
        assert post(site, "/webhooks/mailgun", mailgun(failed(ANA)))[0] == 405
        assert post(site, "/webhooks/postmark", b"{}", basic(PM_USER, PM_PASSWORD))[0] == 405


def test_a_postmark_user_without_its_password_is_refused(project: Path, bulletin) -> None:
    email_config(project, extra="    postmark_user_env: PM_USER\n")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 2
    assert "publish[0]: postmark_user_env and postmark_password_env go together" in result.err


def sendgrid_key() -> tuple[Any, str]:
    """A P-256 key pair as SendGrid makes one: the private half signs, the public half (base64 DER)
    is what its settings page shows as the verification key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(public).decode()


def sendgrid(private: Any, events: list[dict[str, Any]],
             at: float | None = None) -> tuple[bytes, dict[str, str]]:
    """A post as SendGrid's signed event webhook makes it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    body = json.dumps(events).encode()
    timestamp = str(int(time.time() if at is None else at))
    signature = private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return body, {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
                  "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}


def test_sendgrid_posts_signed_with_its_key_mark_the_recipients(hooked: Path, bulletin,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = sendgrid_key()
    monkeypatch.setenv("SENDGRID_KEY", public)
    with open(hooked / "config.yaml", "a", encoding="utf-8") as config:
        config.write("    sendgrid_public_key_env: SENDGRID_KEY\n")
    events = [{"email": ANA, "event": "bounce", "type": "bounce", "status": "5.1.1",
               "reason": "550 5.1.1 unknown user", "sg_event_id": "sg1", "timestamp": 1765130000},
              {"email": BO, "event": "spamreport", "sg_event_id": "sg2", "timestamp": 1765130000},
              {"email": CHEN, "event": "deferred", "sg_event_id": "sg3", "timestamp": 1765130000}]
    body, headers = sendgrid(private, events)
    other, _ = sendgrid_key()
    _, foreign = sendgrid(other, events)
    _, stale = sendgrid(private, events, at=time.time() - 3600)
    tampered = body.replace(ANA.encode(), CHEN.encode())
    before = people(hooked)
    with bulletin_serve(hooked) as site:
        for forged_body, forged_headers in ((body, foreign), (body, stale), (tampered, headers), (body, {}),
                                            (body, {**headers, "X-Twilio-Email-Event-Webhook-Signature":
                                                    "bm90IGEgc2lnbmF0dXJl"})):
            assert post(site, "/webhooks/sendgrid", forged_body, forged_headers)[0] == 403
        assert people(hooked) == before
        assert post(site, "/webhooks/sendgrid", body, headers) == (200, b"ok\n")
        assert post(site, "/webhooks/sendgrid", body, headers) == (200, b"ok\n")  # a retry: acts once
    assert people(hooked) == {ANA: ("bounced", "hard bounce of 2026-W11: sendgrid bounce: 5.1.1 550 5.1.1 "
                                    "unknown user"),
                              BO: ("complained", "complaint (sendgrid) about 2026-W11"),
                              CHEN: ("confirmed", "")}  # SendGrid still tries a deferred copy
    with Store.open(load_config(hooked / "config.yaml").database) as store:
        assert store.db.execute("SELECT count(*) FROM mail_reports").fetchone()[0] == 2


def test_a_sendgrid_batch_larger_than_a_form_is_taken_and_other_paths_keep_their_limit(
        hooked: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    # SendGrid batches up to 768 kB of events; the site's forms take 64 kB, and still do.
    private, public = sendgrid_key()
    monkeypatch.setenv("SENDGRID_KEY", public)
    with open(hooked / "config.yaml", "a", encoding="utf-8") as config:
        config.write("    sendgrid_public_key_env: SENDGRID_KEY\n")
    padding = [{"email": f"someone{n}@example.org", "event": "delivered", "sg_event_id": f"d{n}",
                "smtp-id": f"<{n}@bulletin.example.org>", "timestamp": 1765130000} for n in range(3000)]
    body, headers = sendgrid(private, [*padding, {"email": ANA, "event": "bounce", "type": "bounce",
                                                  "status": "5.1.1", "sg_event_id": "sg9"}])
    assert 64 * 1024 < len(body) < 1024 * 1024
    with bulletin_serve(hooked) as site:
        assert post(site, "/webhooks/sendgrid", body, headers) == (200, b"ok\n")
        assert answer_to_length(site, "/webhooks/sendgrid", 2 * 1024 * 1024).startswith(b"HTTP/1.1 413")
        # (Read whole, as waitress now takes 1 MB on any path, then refused by the app.)
        assert post(site, "/subscribe", b"email=x" + b"x" * 70_000,
                    {"Content-Type": "application/x-www-form-urlencoded"})[0] == 413
    assert people(hooked)[ANA][0] == "bounced"


def answer_to_length(base: str, path: str, length: int) -> bytes:
    """The answer to a POST that says its body is ``length`` bytes, read before the body is all sent
    (a server that refuses it closes the connection; sending the rest would race that)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {length}\r\n\r\n".encode() + b"[" * 1000)
        return connection.recv(65536)
