"""One writing command at a time per store: a lock file beside the database.

The lock is an ``flock`` on ``bulletin.db.lock``, so the kernel releases it when
its process dies, however it dies: a lock left by a killed run is free, and the
next run takes it over without anyone deleting a file. The file's text says
who holds it (process id, command, since when), for the message a second run
prints.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bulletin import clock
from bulletin.errors import StoreError

POLL_SECONDS = 0.2  # how often --wait tries again


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def run_lock(database: Path, wait: bool = False) -> Iterator[None]:
    """Hold the store's lock for the block; busy: raise (or, with ``wait``, wait for it)."""
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the run lock: {exc.strerror} "
                         f"(is {path.parent} a writable folder?)") from None
    try:
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise StoreError(f"{database}: another bulletin command is running "
                                     f"({_holder(fd)}); it holds {path.name}. Try again when "
                                     "it ends, or pass --wait") from None
                if not waited:
                    # Said once, so cron's mail shows why the run started late.
                    print(f"waiting: {database} is in use ({_holder(fd)})", file=sys.stderr)
                    waited = True
                time.sleep(POLL_SECONDS)
        command = " ".join(["bulletin", *sys.argv[1:]])[:200]
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}, `{command}`, since {clock.stamp()}\n".encode(), 0)
        except OSError:
            pass  # a full disk: the lock holds all the same, it just cannot say whose it is
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _holder(fd: int) -> str:
    """What the lock file says about the process holding it."""
    try:
        text = os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a process that has not said which"
