"""``bulletin serve``: the site and its subscription pages on a local web server."""

from __future__ import annotations

import errno
from pathlib import Path

import click

from bulletin.cli.options import config_option, load
from bulletin.errors import BulletinError


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; loopback keeps the preview private.")
@click.option("--port", type=int, default=8000, show_default=True)
def serve(config_path: Path, host: str, port: int) -> None:
    """Preview the site (and its forms) on a local web server."""
    from bulletin.serve import app as web
    from bulletin.serve.subscribe import register_routes

    config = load(config_path)
    app = web.WebApp(config.output / "site")
    register_routes(app, config)
    try:
        server = web.make(app, host, port)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise BulletinError(f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                            + (" (another server is using it; pick another with --port)"
                               if exc.errno == errno.EADDRINUSE else "")) from None
    click.echo(f"Serving {config.output / 'site'} at http://{host}:{server.server_port}/ "
               "(Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

