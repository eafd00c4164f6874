"""The email itself: one personalised multipart/alternative message per subscriber.

Everything shared by all subscribers (bodies, subject, common headers) is
prepared once per language; per subscriber only the address, the signed
unsubscribe and preferences links and the Message-ID are filled in, so building a message
costs a few string joins and a base64 encoding, not a MIME tree.
"""

from __future__ import annotations

import base64
import contextlib
import re
import unicodedata
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bulletin.model.editions import MAIN
from bulletin.publish.email.settings import EmailSettings
from bulletin.publish.publisher import RenderedBulletin
from bulletin.records import record
from bulletin.render.article import PREFERENCES, UNSUBSCRIBE, environment
from bulletin.render.rendered import (
    CHART_PNG,
    DEFAULT_LOCALE,
    LOCALES,
    article_name,
    chart_name,
    email_html_name,
    email_text_name,
    page_name,
)

# Stand for the subscriber's links until they are filled in; the article's email
# templates write them where their unsubscribe and preferences links go.
LINK = UNSUBSCRIBE
HOLES = (UNSUBSCRIBE.encode(), PREFERENCES.encode())
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                  b"content-type", b"content-language")


@record
class Bodies:
    subject: str
    text: str
    html: str


def bodies(bulletin: RenderedBulletin, locale: str) -> Bodies:
    """The subject and the two bodies for one language.

    The email bodies (email.txt, email.html with inlined CSS, and their .zh.
    versions) come from the article templates; until a bulletin has them, the
    article's own Markdown and HTML stand in.
    """
    articles = bulletin.data.get("articles", {})
    for language, text_name, html_name in (
            (locale, email_text_name(locale), email_html_name(locale)),
            (DEFAULT_LOCALE, email_text_name(DEFAULT_LOCALE), email_html_name(DEFAULT_LOCALE)),
            (DEFAULT_LOCALE, article_name(DEFAULT_LOCALE), page_name(DEFAULT_LOCALE))):
        if bulletin.has(text_name) and bulletin.has(html_name):
            # The store's headline is the bulletin's; other languages have their own.
            article = articles.get(language) if language != DEFAULT_LOCALE else None
            subject = article["headline"] if article else bulletin.headline
            return Bodies(subject, bulletin.text(text_name), bulletin.text(html_name))
    raise FileNotFoundError(bulletin.path(email_text_name(DEFAULT_LOCALE)))


def header_text(value: str) -> str:
    """A value that cannot end its header: control and line-separator characters become spaces."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return re.sub(r"\s+", " ", cleaned).strip()


def _safe(value: str) -> str:
    return value if value.isascii() and value.isprintable() else header_text(value)


def _encoded(name: str, value: str) -> str:
    """``Name: value`` folded, RFC 2047-encoded where it is not ASCII."""
    value = header_text(value)
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {folded}\r\n"


def _from(settings: EmailSettings) -> str:
    """The From header: a non-ASCII display name is encoded, the address never is."""
    from email.utils import formataddr, parseaddr

    name, address = parseaddr(settings.sender)
    return f"From: {formataddr((header_text(name), address), charset='utf-8')}\r\n"


def _base64(text: str) -> str:
    return _b64(_crlf(text)).decode("ascii")


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


@record
class Body:
    """A base64 body whose part before the personal link is encoded once for everyone.

    base64 turns each 57 bytes into one 76-character line, so a prefix cut at
    a multiple of 57 bytes encodes the same alone as within the whole.
    """

    encoded_prefix: bytes
    tail: bytes  # still holds the links' placeholders

    @classmethod
    def of(cls, text: str) -> Body:
        data = _crlf(text)
        found = [at for hole in HOLES if (at := data.find(hole)) >= 0]
        cut = min(found) - min(found) % 57 if found else 0
        return cls(_b64(data[:cut]), data[cut:])

    def with_links(self, links: tuple[bytes, bytes]) -> bytes:
        """The body with the subscriber's (unsubscribe, preferences) links in place."""
        tail = self.tail
        for hole, url in zip(HOLES, links, strict=True):
            tail = tail.replace(hole, url)
        return self.encoded_prefix + _b64(tail)


