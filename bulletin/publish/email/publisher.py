"""The ``email`` publisher: the bulletin, and each of its editions, to every confirmed subscriber
who reads it (``main`` for one who chose nothing else)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from bulletin import clock
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import Delivery, DeliveryStatus
from bulletin.model.corrections import Correction
from bulletin.model.editions import MAIN
from bulletin.publish.email import correction, sender, tokens
from bulletin.publish.email import settings as email_settings
from bulletin.publish.email.message import MessageMaker
from bulletin.publish.email.settings import CorrectionsNotice, EmailSettings
from bulletin.publish.email.subscribers import normalise
from bulletin.publish.email.transport import Attempt, OutboxTransport
from bulletin.publish.publisher import COMMON_OPTIONS, Publisher, RenderedBulletin
from bulletin.records import record
from bulletin.render.rendered import DEFAULT_LOCALE
from bulletin.store.database import Store
from bulletin.store.mail import SendState, SubscriberStatus
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")


@record
class EmailPublisher(Publisher):
    type: ClassVar[str] = "email"
    sends_test: ClassVar[bool] = True
    corrects: ClassVar[bool] = True  # only with `corrections: separate`; else the next issue tells
    news_only: ClassVar[bool] = True
    takes_editions: ClassVar[bool] = True  # each edition to those who chose it
    options: ClassVar[option.Schema] = COMMON_OPTIONS + email_settings.OPTIONS

    settings: EmailSettings | None = None

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> EmailPublisher | None:
        values = cls.read_options(raw, where, base_dir, problems)
        parsed = email_settings.parse(raw, values, where, base_dir, problems)
        return cls(values["name"], parsed) if parsed else None

    @property
    def subscribe_page(self) -> str:
        return f"{self.settings.base_url}/subscribe" if self.settings else ""

    def named(self, title: str) -> EmailPublisher:
        if self.settings is None or self.settings.list_name:
            return self
        return replace(self, settings=replace(self.settings, list_name=title))

    def maker(self, bulletin: RenderedBulletin, subject_prefix: str = "") -> Any:
        assert self.settings is not None
        try:
            return MessageMaker(self.settings, bulletin, self.settings.list_name, None,
                                clock.now(), subject_prefix)
        except FileNotFoundError as exc:
            raise PublishError(f"{bulletin.week}: no email body ({exc.filename} is missing)") from None
        except OSError as exc:
            raise PublishError(f"{self.name}: cannot read {exc.filename}: {exc.strerror}") from None

    def under_way(self, week: IsoWeek, store: Store) -> bool:
        """A send paused by a quota, or killed before it recorded anything, has ledger rows."""
        return super().under_way(week, store) or bool(store.send_ledger(week).counts())

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        assert self.settings is not None
        key = _signing_key(self.settings.signing_key_env, store)
        maker = self.maker(bulletin)
        outbox = outbox_of(bulletin.output)
        _write_preview(self.settings, maker, outbox / PREVIEW, key)
        with _ProgressBar(f"{bulletin.week} email") as bar:
            summary = sender.send_week(self.settings, maker, store, outbox, key, bar.update)
        status = (DeliveryStatus.OK if summary.complete
                  else DeliveryStatus.PAUSED if summary.paused else DeliveryStatus.FAILED)
        where = (self.settings.smtp.host if self.settings.smtp
                 else str(sender.outbox_folder(outbox, bulletin.week, bulletin.edition)))
        detail = summary.line() or "no subscribers"
        if any(summary.counts.get(state) for state in (SendState.FAILED, SendState.DEFERRED,
                                                        SendState.UNCERTAIN)):
            which = "" if bulletin.edition == MAIN else f" --edition {bulletin.edition}"
            detail += f"; `bulletin subscribers sends --week {bulletin.week}{which}` says which"
        return Delivery(bulletin.week, self.name, status, "", where, detail,
                        1, clock.stamp())

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """``corrections: separate``: a short correction email to those the week's issue (or edition)
        reached.

        Otherwise nothing is sent now: the next issue carries the notice.
        """
        assert self.settings is not None
        before = (store.delivery(bulletin.week, self.name) if bulletin.edition == MAIN
                  else store.editions.delivery(bulletin.week, bulletin.edition, self.name))
        assert before is not None  # the pipeline corrects only targets that have the week
        if self.settings.corrections != CorrectionsNotice.SEPARATE or not corrections:
            return before
        key = _signing_key(self.settings.signing_key_env, store)
        summary = correction.send(self.settings, bulletin, store, outbox_of(bulletin.output), key,
                                  corrections, "", clock.now())
        # Told now: the next issue does not tell them again.
        store.corrections.announced(corrections, bulletin.week)
        if not summary.complete:
            log.warning("%s: the correction email did not reach everyone (%s)", bulletin.week,
                        summary.line())
        # The week's issue stays delivered: its ledger, not this, says whether to send it again.
        return replace(before, detail=f"correction: {summary.line() or 'nobody to tell'}",
                       delivered_at=clock.stamp())

    def send_test(self, bulletin: RenderedBulletin, address: str) -> str:
        assert self.settings is not None
        key = tokens.key_from_env(self.settings.signing_key_env)
        outbox = outbox_of(bulletin.output)
        outcome = sender.send_test(self.settings, self.maker(bulletin, "[TEST] "), outbox,
                                   normalise(address), key)
        if outcome.state != Attempt.SENT:
            raise PublishError(f"{self.name}: the test message to {address} was not sent: "
                               f"{outcome.detail}")
        return outcome.detail


PLAIN_PROGRESS_FROM = 1000  # copies; a shorter send needs no progress lines in cron's mail
# OUTBOX/preview/WEEK.eml (an edition's WEEK.NAME.eml): the message as a subscriber gets it.
PREVIEW = "preview"


def _signing_key(variable: str, store: Store) -> bytes:
    """The key that signs subscribers' links; a throwaway one while there is nobody to sign for.

    A list without confirmed subscribers (the demo's) still gets its preview;
    that copy's links name no subscriber, so a key nobody keeps is right for it.
    """
    import secrets

    try:
        return tokens.key_from_env(variable)
    except PublishError:
        if store.subscribers.listing(SubscriberStatus.CONFIRMED):
            raise
        return secrets.token_bytes(32)


def preview_of(output: Path, week: object) -> Path:
    """Where a week's preview copy is (``bulletin run`` says so when it is there)."""
    return output / "outbox" / PREVIEW / f"{week}.eml"


def _write_preview(settings: EmailSettings, maker: Any, folder: Path, key: bytes) -> Path:
    """The week's message as a subscriber gets it, addressed to the list itself; never sent.

    Written every run (a killed one's half-written copy swept first), so an
    editor can always open what went out, and a newcomer sees the email
    without a list or an SMTP server.
    """
    address = settings.sender_address
    OutboxTransport.sweep(folder)
    message = maker.build(address, DEFAULT_LOCALE, tokens.make(key, "unsubscribe", PREVIEW, address),
                          f"{maker.mailing}.{PREVIEW}@{settings.domain}",
                          preferences=tokens.make(key, "preferences", PREVIEW, address, 0))
    OutboxTransport(folder).send_file(maker.mailing, message, lambda: True)
    return folder / f"{maker.mailing}.eml"


def outbox_of(output: Path) -> Path:
    """The outbox folder, made readable by its owner only: its messages hold every address."""
    outbox = output / "outbox"
    try:
        outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        outbox.chmod(0o700)
    except OSError as exc:
        raise PublishError(f"{outbox}: cannot create the outbox: {exc.strerror}") from None
    return outbox


class _ProgressBar:
    """click's progress bar on stderr, with the sending rate, on a terminal; plain lines otherwise.

    Without a terminal (cron, systemd) a long send says how far it has got,
    at most once a tenth of the list, as `progress:` lines (not under -q); a
    short one says nothing until its summary.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.started = 0.0
        self.shown = 0
        self.terminal = sys.stderr.isatty()

    def __enter__(self) -> _ProgressBar:
        return self

    def update(self, done: int, total: int) -> None:
        import time

        import click

        if not total:
            return
        if not self.started:
            self.started = time.monotonic()
        if not self.terminal:
            if total >= PLAIN_PROGRESS_FROM and done * 10 // total > self.shown * 10 // total:
                self.shown = done
                logging.getLogger("bulletin.progress").info(
                    "%s: %s of %s copies done (%s)", self.label, f"{done:,}", f"{total:,}",
                    self._rate())
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr,
                                         show_eta=True, show_pos=True,
                                         item_show_func=lambda _: self._rate())
            self.bar.__enter__()
        self.bar.update(done - self.shown, done)
        self.shown = done

    def _rate(self) -> str:
        import time

        elapsed = time.monotonic() - self.started
        return f"{self.shown / elapsed:,.0f}/s" if elapsed > 0 else ""

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
