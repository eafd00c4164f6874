"""Live answers nobody controls: bounded in size, time and decompression, and kept to their host.

A real server on loopback misbehaves in each way; ``bulletin collect`` runs as
its own process with its address space capped, so an answer read whole into
memory would end in a MemoryError (and a traceback) instead of passing.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import FIXED_EPOCH, ROOT, SHARED_DATA, needs_shared_data
from support.loopback import API_KEY, RANKINGS, Api
from support.servers import running

MEMORY = 768 * 2**20
SMALL_LIMIT = 1_000_000  # max_response_bytes in these tests' config
PERIOD = ("--from", "2026-05-18", "--to", "2026-05-24")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def collect(project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "OPENROUTER_API_KEY": API_KEY}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bulletin", "collect", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory)
    return done, time.monotonic() - started


def project_with(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    shutil.copytree(ROOT / "demo", tmp_path / "demo")
    (tmp_path / "config.yaml").write_text(
        "sources:\n"
        "  - {name: board, type: csv, path: demo/openrouter-weekly.csv}\n"
        f"  - {{name: openrouter, type: openrouter, base_url: '{base_url}', timeout: 1, "
        f"retry_within: 2{extra}}}\n", encoding="utf-8")
    return tmp_path


Answer = Callable[[BaseHTTPRequestHandler], None]


class Hostile:
    """A server whose every GET is answered by ``answer``."""

    def __init__(self, answer: Answer) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                try:
                    answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


def endless(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    handler.wfile.write(b'{"data": [')
    chunk = b'{"date": "2026-05-18", "model_permaslug": "a/b", "total_tokens": "1"},' * 1000
    while True:
        handler.wfile.write(chunk)


def trickle(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    for byte in b'{"data": []}' * 100:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)  # each read comes well within the 1 s timeout; the whole never does


BOMB = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
GZIP_BOMB = BOMB.compress(b"[" + b" " * (256 * 2**20)) + BOMB.flush()  # 256 MiB in ~250 KB


def gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(GZIP_BOMB)))
    handler.end_headers()
    handler.wfile.write(GZIP_BOMB)


def declared_huge(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(300 * 2**20))
    handler.end_headers()
    handler.wfile.write(b"[" * 1000)


def url(base: str) -> str:
    return f"{base}{RANKINGS}?start_date=2026-05-18&end_date=2026-05-24"


@pytest.mark.parametrize("answer, problem, most_seconds", [
    (endless, "the answer is larger than 1,000,000 bytes (the source's max_response_bytes)", 10),
    (gzip_bomb, "the answer is larger than 1,000,000 bytes (the source's max_response_bytes)", 10),
    (declared_huge, "the answer is larger than 1,000,000 bytes (the source's max_response_bytes)",
     10),
    (trickle, "no answer within 1 s (gave up after", 8),
], ids=["endless", "gzip-bomb", "declared-huge", "trickle"])
def test_an_unbounded_answer_is_cut_off(tmp_path: Path, answer: Answer, problem: str,
                                        most_seconds: float) -> None:
    hostile = Hostile(answer)
    project = project_with(tmp_path, hostile.base_url, f", max_response_bytes: {SMALL_LIMIT}")
    with running(hostile.server):
        done, took = collect(project, *PERIOD)
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"warning: openrouter: {url(hostile.base_url)}: {problem}")
    assert "openrouter: stale, last good data kept" in done.stdout
    assert took < most_seconds


def test_the_default_limit_stops_a_gzip_bomb_too(tmp_path: Path) -> None:
    hostile = Hostile(gzip_bomb)
    project = project_with(tmp_path, hostile.base_url)
    with running(hostile.server):
        done, took = collect(project, *PERIOD)
    assert "the answer is larger than 67,108,864 bytes" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and took < 15


@needs_shared_data()
def test_a_redirect_to_another_host_is_not_followed(tmp_path: Path) -> None:
    """The other host serves good rows; none of them may be stored as OpenRouter's."""
    with Api(daily=SHARED_DATA / "openrouter-rankings-daily") as other, Api() as api:
        elsewhere = other.base_url.replace("127.0.0.1", "localhost")
        api.queue(RANKINGS, 301, b"", {"Location": url(elsewhere)}, times=3)
        project = project_with(tmp_path, api.base_url)
        done, _ = collect(project, *PERIOD)
        assert other.count(RANKINGS) == 0
    assert done.stderr == (f"warning: openrouter: {url(api.base_url)}: HTTP 301 redirects to "
                           f"another host ({elsewhere}); not followed\n")
    import sqlite3

    with sqlite3.connect(project / "output" / "bulletin.db") as db:
        assert db.execute("SELECT count(*) FROM observations WHERE source = 'openrouter'"
                          ).fetchone() == (0,)


@needs_shared_data()
def test_a_redirect_on_the_same_host_is_followed(tmp_path: Path) -> None:
    with Api(daily=SHARED_DATA / "openrouter-rankings-daily") as api:
        api.queue(RANKINGS, 307, b"", {"Location": url(api.base_url) + "&moved=1"})
        project = project_with(tmp_path, api.base_url)
        done, _ = collect(project, *PERIOD)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "openrouter: ok" in done.stdout


@pytest.mark.parametrize("body, problem", [
    (json.dumps({"data": [{"date": "2026-05-18", "model_permaslug": "a/b",
                           "total_tokens": str(2**63)}]}).encode(),
     "data[0]: total_tokens '9223372036854775808' is more than 10,000,000,000,000,000 tokens in "
     "one row (the most a row may hold)"),
    (json.dumps({"data": [{"date": "2026-05-18", "model_permaslug": "a/b",
                           "total_tokens": 2**64}]}).encode(),
     "data[0]: total_tokens 18446744073709551616 is more than 10,000,000,000,000,000 tokens in "
     "one row (the most a row may hold)"),
    (json.dumps({"data": [{"date": "2026-05-18", "model_permaslug": "a/b",
                           "total_tokens": "１２"}]}).encode(),
     "data[0]: total_tokens '１２' is not a whole number of tokens"),
    (json.dumps({"data": [{"date": "2026-05-18", "model_permaslug": "[x](https://evil.example)",
                           "total_tokens": "12"}]}).encode(),
     "data[0]: model_permaslug '[x](https://evil.example)' is not a model permaslug"),
    (json.dumps({"data": [{"date": "2026-05-18", "model_permaslug": "a/b\u202e",
                           "total_tokens": "12"}]}).encode(),
     "data[0]: model_permaslug 'a/b\\u202e' is not a model permaslug"),
    (b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "the JSON is nested too deeply to read"),
    (b'{"data": [{"date": "2026-05-18", "model_permaslug": "a/b", "total_tokens": NaN}]}',
     "data[0]: total_tokens nan is not a whole number of tokens"),
], ids=["string-beyond-int64", "int-beyond-int64", "full-width", "markdown-slug", "bidi-slug",
        "deep-nesting", "nan"])
def test_a_bad_data_api_answer_is_stale(tmp_path: Path, body: bytes, problem: str) -> None:
    with Api() as api:
        api.queue(RANKINGS, 200, body, {"Content-Type": "application/json"}, times=3)
        project = project_with(tmp_path, api.base_url)
        done, took = collect(project, *PERIOD)
    assert done.returncode == 0
    assert done.stderr == f"warning: openrouter: {url(api.base_url)}: {problem}\n"
    assert took < 15