def _with_footer(html: str, footer: str) -> str:
    at = html.lower().rfind("</body>")
    return html + footer if at < 0 else html[:at] + footer + html[at:]


@record
class Prepared:
    """One language's message with holes for the subscriber."""

    head: bytes  # headers shared by every subscriber, and the blank line
    text: Body
    html: Body
    boundary: bytes
    chart: bytes = b""  # the chart as an encoded inline part, where the HTML shows it by cid:
    related: bytes = b""  # the boundary of the multipart/related that holds HTML and chart


class MessageMaker:
    def __init__(self, settings: EmailSettings, bulletin: RenderedBulletin, title: str,
                 templates_dir: Path | None, date: Any, subject_prefix: str = "") -> None:
        self.settings = settings
        self.week = bulletin.week
        self.edition = bulletin.edition
        env = environment(templates_dir)
        self.prepared: dict[str, Prepared] = {}
        for locale in LOCALES:
            parts = bodies(bulletin, locale)
            zh = locale == "zh" and parts.text != bodies(bulletin, DEFAULT_LOCALE).text
            name = "footer.zh" if zh else "footer"
            context = {"title": title, "base_url": settings.base_url, "unsubscribe_url": LINK,
                       "preferences_url": PREFERENCES}
            # The article's email bodies carry their own unsubscribe link;
            # anything else (an article without them) gets the list's footer.
            text, html = parts.text, parts.html
            if LINK not in text:
                footer = env.get_template(f"mailing/{name}.txt.j2").render(context)
                text = text.rstrip("\n") + "\n" + footer
            if LINK not in html:
                html = _with_footer(html, env.get_template(f"mailing/{name}.html.j2").render(context))
            # Bodies rendered before they had a preferences link (or from a project's own templates
            # without one) get it under them: every copy lets its reader change what they get.
            choose = "preferences.zh" if zh else "preferences"
            if PREFERENCES not in text:
                text = text.rstrip("\n") + "\n" + env.get_template(f"mailing/{choose}.txt.j2").render(context)
            if PREFERENCES not in html:
                html = _with_footer(html, env.get_template(f"mailing/{choose}.html.j2").render(context))
            html, chart = _inline_chart(bulletin, html, locale)
            boundary = f"=_bulletin_{self.mailing}_{locale}"
            head = "".join((
                _from(settings),
                _encoded("Subject", subject_prefix + parts.subject),
                f"Date: {format_datetime(date)}\r\n",
                _encoded("List-Id", f"{title} <{settings.list_id}>"),
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                "MIME-Version: 1.0\r\n",
                f"Content-Language: {'zh' if zh else 'en'}\r\n",
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n',
            ))
            self.prepared[locale] = Prepared((head + "\r\n").encode("ascii"), Body.of(text),
                                             Body.of(html), boundary.encode("ascii"), chart,
                                             f"=_bulletin_related_{self.mailing}_{locale}".encode())
        self.signer = None
        if settings.dkim:
            from bulletin.publish.email.dkim import Signer

            self.signer = Signer(settings.dkim.key_file, settings.dkim.selector,
                                 settings.dkim.domain, SIGNED_HEADERS)

    def signing_on(self, processes: int) -> contextlib.AbstractContextManager[None]:
        """Within: signatures are made in that many processes (see dkim.SigningProcesses)."""
        return self.signer.on_processes(processes) if self.signer else contextlib.nullcontext()

    @property
    def mailing(self) -> str:
        """The week, and the edition where it is not the main bulletin: 2026-W11, 2026-W11.china."""
        return str(self.week) if self.edition == MAIN else f"{self.week}.{self.edition}"

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.settings.base_url}/unsubscribe?token={quote(token)}"

    def preferences_url(self, token: str) -> str:
        return f"{self.settings.base_url}/preferences?token={quote(token)}"

    def build(self, email: str, locale: str, token: str, message_id: str, mailto: str = "",
              preferences: str = "") -> bytes:
        """One subscriber's copy; ``mailto``: its List-Unsubscribe mailto URI (verp.py), if any;
        ``preferences``: the token of its link to the reader's editions and language."""
        prepared = self.prepared.get(locale, self.prepared[DEFAULT_LOCALE])
        url = self.unsubscribe_url(token)
        # The mailto first, as in RFC 8058's example: a provider that does one-click POSTs to the
        # https URL wherever it stands, a client that only writes mail finds the address. Folded
        # after the comma (RFC 2369 allows it): the two would make a line of 250 characters.
        by_mail = f"<{mailto}>,\r\n " if mailto else ""
        # Addresses were validated as ASCII on the way in; anything else is encoded.
        to = f"To: {email}\r\n" if email.isascii() and email.isprintable() else _encoded("To", email)
        boundary = prepared.boundary
        links = url.encode("ascii"), self.preferences_url(preferences).encode("ascii")
        message = b"".join((
            to.encode("ascii"),
            f"Message-ID: <{_safe(message_id)}>\r\n"
            f"List-Unsubscribe: {by_mail}<{url}>\r\n".encode("ascii"),
            prepared.head,
            b"--", boundary, b"\r\n",
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            prepared.text.with_links(links),
            b"--", boundary, b"\r\n",
            _html_part(prepared, links),
            b"--", boundary, b"--\r\n",
        ))
        return self.signer.sign(message) if self.signer else message


