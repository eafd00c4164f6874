"""`bulletin serve` as a user starts it: a separate process on a free port."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
