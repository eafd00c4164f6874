"""Bounces and complaints an ESP posts to ``bulletin serve``: Mailgun, Postmark, SendGrid and
Amazon SES (through SNS, whose signatures are checked in ses.py).

Each is authenticated the way its ESP does it, before anything it says is
acted on: Mailgun signs each event (an HMAC-SHA256 of its timestamp and token
under the account's webhook signing key); SendGrid signs each post (ECDSA
over its timestamp and body, checked with the account's public key);
Postmark signs nothing, so its webhook is set up with HTTP basic auth, whose
user and password are in the environment. An unauthenticated post gets 401
or 403 and changes nothing.

Unlike a bounce report that anyone can mail to the bounce address, an
authenticated event is the ESP's word, so it is matched by the address it
names. It then does what a report would (bulletin/publish/email/bounces.py):
a hard bounce marks the address bounced, soft ones count, a complaint marks
it complained; the ESP's event id is kept, so an event posted twice (ESPs
retry) acts once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from bulletin import clock
from bulletin.config.settings import Config
from bulletin.errors import SubscriberError
from bulletin.publish.email import bounces
from bulletin.publish.email import subscribers as subs
from bulletin.publish.email.reports import Kind
from bulletin.publish.email.settings import EmailSettings
from bulletin.serve import app as web
from bulletin.serve import ses
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")

# Mailgun's advice, kept for SendGrid too: refuse a signature older than this, so that a captured
# post cannot be replayed later (within it, the event id kept in the store makes a replay change nothing).
WEBHOOK_MAX_AGE = 15 * 60
# Postmark's bounce types (its "Type"): the rest (an auto-reply, a challenge, a subscribe) is no bounce.
POSTMARK_HARD = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Blocked"}
POSTMARK_SOFT = {"SoftBounce", "Transient", "DnsError", "MailboxFull"}
POSTMARK_COMPLAINT = {"SpamComplaint"}
# SendGrid posts its events in batches of up to 768 kB (Mailgun and Postmark post one at a time, well
# under the site's MAX_BODY); only this route takes that much, and only when SendGrid is set up.
SENDGRID_MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class EspEvent:
    """What an authenticated post says, before its address is looked up."""

    kind: Kind
    event_id: str
    email: str
    detail: str


def register_webhooks(app: web.WebApp, config: Config, settings: EmailSettings | None) -> None:
    """Add the webhooks the email target has credentials for."""
    if settings is None:
        return
    hooks = Webhooks(config, settings)
    if settings.mailgun_signing_key_env:
        app.route("POST", "/webhooks/mailgun", hooks.mailgun)
    if settings.postmark_user_env and settings.postmark_password_env:
        app.route("POST", "/webhooks/postmark", hooks.postmark)
    if settings.sendgrid_public_key_env:
        app.route("POST", "/webhooks/sendgrid", hooks.sendgrid, max_body=SENDGRID_MAX_BODY)
    if settings.ses is not None:
        app.route("POST", "/webhooks/ses", hooks.amazon_ses)


def _plain(status: int, text: str, headers: tuple[tuple[str, str], ...] = ()) -> web.Response:
    return web.Response(status, f"{text}\n".encode(), "text/plain; charset=utf-8", headers)


def _secret(variable: str) -> bytes:
    """The secret in ``variable``, or b"" when it is not set (then nothing is accepted)."""
    value = os.environ.get(variable, "")
    if not value:
        log.warning("bulletin serve: environment variable %s is not set: the webhook refuses every post",
                    variable)
    return value.encode()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


class Webhooks:
    def __init__(self, config: Config, settings: EmailSettings) -> None:
        self.config = config
        self.settings = settings
        # One per serve process: it keeps the SNS certificates it fetched.
        self.sns = ses.Verifier(settings.ses) if settings.ses is not None else None

    def mailgun(self, request: web.Request) -> web.Response:
        assert self.settings.mailgun_signing_key_env is not None
        key = _secret(self.settings.mailgun_signing_key_env)
        payload = _json(request.body)
        signature = payload.get("signature") if isinstance(payload, dict) else None
        if not key or not isinstance(signature, dict) or not _mailgun_signed(key, signature):
            return _plain(403, "Forbidden: not signed with this list's Mailgun key")
        data = payload.get("event-data")
        if not isinstance(data, dict):
            return _plain(400, "Bad request: no event-data")
        return self._act([_mailgun_event(data)])

    def postmark(self, request: web.Request) -> web.Response:
        assert self.settings.postmark_user_env and self.settings.postmark_password_env
        user = _secret(self.settings.postmark_user_env)
        password = _secret(self.settings.postmark_password_env)
        if not user or not password or not _basic_auth(request.headers.get("authorization", ""),
                                                        user, password):
            return _plain(401, "Unauthorized", (("WWW-Authenticate", 'Basic realm="bulletin webhooks"'),))
        payload = _json(request.body)
        if not isinstance(payload, dict):
            return _plain(400, "Bad request: not a JSON object")
        return self._act([_postmark_event(payload)])

    def sendgrid(self, request: web.Request) -> web.Response:
        assert self.settings.sendgrid_public_key_env is not None
        key = _secret(self.settings.sendgrid_public_key_env)
        if not key or not _sendgrid_signed(key, request):
            return _plain(403, "Forbidden: not signed with this list's SendGrid key")
        payload = _json(request.body)
        if not isinstance(payload, list):
            return _plain(400, "Bad request: not a JSON list of events")
        return self._act([_sendgrid_event(event) for event in payload if isinstance(event, dict)])

    def amazon_ses(self, request: web.Request) -> web.Response:
        assert self.sns is not None
        message = _json(request.body)
        if not isinstance(message, dict):
            return _plain(400, "Bad request: not a JSON object")
        problem = self.sns.problem(message)
        if problem:
            return _plain(403, f"Forbidden: {problem}")
        if message["Type"] == "SubscriptionConfirmation":
            # Signed by SNS for an allowed topic: confirming it is what the list's owner asked for.
            if self.sns.fetch(str(message.get("SubscribeURL", ""))) is None:
                return _plain(403, "Forbidden: the subscription cannot be confirmed at its URL")
            log.info("bulletin serve: subscribed to %s", message["TopicArn"])
            return _plain(200, "subscribed")
        if message["Type"] != "Notification":
            return _plain(200, "ignored")
        return self._act([EspEvent(Kind(found.kind), found.event_id, found.email, found.detail)
                          for found in ses.recipients(message)])

    def _act(self, events: list[EspEvent]) -> web.Response:
        """200 whatever became of the events (the ESP would only post them again), all in one
        transaction; the answer says what became of a lone event."""
        with Store.open(self.config.store) as store, store.transaction():
            outcomes = [self._record(store, event) for event in events]
        return _plain(200, outcomes[0] if len(outcomes) == 1 else "ok" if outcomes else "ignored")

    def _record(self, store: Store, event: EspEvent) -> str:
        if event.kind == Kind.OTHER or not event.event_id:
            return "ignored"
        try:
            address = subs.normalise(event.email)
        except SubscriberError:
            return "ignored: not an address"
        subscriber = store.subscribers.get(address)
        if subscriber is None:
            return "ignored: not on the list"
        # An ESP's event does not say which week's copy it was: the newest sent is the likeliest.
        week = store.mail_reports.last_sent_week(subscriber.id) or str(IsoWeek.of(clock.now().date()))
        digest = hashlib.sha256(f"esp\n{event.event_id}".encode()).hexdigest()
        tally = bounces.Tally()
        bounces.record(store, bounces.Event(event.kind, digest, subscriber, week, event.detail),
                       self.settings.soft_bounce_limit, clock.stamp(), tally)
        return "already read" if tally.already else "ok"


def _fresh(timestamp: str) -> bool:
    """A signature's time, within WEBHOOK_MAX_AGE of now."""
    return timestamp.isascii() and timestamp.isdigit() and \
        abs(time.time() - int(timestamp)) <= WEBHOOK_MAX_AGE


