"""``bulletin serve``: the site and its subscription pages on a local web server."""

from __future__ import annotations

import errno
import signal
from pathlib import Path

import click

from bulletin.cli import output
from bulletin.cli.options import config_option, load
from bulletin.errors import BulletinError
from bulletin.serve import app as web
from bulletin.serve.outbox import ConfirmationSender
from bulletin.serve.subscribe import email_settings, register_routes
from bulletin.serve.webhooks import register_webhooks


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; loopback keeps the preview private.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--timeout", "idle", type=click.FloatRange(min=0.5), default=30, show_default=True,
              help="Seconds a connection may stay silent before it is closed.")
@click.option("--proxy", default="", metavar="ADDRESS",
              help="The reverse proxy in front (e.g. 127.0.0.1): readers' addresses are taken from "
                   "its X-Forwarded-For, for the sign-up limits.")
def serve(config_path: Path, host: str, port: int, idle: float, proxy: str) -> None:
    """Preview the site (and its forms) on a local web server."""
    config = load(config_path)
    app = web.WebApp(config.output / "site")
    settings = email_settings(config)
    # The form's confirmations go out from here, never inside a request.
    sender = ConfirmationSender(config, settings) if settings is not None else None
    register_routes(app, config, sender.wake if sender else None)
    register_webhooks(app, config, settings)
    try:
        server = web.production(app, host, port, idle, proxy)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise BulletinError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                            + (" (another server is using it; pick another with --port)"
                               if exc.errno == errno.EADDRINUSE else "")) from None
    output.tell(f"Serving {config.output / 'site'} at http://{host}:{server.effective_port}/ "
                "(Ctrl-C stops)")
    # A stop asked for (Ctrl-C, or systemd's SIGTERM) ends the server the same way.
    signal.signal(signal.SIGTERM, _stop)
    if sender is not None:
        sender.start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if sender is not None:
            sender.stop()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
