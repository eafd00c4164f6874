"""Amazon SES's bounces and complaints, as Amazon SNS posts them to ``/webhooks/ses``.

SNS signs each message with a key whose certificate it names
(``SigningCertURL``). The certificate is fetched only over https, only from an
allowed host (by default ``sns.<region>.amazonaws.com`` of each allowed topic),
checked against the system's CAs (or ``ca_file``), and kept for the process's
life. A valid signature proves that SNS sent the message, not that it is this
list's: anyone with an AWS account can sign a message from a topic of their
own, so the topic must also be one the config names (``topic_arns``). The
subscription confirmation SNS sends first is checked the same way, and its
``SubscribeURL`` fetched only from an allowed host.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bulletin.publish.email.settings import Ses

# The fields of each kind of message that its signature covers, in order (SNS's documentation).
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                 "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                "TopicArn", "Type"),
}
FETCH_TIMEOUT = 10.0  # seconds for a certificate or the subscription confirmation
MAX_CERTIFICATE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SesRecipient:
    """One address an SES notification names."""

    kind: str  # hard, soft, complaint
    email: str
    event_id: str
    detail: str


def allowed_hosts(settings: Ses) -> set[str]:
    if settings.cert_hosts:
        return {host.lower() for host in settings.cert_hosts}
    # arn:aws:sns:REGION:ACCOUNT:NAME
    return {f"sns.{arn.split(':')[3]}.amazonaws.com" for arn in settings.topic_arns
            if arn.count(":") >= 5}


def allowed_url(url: str, hosts: set[str]) -> bool:
    """An https URL on an allowed host, with no user name or password in it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or parts.username is not None or parts.password is not None:
        return False
    host = (parts.hostname or "").lower()
    return (host in hosts and port is None) or f"{host}:{port}" in hosts


class Verifier:
    """Checks SNS messages for one serve process; keeps the certificates it fetched."""

    def __init__(self, settings: Ses) -> None:
        self.settings = settings
        self.hosts = allowed_hosts(settings)
        self._certificates: dict[str, Any] = {}
        self._lock = threading.Lock()

    def problem(self, message: dict[str, Any]) -> str | None:
        """Why ``message`` is not a signed SNS message of an allowed topic, or None."""
        kind = message.get("Type")
        if kind not in SIGNED_FIELDS or message.get("TopicArn") not in self.settings.topic_arns:
            return "not a message of an allowed topic"
        version = str(message.get("SignatureVersion", ""))
        if version not in ("1", "2"):
            return "unknown signature version"
        url = str(message.get("SigningCertURL", ""))
        if not allowed_url(url, self.hosts) or not urlsplit(url).path.endswith(".pem"):
            return "the certificate is not on an allowed https host"
        text = "".join(f"{name}\n{message[name]}\n" for name in SIGNED_FIELDS[kind] if name in message
                       and isinstance(message[name], str))
        try:
            signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        except (binascii.Error, ValueError):
            return "the signature is not base64"
        key = self._public_key(url)
        if key is None:
            return "the certificate cannot be fetched"
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if not isinstance(key, rsa.RSAPublicKey):
            return "the certificate's key is not RSA"
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 (SNS's version 1)
        try:
            key.verify(signature, text.encode(), padding.PKCS1v15(), digest)
        except InvalidSignature:
            return "the signature does not verify"
        return None

    def _public_key(self, url: str) -> Any:
        with self._lock:
            if url in self._certificates:
                return self._certificates[url]
        pem = self.fetch(url)
        if pem is None:
            return None
        from cryptography import x509

        try:
            key = x509.load_pem_x509_certificate(pem).public_key()
        except ValueError:
            return None
        with self._lock:
            self._certificates[url] = key
        return key

    def fetch(self, url: str) -> bytes | None:
        """GET an allowed https URL (no redirects: they could leave the allowed hosts)."""
        import httpx

        if not allowed_url(url, self.hosts):
            return None
        try:
            verify: Any = str(self.settings.ca_file) if self.settings.ca_file else True
            with httpx.Client(verify=verify, timeout=FETCH_TIMEOUT,
                              follow_redirects=False) as client:
                answer = client.get(url)
        except httpx.HTTPError:
            return None
        if answer.status_code != 200 or len(answer.content) > MAX_CERTIFICATE_BYTES:
            return None
        return answer.content


def recipients(message: dict[str, Any]) -> list[SesRecipient]:
    """The addresses an SES notification (an SNS message's ``Message``) reports."""
    try:
        notice = json.loads(str(message.get("Message", "")))
    except json.JSONDecodeError:
        return []
    if not isinstance(notice, dict):
        return []
    kind = str(notice.get("notificationType") or notice.get("eventType") or "")
    mail = notice.get("mail") if isinstance(notice.get("mail"), dict) else {}
    mail_id = str(mail.get("messageId", "")) if isinstance(mail, dict) else ""
    found: list[SesRecipient] = []
    if kind == "Bounce" and isinstance(notice.get("bounce"), dict):
        bounce = notice["bounce"]
        severity = {"Permanent": "hard", "Transient": "soft"}.get(str(bounce.get("bounceType", "")))
        for person in bounce.get("bouncedRecipients") or []:
            if severity and isinstance(person, dict):
                address = str(person.get("emailAddress", ""))
                words = " ".join(str(person.get(k) or "") for k in ("status", "diagnosticCode")).strip()
                # One notification may name several recipients: each is an event of its own.
                detail = f"ses {bounce.get('bounceSubType', '')}: {words}"[:300]
                found.append(SesRecipient(severity, address,
                                          f"ses:{mail_id}:{bounce.get('feedbackId')}:{address}", detail))
    if kind == "Complaint" and isinstance(notice.get("complaint"), dict):
        complaint = notice["complaint"]
        feedback = str(complaint.get("complaintFeedbackType") or "abuse")
        for person in complaint.get("complainedRecipients") or []:
            if feedback != "not-spam" and isinstance(person, dict):
                address = str(person.get("emailAddress", ""))
                found.append(SesRecipient("complaint", address, f"ses:{mail_id}:"
                                          f"{complaint.get('feedbackId')}:{address}", f"ses {feedback}"))
    return found
