"""Who is signed in to the desk: sessions kept in the desk process's memory.

A session is a random id in a cookie (HttpOnly, SameSite=Strict, Secure behind
https) and a random CSRF token every form carries. A visitor who has not
signed in has a session too, without an editor, so the sign-in form has its
token; signing in drops it and starts a new one under a new id, so an id
someone planted in a browser before sign-in (session fixation) never becomes
a signed-in one. Sessions end after IDLE seconds without a request, after
LIFETIME seconds in any case, and when the desk stops.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE = 2 * 3600.0
LIFETIME = 12 * 3600.0
MAX_SESSIONS = 10_000  # anonymous ones are made on every visit to /login: bounded memory


@dataclass
class Session:
    id: str
    csrf: str
    started: float
    seen: float
    user: str = ""  # "" until an editor signs in
    notice: list[str] = field(default_factory=list)  # said once, on the next page shown

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(self.csrf.encode(), given.encode("utf-8", "replace"))


class Sessions:
    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._by_id: dict[str, Session] = {}

    def start(self, user: str = "") -> Session:
        now = self._now()
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, user)
        with self._lock:
            self._sweep(now)
            self._by_id[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        """The live session with this id (its idle time starts again), or None."""
        now = self._now()
        with self._lock:
            session = self._by_id.get(session_id)
            if session is None:
                return None
            if now - session.seen > IDLE or now - session.started > LIFETIME:
                del self._by_id[session_id]
                return None
            session.seen = now
            return session

    def sign_in(self, old: Session | None, user: str) -> Session:
        """A new session for ``user``; the one it replaces (and its id) is gone."""
        if old is not None:
            self.end(old)
        return self.start(user)

    def end(self, session: Session) -> None:
        with self._lock:
            self._by_id.pop(session.id, None)

    def _sweep(self, now: float) -> None:
        if len(self._by_id) < MAX_SESSIONS:
            return
        for key, session in list(self._by_id.items()):
            if now - session.seen > IDLE or now - session.started > LIFETIME:
                del self._by_id[key]
        if len(self._by_id) >= MAX_SESSIONS:
            # Still full: a flood of sign-in pages. The oldest visitors who never signed in go first.
            anonymous = sorted((s.seen, k) for k, s in self._by_id.items() if not s.user)
            for _, key in anonymous[:len(anonymous) // 2 + 1]:
                del self._by_id[key]
