"""``python kill_at_rename.py ARGS``: run ``bulletin ARGS`` and SIGKILL it at one rename.

A rename (``os.replace``, ``os.rename``, ``os.link``) is where a file becomes
visible under its final name; a kill just before or just after each one is
where a half-done run is most likely to show. ``BULLETIN_KILL_AT=N:before``
(or ``N:after``) kills the process at its Nth rename; ``BULLETIN_RENAMES=FILE``
writes how many renames an unkilled run made, and where, one a line.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from bulletin.cli.main import main

at, _, when = os.environ.get("BULLETIN_KILL_AT", "0:before").partition(":")
KILL_AT, WHEN = int(at), when
seen: list[str] = []
counting = threading.Lock()  # the email's sender renames from several threads at once


def _counted(real: Callable[..., Any]) -> Callable[..., Any]:
    def rename(*args: Any, **kwargs: Any) -> Any:
        with counting:
            seen.append(f"{real.__name__} {args[-1]} from {traceback.extract_stack(limit=3)[0].name}")
            number = len(seen)
        if number == KILL_AT and WHEN == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = real(*args, **kwargs)
        if number == KILL_AT and WHEN == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return rename


for name in ("replace", "rename", "link"):
    setattr(os, name, _counted(getattr(os, name)))

if os.environ.get("BULLETIN_RENAMES"):
    atexit.register(lambda: open(os.environ["BULLETIN_RENAMES"], "w", encoding="utf-8").write(
        "".join(line + "\n" for line in seen)))

sys.argv[0] = "bulletin"
main()
