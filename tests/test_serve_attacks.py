"""`bulletin serve` against a hostile client: raw bytes on a socket to the real process (waitress)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.emailing import KEY

TARGETS = ("publish:\n  - name: site\n    type: site\n"
           "    base_url: https://bulletin.example.org\n"
           "  - name: newsletter\n    type: email\n"
           "    from: Token Bulletin <news@bulletin.example.org>\n"
           "    base_url: https://bulletin.example.org\n")


@pytest.fixture
def served(project: Path, bulletin, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """The demo week on the site, served by `bulletin serve --timeout 1` in its own process."""
    monkeypatch.setenv("BULLETIN_SIGNING_KEY", KEY)
    with open(project / "config.yaml", "a", encoding="utf-8") as config:
        config.write(TARGETS)
    assert bulletin("run").code == 0
    (project / "output" / "site" / ".index.html.part").write_text("half-written", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", "0",
                               "--timeout", "1"], cwd=project, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        found = re.search(r"at http://(127\.0\.0\.1):(\d+)/", server.stderr.readline())
        assert found
        yield found[1], int(found[2])
    finally:
        server.terminate()
        server.wait(10)


def raw(address: tuple[str, int], request: bytes, timeout: float = 5) -> bytes:
    """Send ``request`` as it is, and read the answer until the server closes or stops."""
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except TimeoutError:
            pass
    return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    found = re.search(rb"(?i)content-length: *(\d+)", head)
    return found is not None and len(body) >= int(found[1])


def get(address: tuple[str, int], path: str, extra: str = "") -> tuple[int, dict[str, str], bytes]:
    answer = raw(address, f"GET {path} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n{extra}"
                          "Connection: close\r\n\r\n".encode("latin-1"))
    return parse(answer)


def parse(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.setdefault(key.strip().lower(), value.strip())
    return status, headers, body


def test_a_path_cannot_inject_a_header(served) -> None:
    status, headers, body = get(served, "/x%0d%0aSet-Cookie:%20session=evil%2f..")
    assert status == 400
    assert "set-cookie" not in headers
    assert b"Traceback" not in body


@pytest.mark.parametrize("path", [
    "/%2f%2fevil.example/..%2f2026",
    "//evil.example/../2026",
    "///evil.example/../2026",
    "/%2F%2Fevil.example%2F..%2F2026",
    "/.//evil.example/../2026",
    "/%5cevil.example/../2026",
    "/\\evil.example/../2026",
    "/2026/..//evil.example/../2026",
])
def test_no_redirect_leaves_the_site(served, path: str) -> None:
    """Each is "/2026" once normalised: a folder of the site, redirected to as "/2026/"."""
    status, headers, _ = get(served, path)
    location = headers.get("location", "")
    assert (status, location) == (301, "/2026/")
    assert urlsplit(location).netloc == ""


def test_a_directory_redirect_is_to_the_normalised_path(served) -> None:
    status, headers, _ = get(served, "/2026/./w11/../w11")
    assert (status, headers["location"]) == (301, "/2026/w11/")
    assert get(served, "/2026/w11/")[0] == 200


@pytest.mark.parametrize("request_bytes", [
    b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
    b"GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\nConnection: close\r\n\r\n",
    b"NONSENSE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde",
    b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
], ids=["content-length-abc", "nul", "not-utf-8", "bad-header", "no-request-line",
        "two-lengths", "bad-chunk"])
def test_a_malformed_request_is_a_400_never_a_traceback(served, request_bytes: bytes) -> None:
    answer = raw(served, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400") or answer.startswith(b"HTTP/1.0 400"), answer[:200]
    assert b"Traceback" not in answer and b"File \"" not in answer


def test_a_huge_body_is_refused_without_being_read(served) -> None:
    started = time.monotonic()
    with socket.create_connection(served, timeout=10) as conn:
        conn.sendall(b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 314572800\r\n\r\n")
        conn.sendall(b"email=a" * 1000)
        answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5


def test_a_silent_connection_is_closed(served) -> None:
    with socket.create_connection(served, timeout=10) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\n")  # and nothing more
        started = time.monotonic()
        assert conn.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 5


def test_a_request_trickled_a_byte_at_a_time_is_closed(served) -> None:
    """Never idle, never finished: closed once the request has taken the --timeout to arrive."""
    with socket.create_connection(served, timeout=10) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        with pytest.raises(OSError):  # a reset or a broken pipe once the server has closed it
            while time.monotonic() - started < 8:
                conn.sendall(b"X")
                time.sleep(0.2)
                conn.setblocking(False)
                try:
                    if conn.recv(100) == b"":
                        raise ConnectionResetError("closed by the server")
                except BlockingIOError:
                    pass
                finally:
                    conn.setblocking(True)
        assert time.monotonic() - started < 5


def test_a_flood_of_slow_connections_from_one_client_does_not_lock_readers_out(served) -> None:
    flood = []
    try:
        for _ in range(300):
            conn = socket.create_connection(served, timeout=10)
            conn.sendall(b"GET / HTTP/1.1\r\n")  # and then, slowly, nothing
            flood.append(conn)
        # Past its first 20, the client's connections are closed as they open.
        time.sleep(0.3)
        closed = 0
        for conn in flood:
            conn.setblocking(False)
            try:
                closed += conn.recv(100) == b""
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed += 1
        assert closed >= 280
        # Another reader is answered at once.
        started = time.monotonic()
        with socket.create_connection(served, timeout=5, source_address=("127.0.0.2", 0)) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert conn.recv(12).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 2
    finally:
        for conn in flood:
            conn.close()


def test_dot_files_are_not_served(served) -> None:
    assert get(served, "/.index.html.part")[0] == 404
    assert get(served, "/2026/../.index.html.part")[0] == 404


def _post(address: tuple[str, int], path: str, body: str, extra: str = "") -> tuple[int, bytes]:
    data = body.encode()
    status, _, answer = parse(raw(address, (
        f"POST {path} HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n{extra}"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data))
    return status, answer


def test_a_cross_site_form_post_is_refused(served, project: Path) -> None:
    status, body = _post(served, "/subscribe", "email=victim%40example.com",
                         "Origin: https://evil.example\r\n")
    assert status == 403
    assert body == b"Forbidden: a form on evil.example cannot post here\n"
    status, _ = _post(served, "/subscribe", "email=victim%40example.com",
                      "Referer: https://evil.example/page\r\n")
    assert status == 403
    assert not (project / "output" / "outbox" / "confirm").exists()  # nobody was mailed
    own = f"Origin: http://{served[0]}:{served[1]}\r\n"
    assert _post(served, "/subscribe", "email=ana%40example.com", own)[0] == 200
    site = "Origin: https://bulletin.example.org\r\n"
    assert _post(served, "/subscribe", "email=bo%40example.com", site)[0] == 200
    # No Origin at all: not a browser acting for a visitor (RFC 8058's one-click POST).
    assert _post(served, "/subscribe", "email=cy%40example.com")[0] == 200


def test_a_failing_handler_is_a_bare_500(project: Path, served, monkeypatch) -> None:
    # The store is damaged under the server: the form cannot keep the sign-up.
    (project / "output" / "bulletin.db").write_bytes(b"not a database " * 100)
    server = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", "0"],
                              cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert server.stderr is not None
        found = re.search(r"at http://(127\.0\.0\.1):(\d+)/", server.stderr.readline())
        assert found
        status, body = _post((found[1], int(found[2])), "/subscribe", "email=ana%40example.com")
    finally:
        server.terminate()
        server.wait(10)
    assert status == 500
    assert body == b"Internal server error\n"


def test_every_answer_forbids_framing_and_a_405_says_what_is_allowed(served) -> None:
    status, headers, _ = get(served, "/")
    assert status == 200
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    status, headers, _ = parse(raw(served, b"PUT /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                             b"Connection: close\r\n\r\n"))
    assert status == 405 and headers["allow"] == "GET, HEAD, POST"
    status, headers, _ = parse(raw(served, b"DELETE /index.html HTTP/1.1\r\nHost: x\r\n"
                                             b"Connection: close\r\n\r\n"))
    assert status == 405 and headers["allow"] == "GET, HEAD"
