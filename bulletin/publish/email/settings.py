"""The ``type: email`` entry of ``publish:``, read and checked all at once."""

from __future__ import annotations

import logging
from email.headerregistry import Address
from email.utils import parseaddr
from enum import StrEnum
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.records import record
from bulletin.store.quota import Limits

log = logging.getLogger("bulletin")



class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"  # implicit TLS
    NONE = "none"


# How subscribers hear of a corrected week: a notice in the next issue, or a short email of its own.


class CorrectionsNotice(StrEnum):
    NEXT_ISSUE = "next_issue"  # a notice in the next issue
    SEPARATE = "separate"  # a short email of its own to the week's recipients


IMPLICIT_TLS_PORT = 465  # the port when `security: tls` and no port is given


def _at_least_zero(key: str, default: float, help: str) -> option.Option:
    return option.bounded_number(key, default, help, lambda value: not value < 0,
                                 "expected a number of at least 0, got {value!r}", "number, at least 0")


SMTP_OPTIONS = option.schema(
    option.text("host", None, "the SMTP server", required=True),
    option.choice("security", SmtpSecurity.STARTTLS, "how the connection is secured; `tls` is implicit TLS",
                  refusal="expected one of: {choices}, got {value!r}"),
    option.integer("port", 587, "the server's port", shown_default=f"`587`; `{IMPLICIT_TLS_PORT}` with "
                   "`security: tls`"),
    option.text("username_env", None, "the environment variable holding the login, if the server "
                "wants one (with `password_env`)"),
    option.text("password_env", None, "the environment variable holding the password"),
    _at_least_zero("timeout", 30.0, "seconds for one exchange with the server"),
)

DKIM_OPTIONS = option.schema(
    option.text("selector", None, "the DKIM selector the public key is published under", required=True),
    option.text("domain", None, "the signing domain", shown_default="the `from` address's domain"),
    option.path("key_file", "the PEM RSA private key", required=True, must_exist=True),
)

SES_OPTIONS = option.schema(
    option.strings("topic_arns", (), "the SNS topics SES posts this list's bounces and complaints to; "
                   "a message of any other topic is refused"),
    option.strings("cert_hosts", (), "the hosts SNS's signing certificates are fetched from (https only)"),
    option.path("ca_file", "the CA certificates the certificate hosts are checked against",
                must_exist=True, required=False, shown_default="the system's"),
)


def _read_sender(sender: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                 base_dir: Path) -> str | None:
    """``from``: an address, with or without a name, whose domain can be told."""
    text = check.string(raw, "from", where, problems, required=True)
    if text and (not _domain(text) or any(c in text for c in "\r\n")):
        problems.add(f"{where}.from", f"not an address like 'Token Bulletin <news@example.org>': {text!r}")
        return None
    return text


def _read_bounce_address(declared: option.Option, raw: dict[str, Any], where: str,
                         problems: check.Problems, base_dir: Path) -> str | None:
    """``bounce_address``: a bare address whose local part has room for a VERP token."""
    from bulletin.publish.email import verp

    text = check.string(raw, declared.key, where, problems)
    if text is None:
        return None
    try:
        address = Address(addr_spec=text.strip())
    except (ValueError, IndexError):
        address = None
    if address is None or not address.domain or not text.isascii() or text.strip() != address.addr_spec:
        problems.add(f"{where}.{declared.key}", f"not a bare address like 'bounces@example.org': {text!r}")
        return None
    problem = verp.local_part_room(address.addr_spec)
    if problem:
        problems.add(f"{where}.{declared.key}", f"{text!r}: {problem}")
        return None
    return address.addr_spec


def _domain(sender: str) -> str:
    _, address = parseaddr(sender)
    try:
        return Address(addr_spec=address).domain if address else ""
    except (ValueError, IndexError):
        return ""


