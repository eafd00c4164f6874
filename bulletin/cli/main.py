"""The ``bulletin`` command: the group, logging, and the one place errors become messages.

Every expected failure is a BulletinError: one ``error: ...`` line per
problem on stderr and exit status 1. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from bulletin import __version__
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


# Each command's module is imported only when that command runs (or --help lists it).
COMMANDS = {
    "run": "weekly.run", "collect": "weekly.collect", "render": "weekly.render",
    "publish": "weekly.publish", "review": "weekly.review", "approve": "weekly.approve",
    "reject": "weekly.reject", "site": "weekly.site", "sources": "inspect.sources",
    "stats": "inspect.stats", "events": "inspect.events", "backtest": "inspect.backtest",
    "serve": "serve.serve", "subscribers": "subscribers.subscribers",
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(".")
        command = getattr(importlib.import_module(f"bulletin.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="bulletin")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def cli(verbose: bool) -> None:
    """Weekly news bulletins on AI token-usage statistics."""
    _setup_logging(verbose)


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

