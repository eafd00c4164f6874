"""Joining and leaving over the web: subscribe (choosing editions), confirm, unsubscribe (RFC 8058
one-click); a reader's preferences are preferences.py's.

GET only ever shows a page with a button; only POST changes anything, so a
mail scanner that follows links cannot confirm or unsubscribe anyone. The
one exception is the one-click POST a mailbox provider sends to the
List-Unsubscribe URL (body ``List-Unsubscribe=One-Click``), which RFC 8058
says must unsubscribe without further questions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bulletin import clock
from bulletin.config.settings import Config
from bulletin.errors import SubscriberError
from bulletin.model.editions import MAIN
from bulletin.publish.email import choices, tokens
from bulletin.publish.email import subscribers as subs
from bulletin.publish.email.settings import EmailSettings
from bulletin.render.article import environment
from bulletin.render.rendered import LOCALES
from bulletin.serve import app as web
from bulletin.serve.preferences import Preferences, fields
from bulletin.store.database import Store
from bulletin.store.mail import Subscriber, Subscribers, SubscriberStatus

log = logging.getLogger("bulletin")


def email_settings(config: Config) -> EmailSettings | None:
    for publisher in config.publishers:
        if publisher.type == "email":
            return publisher.settings  # type: ignore[attr-defined, no-any-return]
    return None


def _site_url(config: Config) -> str:
    """The public site's address, for the list pages' links home and icon ("" without a site)."""
    for publisher in config.publishers:
        if publisher.type == "site":
            return str(publisher.pages_url)
    return ""


def _ago(seconds: int) -> str:
    return (clock.now() - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def _language(value: str | None) -> str:
    """A reader's language as a page may be asked for it; anything else is the default."""
    return value if value in LOCALES else LOCALES[0]


def register_routes(app: web.WebApp, config: Config,
                    on_signup: Callable[[], None] | None = None) -> None:
    """Add /subscribe, /confirm and /unsubscribe to ``app`` (pages say so if email is not set up)."""
    handlers = Handlers(config, email_settings(config), on_signup)
    app.route("GET", "/subscribe", handlers.subscribe_form)
    app.route("POST", "/subscribe", handlers.same_origin(handlers.subscribe))
    app.route("GET", "/confirm", handlers.confirm_page)
    app.route("POST", "/confirm", handlers.same_origin(handlers.confirm))
    app.route("GET", "/unsubscribe", handlers.unsubscribe_page)
    app.route("POST", "/unsubscribe", handlers.same_origin(handlers.unsubscribe))
    Preferences(handlers).register(app)


def foreign_origin(request: web.Request, base_url: str) -> str | None:
    """The other site a browser says a POST comes from, or None when it is this one.

    Browsers send ``Origin`` with every cross-site POST (``Referer`` where an
    older one does not), so a form on evil.example that posts here is refused.
    A request with neither (curl, a mailbox provider's RFC 8058 one-click) is no
    browser acting for a visitor, and passes.
    """
    claimed = request.headers.get("origin") or request.headers.get("referer") or ""
    if not claimed:
        return None
    ours = {request.headers.get("host", "").lower(), urlsplit(base_url).netloc.lower()} - {""}
    theirs = urlsplit(claimed).netloc.lower() if claimed != "null" else "null"
    return None if theirs in ours else (theirs or claimed[:80])


def _form(request: web.Request) -> dict[str, str]:
    fields = parse_qs(request.query)
    if request.body and "multipart" not in request.headers.get("content-type", ""):
        fields.update(parse_qs(request.body.decode("utf-8", "replace")))
    return {key: values[0] for key, values in fields.items()}


