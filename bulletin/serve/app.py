"""The small web server behind ``bulletin serve``: the site, plus registered routes.

It is a plain WSGI application, so the same object runs under any WSGI
server; ``production()`` runs it on waitress (what ``bulletin serve`` uses:
timeouts, a body limit, HTTP parsing that holds against a hostile client),
``make()`` on the standard library's server (tests, in-process). Features add
routes (a subscribe form, say) with ``route()``; every other GET serves a file
from the site folder.

The app trusts nothing of a request: a path with control characters, bytes
that are not UTF-8 or a malformed Content-Length is a 400, a body over
MAX_BODY (or the larger limit its route was given) a 413, and a failure
inside a handler a bare 500 page, never a traceback. A redirect's Location
is built from the normalised path, so it can neither carry a header of its
own nor leave the site.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger("bulletin")

MAX_BODY = 64 * 1024  # bytes in a request body: a form post is a few hundred
# Every answer: the site's own scripts, styles and images only, never framed by
# another site (clickjacking a subscribe or unsubscribe button), no type sniffing.
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' "
     "'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; "
     "form-action 'self'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
)
IDLE_SECONDS = 30  # a connection that sends nothing for this long is closed (waitress)
# A flood of slow connections must not lock readers out: waitress holds this many open
# at once (polled, so past select's 1,024 descriptors), at most PER_CLIENT of them from
# one address, and a request must arrive whole within IDLE_SECONDS of its first byte.
MAX_CONNECTIONS = 1000
PER_CLIENT = 20


class BadRequest(Exception):
    """What is wrong with a request, for its 400 page."""

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    client: str = ""  # the address the request came from (REMOTE_ADDR)

    @classmethod
    def from_environ(cls, environ: Environ, max_body: int = MAX_BODY) -> Request:
        """The request, checked; raise BadRequest (or _TooLarge) saying what is wrong."""
        length_text = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not length_text.isascii() or not length_text.isdigit():
            raise BadRequest("the Content-Length is not a number")
        length = int(length_text)
        if length > max_body:
            raise _TooLarge(f"the body is larger than {max_body:,} bytes")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(str(environ.get("REQUEST_METHOD", "GET")), _path(environ),
                   str(environ.get("QUERY_STRING", "")), headers, body,
                   str(environ.get("REMOTE_ADDR", "")))


class _TooLarge(BadRequest):
    """A body over its route's limit: 413."""


def _path(environ: Environ) -> str:
    """PATH_INFO as text: WSGI hands it over as bytes decoded as Latin-1."""
    raw = str(environ.get("PATH_INFO") or "/")
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise BadRequest("the path is not UTF-8") from None
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise BadRequest("the path holds a control character")
    return path if path.startswith("/") else "/" + path


Handler = Callable[[Request], Response]

