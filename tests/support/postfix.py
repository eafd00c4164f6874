"""A private Postfix on loopback: its own config, queue and mailboxes in a temporary folder.

It never touches the system's Postfix (/etc/postfix, /var/spool/postfix): it is
started with ``postfix -c FOLDER/etc`` on a free port, as root (Postfix's
daemons start as root and drop to the ``postfix`` user), and stopped at the end.

Its domains are local: ``news.example.org`` (the list's, where ``bounces`` is an
alias for a Maildir) and ``example.net`` (the readers', where each known
reader is an alias for a Maildir of its own). Any other name at example.net is
accepted by SMTP (no recipient check at the door, like a relay) and then
bounced by local delivery as an unknown user: a genuine Postfix DSN, sent to
the copy's envelope sender.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POSTFIX = shutil.which("postfix") or ("/usr/sbin/postfix" if os.path.exists("/usr/sbin/postfix") else None)
POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"
POSTALIAS = shutil.which("postalias") or "/usr/sbin/postalias"
MASTER_CF = Path("/usr/share/postfix/master.cf.dist")
LIST_DOMAIN, READERS_DOMAIN = "news.example.org", "example.net"


def missing() -> str:
    """Why a private Postfix cannot run here ("" when it can)."""
    if POSTFIX is None:
        return "postfix not installed (.ci/setup.d/50-postfix-smtp-sink.sh installs it)"
    if not MASTER_CF.exists():
        return f"{MASTER_CF} is missing (the Debian package postfix ships it)"
    if os.geteuid() != 0:
        return "a private Postfix must be started as root"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user (the Debian package makes it)"
    return ""


@dataclass(frozen=True)
class Postfix:
    port: int
    folder: Path

    def maildir(self, name: str) -> Path:
        return self.folder / "mail" / name

    def messages(self, name: str) -> list[Path]:
        box = self.maildir(name)
        return sorted([*(box / "new").iterdir(), *(box / "cur").iterdir()])

    def wait_for(self, name: str, count: int = 1, within: float = 60.0) -> list[Path]:
        """The messages in mailbox ``name`` once it holds ``count`` (the queue works in seconds)."""
        deadline = time.monotonic() + within
        while len(found := self.messages(name)) < count:
            assert time.monotonic() < deadline, (f"{name}: {len(found)} of {count} messages after "
                                                 f"{within:.0f} s; the log: {self.log()[-2000:]}")
            time.sleep(0.2)
        return found

    def log(self) -> str:
        path = self.folder / "maillog"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_postfix(mailboxes: tuple[str, ...], readers: tuple[str, ...]) -> Iterator[Postfix]:
    """Postfix on 127.0.0.1:<free port>; ``mailboxes``: aliases at the list's domain (``bounces``),
    ``readers``: known names at the readers' domain, each delivered to a Maildir of that name."""
    assert POSTFIX is not None
    # Its own folder, which the postfix and nobody users can reach (pytest's are private to root).
    folder = Path(tempfile.mkdtemp(prefix="postfix-"))
    folder.chmod(0o755)
    try:
        with _started(folder, mailboxes, readers) as postfix:
            yield postfix
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _started(folder: Path, mailboxes: tuple[str, ...], readers: tuple[str, ...]) -> Iterator[Postfix]:
    assert POSTFIX is not None
    etc, mail = folder / "etc", folder / "mail"
    etc.mkdir(parents=True)
    mail.mkdir()
    nobody = pwd.getpwnam("nobody")
    for name in (*mailboxes, *readers):
        for sub in ("cur", "new", "tmp"):
            (mail / name / sub).mkdir(parents=True)
        # Delivery to a file named in a root-owned alias table runs as nobody.
        for path in (mail / name, *(mail / name).iterdir()):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    (etc / "aliases").write_text("".join(f"{name}: {mail / name}/\n" for name in (*mailboxes, *readers)),
                                 encoding="utf-8")
    port = _free_port()
    (etc / "main.cf").write_text(f"""
compatibility_level = 3.6
queue_directory = {folder / "spool"}
data_directory = {folder / "data"}
maillog_file = {folder / "maillog"}
maillog_file_prefixes = {folder}
myhostname = {LIST_DOMAIN}
mydomain = example.org
myorigin = $myhostname
mydestination = {LIST_DOMAIN}, {READERS_DOMAIN}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# Accept any name at the door, as a relay does: the unknown one bounces after the 250.
local_recipient_maps =
alias_maps = hash:{etc / "aliases"}
alias_database = hash:{etc / "aliases"}
recipient_delimiter = +
smtpd_banner = $myhostname ESMTP
biff = no
disable_dns_lookups = yes
smtp_host_lookup = native
""", encoding="utf-8")
    # The package's own copy: /etc/postfix/master.cf is made by its configuration, which CI skips.
    shutil.copy(MASTER_CF, etc / "master.cf")
    _run(POSTCONF, "-c", str(etc), "-M#", "smtp/inet")
    _run(POSTCONF, "-c", str(etc), "-Me", f"127.0.0.1:{port}/inet = 127.0.0.1:{port} inet n - n - - smtpd")
    _run(POSTCONF, "-c", str(etc), "-F", "*/*/chroot = n")
    _run(POSTALIAS, "-c", str(etc), str(etc / "aliases"))
    (folder / "spool").mkdir()
    (folder / "data").mkdir()
    os.chown(folder / "data", pwd.getpwnam("postfix").pw_uid, -1)
    _run(POSTFIX, "-c", str(etc), "start")
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield Postfix(port, folder)
    finally:
        subprocess.run([POSTFIX, "-c", str(etc), "stop"], capture_output=True, timeout=60)


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr or done.stdout}"
