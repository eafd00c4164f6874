"""Send one week's bulletin, or one of its editions, to every confirmed subscriber who reads it,
exactly once.

The send ledger (table email_sends) holds one row per (week, edition, subscriber):

    queued -> sending -> sent | failed | deferred (4xx, tried again later)
                      -> uncertain (the run died between "." and the server's reply)
    queued -> skipped (unsubscribed before their copy went out)

A row becomes ``sending`` in a committed write just before the message
becomes irrevocable (the final "." of SMTP DATA, the rename of an outbox file),
and ``sent`` right after. A run that starts and finds ``sending`` rows knows the
previous run died inside that short window. The outbox can say what happened:
the file is there or it is not, so the row becomes ``sent`` or is sent again.
An SMTP server may or may not have kept the message and cannot be asked
(RFC 1047), so those rows become ``uncertain`` and are not sent again unless
asked (``publish --resend-uncertain``): a missing copy is reported by address,
a second copy would be a broken promise.

The ledger's rows are the store's (``store.send_ledger(week)``, bulletin/store/mail.py).
The workers, one SMTP connection each, share the store's one SQLite connection:
each ledger write takes the store's lock and is committed before it returns.
"""

from __future__ import annotations

import fcntl
import functools
import heapq
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin import clock
from bulletin.clock import Timer
from bulletin.errors import PublishError
from bulletin.model.editions import MAIN
from bulletin.publish.email import tokens, verp
from bulletin.publish.email.message import MessageMaker
from bulletin.publish.email.pacing import Pacer, account_of
from bulletin.publish.email.settings import EmailSettings
from bulletin.publish.email.transport import Attempt, OutboxTransport, Outcome
from bulletin.records import record
from bulletin.store.database import Store
from bulletin.store.mail import Recipient, SendLedger, SendState
from bulletin.store.quota import Refusal
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.publish.email.smtp import SmtpTransport

Progress = Callable[[int, int], None]  # (done, total)


@record
class Summary:
    week: IsoWeek
    counts: dict[str, int]  # ledger state -> rows, over every run of the week
    done: dict[str, int] = field(default_factory=dict)  # what this run settled: state -> copies
    paused: Refusal | None = None  # the quota (an hour's, a day's) that stopped this run

    def line(self) -> str:
        """What this run sent, failed and skipped; what the ledger still holds open.

        Never a running total: a second run of a finished week says "0 sent, 3 sent before".
        """
        parts = []
        for state in (SendState.SENT, SendState.FAILED, SendState.DEFERRED, SendState.SKIPPED,
                      SendState.UNCERTAIN, SendState.QUEUED, SendState.SENDING):
            count = self.done.get(state, 0) if state in RUN_STATES else self.counts.get(state, 0)
            if state == SendState.SENT and self.counts.get(state, 0):
                before = self.counts[state] - count
                parts.append(f"{count} sent" + (f", {before} sent before" if before else ""))
            elif count:
                parts.append(f"{count} {state}")
        told = ", ".join(parts)
        if self.paused is None:
            return told
        left = sum(self.counts.get(k, 0) for k in (SendState.QUEUED, SendState.DEFERRED))
        return (f"{told}; max_per_{self.paused.window} ({self.paused.limit:,}) reached: "
                f"{left:,} left for the next run")

    @property
    def complete(self) -> bool:
        return not any(self.counts.get(k) for k in (SendState.QUEUED, SendState.DEFERRED,
                                                   SendState.SENDING))


# Told as this run's doing; the other states are copies still open, told from the ledger.
RUN_STATES = (SendState.SENT, SendState.FAILED, SendState.SKIPPED)


class Schedule:
    """Items due now or later (after a 4xx), shared by the workers."""

    def __init__(self, items: list[Recipient]) -> None:
        self.heap: list[tuple[float, int, Recipient, int]] = [(0.0, n, item, 0) for n, item in
                                                              enumerate(items)]
        self.counter = len(items)
        self.busy = 0
        self.cond = threading.Condition()
        self.stopped = False

    def take(self) -> tuple[Recipient, int] | None:
        with self.cond:
            while True:
                if self.stopped or (not self.heap and not self.busy):
                    return None
                if self.heap and self.heap[0][0] <= time.monotonic():
                    _, _, item, attempts = heapq.heappop(self.heap)
                    self.busy += 1
                    return item, attempts
                wait = self.heap[0][0] - time.monotonic() if self.heap else None
                self.cond.wait(wait)

    def done(self, later: tuple[float, Recipient, int] | None = None) -> None:
        with self.cond:
            self.busy -= 1
            if later is not None:
                self.counter += 1
                heapq.heappush(self.heap, (later[0], self.counter, later[1], later[2]))
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


