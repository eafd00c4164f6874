"""``bulletin serve``: the site and its subscription pages on a local web server."""

from __future__ import annotations

from pathlib import Path

import click

from bulletin.cli.options import config_option, load


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
    server = web.make(app, host, port)
    click.echo(f"Serving {config.output / 'site'} at http://{host}:{server.server_port}/ "
               "(Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

