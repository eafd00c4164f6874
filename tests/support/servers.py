"""Run a socketserver (an http.server) on a thread for a test, and stop it at once.

``serve_forever`` looks for a ``shutdown()`` only between polls, every 0.5 s by
default, so each stop would wait half a second; polling every 10 ms keeps
the stop immediate for the price of a few idle wake-ups.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

POLL_SECONDS = 0.01

Server = TypeVar("Server", bound=socketserver.BaseServer)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """Serve on a daemon thread; on the way out stop serving, close the socket, join the thread."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
