"""What the commands say on stderr: warnings, `-v` detail and the run's summary, as text or JSON.

``-v``/``-q``/``--log-format`` are accepted before or after the command's
name (``bulletin -v run`` and ``bulletin run -v``), so each command carries
them too; they all set the one state here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import click

from bulletin import clock

QUIET, NORMAL, VERBOSE = -1, 0, 1


class _State:
    verbosity = NORMAL
    format = "text"


_state = _State()


class _StderrHandler(logging.Handler):
    """Warnings as "warning: ..." lines on stderr, like errors are."""

    def emit(self, record: logging.LogRecord) -> None:
        emit(record.levelname.lower(), record.getMessage())


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        emit("progress", record.getMessage())


def emit(level: str, message: str) -> None:
    if _state.format == "json":
        click.echo(json.dumps({"time": clock.stamp(), "level": level, "message": message},
                              ensure_ascii=False), err=True)
    elif level == "summary":
        click.echo(message, err=True)
    else:
        click.echo(f"{level}: {message}", err=True)


def say(message: str) -> None:
    """One line of the summary a command ends with (not under ``-q``)."""
    if _state.verbosity > QUIET:
        emit("summary", message)


def tell(message: str) -> None:
    """A line of the summary that says why a run did not simply succeed: printed under ``-q`` too.

    Quiet is for cron, which mails whatever a job prints: nothing when all went
    well, and the reason when it did not.
    """
    emit("summary", message)


def quiet() -> bool:
    return _state.verbosity <= QUIET


def configure(verbosity: int | None = None, fmt: str | None = None) -> None:
    if verbosity is not None:
        _state.verbosity = verbosity
    if fmt is not None:
        _state.format = fmt
    logger = logging.getLogger("bulletin")
    logger.handlers = [_StderrHandler()]
    logger.propagate = False
    level = {QUIET: logging.ERROR, NORMAL: logging.WARNING, VERBOSE: logging.INFO}
    logger.setLevel(level[_state.verbosity])
    # Progress of long steps (a back-fill of many requests): shown unless -q.
    progress = logging.getLogger("bulletin.progress")
    progress.handlers = [_ProgressHandler()]
    progress.propagate = False
    progress.setLevel(logging.INFO if _state.verbosity > QUIET else logging.WARNING)


def _set(value: int) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, given: Any) -> None:
        if given:
            configure(verbosity=value)
    return callback


def _set_format(ctx: click.Context, param: click.Parameter, given: Any) -> None:
    if given:
        configure(fmt=given)


def shared_options() -> list[click.Parameter]:
    """New instances of the options every command takes, for one command each."""
    return [
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set(VERBOSE),
                     help="Say more about what happens."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set(QUIET),
                     help="Say only what went wrong."),
        click.Option(["--log-format"], type=click.Choice(["text", "json"]), default=None,
                     expose_value=False, callback=_set_format,
                     help="Warnings and the summary as text lines or one JSON object a line."),
    ]
