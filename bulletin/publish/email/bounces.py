"""What bounces and complaints do to the list (``bulletin bounces``).

* A hard bounce (5.x.x) marks a confirmed address ``bounced`` at once.
* Soft bounces (4.x.x) are counted, one a week at most (a server may warn of
  a delay and then give up on the same copy), and ``soft_bounce_limit`` of
  them in a row mark it ``bounced``. "In a row": when a copy of a week between
  the last counted one and this one was sent (the ledger says so) and no soft
  bounce came for it, the count starts again at this one.
* A complaint marks the address ``complained``, whatever it was: it is never
  mailed again, and neither an import nor ``subscribers add`` brings it back.
* A request sent to a copy's ``List-Unsubscribe`` mailto address unsubscribes
  its subscriber as the https one-click link does; one bounced or complained
  stays so (an unsubscribe would let a sign-up bring it back).

A report names its subscriber by a VERP token only (a request to unsubscribe,
by a token of its own kind), which must verify under the list's key for that
subscriber's uid and address (verp.py). The whole run is one transaction: it
is all written or, if anything fails, none of it. An ESP's authenticated
webhook event (bulletin/serve/webhooks.py) names the address instead, and goes
through ``record`` the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bulletin import clock
from bulletin.publish.email import verp
from bulletin.publish.email.reports import Kind, Report
from bulletin.store.database import Store
from bulletin.store.mail import Subscriber, SubscriberStatus


@dataclass
class Tally:
    read: int = 0
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    unsubscribes: int = 0  # requests to unsubscribe by mail
    bounced: int = 0  # addresses this run marked bounced
    complained: int = 0  # addresses this run marked complained
    unsubscribed: int = 0  # addresses this run marked unsubscribed
    already: int = 0  # reports an earlier run read
    unmatched: int = 0  # reports without a token that verifies
    other: int = 0  # messages that are no bounce, complaint or request
    too_large: int = 0

    def line(self) -> str:
        return (f"{self.read} messages: {self.hard} hard bounces, {self.soft} soft bounces, "
                f"{self.complaints} complaints, {self.unsubscribes} unsubscribe requests; "
                f"{self.bounced} marked bounced, {self.complained} marked complained, "
                f"{self.unsubscribed} marked unsubscribed; {self.already} already read, "
                f"{self.unmatched} without a valid token, {self.other + self.too_large} other messages")


def holder(store: Store, key: bytes, tokens: Sequence[verp.Token]) -> tuple[Subscriber, verp.Token] | None:
    """The subscriber the first token that verifies names, with that token."""
    for token in tokens:
        found = store.subscribers.by_uid(token.uid)
        if found is not None and verp.valid(key, token, found.uid, found.email):
            return found, token
    return None


def apply(store: Store, key: bytes, reports: Sequence[Report], soft_bounce_limit: int,
          too_large: int = 0) -> Tally:
    tally = Tally(read=len(reports) + too_large, too_large=too_large)
    stamp = clock.stamp()
    with store.transaction():
        for report in reports:
            if report.kind == Kind.OTHER:
                tally.other += 1
                continue
            named = holder(store, key, report.tokens)
            if named is None:
                tally.unmatched += 1
                continue
            subscriber, token = named
            record(store, Event(report.kind, report.digest, subscriber, str(token.week), report.detail),
                   soft_bounce_limit, stamp, tally)
    return tally


@dataclass(frozen=True)
class Event:
    """A bounce, complaint or request that names its subscriber: from a report's VERP token, or
    an ESP's authenticated webhook (bulletin/serve/webhooks.py), which names the address."""

    kind: Kind
    digest: str  # kept, so that the same report or event is acted on once
    subscriber: Subscriber
    week: str  # the week of the copy that bounced (or whose mailto address was written to)
    detail: str


def record(store: Store, event: Event, limit: int, stamp: str, tally: Tally) -> None:
    """Act on one event, inside the caller's transaction (once: a digest seen before is counted
    as already read)."""
    if store.mail_reports.seen(event.digest):
        tally.already += 1
        return
    store.mail_reports.keep(event.digest, event.kind, event.subscriber.id, event.week, event.detail, stamp)
    # Read again: an earlier event of this run may have changed it.
    current = store.subscribers.by_uid(event.subscriber.uid)
    assert current is not None
    _act(store, current, event, limit, stamp, tally)


def _act(store: Store, subscriber: Subscriber, event: Event, limit: int, stamp: str, tally: Tally) -> None:
    reports = store.mail_reports
    week = event.week
    if event.kind == Kind.COMPLAINT:
        tally.complaints += 1
        if subscriber.status != SubscriberStatus.COMPLAINED:
            reports.mark(subscriber.id, SubscriberStatus.COMPLAINED,
                         f"complaint ({event.detail}) about {week}", stamp)
            tally.complained += 1
        return
    if event.kind == Kind.UNSUBSCRIBE:
        tally.unsubscribes += 1
        if subscriber.status in (SubscriberStatus.CONFIRMED, SubscriberStatus.PENDING):
            # The one-click link's own change (bulletin/serve/subscribe.py), joining this transaction.
            store.subscribers.set_status(subscriber.id, SubscriberStatus.UNSUBSCRIBED)
            tally.unsubscribed += 1
        return
    if event.kind == Kind.HARD:
        tally.hard += 1
        if subscriber.status == SubscriberStatus.CONFIRMED:
            reports.mark(subscriber.id, SubscriberStatus.BOUNCED, f"hard bounce of {week}: {event.detail}",
                         stamp)
            tally.bounced += 1
        return
    tally.soft += 1
    count, last = reports.soft_bounces(subscriber.id)
    if week <= last:
        return  # this week is counted already (or a later one is: a late report adds nothing)
    if last and reports.sent_between(subscriber.id, last, week):
        count = 0  # a copy between went out and did not bounce: not in a row
    count += 1
    reports.set_soft_bounces(subscriber.id, count, week)
    if count >= limit and subscriber.status == SubscriberStatus.CONFIRMED:
        reports.mark(subscriber.id, SubscriberStatus.BOUNCED,
                     f"{count} soft bounces in a row, the last of {week}: {event.detail}", stamp)
        tally.bounced += 1
