"""A real HTTP server on loopback that answers like OpenRouter's API and like feed hosts.

It serves the recorded days of ``../shared/data/openrouter-rankings-daily`` in
the Data API's response shape (checking the Bearer key and the 31-day window),
a model catalogue built from the recorded weekly leaderboards' names, and
feed files with ETag / Last-Modified and 304. Tests can queue bad answers
(status, headers, body) for a path, add latency, and count what was asked.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import defaultdict, deque
from contextlib import ExitStack
from datetime import date, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from support.servers import running

API_KEY = "test-key-not-a-secret"
RANKINGS = "/api/v1/datasets/rankings-daily"
MODELS = "/api/v1/models"


class Api:
    def __init__(self, daily: Path | None = None, weekly: Path | None = None,
                 feeds: Path | None = None, as_of: str = "2026-08-22T04:00:00Z",
                 delay: float = 0.0) -> None:
        self.daily, self.weekly, self.feeds = daily, weekly, feeds
        self.as_of = as_of
        self.delay = delay
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.queued: dict[str, deque[tuple[int, dict[str, str], bytes, float]]] = defaultdict(deque)
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.stack = ExitStack()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Api:
        self.stack.enter_context(running(self.server))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def queue(self, path: str, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              delay: float = 0.0, times: int = 1) -> None:
        """The next ``times`` requests for ``path`` get this answer instead of the real one."""
        for _ in range(times):
            self.queued[path].append((status, headers or {}, body, delay))

    def count(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)

    # -- answers ------------------------------------------------------------

    def rankings(self, query: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return _json(401, {"error": {"code": 401, "message": "No auth credentials found"}})
        try:
            first = date.fromisoformat(query["start_date"])
            last = date.fromisoformat(query["end_date"])
        except (KeyError, ValueError):
            return _json(400, {"error": {"code": 400, "message": "start_date and end_date required"}})
        if (last - first).days + 1 > 31 or last < first:
            return _json(400, {"error": {"code": 400, "message": "window is more than 31 days"}})
        data = []
        day = first
        while day <= last:
            path = self.daily / f"{day.isoformat()}.json" if self.daily else None
            if path is not None and path.is_file():
                recorded = json.loads(path.read_text(encoding="utf-8"))
                data += [{"date": recorded["date"], "model_permaslug": row["model_permaslug"],
                          "total_tokens": row["total_tokens"]} for row in recorded["rows"]]
            day += timedelta(days=1)
        meta = {"as_of": self.as_of, "start_date": first.isoformat(), "end_date": last.isoformat(),
                "version": "1"}
        return _json(200, {"data": data, "meta": meta})

    def models(self) -> tuple[int, dict[str, str], bytes]:
        names: dict[str, str] = {}
        for path in sorted(self.weekly.glob("*.json")) if self.weekly else []:
            for model in json.loads(path.read_text(encoding="utf-8"))["models"]:
                names[model["slug"]] = model["name"]
        data = [{"id": slug, "canonical_slug": slug, "name": name, "created": 1767225600}
                for slug, name in names.items()]
        return _json(200, {"data": data})

    def feed(self, name: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = self.feeds / name if self.feeds else None
        if path is None or not path.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = formatdate(path.stat().st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        if headers.get("if-none-match") == etag:
            return 304, validators, b""
        return 200, {"Content-Type": "application/atom+xml", **validators}, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with api.lock:
                    api.requests.append((url.path, query, headers))
                    queued = api.queued[url.path].popleft() if api.queued[url.path] else None
                if api.delay:
                    time.sleep(api.delay)
                if queued is not None:
                    status, extra, body, delay = queued
                    time.sleep(delay)
                elif url.path == RANKINGS:
                    status, extra, body = api.rankings(query, headers)
                elif url.path == MODELS:
                    status, extra, body = api.models()
                elif url.path.startswith("/feeds/"):
                    status, extra, body = api.feed(url.path.removeprefix("/feeds/"), headers)
                else:
                    status, extra, body = 404, {"Content-Type": "text/html"}, b"<html>404</html>"
                try:
                    self.send_response(status)
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _json(status: int, value: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(value).encode()


class _Server(ThreadingHTTPServer):
    # Many sources connect at once; the default backlog of 5 would make the rest
    # wait for a SYN retry (a second) instead of being served in parallel.
    request_queue_size = 128
    # A handler told to wait (a timeout test) may still be asleep when the test
    # ends; its client is gone, so closing the server does not wait for it.
    block_on_close = False
