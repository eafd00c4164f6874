"""The desk's web app: sign-in, the pages, and an editor's decisions, on the serve package's WSGI base.

Nothing here is public. Every page but the sign-in form needs a signed-in
editor: a GET without one is sent to /login, any other request is refused
(403). Every POST carries the session's CSRF token in its form, compared in
constant time; without it the answer is 403 and nothing changes. Values from
the store and the articles reach the page as text (the templates escape it).

Approving and rejecting call ``pipeline.decide`` under the store's run lock,
exactly as ``bulletin approve`` and ``bulletin reject`` do.
"""

from __future__ import annotations

import logging
import math
import re
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from bulletin import clock, pipeline
from bulletin.config.settings import Config
from bulletin.desk import passwords, views
from bulletin.desk.limits import LoginLimits
from bulletin.desk.sessions import Session, Sessions
from bulletin.errors import BulletinError
from bulletin.model import DeliveryStatus
from bulletin.pipeline import editing, names
from bulletin.render.article import environment
from bulletin.serve import app as web
from bulletin.store.database import Store
from bulletin.store.lock import run_lock
from bulletin.weeks import IsoWeek

log = logging.getLogger("bulletin")
# Who signed in and who decided what: said on stderr as it happens (unless -q), for the record.
said = logging.getLogger("bulletin.progress")

PAGE_HEADERS = (("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"))
_WEEK = re.compile(r"/week/(\d{4}-[Ww]\d{2})(?:/(approve|reject|edit))?")
# Where a sign-in may lead: a path on this desk, nothing that a browser reads as another
# host ("//evil.example", "/\\evil.example") or a scheme ("https:", "javascript:").
_LOCAL = re.compile(r"/(?![/\\])[A-Za-z0-9/_.\-]*")
MAX_REASON = 2000  # characters in a rejection's reason
_NAME_DECISIONS = ("/names/confirm", "/names/set", "/names/forget")


def local_path(target: str) -> str:
    """``target`` when it is a path on this desk, else "/": a sign-in never leaves the desk."""
    return target if _LOCAL.fullmatch(target) and "/.." not in target else "/"


