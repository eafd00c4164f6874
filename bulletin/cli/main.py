"""The ``bulletin`` command: the group, logging, and the one place errors become messages.

Every expected failure is a BulletinError: one ``error: ...`` line per
problem on stderr. The exit status tells cron what happened (``exits.Exit``):
a usage or config error is 2, any other failure 1. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import errno
import importlib
import sys

import click

from bulletin import __version__
from bulletin.cli import output
from bulletin.cli.exits import Exit
from bulletin.errors import BulletinError, ConfigError

# Each command's module is imported only when that command runs (or --help lists it).
COMMANDS = {
    "run": "weekly.run", "collect": "weekly.collect", "render": "weekly.render",
    "publish": "weekly.publish", "review": "weekly.review", "approve": "weekly.approve",
    "reject": "weekly.reject", "site": "weekly.site", "sources": "inspect.sources",
    "stats": "inspect.stats", "events": "inspect.events", "backtest": "inspect.backtest",
    "serve": "serve.serve", "subscribers": "subscribers.subscribers", "doctor": "doctor.doctor",
    "corrections": "corrections.corrections", "init": "init.init", "bounces": "bounces.bounces",
    "desk": "desk.desk", "names": "names.names",
}

# The machine's own trouble, not bulletin's: said in one line, like a BulletinError.
_ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                errno.EIO}


def _with_shared_options(command: click.Command) -> None:
    """``-v``/``-q``/``--log-format`` after a command's name too (and its subcommands')."""
    names = {name for param in command.params for name in getattr(param, "opts", ())}
    if "--log-format" not in names:
        command.params.extend(output.shared_options())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_shared_options(sub)


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(".")
        command = getattr(importlib.import_module(f"bulletin.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        _with_shared_options(command)
        return command


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="bulletin")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
@click.option("-q", "--quiet", is_flag=True, help="Say only what went wrong.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None,
              help="Warnings and the summary as text lines or one JSON object a line.")
def cli(verbose: bool, quiet: bool, log_format: str | None) -> None:
    """Weekly news bulletins on AI token-usage statistics."""
    output.configure(output.VERBOSE if verbose else output.QUIET if quiet else output.NORMAL,
                     log_format)


def _usage_line(exc: click.UsageError) -> str:
    """click's usage block as one line: what was wrong, and where help is."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx else "bulletin"
    return f"{message} (see `{command} --help`)"


def _format_asked(args: list[str]) -> str:
    """``--log-format``'s value, read before click parses anything: a usage error is
    said in the format asked for too."""
    for at, arg in enumerate(args):
        given = arg.partition("=")[2] if arg.startswith("--log-format=") else \
            args[at + 1] if arg == "--log-format" and at + 1 < len(args) else ""
        if given in ("text", "json"):
            return given
    return "text"


def _error(message: str) -> None:
    output.emit("error", message)


def main() -> None:
    output.configure(output.NORMAL, _format_asked(sys.argv[1:]))
    try:
        cli.main(prog_name="bulletin", standalone_mode=False)
    except click.exceptions.Abort:
        _error("aborted")
        sys.exit(130)
    except click.UsageError as exc:
        _error(_usage_line(exc))
        sys.exit(Exit.USAGE)
    except click.ClickException as exc:
        _error(exc.format_message())
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BulletinError as exc:
        for line in str(exc).splitlines():
            _error(line)
        sys.exit(Exit.USAGE if isinstance(exc, ConfigError) else Exit.FAILED)
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        sys.exit(Exit.FAILED)
    except Exception as exc:
        # sqlite3.OperationalError (the module is not imported for this): SQLite says
        # "database or disk is full", "attempt to write a readonly database", "disk I/O error".
        if type(exc).__module__ != "sqlite3" or not any(
                word in str(exc) for word in ("full", "readonly", "disk I/O")):
            raise
        _error(f"the store could not be written ({exc}: is the disk full or failing?); "
               "its last transaction was rolled back")
        sys.exit(Exit.FAILED)
