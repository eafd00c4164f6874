"""Write a bulletin's files so that readers never see half of them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bulletin.errors import PublishError
from bulletin.model import Artifact


def write_artifacts(folder: Path, artifacts: list[Artifact]) -> list[Path]:
    """Write every file to a temporary name first, then rename them into place.

    Rendering has already succeeded by the time this runs; a failure here
    (disk full, say) removes the temporary files and leaves the old ones.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[str, Path]] = []
        try:
            for artifact in artifacts:
                handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{artifact.filename}.")
                content = artifact.content
                data = content if isinstance(content, bytes) else content.encode("utf-8")
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                staged.append((temporary, folder / artifact.filename))
        except BaseException:
            for temporary, _ in staged:
                os.unlink(temporary)
            raise
        for temporary, final in staged:
            os.chmod(temporary, 0o644)
            os.replace(temporary, final)
    except OSError as exc:
        raise PublishError(f"{folder}: cannot write the bulletin: {exc.strerror}") from None
    return [final for _, final in staged]


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` under a temporary name in its folder, then rename it into place.

    A rename within one file system is atomic, so a reader (a web server, say)
    sees the old file or the new one, never half of it; a process killed midway
    leaves only a stray ``.NAME.*.part`` file, which the next full build sweeps.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