_REASONS = {200: "OK", 204: "No Content", 301: "Moved Permanently", 303: "See Other",
            304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error"}


@dataclass
class WebApp:
    site: Path
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    # Routes that take bodies over MAX_BODY (an ESP's batch of events); every other keeps MAX_BODY.
    body_limits: dict[tuple[str, str], int] = field(default_factory=dict)

    def route(self, method: str, path: str, handler: Handler, max_body: int = MAX_BODY) -> None:
        self.routes[(method.upper(), path)] = handler
        if max_body != MAX_BODY:
            self.body_limits[(method.upper(), path)] = max_body

    @property
    def max_body(self) -> int:
        """The largest body any route takes: what the server in front must let through."""
        return max([MAX_BODY, *self.body_limits.values()])

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            limit = self.body_limits.get((method.upper(), _path(environ)), MAX_BODY)
            response = self.answer(Request.from_environ(environ, limit))
        except _TooLarge as exc:
            response = _plain(413, f"Request too large: {exc}\n")
        except BadRequest as exc:
            response = _plain(400, f"Bad request: {exc}\n")
        except Exception:
            # The reader gets a bare page; the operator the traceback, in the log.
            log.exception("bulletin serve: %s %s failed", method, environ.get("PATH_INFO", ""))
            response = _plain(500, "Internal server error\n")
        headers = [("Content-Type", response.content_type),
                   ("Content-Length", str(len(response.body))), *SECURITY_HEADERS, *response.headers]
        start_response(f"{response.status} {_REASONS.get(response.status, '')}".strip(), headers)
        return [b""] if method == "HEAD" else [response.body]

    def answer(self, request: Request) -> Response:
        handler = self.routes.get((request.method, request.path))
        if handler is not None:
            return handler(request)
        if request.method in ("GET", "HEAD"):
            return self.static(request.path)
        allowed = sorted({"GET", "HEAD", *(method for method, path in self.routes if path == request.path)})
        return Response(405, b"Method not allowed\n", "text/plain; charset=utf-8",
                        (("Allow", ", ".join(allowed)),))

    def static(self, path: str) -> Response:
        root = self.site.resolve()
        # "/a/../b", "//evil.example", "/./x": one canonical path, always below "/".
        normal = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
        if any(part.startswith(".") for part in normal.split("/") if part):
            # Dot files: a writer's temporaries (".NAME.part"), never part of the site.
            return _plain(404, "Not found\n")
        target = (root / normal).resolve()
        # Never serve anything outside the site folder ("/../bulletin.db").
        if target != root and root not in target.parents:
            return _plain(404, "Not found\n")
        if target.is_dir():
            if not path.endswith("/") or normal and path.rstrip("/") != "/" + normal:
                # A path on this site, as one absolute path: "/x/" never "//evil.example/".
                location = quote("/" + normal + "/" if normal else "/", safe="/-._~")
                return Response(301, headers=(("Location", location),))
            target = target / "index.html"
        if not target.is_file():
            return _plain(404, "Not found\n")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        return Response(200, target.read_bytes(), kind)


def _plain(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"), "text/plain; charset=utf-8")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def make(app: WebApp, host: str = "127.0.0.1", port: int = 8000) -> WSGIServer:
    """A threaded server for ``app``; port 0 picks a free one (see ``server_port``)."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def production(app: WebApp, host: str = "127.0.0.1", port: int = 8000,
               idle: float = IDLE_SECONDS, proxy: str = "") -> Any:
    """``app`` on waitress: idle connections closed, bodies bounded, bad HTTP refused by it.

    Binds at once (a busy port is an OSError here); ``run()`` serves, ``close()`` stops.
    ``effective_port`` is the port bound (port 0 picks one).
    """
    from waitress.server import create_server

    # Behind a reverse proxy every request comes from it: the reader's address (which the
    # sign-up limits count) is the one it adds to X-Forwarded-For, trusted from it alone.
    forwarded: dict[str, Any] = {"trusted_proxy": proxy, "trusted_proxy_count": 1,
                                 "trusted_proxy_headers": {"x-forwarded-for"}} if proxy else {}
    # waitress looks for idle connections every cleanup_interval seconds.
    server = create_server(app, host=host, port=port, threads=8, channel_timeout=idle, **forwarded,
                           cleanup_interval=max(1, min(30, int(idle // 2) or 1)),
                           connection_limit=MAX_CONNECTIONS, asyncore_use_poll=True,
                           max_request_body_size=app.max_body, max_request_header_size=16 * 1024,
                           clear_untrusted_proxy_headers=True, ident="bulletin", expose_tracebacks=False)
    # Behind a proxy every connection is the proxy's: it alone can count readers' connections.
    server.channel_class = _bounded_channel(server.channel_class, per_client=0 if proxy else PER_CLIENT)
    return server


def _bounded_channel(channel: type, per_client: int) -> type:
    """waitress's connection class, refusing a client's connection past ``per_client`` open
    ones (0: no limit), and timing a request from its first byte, not its last."""

    class Bounded(channel):  # type: ignore[misc,valid-type]
        last_activity: float  # waitress's: when the connection last sent anything
        request_started: float  # when the request being read sent its first byte

        def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
            client = addr[0] if isinstance(addr, tuple) else addr
            self.client = client
            if per_client and sum(getattr(other, "client", None) == client
                                  for other in server.active_channels.values()) >= per_client:
                sock.close()  # never registered: waitress forgets it at once
                return
            super().__init__(server, sock, addr, adj, map)

        def received(self, data: bytes) -> bool:
            started = self.last_activity if self.request is None else self.request_started
            result: bool = super().received(data)
            # waitress closes a connection idle for channel_timeout; one that trickles a
            # request a byte at a time counts as idle since the request's first byte.
            self.request_started = started
            if self.request is not None:
                self.last_activity = started
            return result

    return Bounded
