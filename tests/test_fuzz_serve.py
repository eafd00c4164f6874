"""Fuzzing the web server's endpoints: any request gets a page, never a 500 or its own input as markup.

Requests go straight to the WSGI application `bulletin serve` runs (the same
object waitress serves), with the list's routes and a real store: random
methods, paths, queries, form bodies, origins and client addresses, mixed with
valid, altered and stale links for a real subscriber. Every answer must be one
of the statuses the server means to give, carry the security headers, have a
Content-Length that is its length, and show any text sent in it only escaped.
The raw-socket attacks on the real process are in test_serve_attacks.py.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.config.load import load_config
from bulletin.publish.email import subscribers as subs
from bulletin.publish.email import tokens
from bulletin.serve import app as web
from bulletin.serve.subscribe import register_routes
from bulletin.store.database import Store
from bulletin.store.mail import SubscriberStatus
from support import FIXED_EPOCH, copy_demo, run_bulletin
from support.emailing import KEY, email_config

FEW = 150
EXPECTED = {200, 204, 301, 303, 304, 400, 403, 404, 405, 413, 429}
ORIGIN = "https://bulletin.example.org"
READER = "reader@example.com"
ROUTES = ["/subscribe", "/confirm", "/unsubscribe", "/", "/2026/w11/", "/2026/w11", "/feed.xml",
          "/about/", "/.index.html.part", "/../bulletin.db", "//evil.example/", "/%2e%2e/", "/archive"]
MARKUP = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "<b>x</b>@example.com",
          "a@<example>.com", "&lt;i&gt;", "{{ 7*7 }}", "{% raw %}"]

texts = st.one_of(st.text(max_size=60), st.sampled_from(MARKUP), st.emails(), st.emails(),
                  st.sampled_from(["a@example.com", "A.B+1@gmail.com", "x" * 300 + "@example.com",
                                   "", "zh", "en", "fr", "\u202e", "\x00", "a\r\nX-Evil: 1"]))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[web.WebApp, list[str], Path]]:
    """The demo week on the site, the list's routes, and one confirmed reader's links."""
    project = tmp_path_factory.mktemp("fuzz-serve")
    copy_demo(project)
    email_config(project)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        patch.setenv("BULLETIN_SIGNING_KEY", KEY)  # read by the handlers, request by request
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        assert run_bulletin(project, "run", "-q").code == 0
        config = load_config(project / "config.yaml")
        with Store.open(config.database) as store:
            subs.add(store.subscribers, READER, "en", SubscriberStatus.CONFIRMED)
            found = store.subscribers.get(READER)
        assert found is not None
        # Links as sent, one for the wrong purpose, stale and from the future, then altered.
        links = [tokens.make(KEY.encode(), purpose, found.uid, READER, issued)
                 for purpose in ("confirm", "unsubscribe") for issued in (1, int(time.time()), 2**40)]
        links += [link[:-1] + ("A" if link[-1] != "A" else "B") for link in links]  # altered
        app = web.WebApp(config.output / "site")
        register_routes(app, config, None)
        yield app, links, config.database


def call(app: web.WebApp, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return int(answer["status"].split()[0]), dict(answer["headers"]), body


@st.composite
def requests(draw: st.DrawFn, links: list[str]) -> tuple[dict[str, Any], list[str]]:
    """A WSGI environ, and the texts the request carried (none may come back as markup)."""
    fields = st.one_of(
        st.fixed_dictionaries({"email": st.emails()}, optional={"locale": texts}),  # a sign-up
        st.fixed_dictionaries({"token": st.sampled_from(links)}, optional={"lang": texts}),  # a link
        st.dictionaries(st.sampled_from(["email", "token", "lang", "locale", "x"]),
                        st.one_of(texts, st.sampled_from(links)), max_size=4))
    query = draw(fields)
    form = draw(fields)
    # Mostly what a browser sends to the list's pages, so the handlers are reached.
    method = draw(st.sampled_from(["GET", "POST"] * 4 + ["HEAD", "PUT", "OPTIONS"])
                  if draw(st.integers(0, 9)) else
                  st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8))
    path = draw(st.sampled_from(ROUTES[:3] * 6 + ROUTES) if draw(st.integers(0, 4)) else
                st.text(max_size=40).map(lambda p: "/" + p))
    body = urlencode(form).encode() if draw(st.integers(0, 4)) else draw(st.binary(max_size=200))
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        # WSGI hands the path over as bytes decoded as Latin-1.
        "PATH_INFO": path.encode("utf-8", "surrogatepass").decode("latin-1"),
        "QUERY_STRING": urlencode(query) if draw(st.booleans()) else quote(draw(st.text(max_size=40))),
        "CONTENT_TYPE": draw(st.sampled_from(["application/x-www-form-urlencoded"] * 6 + [
            "", "multipart/form-data; boundary=x", "text/plain"])),
        "CONTENT_LENGTH": str(len(body)) if draw(st.integers(0, 9)) else
        draw(st.sampled_from(["", "-1", "abc", "99999999", "0"])),
        "REMOTE_ADDR": draw(st.sampled_from(["127.0.0.1", "10.0.0.7", "::1", "", "203.0.113.9"])),
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
    }
    origin = draw(st.sampled_from([None, None, ORIGIN, ORIGIN, "https://evil.example", "null",
                                   ORIGIN + ".evil"]))
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    if draw(st.booleans()):
        environ["HTTP_REFERER"] = draw(st.one_of(st.sampled_from([ORIGIN + "/", "https://evil.example/"]),
                                                 texts))
    sent = [*query.values(), *form.values(), path]
    return environ, sent


def check_answer(app: web.WebApp, environ: dict[str, Any], sent: list[str]) -> None:
    status, headers, body = call(app, environ)
    assert status in EXPECTED, (status, environ, body[:300])
    assert int(headers["Content-Length"]) == len(body) or environ["REQUEST_METHOD"] == "HEAD"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # A page (HTML) never carries what was sent as markup; a plain-text answer (a 403 naming
    # the foreign Origin, say) is text with nosniff, which no browser renders.
    if headers["Content-Type"].startswith("text/html"):
        page = body.decode("utf-8", "replace")
        for text in sent:
            if "<" in text and len(text) > 3:
                assert text not in page, f"{text!r} came back as markup ({status})"


def fuzz(served: tuple[web.WebApp, list[str], Path], examples: int) -> None:
    app, links, database = served

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(links))
    def run(request: tuple[dict[str, Any], list[str]]) -> None:
        check_answer(app, *request)

    run()
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_any_request_gets_a_page_never_a_500_or_its_input_as_markup(served) -> None:
    fuzz(served, FEW)


@pytest.mark.slow
def test_the_profiles_many_requests(served) -> None:
    fuzz(served, settings().max_examples)
