"""The subscriber list: who gets the bulletin, in which language, and their status.

Addresses are checked for syntax only (no DNS lookups), so the list works
offline and a typo is caught when it is typed, not when the send bounces.
The rows themselves are the store's (``store.subscribers``, bulletin/store/mail.py);
a caller that makes several changes at once holds ``store.transaction()`` around them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from bulletin import clock
from bulletin.errors import SubscriberError
from bulletin.render.rendered import LOCALES
from bulletin.store.mail import Subscriber, Subscribers, SubscriberStatus

STATUSES = tuple(status.value for status in SubscriberStatus)
CSV_FIELDS = ("email", "locale", "status")
# The subscribe form sends an address one confirmation an hour at most, so it
# cannot be used to flood somebody's inbox; a link stops working after a week.
CONFIRM_AGAIN_AFTER = timedelta(hours=1)
CONFIRM_LINK_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    rejected: tuple[str, ...]  # "line 4: ..." for each row not imported


def normalise(address: str) -> str:
    """The address as it will be stored, or SubscriberError saying what is wrong."""
    from email_validator import EmailNotValidError, validate_email

    try:
        # check_deliverability=False: no DNS, so the answer is the same offline.
        # ASCII addresses only: the messages are built as plain 7-bit text.
        found = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
        return found.ascii_email or found.normalized
    except EmailNotValidError as exc:
        raise SubscriberError(f"{address.strip() or '(empty)'}: {exc}") from None


# Providers that deliver every dotted form of a mailbox's name to it (a.b@ is ab@).
DOTS_IGNORED = {"gmail.com", "googlemail.com"}
MAILBOX_CONFIRMATIONS_PER_HOUR = 3  # confirmations one inbox may be sent, however it is spelt


def mailbox(address: str) -> str:
    """The inbox an address reaches: "+tag" dropped, and a Gmail name's dots ("a.b+x@gmail.com"
    and "ab@gmail.com" are one mailbox), so that a form cannot flood one inbox by spelling it anew."""
    local, _, domain = address.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _ago(delta: timedelta) -> str:
    return (clock.now() - delta).isoformat(timespec="seconds")


def add(subscribers: Subscribers, email: str, locale: str = "en", status: str = SubscriberStatus.CONFIRMED,
        force: bool = False) -> str:
    """Add or update one address; returns "added", "updated" or "unchanged".

    An address that unsubscribed is confirmed again only by its owner, following a
    new confirmation link; ``force`` is for an editor who has the owner's word.
    """
    if locale not in LOCALES:
        raise SubscriberError(f"{email}: unknown locale {locale!r} (expected one of: {', '.join(LOCALES)})")
    if status not in STATUSES:
        raise SubscriberError(f"{email}: unknown status {status!r} "
                              f"(expected one of: {', '.join(STATUSES)})")
    address = normalise(email)
    old = subscribers.get(address)
    if old is not None and old.status == SubscriberStatus.COMPLAINED and status != old.status:
        # Not even with --force: a reader who reported the list as spam and is mailed again
        # reports it again, and mailbox providers count each one against the sender.
        raise SubscriberError(f"{address}: complained (reported the bulletin as spam); the list "
                              "never adds it back")
    left = SubscriberStatus.UNSUBSCRIBED
    if old is not None and old.status == left and status != left and not force:
        raise SubscriberError(f"{address}: unsubscribed; only its owner can subscribe again (the "
                              "form sends them a link), or pass --force if they asked you")
    return subscribers.add(address, locale, status)


def preferences_expired(issued: int | None) -> bool:
    """Whether a preferences link made at ``issued`` (Unix seconds) is too old to use, or claims
    a time to come (tokens.PREFERENCES_LIFETIME)."""
    from bulletin.publish.email.tokens import PREFERENCES_LIFETIME

    now = clock.now().timestamp()
    return issued is None or not now - PREFERENCES_LIFETIME.total_seconds() <= issued <= now + 300


def confirmation_problem(subscriber: Subscriber, issued: int | None) -> str | None:
    """Why a confirmation link issued at ``issued`` does not confirm ``subscriber`` now.

    "expired": older than a week; "superseded": a newer link was sent since
    (an old link must not confirm again after somebody signs the address up anew),
    or the address left after it was sent (a link kept from before must not bring
    back someone who unsubscribed).
    """
    if issued is None:
        return "expired"
    from datetime import datetime

    now = clock.now().timestamp()
    if issued < now - CONFIRM_LINK_LIFETIME.total_seconds() or issued > now + 300:
        return "expired"
    sent = subscriber.confirm_sent_at
    if sent and issued < int(datetime.fromisoformat(sent).timestamp()):
        return "superseded"
    left = subscriber.changed_at if subscriber.status == SubscriberStatus.UNSUBSCRIBED else ""
    if left and issued < int(datetime.fromisoformat(left).timestamp()):
        return "superseded"
    return None


def claim_confirmation(subscribers: Subscribers, subscriber: Subscriber, per_hour: int) -> str:
    """Whether a confirmation email may go to this pending address now.

    "send" (and the time is recorded), "recent" (one went out within the hour:
    the form answers as if it sent another), or "busy" (the list's hourly
    limit is reached). Run it inside the store's transaction that found the subscriber.
    """
    # Within the hour, and not in the future: a clock set back must not lock an address out.
    if _ago(CONFIRM_AGAIN_AFTER) <= subscriber.confirm_sent_at <= clock.stamp():
        return "recent"
    if subscribers.confirmations_since(_ago(timedelta(hours=1))) >= per_hour:
        return "busy"
    subscribers.set_confirm_sent(subscriber.id, clock.stamp())
    return "send"


def unclaim_confirmation(subscribers: Subscribers, subscriber: Subscriber) -> None:
    """The confirmation could not be sent: let the next attempt try again at once."""
    subscribers.set_confirm_sent(subscriber.id, subscriber.confirm_sent_at)


def remove(subscribers: Subscribers, email: str) -> None:
    """Unsubscribe (the row stays, so a later import cannot silently re-add them)."""
    found = subscribers.get(normalise(email))
    if found is None:
        raise SubscriberError(f"{email}: not on the list")
    subscribers.set_status(found.id, SubscriberStatus.UNSUBSCRIBED)


IMPORT_BATCH = 500  # rows a transaction holds: an unsubscribe waits behind one batch, not a file


def import_csv(subscribers: Subscribers, text: str, source: str) -> ImportReport:
    """Import rows of email[,locale[,status]]; each bad row is reported and skipped.

    An address that unsubscribed, bounced or complained keeps that status: an
    import must never re-subscribe someone who left. The whole file is checked first, then
    written in batches of IMPORT_BATCH rows, each its own transaction: a reader's
    one-click unsubscribe never waits behind a large import, and a rerun of the
    same file completes one that was stopped (a row already in is "unchanged").
    """
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    rejected: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip() for f in reader.fieldnames]:
        raise SubscriberError(f"{source}: line 1: expected a header row with an 'email' column")
    checked: list[tuple[str, str, str, int]] = []
    for record in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in record.items() if k is not None}
        try:
            locale, status = row.get("locale") or "en", row.get("status") or SubscriberStatus.CONFIRMED
            if locale not in LOCALES or status not in STATUSES:
                add_problem = (f"unknown locale {locale!r} (expected one of: {', '.join(LOCALES)})"
                               if locale not in LOCALES else
                               f"unknown status {status!r} (expected one of: {', '.join(STATUSES)})")
                raise SubscriberError(f"{row.get('email', '')}: {add_problem}")
            checked.append((normalise(_from_cell(row.get("email", ""))), locale, status, line))
        except SubscriberError as exc:
            rejected.append(f"{source}: line {line}: {exc}")
    for start in range(0, len(checked), IMPORT_BATCH):
        with subscribers.transaction():
            for address, locale, wanted, line in checked[start:start + IMPORT_BATCH]:
                old = subscribers.get(address)
                status = wanted
                was = old.status if old is not None else None
                if was in (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED,
                           SubscriberStatus.COMPLAINED):
                    status = was
                elif was == SubscriberStatus.PENDING and status == SubscriberStatus.CONFIRMED:
                    # Pending means nobody has confirmed: a list cannot do it for the owner.
                    status = SubscriberStatus.PENDING
                try:
                    counts[add(subscribers, address, locale, status)] += 1
                except SubscriberError as exc:
                    rejected.append(f"{source}: line {line}: {exc}")
    return ImportReport(counts["added"], counts["updated"], counts["unchanged"], tuple(rejected))


# A cell a spreadsheet would run as a formula ("=1+2@example.com" is a valid address):
# exported behind a quote, as OWASP advises for CSV, and read back without it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _to_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _from_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def export_csv(subscribers: Subscribers) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for sub in subscribers.listing():
        writer.writerow((_to_cell(sub.email), sub.locale, sub.status))
    return out.getvalue()