CHART_ID = "chart@bulletin"
HTML_HEAD = b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"


def _inline_chart(bulletin: RenderedBulletin, html: str, locale: str) -> tuple[str, bytes]:
    """Carry the language's chart inside the message where the HTML refers to it by a relative path.

    A bulletin rendered with a site base URL links the chart on the site
    instead; a relative path would show nothing in a mail client.
    """
    # A language without a body of its own sends the default one, with its chart.
    name = next((n for n in (chart_name(locale, png=True), CHART_PNG) if f'src="{n}"' in html), "")
    chart = bulletin.path(name) if name else None
    if chart is None or not chart.exists():
        return html, b""
    part = b"".join((
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n",
        f"Content-ID: <{CHART_ID}>\r\n".encode("ascii"),
        f'Content-Disposition: inline; filename="{name}"\r\n\r\n'.encode("ascii"),
        _b64(chart.read_bytes()),
    ))
    return html.replace(f'src="{name}"', f'src="cid:{CHART_ID}"'), part


def _html_part(prepared: Prepared, links: tuple[bytes, bytes]) -> bytes:
    """The HTML alternative, wrapped with the chart in multipart/related when it has one."""
    if not prepared.chart:
        return HTML_HEAD + prepared.html.with_links(links)
    related = prepared.related
    return b"".join((
        b'Content-Type: multipart/related; type="text/html"; boundary="', related, b'"\r\n\r\n',
        b"--", related, b"\r\n", HTML_HEAD, prepared.html.with_links(links),
        b"--", related, b"\r\n", prepared.chart,
        b"--", related, b"--\r\n",
    ))


def simple_message(settings: EmailSettings, to: str, subject: str, text: str, message_id: str,
                   date: Any) -> bytes:
    """A plain-text message (the confirmation email), signed like the bulletin where DKIM is set.

    Mailbox providers judge a sender by every message it sends; an unsigned
    confirmation is the first one a new reader gets, and the likeliest to be lost.
    """
    message = "".join((
        _from(settings),
        _encoded("To", to),
        _encoded("Subject", subject),
        f"Date: {format_datetime(date)}\r\n",
        f"Message-ID: <{header_text(message_id)}>\r\n",
        "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        _base64(text),
    )).encode("ascii")
    if not settings.dkim:
        return message
    from bulletin.publish.email.dkim import Signer

    return Signer(settings.dkim.key_file, settings.dkim.selector, settings.dkim.domain,
                  SIGNED_HEADERS).sign(message)
