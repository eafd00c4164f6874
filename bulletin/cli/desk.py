"""``bulletin desk``: the editors' web app; ``bulletin desk add-editor``: who may sign in to it."""

from __future__ import annotations

import errno
import logging
import signal
import sys
from pathlib import Path

import click

from bulletin import clock
from bulletin.cli import output
from bulletin.cli.options import config_option, load
from bulletin.desk import passwords
from bulletin.desk.app import Desk
from bulletin.errors import BulletinError
from bulletin.serve import app as web
from bulletin.store.database import Store

DEFAULT_PORT = 8001


@click.group(invoke_without_command=True)
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep it on loopback, behind an https proxy for others.")
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option("--secure", is_flag=True,
              help="The desk is reached over https (a proxy in front): its cookie is sent over https only.")
@click.option("--proxy", default="", metavar="ADDRESS",
              help="The reverse proxy in front (e.g. 127.0.0.1): editors' addresses are taken from its "
                   "X-Forwarded-For, for the sign-in limits.")
@click.pass_context
def desk(ctx: click.Context, config_path: Path, host: str, port: int, secure: bool, proxy: str) -> None:
    """Review, approve and reject bulletins in a browser (editors sign in)."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    config = load(config_path)
    app = Desk(config, secure=secure)
    try:
        server = web.production(app, host, port, proxy=proxy)
    except OSError as exc:
        raise BulletinError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                            + (" (another server is using it; pick another with --port)"
                               if exc.errno == errno.EADDRINUSE else "")) from None
    with Store.open(config.store) as store:
        if not store.editors.count():
            logging.getLogger("bulletin").warning(
                "no editor can sign in yet: add one with `bulletin desk add-editor USER --name NAME`")
    output.tell(f"Editors' desk at http://{host}:{server.effective_port}/ (Ctrl-C stops)")
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@desk.command("add-editor")
@click.argument("user")
@click.option("--name", required=True, help="The editor's full name, as a disclosure gives it.")
@click.pass_obj
def add_editor(config_path: Path, user: str, name: str) -> None:
    """Let USER sign in to the desk; the password is read from stdin (one line).

    Given again for the same USER, it sets a new name and password.
    """
    user, name = user.strip(), " ".join(name.split())
    if not user or not user.isprintable() or len(user) > 64 or any(c.isspace() for c in user):
        raise click.UsageError(f"{user!r} is not a user name (up to 64 characters, no spaces)")
    if not name or not name.isprintable() or len(name) > 200:
        raise click.UsageError("--name must be a printable name of up to 200 characters")
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"Password for {user}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    hashed = passwords.make(password)
    config = load(config_path)
    with Store.open(config.store) as store:
        done = store.editors.put(user, name, hashed, clock.stamp())
    click.echo(f"{user}: {done} ({name})")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