def _mailgun_signed(key: bytes, signature: dict[str, Any]) -> bool:
    timestamp, token, given = (str(signature.get(k, "")) for k in ("timestamp", "token", "signature"))
    if not _fresh(timestamp) or not token or not given:
        return False
    expected = hmac.new(key, (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.encode())


def _mailgun_event(data: dict[str, Any]) -> EspEvent:
    event, severity = str(data.get("event", "")), str(data.get("severity", ""))
    status = data.get("delivery-status")
    status = status if isinstance(status, dict) else {}
    words = " ".join(str(status.get(k) or "") for k in ("code", "message", "description")).strip()
    kind = (Kind.HARD if event == "failed" and severity == "permanent" else
            Kind.SOFT if event == "failed" and severity == "temporary" else
            Kind.COMPLAINT if event == "complained" else Kind.OTHER)
    detail = "mailgun" if kind == Kind.COMPLAINT else f"mailgun: {words}"[:300]
    return EspEvent(kind, f"mailgun:{data.get('id', '')}", str(data.get("recipient", "")), detail)


def _basic_auth(header: str, user: bytes, password: bytes) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given_user, colon, given_password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
    except (binascii.Error, ValueError):
        return False
    # Both compared whatever the first gives: the time taken tells nothing of which was wrong.
    same_user = hmac.compare_digest(given_user, user)
    same_password = hmac.compare_digest(given_password, password)
    return bool(colon) and same_user and same_password


def _postmark_event(payload: dict[str, Any]) -> EspEvent:
    record, kind_name = str(payload.get("RecordType", "")), str(payload.get("Type", ""))
    if record == "SpamComplaint" or kind_name in POSTMARK_COMPLAINT:
        kind = Kind.COMPLAINT
    elif record == "Bounce" and kind_name in POSTMARK_HARD:
        kind = Kind.HARD
    elif record == "Bounce" and kind_name in POSTMARK_SOFT:
        kind = Kind.SOFT
    else:
        kind = Kind.OTHER
    words = " ".join(str(payload.get(k) or "") for k in ("Description", "Details")).strip()
    detail = "postmark" if kind == Kind.COMPLAINT else f"postmark {kind_name}: {words}"[:300]
    return EspEvent(kind, f"postmark:{payload.get('ID', '')}", str(payload.get("Email", "")), detail)


SENDGRID_SIGNATURE = "x-twilio-email-event-webhook-signature"
SENDGRID_TIMESTAMP = "x-twilio-email-event-webhook-timestamp"


def _sendgrid_signed(key: bytes, request: web.Request) -> bool:
    """SendGrid's signed event webhook: an ECDSA (P-256, SHA-256) signature over the timestamp
    header and the body as sent, checked with the account's verification key (base64 DER)."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    timestamp = request.headers.get(SENDGRID_TIMESTAMP, "")
    if not _fresh(timestamp):
        return False
    try:
        public = serialization.load_der_public_key(base64.b64decode(key, validate=True))
        signature = base64.b64decode(request.headers.get(SENDGRID_SIGNATURE, ""), validate=True)
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        return False
    if not isinstance(public, ec.EllipticCurvePublicKey) or not signature:
        return False
    try:
        public.verify(signature, timestamp.encode() + request.body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _sendgrid_event(event: dict[str, Any]) -> EspEvent:
    name, bounce_type = str(event.get("event", "")), str(event.get("type", "bounce"))
    # "deferred" is not counted: SendGrid is still trying, and says "bounce" when it gives up.
    kind = (Kind.HARD if name == "bounce" and bounce_type == "bounce" else
            Kind.SOFT if name == "bounce" and bounce_type == "blocked" else
            Kind.COMPLAINT if name == "spamreport" else Kind.OTHER)
    words = " ".join(str(event.get(k) or "") for k in ("status", "reason")).strip()
    detail = "sendgrid" if kind == Kind.COMPLAINT else f"sendgrid {bounce_type}: {words}"[:300]
    return EspEvent(kind, f"sendgrid:{event.get('sg_event_id', '')}", str(event.get("email", "")), detail)
