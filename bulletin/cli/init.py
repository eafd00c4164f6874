"""``bulletin init [DIR]``: a new publication's folder, ready for ``bulletin doctor`` and ``bulletin run``.

Like ``mkdocs new``: a commented config.yaml naming every kind of source and
target (the live ones on, the rest as examples), an empty figures file and the
output folder. It never overwrites: an existing config.yaml or figures.yaml
stops it before anything is written.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import click

from bulletin.errors import ConfigError

FILES = {"config.yaml": "scaffold.yaml", "figures.yaml": "figures_scaffold.yaml"}


def scaffold(folder: Path) -> list[Path]:
    """Write the new publication's files into ``folder``; the paths written."""
    existing = [folder / name for name in FILES if (folder / name).exists()]
    if existing:
        raise ConfigError(["already exists; init writes a new publication only (choose another folder)"],
                          str(existing[0]))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, packaged in FILES.items():
        path = folder / name
        text = files("bulletin.cli").joinpath(packaged).read_text(encoding="utf-8")
        with path.open("x", encoding="utf-8") as out:  # "x": never over a file made meanwhile
            out.write(text)
        written.append(path)
    (folder / "output").mkdir(exist_ok=True)
    return written


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(folder: Path) -> None:
    """Start a new publication in FOLDER (default: here): config.yaml, figures.yaml, output/."""
    for path in scaffold(folder):
        click.echo(f"wrote {path}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"next: set OPENROUTER_API_KEY, then `{where}bulletin doctor` and `bulletin run`")
