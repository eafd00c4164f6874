"""A throwaway PostgreSQL cluster for the tests: initdb, pg_ctl, loopback only.

Debian's server binaries (/usr/lib/postgresql/<version>/bin, installed by
.ci/setup.d/64-postgresql.sh) make a cluster in a temporary folder, listening
on 127.0.0.1 at a free port and on a unix socket in the same folder. Nothing
is synced to disk (fsync=off): the cluster is removed when the tests end.
initdb refuses to run as root, so under root the server runs as the
`postgres` system user the package creates, and its folder is given to it.
Each test gets a database of its own, made with CREATE DATABASE (quick).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SUPERUSER = "bulletin"
RUN_AS = "postgres"  # the system user Debian's package creates, for a server started by root


def binaries() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def missing() -> str:
    """Why no cluster can be started here, or ""."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'bulletin[postgres]')"
    if binaries() is None:
        return "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin; " \
               ".ci/setup.d/64-postgresql.sh installs them)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            return f"running as root and there is no {RUN_AS!r} user to run the server as"
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One running cluster; ``database()`` makes a new empty database and gives its URL."""

    def __init__(self) -> None:
        bin_dir = binaries()
        assert bin_dir is not None, missing()
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="bulletin-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as_root = os.geteuid() == 0

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        if self._as_root:
            command = ("runuser", "-u", RUN_AS, "--", *command)
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                              cwd=self.folder)

    def _must(self, *command: str) -> None:
        done = self._run(*command)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")

    def start(self) -> Cluster:
        if self._as_root:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.folder.chmod(0o700)
        self._must(str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._must(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                   "-o", options, "-w", "-t", "60", "start")
        return self

    @property
    def server_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def database(self, prefix: str = "test") -> str:
        """A new, empty database; its postgresql:// URL."""
        import psycopg

        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def outside(location: Path | str) -> Iterator[Any]:
    """A plain connection to a store, as another program (or an editor's SQL) would write it.

    Each statement commits at once; SQL without parameters reads the same on either engine.
    """
    if isinstance(location, Path):
        db = sqlite3.connect(location, isolation_level=None)
    else:
        import psycopg

        db = psycopg.connect(location, autocommit=True)
    try:
        yield db
    finally:
        db.close()


def integrity_error(location: Path | str) -> type[Exception]:
    """The error a broken constraint raises on the store's engine."""
    if isinstance(location, Path):
        return sqlite3.IntegrityError
    import psycopg

    return psycopg.IntegrityError