class RateLimit:
    """At most ``rate`` messages a second over all connections (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            slot = max(self.next, time.monotonic())
            self.next = slot + self.interval
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)


@contextmanager
def exclusive(database: Path, week: IsoWeek) -> Iterator[None]:
    """One send per week at a time: two runs would race for the same rows."""
    path = database.with_name(f"{database.name}.email-{week}.lock")
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{week}: another email send of this week is running") from None
        yield


def send_week(settings: EmailSettings, maker: MessageMaker, store: Store, outbox: Path,
              key: bytes, progress: Progress | None = None, timer: Timer | None = None) -> Summary:
    """``timer``: the quotas' clock (a benchmark's simulated one); the wall clock by default."""
    week = maker.week
    with exclusive(store.path, week):
        ledger = store.send_ledger(week, maker.edition)
        folder = outbox_folder(outbox, week, maker.edition)
        if settings.smtp:
            items = ledger.start()
        else:
            folder.mkdir(parents=True, exist_ok=True)  # where the summary says the copies are
            OutboxTransport.sweep(folder)
            items = ledger.start(functools.partial(OutboxTransport.holds, folder))
        pacer = pacer_of(settings, store, timer)
        done = _deliver(settings, maker, ledger, items, folder, key, progress, pacer)
        return Summary(week, ledger.counts(), done, pacer.stopped_by)


def outbox_folder(outbox: Path, week: IsoWeek, edition: str = MAIN) -> Path:
    """Where a mailing's .eml files go without an SMTP server: ``OUTBOX/2026-W11/``, an
    edition's below it as its bulletin is, ``OUTBOX/2026-W11/editions/china/``."""
    folder = outbox / str(week)
    return folder if edition == MAIN else folder / "editions" / edition


def pacer_of(settings: EmailSettings, store: Store, timer: Timer | None = None) -> Pacer:
    """The target's quotas, counted in the store for the relay (or the outbox) it sends through."""
    smtp = settings.smtp
    quota = store.send_quota(account_of(smtp.host if smtp else "", smtp.port if smtp else 0),
                             settings.quota) if settings.quota else None
    return Pacer(quota, timer or Timer())


DOWN_AFTER = 3  # connections refused in a row, over all workers, before a run stops trying


class Breaker:
    """Says when the server is down: DOWN_AFTER connections in a row could not be opened.

    Without it every copy was tried max_attempts times, each message built
    and signed, against a server that refuses connections (300 signed copies
    took 75 s and 29 s of CPU; `benchmarks/bench_refused.py`); with it the run
    stops after a few tries, in well under a second, and the next run sends them all.
    """

    def __init__(self) -> None:
        self.failures = 0
        self.why = ""
        self.lock = threading.Lock()

    def connected(self) -> None:
        with self.lock:
            self.failures = 0

    def refused(self, why: str) -> bool:
        """Count one; true when the server is now known down."""
        with self.lock:
            self.failures += 1
            if self.failures >= DOWN_AFTER and not self.why:
                self.why = why
            return bool(self.why)


