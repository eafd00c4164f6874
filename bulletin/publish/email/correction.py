"""``corrections: separate``: a short email telling a corrected week's recipients what changed.

It goes once per correction (its ledger rows are the week's ``WEEK.correction.<when>``),
only to the confirmed subscribers the week's issue reached (an edition's correction, to those
its edition reached), through the
same sender as the issue, so a rerun sends nobody a second copy. Its words
are the next issue's notice (templates/correction.md.j2), which it replaces.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bulletin.model.corrections import Correction
from bulletin.model.editions import MAIN
from bulletin.publish.email.message import simple_message
from bulletin.publish.email.sender import Summary, _deliver, exclusive, pacer_of
from bulletin.publish.email.settings import EmailSettings
from bulletin.publish.email.transport import OutboxTransport
from bulletin.publish.publisher import RenderedBulletin
from bulletin.render.article import environment, prefix
from bulletin.render.correction_notes import Notes, notice_text
from bulletin.store.database import Store
from bulletin.store.mail import SendLedger

SUBJECT = {"en": "Correction: {headline}", "zh": "更正：{headline}"}
UNSUBSCRIBE = {"en": "Unsubscribe: {url}", "zh": "退订：{url}"}


class CorrectionMaker:
    """Builds each subscriber's copy, in their language (the sender's ``maker``)."""

    def __init__(self, settings: EmailSettings, bulletin: RenderedBulletin,
                 corrections: Sequence[Correction], base_url: str, when: datetime,
                 mailing: str = "") -> None:
        self.settings, self.week, self.when = settings, bulletin.week, when
        self.edition = bulletin.edition  # its readers are those this edition reached
        # In its copies' Message-IDs: never one of the issue's own.
        mailing = mailing.replace(":", "") or f"{bulletin.week}.correction"
        self.mailing = mailing if bulletin.edition == MAIN else f"{mailing}.{bulletin.edition}"
        sources = tuple((str(s.get("name", "")), str(s.get("attribution", "")),
                         str(s.get("attribution_zh", ""))) for s in bulletin.data.get("sources", ()))
        notes = Notes(earlier=tuple(corrections), sources=sources, base_url=base_url)
        self.texts: dict[str, str] = {}
        for locale in {c.locale for c in corrections}:
            text = notice_text(environment(None, locale), prefix(locale), locale, notes)
            if text:
                self.texts[locale] = text
        self.headlines = {locale: str(article.get("headline", bulletin.headline))
                          for locale, article in bulletin.data.get("articles", {}).items()}

    def signing_on(self, processes: int) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def build(self, email: str, locale: str, token: str, message_id: str, mailto: str = "",
              preferences: str = "") -> bytes:
        # The note has no List-Unsubscribe header, only the link in its text: ``mailto`` and
        # ``preferences`` go unused.
        from urllib.parse import quote

        lang = locale if locale in self.texts else next(iter(sorted(self.texts)))
        url = f"{self.settings.base_url}/unsubscribe?token={quote(token)}"
        subject = SUBJECT.get(lang, SUBJECT["en"]).format(
            headline=self.headlines.get(lang, "") or str(self.week))
        text = f"{self.texts[lang]}\n\n-- \n{UNSUBSCRIBE.get(lang, UNSUBSCRIBE['en']).format(url=url)}\n"
        return simple_message(self.settings, email, subject, text, message_id, self.when)


def send(settings: EmailSettings, bulletin: RenderedBulletin, store: Store, outbox: Path, key: bytes,
         corrections: Sequence[Correction], base_url: str, when: datetime) -> Summary:
    """The correction email to the week's recipients, each once; the ledger's summary of it."""
    week = bulletin.week
    mailing = f"{week}.correction.{max(c.detected_at for c in corrections)}"
    maker = CorrectionMaker(settings, bulletin, corrections, base_url, when, mailing)
    with exclusive(store.path, week):
        ledger = SendLedger(store, week, key=mailing, among=str(week), edition=bulletin.edition)
        folder = outbox / mailing.replace(":", "")
        if bulletin.edition != MAIN:
            folder = folder / "editions" / bulletin.edition
        if settings.smtp:
            items = ledger.start()
        else:
            folder.mkdir(parents=True, exist_ok=True)
            OutboxTransport.sweep(folder)
            items = ledger.start(lambda uid: OutboxTransport.holds(folder, uid))
        pacer = pacer_of(settings, store)
        done = _deliver(settings, maker, ledger, items, folder, key, None,  # type: ignore[arg-type]
                        pacer) if maker.texts else {}
        return Summary(week, ledger.counts(), dict(done), pacer.stopped_by)
