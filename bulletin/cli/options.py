"""What the commands share: the week and day types, the common options, loading the config."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bulletin.config.load import load_config
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.config.settings import Config


class _Parsed(click.ParamType):
    """A value read with ``parse``; its ValueError is the message (or ``problem``, when given)."""

    def __init__(self, name: str, kind: type, parse: Callable[[str], Any], problem: str = "") -> None:
        self.name, self.kind, self.parse, self.problem = name, kind, parse, problem

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, self.kind):
            return value
        try:
            return self.parse(value)
        except ValueError as exc:
            self.fail(self.problem.format(value=value) if self.problem else str(exc), param, ctx)


# The site's URLs write weeks in lower case (/2026/w11/); either case is the same week.
WEEK = _Parsed("YYYY-Www", IsoWeek, lambda text: IsoWeek.parse(text.upper()))
DAY = _Parsed("YYYY-MM-DD", date, date.fromisoformat, "{value!r} is not a date like 2026-05-18")

config_option = click.option("--config", "config_path", type=click.Path(path_type=Path),
                             default="config.yaml", show_default=True,
                             help="Settings file; relative paths in it are relative to it.")
week_option = click.option("--week", type=WEEK, default=None,
                           help="ISO week, e.g. 2026-W11 (default: latest complete week).")
output_option = click.option("--output", type=click.Path(path_type=Path), default=None,
                             help="Write here instead of the config's output folder.")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                             default="text", show_default=True)


def load(config_path: Path, output: Path | None = None) -> Config:
    config = load_config(config_path)
    return config.with_output(output.resolve()) if output else config


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)

