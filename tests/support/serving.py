"""`bulletin serve` as a user starts it: a separate process on a free port."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit


@contextmanager
def bulletin_serve(project: Path) -> Iterator[str]:
    """Yields the server's base URL (no trailing slash); stops it on the way out."""
    server = subprocess.Popen([sys.executable, "-m", "bulletin", "serve", "--port", "0"], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        assert found, line
        yield found[1]
    finally:
        server.terminate()
        server.wait(10)


def sign_up(base: str, email: str, source: str = "127.0.0.1") -> tuple[int, bytes]:
    """A reader's sign-up as a browser posts it, from the loopback address ``source``
    (each reader one of its own: the server tells them apart by it)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60, source_address=(source, 0))
    with closing(connection):
        connection.request("POST", "/subscribe", f"email={quote(email)}",
                           {"Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        return answer.status, answer.read()
