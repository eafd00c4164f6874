"""The small web server behind ``bulletin serve``: the site, plus registered routes.

It is a plain WSGI application, so the same object can run under any WSGI
server in production; ``serve()`` runs it on the standard library's server
for previews. Features add routes (a subscribe form, say) with ``route()``;
every other GET serves a file from the site folder.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

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

    @classmethod
    def from_environ(cls, environ: Environ) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        return cls(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/",
                   environ.get("QUERY_STRING", ""), headers, body)


Handler = Callable[[Request], Response]

_REASONS = {200: "OK", 204: "No Content", 301: "Moved Permanently", 303: "See Other",
            304: "Not Modified", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error"}


@dataclass
class WebApp:
    site: Path
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        handler = self.routes.get((request.method, request.path))
        if handler is not None:
            response = handler(request)
        elif request.method in ("GET", "HEAD"):
            response = self.static(request.path)
        else:
            response = Response(405, b"Method not allowed\n", "text/plain; charset=utf-8")
        headers = [("Content-Type", response.content_type),
                   ("Content-Length", str(len(response.body))), *response.headers]
        start_response(f"{response.status} {_REASONS.get(response.status, '')}".strip(), headers)
        return [b""] if request.method == "HEAD" else [response.body]

    def static(self, path: str) -> Response:
        root = self.site.resolve()
        target = (root / path.lstrip("/")).resolve()
        # Never serve anything outside the site folder ("/../bulletin.db").
        if target != root and root not in target.parents:
            return Response(404, b"Not found\n", "text/plain; charset=utf-8")
        if target.is_dir():
            if not path.endswith("/"):
                return Response(301, headers=(("Location", path + "/"),))
            target = target / "index.html"
        if not target.is_file():
            return Response(404, b"Not found\n", "text/plain; charset=utf-8")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        return Response(200, target.read_bytes(), kind)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def make(app: WebApp, host: str = "127.0.0.1", port: int = 8000) -> WSGIServer:
    """A threaded server for ``app``; port 0 picks a free one (see ``server_port``)."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