OPTIONS = option.schema(
    option.custom("from", None, "the sender, e.g. `Token Bulletin <news@example.org>`", "text",
                  _read_sender, required=True),
    option.url("base_url", "where `/subscribe`, `/confirm`, `/unsubscribe` are served (https)",
               required=True),
    option.text("list_name", None, "the list's name, shown in List-Id and the footer",
                shown_default="the top-level `title`"),
    option.text("list_id", None, "the List-Id", shown_default="`bulletin.` and the `from` domain"),
    option.text("signing_key_env", "BULLETIN_SIGNING_KEY", "the environment variable holding the key "
                "that signs the subscribers' links"),
    option.integer("concurrency", 4, "SMTP connections in parallel, each reused for many messages"),
    option.integer("max_attempts", 5, "tries per address in one run after 4xx replies (backoff doubles)"),
    option.integer("bounce_after", 3, "5xx replies before an address is marked bounced"),
    option.custom("bounce_address", None, "where bounces and complaints come back: each copy's envelope "
                  "sender is this address with a signed token after `+` (VERP), and its "
                  "List-Unsubscribe offers a mailto to it beside the https link; read by "
                  "`bulletin bounces`", "text", _read_bounce_address,
                  shown_default="none: the envelope sender is the `from` address"),
    option.text("mailgun_signing_key_env", None, "the environment variable holding Mailgun's webhook "
                "signing key: `bulletin serve` then takes its events at `/webhooks/mailgun`"),
    option.text("postmark_user_env", None, "the environment variable holding the user name of the "
                "basic auth Postmark's webhook sends to `/webhooks/postmark` (with `postmark_password_env`)"),
    option.text("postmark_password_env", None, "the environment variable holding that password"),
    option.text("sendgrid_public_key_env", None, "the environment variable holding SendGrid's event "
                "webhook verification key (base64): `bulletin serve` then takes its signed events at "
                "`/webhooks/sendgrid`"),
    option.integer("soft_bounce_limit", 3, "soft bounces (4.x.x reports) in a row, one a week at most, "
                   "before `bulletin bounces` marks an address bounced"),
    option.integer("signups_per_hour", 100, "confirmation emails the subscribe form may send an hour, "
                   "in all"),
    option.integer("signups_per_client", 20, "sign-ups one client address may make a minute"),
    option.integer("max_pending", 10_000, "unconfirmed addresses the list holds at most"),
    option.integer("max_per_second", 0, "messages any one second may hold, counted in the store over "
                   "every sender of this relay; a full second is waited out; 0: no limit", minimum=0),
    option.integer("max_per_hour", 0, "messages any hour may hold; a send that reaches it stops, and the "
                   "next run goes on where it stopped; 0: no limit", minimum=0),
    option.integer("max_per_day", 0, "messages any 24 hours may hold, like `max_per_hour` "
                   "(Amazon SES: your account's sending quota); 0: no limit", minimum=0),
    _at_least_zero("rate", 0.0, "messages per second over all connections; 0: no limit"),
    _at_least_zero("retry_seconds", 2.0, "the first backoff after a 4xx reply"),
    option.choice("corrections", CorrectionsNotice.NEXT_ISSUE, "how subscribers hear of a corrected week: "
                  "a notice in the next issue, or a short email of its own",
                  refusal="expected one of: {choices}, got {value!r}"),
    option.section("smtp", "the mail server; without it, .eml files are written to OUTPUT/outbox/WEEK/",
                   nested=SMTP_OPTIONS),
    option.section("dkim", "sign every message with DKIM", nested=DKIM_OPTIONS),
    option.section("ses", "take Amazon SES's bounces and complaints from SNS at `/webhooks/ses`",
                   nested=SES_OPTIONS),
)


@record
class Smtp:
    host: str
    port: int
    security: SmtpSecurity
    username_env: str | None = SMTP_OPTIONS.default("username_env")
    password_env: str | None = SMTP_OPTIONS.default("password_env")
    timeout: float = SMTP_OPTIONS.default("timeout")


@record
class Dkim:
    selector: str
    domain: str
    key_file: Path


@record
class Ses:
    topic_arns: tuple[str, ...]
    cert_hosts: tuple[str, ...]  # () for sns.<region>.amazonaws.com of each topic
    ca_file: Path | None


@record
class EmailSettings:
    sender: str  # "Name <address>"
    list_name: str  # "": the publication's name (EmailPublisher.named())
    sender_address: str
    domain: str
    base_url: str
    list_id: str
    signing_key_env: str
    smtp: Smtp | None  # None: write .eml files to OUTPUT/outbox/ instead
    dkim: Dkim | None
    concurrency: int = OPTIONS.default("concurrency")
    rate: float = OPTIONS.default("rate")  # 0 = no limit
    max_attempts: int = OPTIONS.default("max_attempts")  # when the server says "later" (4xx)
    retry_seconds: float = OPTIONS.default("retry_seconds")  # doubles each time
    bounce_after: int = OPTIONS.default("bounce_after")
    signups_per_hour: int = OPTIONS.default("signups_per_hour")
    corrections: CorrectionsNotice = OPTIONS.default("corrections")
    signups_per_client: int = OPTIONS.default("signups_per_client")
    max_pending: int = OPTIONS.default("max_pending")
    bounce_address: str | None = None  # VERP and the mailto unsubscribe: bounce_address+TOKEN (verp.py)
    soft_bounce_limit: int = OPTIONS.default("soft_bounce_limit")
    mailgun_signing_key_env: str | None = None
    postmark_user_env: str | None = None
    postmark_password_env: str | None = None
    sendgrid_public_key_env: str | None = None
    ses: Ses | None = None
    quota: Limits = Limits()  # max_per_second, max_per_hour, max_per_day (sender.py)