class Desk(web.WebApp):
    """The WSGI app of ``bulletin desk`` (``secure``: its cookie is sent over https only)."""

    def __init__(self, config: Config, secure: bool = False, limits: LoginLimits | None = None) -> None:
        super().__init__(site=Path("/nonexistent"))
        self.config = config
        self.secure = secure
        self.cookie = "__Host-desk" if secure else "desk"  # __Host-: only this host, only https
        self.sessions = Sessions()
        self.limits = limits or LoginLimits()
        self.templates = environment(config.templates_dir)

    # -- dispatch -----------------------------------------------------------

    def answer(self, request: web.Request) -> web.Response:
        method = "GET" if request.method == "HEAD" else request.method
        session = self._session(request)
        if request.path == "/login":
            if method == "GET":
                return self.login_form(request, session)
            if method == "POST":
                return self.login(request, session)
            return _not_allowed("GET, HEAD, POST")
        if session is None or not session.user:
            if method == "GET":
                return _redirect("/login" + ("" if request.path == "/" else
                                             "?next=" + quote(local_path(request.path), safe="/")))
            return _forbidden("sign in first")
        if method == "POST":
            form = _form(request)
            if not session.token_matches(form.get("csrf", "")):
                return _forbidden("the form's CSRF token is missing or wrong; reload the page")
            return self.post(request, session, form)
        if method != "GET":
            return _not_allowed("GET, HEAD, POST")
        return self.get(request, session)

    def get(self, request: web.Request, session: Session) -> web.Response:
        if request.path == "/":
            with Store.open(self.config.store) as store:
                return self.page(200, "home", session, home=views.home(self.config, store))
        if request.path == "/sources":
            with Store.open(self.config.store) as store:
                return self.page(200, "sources", session, desk=views.sources(self.config, store))
        if request.path == "/names":
            with Store.open(self.config.store) as store:
                return self.page(200, "names", session, names=views.model_names(store))
        found = _WEEK.fullmatch(request.path)
        week = _week(found[1]) if found and not found[2] else None
        if week is None:
            return self.page(404, "missing", session)
        with Store.open(self.config.store) as store:
            shown = views.week(self.config, store, week)
        if shown is None:
            return self.page(404, "missing", session)
        return self.page(200, "week", session, shown=shown)

    def post(self, request: web.Request, session: Session, form: dict[str, str]) -> web.Response:
        if request.path == "/logout":
            self.sessions.end(session)
            return _redirect("/login", self._cookie(""))
        if request.path in _NAME_DECISIONS:
            return self.decide_name(session, request.path, form)
        found = _WEEK.fullmatch(request.path)
        week = _week(found[1]) if found and found[2] else None
        if week is None or found is None:
            return self.page(404, "missing", session)
        if found[2] == "edit":
            return self.edit(session, week, form)
        if found[2] == "reject":
            why = " ".join(form.get("why", "").split())
            if not why:
                session.notice.append("A rejection needs its reason: nothing was changed.")
                return _redirect(f"/week/{week}")
            return self.decide(session, week, approve=False, why=why[:MAX_REASON])
        return self.decide(session, week, approve=True)

    # -- sign-in --------------------------------------------------------------

    def login_form(self, request: web.Request, session: Session | None, status: int = 200,
                   problem: str = "", user: str = "") -> web.Response:
        cookie: tuple[tuple[str, str], ...] = ()
        if session is None:
            session = self.sessions.start()
            cookie = self._cookie(session.id)
        target = local_path(parse_qs(request.query).get("next", ["/"])[0] if request.method != "POST"
                            else _form(request).get("next", "/"))
        return self.page(status, "login", session, cookie, next=target, problem=problem, user=user)

    def login(self, request: web.Request, session: Session | None) -> web.Response:
        form = _form(request)
        if session is None or not session.token_matches(form.get("csrf", "")):
            return _forbidden("the sign-in form's CSRF token is missing or wrong; reload the page")
        user, password = form.get("user", "").strip(), form.get("password", "")
        wait = self.limits.wait(user, request.client)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            answer = self.login_form(request, session, 429, f"Too many failed sign-ins: try again in "
                                     f"{minutes} minute{'s' if minutes > 1 else ''}.", user)
            return web.Response(answer.status, answer.body, answer.content_type,
                                (*answer.headers, ("Retry-After", str(math.ceil(wait)))))
        with Store.open(self.config.store) as store:
            editor = store.editors.get(user) if user else None
            if not passwords.matches(editor.password_hash if editor else None, password):
                self.limits.failed(user, request.client)
                log.warning("desk: a failed sign-in as %r from %s", user[:80], request.client)
                return self.login_form(request, session, 401, "The name or the password is wrong.", user)
            assert editor is not None  # matches() is never true without a stored hash
            if passwords.outdated(editor.password_hash):
                store.editors.set_hash(editor.user, passwords.make(password))
        signed_in = self.sessions.sign_in(session, editor.user)
        said.info("desk: %s signed in from %s", editor.user, request.client)
        return _redirect(local_path(form.get("next", "/")), self._cookie(signed_in.id))

    # -- decisions --------------------------------------------------------------

    def decide(self, session: Session, week: IsoWeek, approve: bool, why: str = "") -> web.Response:
        """``bulletin approve WEEK`` or ``bulletin reject WEEK --why WHY``, by the signed-in editor."""
        try:
            with run_lock(self.config.database, wait=False):
                deliveries = pipeline.decide(self.config, week, approve=approve, why=why)
        except BulletinError as exc:
            session.notice.append(f"Nothing was {'approved' if approve else 'rejected'}: {exc}")
            return _redirect(f"/week/{week}")
        done = "approved" if approve else f"rejected ({why})"
        said.info("desk: %s %s by %s", week, done, session.user)
        session.notice.append(f"{week}: {done}.")
        for delivery in deliveries:
            where = delivery.location if delivery.status == DeliveryStatus.OK else delivery.detail
            session.notice.append(f"{delivery.target}: {delivery.status}" + (f" ({where})" if where else ""))
        return _redirect(f"/week/{week}")

    def decide_name(self, session: Session, path: str, form: dict[str, str]) -> web.Response:
        """A made-up model name confirmed, corrected or forgotten: every later week uses the decision."""
        model = form.get("model", "").strip()
        try:
            if path == "/names/forget":
                names.forget(self.config, model)
                session.notice.append(f"{model}: the decision is forgotten; its name is the catalogue's "
                                      "or made up again.")
            else:
                decided = (names.confirm(self.config, model, session.user) if path == "/names/confirm"
                           else names.correct(self.config, model, form.get("name", ""), session.user))
                session.notice.append(f"{model}: {decided.name.name} ({decided.name.decision}). Weeks "
                                      "rendered from now on name it so and are not held for it.")
                session.notice.extend(f"{result.week}: rendered again, {result.status}"
                                      + (f" ({'; '.join(result.reasons)})" if result.reasons else "")
                                      for result in decided.rendered)
        except BulletinError as exc:
            session.notice.append(f"Nothing was changed: {exc}")
            return _redirect("/names")
        said.info("desk: the name of %s %s by %s", model, path.rpartition("/")[2], session.user)
        return _redirect("/names")

    def edit(self, session: Session, week: IsoWeek, form: dict[str, str]) -> web.Response:
        """One paragraph's new wording: checked against the store, kept, and rendered again."""
        locale = form.get("locale", "")
        with Store.open(self.config.store) as store:
            editor = store.editors.get(session.user)
        if editor is None:  # removed from the store while signed in
            self.sessions.end(session)
            return _forbidden("this editor can no longer sign in")
        try:
            with run_lock(self.config.database, wait=False):
                changed = editing.edit(self.config, week, locale, form.get("generated", ""),
                                       form.get("seen", ""), form.get("text", ""), editor.user, editor.name)
        except BulletinError as exc:
            session.notice.append(f"Not saved: {exc}")
            return _redirect(f"/week/{week}")
        if changed:
            said.info("desk: %s (%s) reworded by %s", week, locale, editor.user)
            session.notice.append(f"{week}: the paragraph is saved and the week rendered again "
                                  "in every format; every number in it was checked against the store.")
        else:
            session.notice.append(f"{week}: the paragraph was already worded so; nothing changed.")
        return _redirect(f"/week/{week}")

    # -- pages ------------------------------------------------------------------

    def page(self, status: int, name: str, session: Session | None,
             cookie: tuple[tuple[str, str], ...] = (), **context: Any) -> web.Response:
        notices = list(session.notice) if session else []
        if session:
            session.notice.clear()
        editor = ""
        if session and session.user:
            with Store.open(self.config.store) as store:
                found = store.editors.get(session.user)
                editor = found.name if found else session.user
        html = self.templates.get_template(f"desk/{name}.html.j2").render(
            title=self.config.title, csrf=session.csrf if session else "", editor=editor,
            notices=notices, now=clock.stamp(), **context)
        return web.Response(status, html.encode("utf-8"), headers=(*PAGE_HEADERS, *cookie))

    def _session(self, request: web.Request) -> Session | None:
        raw = request.headers.get("cookie", "")
        if not raw:
            return None
        try:
            jar = SimpleCookie(raw)
        except CookieError:
            return None
        found = jar.get(self.cookie)
        return self.sessions.get(found.value) if found else None

    def _cookie(self, session_id: str) -> tuple[tuple[str, str], ...]:
        """The Set-Cookie header for ``session_id`` ("": the cookie is dropped)."""
        value = f"{self.cookie}={session_id}; Path=/; HttpOnly; SameSite=Strict"
        if not session_id:
            value += "; Max-Age=0"
        if self.secure:
            value += "; Secure"
        return (("Set-Cookie", value),)


def _week(text: str) -> IsoWeek | None:
    try:
        return IsoWeek.parse(text.upper())
    except ValueError:
        return None


def _form(request: web.Request) -> dict[str, str]:
    """A POST's url-encoded fields (the first value of each); never the query's, so that a
    CSRF token is never taken from a URL (which logs and Referer headers keep)."""
    fields: dict[str, list[str]] = {}
    kind = request.headers.get("content-type", "")
    if request.body and kind.startswith("application/x-www-form-urlencoded"):
        fields.update(parse_qs(request.body.decode("utf-8", "replace")))
    return {key: values[0] for key, values in fields.items()}


def _redirect(location: str, headers: tuple[tuple[str, str], ...] = ()) -> web.Response:
    return web.Response(303, b"", "text/plain; charset=utf-8",
                        (("Location", location), *PAGE_HEADERS, *headers))


def _forbidden(why: str) -> web.Response:
    return web.Response(403, f"Forbidden: {why}\n".encode(), "text/plain; charset=utf-8", PAGE_HEADERS)


def _not_allowed(allowed: str) -> web.Response:
    return web.Response(405, b"Method not allowed\n", "text/plain; charset=utf-8", (("Allow", allowed),))
