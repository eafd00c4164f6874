"""The confirmations the subscribe form asked for, sent by a worker of ``bulletin serve``.

The form's request only records that an address wants a confirmation
(``confirm_wanted_at``) and answers at once, the same for every address: a
slow or failing relay can neither hold the site's threads nor show in the
answer which addresses are new. This worker sends them within a second or two,
within the list's hourly budget (``signups_per_hour``); one it could not send
stays wanted and is tried again a minute later.
"""

from __future__ import annotations

import logging
import secrets
import threading
from urllib.parse import quote

from bulletin import clock
from bulletin.config.settings import Config
from bulletin.errors import BulletinError
from bulletin.publish.email import subscribers as subs
from bulletin.publish.email import tokens
from bulletin.publish.email.message import simple_message
from bulletin.publish.email.publisher import outbox_of
from bulletin.publish.email.settings import EmailSettings
from bulletin.publish.email.smtp import SmtpTransport
from bulletin.publish.email.transport import Attempt, OutboxTransport
from bulletin.render.article import environment
from bulletin.render.rendered import LOCALES
from bulletin.store.database import Store
from bulletin.store.mail import Subscriber

log = logging.getLogger("bulletin")

POLL_SECONDS = 1.0
RETRY_SECONDS = 60.0  # after a relay refused or failed


class ConfirmationSender:
    """Sends the wanted confirmations until ``stop()``; ``wake()`` after a sign-up."""

    def __init__(self, config: Config, settings: EmailSettings) -> None:
        self.config, self.settings = config, settings
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="confirmations", daemon=True)
        self._failed_until = 0.0

    def start(self) -> ConfirmationSender:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.send_wanted()
            except Exception:  # the site keeps serving; the next round tries again
                log.exception("bulletin serve: sending confirmations failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def send_wanted(self) -> int:
        """Send what is wanted and the budget allows; how many went."""
        if clock.now().timestamp() < self._failed_until:
            return 0
        sent = 0
        with Store.open(self.config.store) as store:
            people = store.subscribers
            for found in people.wanting_confirmation():
                with store.transaction():
                    verdict = subs.claim_confirmation(people, found, self.settings.signups_per_hour)
                    if verdict == "recent":  # one went within the hour: that link still works
                        people.want_confirmation(found.id, found.confirm_sent_at)
                if verdict == "busy":
                    break  # the list's hour is spent: the rest wait their turn
                if verdict != "send":
                    continue
                try:
                    send_confirmation(self.config, self.settings, found)
                    sent += 1
                except (BulletinError, OSError) as exc:
                    subs.unclaim_confirmation(people, found)
                    self._failed_until = clock.now().timestamp() + RETRY_SECONDS
                    log.warning("bulletin serve: a confirmation was not sent (%s); trying again in "
                                "%d s", exc, RETRY_SECONDS)
                    break
        return sent


def send_confirmation(config: Config, settings: EmailSettings, found: Subscriber) -> None:
    key = tokens.key_from_env(settings.signing_key_env)
    token = tokens.make(key, "confirm", found.uid, found.email, int(clock.now().timestamp()))
    env = environment(config.templates_dir)
    context = {"title": settings.list_name,
               "confirm_url": f"{settings.base_url}/confirm?token={quote(token)}"}
    # In the language the reader chose on the form.
    words = "" if found.locale == LOCALES[0] else f".{found.locale if found.locale in LOCALES else ''}"
    message = simple_message(settings, found.email,
                             env.get_template(f"mailing/confirm_subject{words}.txt.j2").render(context),
                             env.get_template(f"mailing/confirm{words}.txt.j2").render(context),
                             f"confirm.{secrets.token_hex(12)}@{settings.domain}", clock.now())
    if settings.smtp:
        transport = SmtpTransport(settings.smtp, settings.sender_address)
        try:
            outcome = transport.send(found.email, message, lambda: True)
        finally:
            transport.close()
        if outcome.state != Attempt.SENT:
            raise BulletinError(f"confirmation to {found.email} not sent: {outcome.detail}")
    else:
        OutboxTransport(outbox_of(config.output) / "confirm").send_file(found.uid, message, lambda: True)