def parse(raw: dict[str, Any], values: option.Values, where: str, base_dir: Path,
          problems: check.Problems) -> EmailSettings | None:
    """The settings of an email entry from what its schema read (OPTIONS), checked together."""
    before = len(problems)
    sender = values["from"] or ""
    name, address = parseaddr(sender)
    domain = _domain(sender) if sender else ""
    base_url = _https(values["base_url"] or "", where, problems)
    smtp = _smtp(raw["smtp"], f"{where}.smtp", problems) if raw.get("smtp") is not None else None
    dkim = _dkim(raw["dkim"], f"{where}.dkim", base_dir, domain, problems) \
        if raw.get("dkim") is not None else None
    ses = _ses(raw["ses"], f"{where}.ses", base_dir, problems) if raw.get("ses") is not None else None
    if bool(values["postmark_user_env"]) != bool(values["postmark_password_env"]):
        problems.add(where, "postmark_user_env and postmark_password_env go together")
    if not values.ok or len(problems) > before:
        return None
    return EmailSettings(sender if name else address, values["list_name"] or "", address, domain,
                         base_url.rstrip("/"), values["list_id"] or f"bulletin.{domain}",
                         values["signing_key_env"], smtp, dkim, values["concurrency"], values["rate"],
                         values["max_attempts"], values["retry_seconds"], values["bounce_after"],
                         values["signups_per_hour"], values["corrections"], values["signups_per_client"],
                         values["max_pending"], values["bounce_address"],
                         values["soft_bounce_limit"], values["mailgun_signing_key_env"],
                         values["postmark_user_env"], values["postmark_password_env"],
                         values["sendgrid_public_key_env"], ses,
                         Limits(values["max_per_second"], values["max_per_hour"], values["max_per_day"]))


def _https(base_url: str, where: str, problems: check.Problems) -> str:
    """The list's pages must be HTTPS: RFC 8058 wants the one-click unsubscribe URL so.

    Mailbox providers ignore an http:// List-Unsubscribe-Post URL, and a token sent
    in the clear can be read on the way. A loopback address is allowed, with a
    warning, so a test or a preview can run on this machine.
    """
    parts = urlsplit(base_url)
    if parts.scheme != "http":
        return base_url
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        problems.add(f"{where}.base_url", f"must be https:// (RFC 8058: the one-click unsubscribe URL "
                                          f"must be HTTPS): {base_url!r}")
        return ""
    log.warning("%s.base_url: %s is plain http on this machine; subscribers elsewhere cannot use its "
                "links, and mailbox providers ignore one-click unsubscribe without https", where, base_url)
    return base_url


def _smtp(raw: Any, where: str, problems: check.Problems) -> Smtp | None:
    values = SMTP_OPTIONS.read_section(raw, where, problems)
    if values is None:
        return None
    section: dict[str, Any] = raw
    if bool(values["username_env"]) != bool(values["password_env"]):
        problems.add(where, "username_env and password_env go together")
    port = values["port"]
    if "port" not in section and values["security"] == SmtpSecurity.TLS:
        port = IMPLICIT_TLS_PORT
    if not values.ok:
        return None
    return Smtp(values["host"], port, values["security"], values["username_env"], values["password_env"],
                values["timeout"])


def _dkim(raw: Any, where: str, base_dir: Path, domain: str, problems: check.Problems) -> Dkim | None:
    values = DKIM_OPTIONS.read_section(raw, where, problems, base_dir)
    if values is None or not values.ok:
        return None
    return Dkim(values["selector"], values["domain"] or domain, values["key_file"])


def _ses(raw: Any, where: str, base_dir: Path, problems: check.Problems) -> Ses | None:
    values = SES_OPTIONS.read_section(raw, where, problems, base_dir)
    if values is None or not values.ok:
        return None
    arns = values["topic_arns"]
    if not arns:
        problems.add(f"{where}.topic_arns", "required: the topics whose messages are this list's")
        return None
    for arn in arns:
        if arn.count(":") != 5 or not arn.startswith("arn:aws:sns:"):
            problems.add(f"{where}.topic_arns", f"not an SNS topic ARN like "
                                                f"'arn:aws:sns:eu-west-1:123456789012:bounces': {arn!r}")
            return None
    return Ses(arns, values["cert_hosts"], values["ca_file"])
