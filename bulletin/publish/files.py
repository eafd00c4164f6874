"""Files readers never see half of: the one way bulletin writes a file in place.

Every file is written under a temporary name in its own folder
(``.NAME.XXXX.part``) and renamed over the final name. A rename within one
file system is atomic, so a reader (a web server, a mail pickup) sees the old
file or the new one, never half of it; a process killed midway leaves only a
stray ``.part`` file, which ``sweep()`` removes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bulletin.errors import PublishError
from bulletin.model import Artifact

PART = ".part"  # the ending of a file still being written


class Staged:
    """A file written under a temporary name, waiting to be put in place or thrown away."""

    def __init__(self, path: Path, data: bytes, mode: int = 0o644) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART)
        self.temporary = Path(temporary)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, mode)
        except BaseException:
            self.discard()
            raise

    def commit(self) -> Path:
        os.replace(self.temporary, self.path)
        return self.path

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` so that it changes from the old content to the new in one step."""
    Staged(path, data, mode).commit()


def place_copy(source: Path, path: Path) -> None:
    """Put ``source``'s content at ``path`` in one step, as ``replace_file`` does: a hard link where
    the two are on one file system (a week's charts and cards go to the site unchanged, and a
    link writes none of their bytes), else a copy. Render replaces a file by renaming a new one
    over it, so the linked file never changes under the site."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link{PART}")
    try:
        temporary.unlink(missing_ok=True)
        os.link(source, temporary)
    except OSError:  # another file system, or one without links
        replace_file(path, source.read_bytes())
        return
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
