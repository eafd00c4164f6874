"""The ``type: email`` entry of ``publish:``, read and checked all at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bulletin.config import validation as check

log = logging.getLogger("bulletin")

SMTP_KEYS = {"host", "port", "security", "username_env", "password_env", "timeout"}
DKIM_KEYS = {"selector", "domain", "key_file"}
SECURITY = ("starttls", "tls", "none")
EMAIL_KEYS = {"from", "list_name", "base_url", "list_id", "signing_key_env", "smtp",
              "dkim", "concurrency", "rate", "max_attempts", "retry_seconds", "bounce_after",
              "signups_per_hour", "signups_per_client", "max_pending", "corrections"}
# How subscribers hear of a corrected week: a notice in the next issue, or a short email of its own.
CORRECTIONS = ("next_issue", "separate")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str  # starttls, tls (implicit), none
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Dkim:
    selector: str
    domain: str
    key_file: Path


@dataclass(frozen=True)
class EmailSettings:
    sender: str  # "Name <address>"
    list_name: str
    sender_address: str
    domain: str
    base_url: str
    list_id: str
    signing_key_env: str
    smtp: Smtp | None  # None: write .eml files to OUTPUT/outbox/ instead
    dkim: Dkim | None
    concurrency: int = 4
    rate: float = 0.0  # messages per second over all connections; 0 = no limit
    max_attempts: int = 5  # tries per address in one run when the server says "later" (4xx)
    retry_seconds: float = 2.0  # first backoff after a 4xx; doubles each time
    bounce_after: int = 3  # permanent failures (5xx) before the address is marked bounced
    signups_per_hour: int = 100  # confirmation emails the subscribe form sends, all addresses
    corrections: str = "next_issue"  # or "separate": a correction email to the week's recipients
    signups_per_client: int = 20  # sign-ups one client address may make a minute
    max_pending: int = 10_000  # unconfirmed addresses the list holds at most


def parse(raw: dict[str, Any], where: str, base_dir: Path,
          problems: check.Problems) -> EmailSettings | None:
    before = len(problems)
    sender = check.string(raw, "from", where, problems, required=True) or ""
    name, address = parseaddr(sender)
    domain = ""
    if sender:
        try:
            domain = Address(addr_spec=address).domain if address else ""
        except (ValueError, IndexError):
            domain = ""
        if not domain or any(c in sender for c in "\r\n"):
            problems.add(f"{where}.from", f"not an address like 'Token Bulletin <news@example.org>': "
                                          f"{sender!r}")
    base_url = _https(check.url(raw, "base_url", where, problems, required=True) or "", where, problems)
    list_name = check.string(raw, "list_name", where, problems, default="Token Bulletin") or ""
    list_id = check.string(raw, "list_id", where, problems, default=f"bulletin.{domain}") or ""
    key_env = check.string(raw, "signing_key_env", where, problems,
                           default="BULLETIN_SIGNING_KEY") or ""
    concurrency = check.integer(raw, "concurrency", where, problems, default=4) or 4
    max_attempts = check.integer(raw, "max_attempts", where, problems, default=5) or 5
    bounce_after = check.integer(raw, "bounce_after", where, problems, default=3) or 3
    signups = check.integer(raw, "signups_per_hour", where, problems, default=100) or 100
    per_client = check.integer(raw, "signups_per_client", where, problems, default=20) or 20
    max_pending = check.integer(raw, "max_pending", where, problems, default=10_000) or 10_000
    rate = _number(raw, "rate", where, problems, 0.0)
    retry = _number(raw, "retry_seconds", where, problems, 2.0)
    corrections = check.string(raw, "corrections", where, problems, default="next_issue") or "next_issue"
    if corrections not in CORRECTIONS:
        problems.add(f"{where}.corrections",
                     f"expected one of: {', '.join(CORRECTIONS)}, got {corrections!r}")
    smtp = _smtp(raw["smtp"], f"{where}.smtp", problems) if raw.get("smtp") is not None else None
    dkim = _dkim(raw["dkim"], f"{where}.dkim", base_dir, domain, problems) \
        if raw.get("dkim") is not None else None
    if len(problems) > before:
        return None
    return EmailSettings(sender if name else address, list_name, address, domain, base_url.rstrip("/"),
                         list_id, key_env, smtp, dkim, concurrency, rate, max_attempts, retry,
                         bounce_after, signups, corrections, per_client, max_pending)


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


def _number(raw: dict[str, Any], key: str, where: str, problems: check.Problems,
            default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        problems.add(f"{where}.{key}", f"expected a number of at least 0, got {value!r}")
        return default
    return float(value)


def _smtp(raw: Any, where: str, problems: check.Problems) -> Smtp | None:
    section = check.mapping(raw, where, problems)
    if section is None:
        return None
    check.unknown_keys(section, SMTP_KEYS, where, problems)
    host = check.string(section, "host", where, problems, required=True)
    security = check.string(section, "security", where, problems, default="starttls") or "starttls"
    if security not in SECURITY:
        problems.add(f"{where}.security", f"expected one of: {', '.join(SECURITY)}, got {security!r}")
    port = check.integer(section, "port", where, problems,
                         default=465 if security == "tls" else 587)
    user_env = check.string(section, "username_env", where, problems)
    password_env = check.string(section, "password_env", where, problems)
    if bool(user_env) != bool(password_env):
        problems.add(where, "username_env and password_env go together")
    timeout = _number(section, "timeout", where, problems, 30.0)
    if host is None or port is None:
        return None
    return Smtp(host, port, security, user_env, password_env, timeout or 30.0)


def _dkim(raw: Any, where: str, base_dir: Path, domain: str, problems: check.Problems) -> Dkim | None:
    section = check.mapping(raw, where, problems)
    if section is None:
        return None
    check.unknown_keys(section, DKIM_KEYS, where, problems)
    selector = check.string(section, "selector", where, problems, required=True)
    dkim_domain = check.string(section, "domain", where, problems, default=domain) or domain
    key_file = check.path(section, "key_file", where, problems, base_dir, required=True,
                          must_exist=True)
    if selector is None or key_file is None:
        return None
    return Dkim(selector, dkim_domain, key_file)
