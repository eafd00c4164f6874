"""A reader's preferences: which editions they get, and in which language, from the link in each email.

The link's token is signed for the address and says when its bulletin was
sent; it works for tokens.PREFERENCES_LIFETIME after that, and only while
the address is confirmed. It never subscribes anyone: an address that
unsubscribed, bounced or complained is told so, and joins again only by a
new confirmation (the subscribe form). GET shows the form; only POST
changes anything, and a POST another site's page made a browser send is
refused, as on the other list pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from bulletin.publish.email import choices, tokens
from bulletin.publish.email import subscribers as subs
from bulletin.render.rendered import LOCALES
from bulletin.serve import app as web
from bulletin.store.mail import Subscriber, SubscriberStatus

if TYPE_CHECKING:
    from bulletin.serve.subscribe import Handlers

# Fields a preferences or subscribe form may post: a few per edition at most; more is no form's.
MAX_FIELDS = 500


def fields(request: web.Request) -> dict[str, list[str]]:
    """Every value of every field of a form (the query's and the body's); BadRequest past MAX_FIELDS."""
    try:
        found = parse_qs(request.query, max_num_fields=MAX_FIELDS)
        if request.body and "multipart" not in request.headers.get("content-type", ""):
            for key, values in parse_qs(request.body.decode("utf-8", "replace"),
                                        max_num_fields=MAX_FIELDS).items():
                found.setdefault(key, []).extend(values)
    except ValueError:
        raise web.BadRequest(f"more than {MAX_FIELDS} form fields") from None
    return found


class Preferences:
    """GET and POST /preferences, on the list pages' handlers (subscribe.py)."""

    def __init__(self, handlers: Handlers) -> None:
        self.handlers = handlers

    def register(self, app: web.WebApp) -> None:
        app.route("GET", "/preferences", self.page)
        app.route("POST", "/preferences", self.handlers.same_origin(self.change))

    def _reader(self, token: str) -> Subscriber | web.Response:
        """Whose preferences a link opens, or the page that says why it does not."""
        handlers = self.handlers
        if handlers.settings is None:
            return handlers.page(404, "not_configured")
        found = handlers.holder(token, "preferences")
        if found is None:
            return handlers.page(403, "bad_link")
        if subs.preferences_expired(tokens.issued_at(token)):
            return handlers.page(403, "preferences_expired", found.locale)
        if found.status != SubscriberStatus.CONFIRMED:
            return handlers.page(403, "not_subscribed", found.locale, email=found.email)
        return found

    def _form(self, status: int, reader: Subscriber, token: str, chosen: tuple[str, ...],
              locale: str, **problem: str) -> web.Response:
        with self.handlers.db() as store:
            offered = self.handlers.offered(store)
        return self.handlers.page(status, "preferences", locale, email=reader.email, token=token,
                                  offered=offered, chosen=chosen, **problem)

    def page(self, request: web.Request) -> web.Response:
        token = fields(request).get("token", [""])[0]
        found = self._reader(token)
        if isinstance(found, web.Response):
            return found
        with self.handlers.db() as store:
            chosen = store.subscribers.editions(found.id)
        return self._form(200, found, token, chosen, found.locale)

    def change(self, request: web.Request) -> web.Response:
        form = fields(request)
        token = form.get("token", [""])[0]
        found = self._reader(token)
        if isinstance(found, web.Response):
            return found
        locale = form.get("locale", [found.locale])[0]
        if locale not in LOCALES:
            return self._form(400, found, token, (), found.locale, problem="bad_locale")
        names = form.get("edition", [])
        if not names:
            return self._form(400, found, token, (), locale, problem="choose_one")
        with self.handlers.db() as store:
            wrong = choices.unknown(names, self.handlers.offered(store))
        if wrong is not None:
            return self._form(400, found, token, (), locale, problem="unknown_edition", name=wrong)
        chosen = tuple(dict.fromkeys(names))
        with self.handlers.db() as store, store.transaction():
            # Read again inside the change: an unsubscribe a moment ago stays an unsubscribe.
            now = store.subscribers.by_uid(found.uid)
            still = now is not None and now.status == SubscriberStatus.CONFIRMED
            if still:
                store.subscribers.choose(found.id, chosen)
                store.subscribers.set_locale(found.id, locale)
        if not still:
            return self.handlers.page(403, "not_subscribed", found.locale, email=found.email)
        with self.handlers.db() as store:
            offered = self.handlers.offered(store)
        return self.handlers.page(200, "preferences_saved", locale, email=found.email,
                                  offered=[c for c in offered if c.name in chosen])
