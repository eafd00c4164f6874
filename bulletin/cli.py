"""The ``bulletin`` command. Each subcommand loads the config and calls one function."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from bulletin import __version__
from bulletin.errors import BulletinError
from bulletin.weeks import IsoWeek


class _WeekType(click.ParamType):
    name = "YYYY-Www"

    def convert(self, value: Any, param: Any, ctx: Any) -> IsoWeek:
        if isinstance(value, IsoWeek):
            return value
        try:
            return IsoWeek.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


WEEK = _WeekType()

config_option = click.option("--config", "config_path", type=click.Path(path_type=Path),
                             default="config.yaml", show_default=True,
                             help="Settings file; relative paths in it are relative to it.")
week_option = click.option("--week", type=WEEK, default=None,
                           help="ISO week, e.g. 2026-W11 (default: latest complete week).")
output_option = click.option("--output", type=click.Path(path_type=Path), default=None,
                             help="Write here instead of the config's output folder.")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                             default="text", show_default=True)


def _load(config_path: Path, output: Path | None = None):  # type: ignore[no-untyped-def]
    from bulletin.config import load_config

    config = load_config(config_path)
    return config.with_output(output.resolve()) if output else config


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


@cli.command()
@config_option
@week_option
@output_option
def run(config_path: Path, week: IsoWeek | None, output: Path | None) -> None:
    """Collect, detect, render and write a week's bulletin."""
    from bulletin import pipeline

    result = pipeline.run(_load(config_path, output), week)
    for report in result.reports:
        logging.getLogger("bulletin").info("%s: %d added, %d changed, %d removed, %d unchanged",
                                           report.source, report.added, report.changed,
                                           report.removed, report.unchanged)
    click.echo(f"{result.week}: {result.headline}", err=True)
    for path in result.paths:
        click.echo(_shown(path))


@cli.command()
@config_option
def collect(config_path: Path) -> None:
    """Read every source into the store."""
    from bulletin import pipeline

    for report in pipeline.collect(_load(config_path)):
        click.echo(f"{report.source}: ok, {report.added} added, {report.changed} changed, "
                   f"{report.removed} removed, {report.unchanged} unchanged")


@cli.command()
@config_option
@week_option
@output_option
def render(config_path: Path, week: IsoWeek | None, output: Path | None) -> None:
    """Write a week's bulletin from what the store already holds."""
    from bulletin import pipeline

    result = pipeline.render(_load(config_path, output), week)
    click.echo(f"{result.week}: {result.headline}", err=True)
    for path in result.paths:
        click.echo(_shown(path))


@cli.command()
@config_option
@click.option("--week", type=WEEK, required=True, help="ISO week, e.g. 2026-W11.")
@click.option("--to", "targets", multiple=True, help="Only this target (name or type); repeatable.")
@click.option("--test-to", "test_to", metavar="ADDRESS", default=None,
              help="Email one copy, subject prefixed [TEST], to this address only (no subscriber "
                   "gets it and the send ledger is untouched).")
@click.option("--resend-uncertain", is_flag=True,
              help="Email again the copies a killed run may or may not have delivered.")
def publish(config_path: Path, week: IsoWeek, targets: tuple[str, ...], test_to: str | None,
            resend_uncertain: bool) -> None:
    """Publish a rendered bulletin to the configured targets."""
    from bulletin import pipeline

    if test_to:
        from bulletin.mailing.send import send_test

        click.echo(send_test(_load(config_path), week, test_to, targets))
        return
    config = _load(config_path)
    if resend_uncertain:
        from bulletin.mailing.send import requeue_uncertain

        requeue_uncertain(config, week)
    for delivery in pipeline.publish(config, week, targets):
        where = f" {delivery.location}" if delivery.location else ""
        click.echo(f"{delivery.target}: {delivery.status}{where}"
                   f"{f' ({delivery.detail})' if delivery.detail else ''}")


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; loopback keeps the preview private.")
@click.option("--port", type=int, default=8000, show_default=True)
def serve(config_path: Path, host: str, port: int) -> None:
    """Preview the site (and its forms) on a local web server."""
    from bulletin import web
    from bulletin.mailing.web import register_routes

    config = _load(config_path)
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


@cli.command()
@config_option
@week_option
@format_option
def stats(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """Totals per country, author and model for a week, with ranks and changes."""
    from bulletin import pipeline
    from bulletin.report import stats_data, stats_text

    data = stats_data(pipeline.week_stats(_load(config_path), week))
    click.echo(json.dumps(data, indent=2) if fmt == "json" else stats_text(data))


@cli.command()
@config_option
@week_option
@format_option
def events(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """What the rules find newsworthy in a week, best first."""
    from bulletin import pipeline
    from bulletin.render import event_data

    stats_, found = pipeline.week_events(_load(config_path), week)
    data = [event_data(event) for event in found]
    if fmt == "json":
        click.echo(json.dumps({"week": str(stats_.week), "events": data}, indent=2))
        return
    click.echo(f"{stats_.week}: {len(data)} events")
    for event in data:
        facts = ", ".join(f"{k}={_short(v)}" for k, v in event["facts"].items())
        click.echo(f"{event['score']:6.1f}  {event['kind']:<12} {facts}")


def _subscribers() -> None:
    from bulletin.mailing.commands import subscribers

    cli.add_command(subscribers)


_subscribers()


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)[:60]
    return str(value)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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


