"""Files readers never see half of: the one way bulletin writes a file in place.

Every file is written under a temporary name in its own folder
(``.NAME.XXXX.part``) and renamed over the final name. A rename within one
file system is atomic, so a reader (a web server, a mail pickup) sees the old
file or the new one, never half of it; a process killed midway leaves only a
stray ``.part`` file, which ``sweep()`` removes.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from bulletin.errors import PublishError
from bulletin.model import Artifact

PART = ".part"  # the ending of a file still being written


class Staged:
    """A file written under a temporary name, waiting to be put in place or thrown away."""

    def __init__(self, path: Path, data: bytes, mode: int = 0o644) -> None:
        self.path = path
        try:
            handle, self.temporary = _temporary(path, mode)
        except FileNotFoundError:  # its folder is new: made only then, since a site has thousands of files
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, self.temporary = _temporary(path, mode)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
        except BaseException:
            self.discard()
            raise

    def commit(self) -> Path:
        os.replace(self.temporary, self.path)
        return self.path

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def _temporary(path: Path, mode: int) -> tuple[int, Path]:
    """A new file beside ``path`` (``.NAME.XXXXXXXX.part``), open for writing, with ``mode``.

    Made with its mode at once, where ``tempfile.mkstemp`` makes it private and a chmod
    follows: each change to a folder or a file's inode is a write to the file system's
    journal, and a site build makes thousands.
    """
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}{PART}"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        except FileExistsError:  # another one's name, by chance
            continue
        if stat.S_IMODE(os.fstat(handle).st_mode) != mode:  # the umask took bits away
            os.fchmod(handle, mode)
        return handle, temporary
    raise FileExistsError(f"{path.parent}: no free name for a temporary file")


def replace_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` so that it changes from the old content to the new in one step."""
    Staged(path, data, mode).commit()


def place_copy(source: Path, path: Path) -> None:
    """Put the file ``source`` at ``path`` as ``replace_file`` would, without copying its bytes:
    ``path`` becomes a second name of the same file (a hard link), renamed into place.

    A site holds every week's charts and cards, most of its bytes; linking them costs a name each.
    It is safe because bulletin never changes a file in place: the next version of
    ``source`` is a new file renamed over it, and ``path`` keeps the one it had until it is
    placed again. Where the file system cannot link (another device, say), it is a copy.
    """
    try:
        there: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        there = None
    if there is not None and os.path.samestat(there, os.stat(source)):
        return  # already placed, from this very file
    if there is None:
        # Nothing is there: a link appears whole, so it is made under the final name at once.
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path
    else:  # another file is there: the link is made under a temporary name and renamed over it
        temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}{PART}"
    try:
        os.link(source, temporary)
    except FileNotFoundError:
        raise  # no such source: as reading it would say
    except OSError:  # no link here (or a file placed since it was looked at): a copy
        replace_file(path, source.read_bytes())
        return
    if temporary != path:
        os.replace(temporary, path)


def write_artifacts(folder: Path, artifacts: Sequence[Artifact]) -> list[Path]:
    """Write every file of a bulletin: all are staged before any is put in place.

    Rendering has already succeeded by the time this runs; a failure here
    (disk full, say) removes the temporary files and leaves the old ones.
    """
    staged: list[Staged] = []
    try:
        # One writer at a time holds the store's run lock: any .part here is a killed run's.
        sweep(folder)
        try:
            for artifact in artifacts:
                content = artifact.content
                data = content if isinstance(content, bytes) else content.encode("utf-8")
                staged.append(Staged(folder / artifact.filename, data))
        except BaseException:
            for file in staged:
                file.discard()
            raise
        return [file.commit() for file in staged]
    except OSError as exc:
        raise PublishError(f"{folder}: cannot write the bulletin: {exc.strerror}") from None


def sweep(folder: Path, recursive: bool = False) -> None:
    """Remove the half-written files a killed process left in ``folder``."""
    if folder.is_dir():
        for stray in (folder.rglob if recursive else folder.glob)(f".*{PART}"):
            stray.unlink(missing_ok=True)