class Handlers:
    def __init__(self, config: Config, settings: EmailSettings | None,
                 on_signup: Callable[[], None] | None = None) -> None:
        self.config = config
        self.settings = settings
        self.on_signup = on_signup  # wakes the confirmation worker

    def page(self, status: int, page: str, lang: str = LOCALES[0], **context: Any) -> web.Response:
        """One of the list's pages, in the site's design and in ``lang``."""
        title = self.settings.list_name if self.settings else self.config.title
        lang = _language(lang)
        # The site has an edition in each language its bulletins are written in, at /LANG/.
        edition = f"{lang}/" if lang != LOCALES[0] and lang in self.config.locales else ""
        html = environment(self.config.templates_dir).get_template("mailing/page.html.j2").render(
            title=title, page=page, lang=lang, site_url=_site_url(self.config), edition=edition,
            tagline=self.config.publication.describe(lang), **context)
        return web.Response(status, html.encode("utf-8"),
                            headers=(("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer")))

    def same_origin(self, handler: web.Handler) -> web.Handler:
        """``handler``, refusing a POST a page on another site made a visitor's browser send."""
        def checked(request: web.Request) -> web.Response:
            other = foreign_origin(request, self.settings.base_url if self.settings else "")
            if other is not None:
                return web.Response(403, f"Forbidden: a form on {other} cannot post here\n"
                                    .encode(), "text/plain; charset=utf-8")
            return handler(request)
        return checked

    def db(self) -> Store:
        return Store.open(self.config.store)

    def _key(self) -> bytes:
        assert self.settings is not None
        return tokens.key_from_env(self.settings.signing_key_env)

    def offered(self, store: Store) -> list[choices.Choice]:
        """The editions a reader may choose here, the main bulletin first."""
        title = self.settings.list_name if self.settings and self.settings.list_name else self.config.title
        return choices.offered(self.config.editions, store, title)

    def subscribe_form(self, request: web.Request) -> web.Response:
        # ?lang=zh: the site's Chinese pages send their readers here in Chinese; ?edition=china,
        # an edition's pages, with that edition ticked.
        form = _form(request)
        lang = _language(form.get("lang"))
        if self.settings is None:
            return self.page(404, "not_configured", lang)
        with self.db() as store:
            offered = self.offered(store)
        ticked = form.get("edition", "")
        return self.page(200, "subscribe", lang, offered=offered,
                         chosen=(ticked,) if ticked in {c.name for c in offered} else (MAIN,))

    def subscribe(self, request: web.Request) -> web.Response:
        """Take a sign-up; the answer is the same whoever the address is (new, confirmed, gone).

        Limits, not tokens, stop abuse: a client may sign up ``signups_per_client``
        addresses a minute (over it: 429, which says nothing of any address), one
        mailbox ("a+1@", "a.b@gmail.com" are one inbox) is sent a few
        confirmations an hour, and the list holds ``max_pending`` unconfirmed
        addresses at most. A sign-up refused by a limit leaves no row. The
        confirmation itself is sent by the serve process's worker (outbox.py).
        """
        form = _form(request)
        locale = _language(form.get("locale"))
        if self.settings is None:
            return self.page(404, "not_configured", locale)
        try:
            address = subs.normalise(form.get("email", ""))
        except SubscriberError as exc:
            return self.page(400, "bad_address", locale, reason=str(exc))
        names = fields(request).get("edition", [])
        with self.db() as store:
            wrong = choices.unknown(names, self.offered(store))
        if wrong is not None:  # the form's, not the address's: it says nothing of who is subscribed
            return self.page(400, "unknown_edition", locale, name=wrong)
        editions = tuple(dict.fromkeys(names))
        settings, stamp, box = self.settings, clock.stamp(), subs.mailbox(address)
        with self.db() as store, store.transaction():
            people = store.subscribers
            if people.count_signups(client=request.client, since=_ago(60)) >= settings.signups_per_client:
                busy = True
            else:
                busy = False
                flooded = people.count_signups(mailbox=box, since=_ago(3600)) \
                    >= subs.MAILBOX_CONFIRMATIONS_PER_HOUR
                people.record_signup(request.client, box, stamp)
                if not flooded:
                    self._want(people, address, locale, stamp, editions)
        if busy:
            return self.page(429, "busy", locale)
        if self.on_signup is not None:
            self.on_signup()
        return self.page(200, "check_inbox", locale, email=address)

    def _want(self, people: Subscribers, address: str, locale: str, stamp: str,
              editions: tuple[str, ...] = ()) -> None:
        """A confirmation for ``address``, if it may have one, with the editions the form chose
        (inside the sign-up's transaction). A confirmed address keeps its own: a form anybody can
        fill in for any address changes nothing of a subscriber's."""
        assert self.settings is not None
        found = people.get(address)
        if found is None:
            if people.count_pending() >= self.settings.max_pending:
                log.warning("bulletin serve: %d unconfirmed addresses: a new sign-up is not kept "
                            "(max_pending)", self.settings.max_pending)
                return
            # One who unsubscribed stays so until they follow a new link: a sign-up alone,
            # which anybody can make for any address, changes nothing.
            subs.add(people, address, locale, SubscriberStatus.PENDING)
            found = people.get(address)
        if found is not None and found.status in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED):
            people.want_confirmation(found.id, stamp)
            if editions:
                people.choose(found.id, editions)

    def holder(self, token: str, purpose: str) -> Subscriber | None:
        """The subscriber a valid token names, or None for a forged, altered or stale one."""
        uid = tokens.uid_of(token)
        if uid is None or self.settings is None:
            return None
        with self.db() as store:
            found = store.subscribers.by_uid(uid)
        if found is None or not tokens.valid(self._key(), token, purpose, found.uid, found.email):
            return None
        return found

    def _confirming(self, token: str) -> Subscriber | web.Response:
        """Who a confirmation link is for, or the page that says why it no longer works."""
        found = self.holder(token, "confirm")
        if found is None:
            return self.page(403, "bad_link")
        if found.status in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED) and \
                subs.confirmation_problem(found, tokens.issued_at(token)) is not None:
            return self.page(403, "expired_link", found.locale)
        return found

    def confirm_page(self, request: web.Request) -> web.Response:
        token = _form(request).get("token", "")
        found = self._confirming(token)
        if isinstance(found, web.Response):
            return found
        if found.status == SubscriberStatus.CONFIRMED:
            return self.page(200, "already", found.locale, email=found.email)
        return self.page(200, "confirm", found.locale, email=found.email, token=token)

    def confirm(self, request: web.Request) -> web.Response:
        found = self._confirming(_form(request).get("token", ""))
        if isinstance(found, web.Response):
            return found
        if found.status == SubscriberStatus.CONFIRMED:  # the link clicked twice, or on two devices
            return self.page(200, "already", found.locale, email=found.email)
        if found.status in (SubscriberStatus.PENDING, SubscriberStatus.UNSUBSCRIBED):
            with self.db() as store:
                store.subscribers.set_status(found.id, SubscriberStatus.CONFIRMED)
        return self.page(200, "confirmed", found.locale, email=found.email)

    def unsubscribe_page(self, request: web.Request) -> web.Response:
        token = _form(request).get("token", "")
        found = self.holder(token, "unsubscribe")
        if found is None:
            return self.page(403, "bad_link")
        return self.page(200, "unsubscribe", found.locale, email=found.email, token=token)

    def unsubscribe(self, request: web.Request) -> web.Response:
        """The page's button, and RFC 8058's one-click POST to the List-Unsubscribe URL."""
        found = self.holder(_form(request).get("token", ""), "unsubscribe")
        if found is None:
            return self.page(403, "bad_link")
        # One bounced or complained stays so: never mailed again either way, and an unsubscribed
        # address could come back through a sign-up, which a complaint must not allow.
        if found.status in (SubscriberStatus.CONFIRMED, SubscriberStatus.PENDING):
            with self.db() as store:
                store.subscribers.set_status(found.id, SubscriberStatus.UNSUBSCRIBED)
        return self.page(200, "unsubscribed", found.locale, email=found.email)