def _deliver(settings: EmailSettings, maker: MessageMaker, ledger: SendLedger,
             items: list[Recipient], outbox: Path, key: bytes, progress: Progress | None,
             pacer: Pacer) -> Counter[str]:
    """Send ``items``; what this run settled (state -> copies)."""
    done: Counter[str] = Counter()
    if not items:
        return done  # every copy went out before (or there is nobody): no connection, no thread
    done_lock = threading.Lock()
    schedule = Schedule(items)
    limit = RateLimit(settings.rate)
    finished = [0]
    errors: list[BaseException] = []
    workers = max(1, min(settings.concurrency, len(items)))
    breaker = Breaker()

    def work() -> None:
        smtp = _smtp(settings)
        files = None if smtp else OutboxTransport(outbox)
        try:
            while (taken := schedule.take()) is not None:
                item, attempts = taken
                # Connected before the message is made: no CPU spent on copies that cannot go.
                trouble = smtp.connect() if smtp else ""
                if trouble:
                    down = breaker.refused(trouble)
                    ledger.record(item, SendState.DEFERRED, attempts + 1, trouble, settings.bounce_after)
                    if down:
                        schedule.stop()
                    later = (time.monotonic() + settings.retry_seconds * 2 ** attempts, item,
                             attempts + 1) if attempts + 1 < settings.max_attempts else None
                    finished[0] += later is None
                    schedule.done(later)
                    continue
                breaker.connected()
                limit.wait()
                token = tokens.make(key, "unsubscribe", item.uid, item.email)
                message = maker.build(item.email, item.locale, token,
                                      f"{maker.mailing}.{item.uid}@{settings.domain}",
                                      _unsubscribe_mailto(settings, key, item, week_id),
                                      tokens.make(key, "preferences", item.uid, item.email, issued))
                # Counted in the quota's window as late as can be: just before it goes out.
                if not pacer.admit():
                    schedule.stop()  # the copy stays queued for the next run
                    schedule.done()
                    break
                attempts += 1
                commit = functools.partial(ledger.claim, item)
                if smtp:
                    outcome = smtp.send(item.email, message, commit, _envelope_sender(settings, key, item,
                                                                                       week_id))
                else:
                    assert files is not None
                    outcome = files.send_file(item.uid, message, commit)
                later = None
                if outcome.state == Attempt.RETRY and attempts < settings.max_attempts:
                    later = (time.monotonic() + settings.retry_seconds * 2 ** (attempts - 1),
                             item, attempts)
                state = SendState.DEFERRED if outcome.state == Attempt.RETRY else SendState(outcome.state)
                ledger.record(item, state, attempts, outcome.detail, settings.bounce_after)
                with done_lock:
                    done[state] += 1
                if later is None:
                    finished[0] += 1
                schedule.done(later)
        except BaseException as exc:
            errors.append(exc)
            schedule.stop()
        finally:
            (smtp or files).close()  # type: ignore[union-attr]

    week_id = maker.week
    issued = int(clock.now().timestamp())  # the preferences links': they work for a while after sending
    threads = [threading.Thread(target=work, name=f"email-{n}", daemon=True) for n in range(workers)]
    # Signing wants the cores this process cannot use (see dkim.py); one message needs no help.
    with maker.signing_on(min(_cores(), workers) if len(items) > 1 else 0):
        for thread in threads:
            thread.start()
        # Wait on a thread still alive (never a fixed sleep: a run with nothing to send ends at once).
        while alive := [thread for thread in threads if thread.is_alive()]:
            if progress:
                progress(finished[0], len(items))
            alive[0].join(0.2)
    if progress:
        progress(finished[0], len(items))
    if errors:
        raise errors[0]
    if breaker.why:
        assert settings.smtp is not None
        counts = ledger.counts()
        left = sum(counts.get(k, 0) for k in (SendState.QUEUED, SendState.DEFERRED))
        raise PublishError(f"email: {settings.smtp.host}:{settings.smtp.port} cannot be reached "
                           f"({breaker.why}; {DOWN_AFTER} tries in a row); stopped trying: "
                           f"{done[SendState.SENT]} sent, {left} left for the next run")
    return done


def _envelope_sender(settings: EmailSettings, key: bytes, item: Recipient, week: IsoWeek) -> str:
    """The copy's own VERP address with ``bounce_address`` set, so its bounce names it; else the
    transport's (the ``from`` address)."""
    if not settings.bounce_address:
        return ""
    return verp.envelope_sender(settings.bounce_address, verp.make(key, item.uid, item.email, week))


def _unsubscribe_mailto(settings: EmailSettings, key: bytes, item: Recipient, week: IsoWeek) -> str:
    """The copy's List-Unsubscribe mailto URI at the bounce address, which `bulletin bounces`
    reads (so offered only with ``bounce_address`` set)."""
    if not settings.bounce_address:
        return ""
    return verp.unsubscribe_mailto(settings.bounce_address,
                                   verp.make(key, item.uid, item.email, week, verp.UNSUBSCRIBE))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _smtp(settings: EmailSettings) -> SmtpTransport | None:
    """A connection to the server set, if one is; a run writing the outbox never imports smtplib."""
    if not settings.smtp:
        return None
    from bulletin.publish.email.smtp import SmtpTransport

    return SmtpTransport(settings.smtp, settings.sender_address)


def send_test(settings: EmailSettings, maker: MessageMaker, outbox: Path, address: str,
              key: bytes) -> Outcome:
    """One copy to ``address``, outside the ledger (its links name no subscriber)."""
    import secrets

    token = tokens.make(key, "unsubscribe", "test", address)
    preferences = tokens.make(key, "preferences", "test", address, int(clock.now().timestamp()))
    message = maker.build(address, "en", token,
                          f"{maker.mailing}.test.{secrets.token_hex(8)}@{settings.domain}",
                          preferences=preferences)
    transport = _smtp(settings)
    if transport:
        try:
            return transport.send(address, message, lambda: True)
        finally:
            transport.close()
    return OutboxTransport(outbox / "test").send_file(address, message, lambda: True)
