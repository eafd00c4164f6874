"""The ``bulletin`` command: the group, logging, and the one place errors become messages.

Every expected failure is a BulletinError: one ``error: ...`` line per
problem on stderr and exit status 1. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from bulletin import __version__
from bulletin.cli import inspect, serve, subscribers, weekly
from bulletin.errors import BulletinError


class _StderrHandler(logging.Handler):
    """Warnings as "warning: ..." lines on stderr, like errors are."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _setup_logging(verbose: bool) -> None:
    logger = logging.getLogger("bulletin")
    logger.handlers = [_StderrHandler()]
    logger.propagate = False
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


@click.group()
@click.version_option(__version__, prog_name="bulletin")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def cli(verbose: bool) -> None:
    """Weekly news bulletins on AI token-usage statistics."""
    _setup_logging(verbose)


for command in (weekly.run, weekly.collect, weekly.render, weekly.publish, weekly.review,
                weekly.approve, weekly.reject, weekly.site, inspect.sources, inspect.stats,
                inspect.events, inspect.backtest, serve.serve, subscribers.subscribers):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BulletinError as exc:
        for line in str(exc).splitlines():
            click.echo(f"error: {line}", err=True)
        sys.exit(1)

