"""Amazon SES through SNS: messages signed with a real RSA key whose certificate an https server on
loopback serves (the allowed host, trusted through its own CA file), posted to `bulletin serve`."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_webhooks import ANA, BO, CHEN, people, post

from bulletin.publish.email.settings import Ses
from bulletin.serve.ses import allowed_url
from support.emailing import KEY, email_config, make_certificate
from support.serving import bulletin_serve

TOPIC = "arn:aws:sns:eu-west-1:123456789012:bulletin-bounces"
OTHER_TOPIC = "arn:aws:sns:eu-west-1:999999999999:someone-elses"
FIELDS = {"Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
          "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                       "TopicArn", "Type")}


def signing_key(folder: Path, name: str) -> tuple[Any, bytes]:
    """An RSA key and a certificate for it, as SNS signs with."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sns.{name}.amazonaws.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM)


class _Hosting(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.path)
        body = self.files.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def https_host(folder: Path, files: dict[str, bytes]) -> Iterator[tuple[int, Path, list[str]]]:
    """An https server on loopback, with its CA file; yields its port, that file, and the paths asked."""
    cert, key = make_certificate(folder)
    handler = type("Hosting", (_Hosting,), {"files": files, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], cert, handler.seen
    finally:
        server.shutdown()
        server.server_close()


def sns(key: Any, kind: str, cert_url: str, version: str = "2", topic: str = TOPIC,
        **fields: str) -> dict[str, str]:
    """An SNS message as SNS signs it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    message = {"Type": kind, "MessageId": fields.pop("MessageId", "m-1"), "TopicArn": topic,
               "Timestamp": "2026-12-07T19:00:00.000Z", "SignatureVersion": version,
               "SigningCertURL": cert_url, **fields}
    text = "".join(f"{name}\n{message[name]}\n" for name in FIELDS[kind] if name in message)
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    message["Signature"] = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), digest)).decode()
    return message


def bounce(email: str, bounce_type: str = "Permanent", feedback: str = "f-1") -> str:
    return json.dumps({"notificationType": "Bounce", "mail": {"messageId": "ses-1"},
                       "bounce": {"bounceType": bounce_type, "bounceSubType": "General",
                                  "feedbackId": feedback,
                                  "bouncedRecipients": [{"emailAddress": email, "status": "5.1.1",
                                                         "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]}})


def complaint(email: str) -> str:
    return json.dumps({"notificationType": "Complaint", "mail": {"messageId": "ses-2"},
                       "complaint": {"feedbackId": "c-1", "complaintFeedbackType": "abuse",
                                     "complainedRecipients": [{"emailAddress": email}]}})


@pytest.fixture
def with_ses(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Three subscribers sent 2026-W11, SES set up, and the https host of the signing certificate."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    assert bulletin("run").code == 0
    for address in (ANA, BO, CHEN):
        assert bulletin("subscribers", "add", address).code == 0
    key, pem = signing_key(tmp_path, "eu-west-1")
    with https_host(tmp_path, {"/SimpleNotificationService-1.pem": pem, "/confirm": b"<ok/>"}) as host:
        port, ca_file, seen = host
        email_config(project, extra=f"    ses:\n      topic_arns: [{TOPIC}]\n"
                                    f"      cert_hosts: [localhost:{port}]\n      ca_file: {ca_file}\n")
        assert bulletin("publish", "--week", "2026-W11").code == 0
        yield project, key, f"https://localhost:{port}", seen


def test_ses_notifications_signed_by_sns_mark_the_recipients(with_ses: Any, tmp_path: Path) -> None:
    project, key, host, seen = with_ses
    cert = f"{host}/SimpleNotificationService-1.pem"
    with bulletin_serve(project) as site:
        confirm = sns(key, "SubscriptionConfirmation", cert, Token="t", Message="confirm it",
                      SubscribeURL=f"{host}/confirm?Action=ConfirmSubscription&Token=t")
        assert post(site, "/webhooks/ses", json.dumps(confirm).encode()) == (200, b"subscribed\n")
        assert "/confirm?Action=ConfirmSubscription&Token=t" in seen
        hard = sns(key, "Notification", cert, Message=bounce(ANA))
        assert post(site, "/webhooks/ses", json.dumps(hard).encode()) == (200, b"ok\n")
        assert post(site, "/webhooks/ses", json.dumps(hard).encode()) == (200, b"already read\n")
        spam = sns(key, "Notification", cert, "1", MessageId="m-2", Message=complaint(BO))
        assert post(site, "/webhooks/ses", json.dumps(spam).encode()) == (200, b"ok\n")
    assert seen.count("/SimpleNotificationService-1.pem") == 1  # fetched once, then kept
    assert people(project) == {ANA: ("bounced", "hard bounce of 2026-W11: ses General: 5.1.1 smtp; 550 "
                                     "5.1.1 user unknown"),
                               BO: ("complained", "complaint (ses abuse) about 2026-W11"),
                               CHEN: ("confirmed", "")}


def test_forged_sns_messages_change_nothing_and_fetch_nothing_elsewhere(with_ses: Any,
                                                                        tmp_path: Path) -> None:
    project, key, host, seen = with_ses
    cert = f"{host}/SimpleNotificationService-1.pem"
    other_key, _ = signing_key(tmp_path, "eu-west-1")
    tampered = sns(key, "Notification", cert, Message=bounce(ANA))
    tampered["Message"] = bounce(BO)
    forged = [
        sns(other_key, "Notification", cert, Message=bounce(ANA)),  # not the certificate's key
        sns(key, "Notification", cert, topic=OTHER_TOPIC, Message=bounce(ANA)),  # someone else's topic
        sns(key, "Notification", cert.replace("https:", "http:"), Message=bounce(ANA)),
        sns(key, "Notification", "https://evil.example/SimpleNotificationService-1.pem", Message=bounce(ANA)),
        sns(key, "Notification", f"https://user@{host[8:]}/SimpleNotificationService-1.pem",
            Message=bounce(ANA)),
        sns(key, "Notification", cert, version="3", Message=bounce(ANA)),
        tampered,
        {**sns(key, "Notification", cert, Message=bounce(ANA)), "Signature": "!!"},
    ]
    before = people(project)
    with bulletin_serve(project) as site:
        answers = [post(site, "/webhooks/ses", json.dumps(message).encode())[0] for message in forged]
        confirm = sns(key, "SubscriptionConfirmation", cert, Token="t", Message="m",
                      SubscribeURL="https://evil.example/confirm")
        assert post(site, "/webhooks/ses", json.dumps(confirm).encode())[0] == 403
    assert answers == [403] * len(forged)
    assert people(project) == before
    assert set(seen) <= {"/SimpleNotificationService-1.pem"}


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem", True),
    ("https://SNS.eu-west-1.amazonaws.com/x.pem", True),
    ("http://sns.eu-west-1.amazonaws.com/x.pem", False),
    ("https://sns.eu-west-1.amazonaws.com.evil.example/x.pem", False),
    ("https://evil.example/sns.eu-west-1.amazonaws.com/x.pem", False),
    ("https://sns.eu-west-1.amazonaws.com:8443/x.pem", False),
    ("https://a@sns.eu-west-1.amazonaws.com/x.pem", False),
    ("https://sns.us-east-1.amazonaws.com/x.pem", False),
])
def test_certificates_come_from_the_topics_region_only(url: str, allowed: bool) -> None:
    from bulletin.serve.ses import allowed_hosts

    hosts = allowed_hosts(Ses((TOPIC,), (), None))
    assert hosts == {"sns.eu-west-1.amazonaws.com"}
    assert allowed_url(url, hosts) is allowed


def test_ses_needs_the_topics_it_takes(project: Path, bulletin) -> None:
    email_config(project, extra="    ses:\n      cert_hosts: [sns.eu-west-1.amazonaws.com]\n")
    result = bulletin("publish", "--week", "2026-W11")
    assert result.code == 2
    assert "publish[0].ses.topic_arns: required: the topics whose messages are this list's" in result.err
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write("      topic_arns: [bounces]\n")
    again = bulletin("publish", "--week", "2026-W11")
    assert ("publish[0].ses.topic_arns: not an SNS topic ARN like "
            "'arn:aws:sns:eu-west-1:123456789012:bounces': 'bounces'") in again.err
