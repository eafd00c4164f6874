"""The ``bulletin`` command. Each subcommand loads the config and calls one function."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
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
    from bulletin.config.load import load_config

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
    _say_held(result)
    for outcome in result.outcomes:
        logging.getLogger("bulletin").info("%s", _outcome_line(outcome))
    click.echo(f"{result.week}: {result.headline}", err=True)
    for path in result.paths:
        click.echo(_shown(path))


class _DayType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-05-18", param, ctx)


@cli.command()
@config_option
@click.option("--from", "start", type=_DayType(), default=None,
              help="First day to fetch from live sources (with --to: back-fill a period).")
@click.option("--to", "end", type=_DayType(), default=None, help="Last day to fetch.")
def collect(config_path: Path, start: date | None, end: date | None) -> None:
    """Read every source into the store; live sources fetch only what is missing."""
    from bulletin import pipeline

    if (start is None) != (end is None):
        raise click.UsageError("give --from and --to together")
    if start is not None and end is not None and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    outcomes = pipeline.collect(_load(config_path), start, end)
    for outcome in outcomes:
        click.echo(_outcome_line(outcome))
    if outcomes and all(o.state == "stale" for o in outcomes):
        raise BulletinError("no source could be read; the store keeps its last good data")


def _outcome_line(outcome: Any) -> str:
    if outcome.state == "stale":
        return f"{outcome.source}: stale, last good data kept"
    report = outcome.report
    rows = report and report.added + report.changed + report.removed + report.unchanged
    counts = (f", {report.added} added, {report.changed} changed, {report.removed} removed, "
              f"{report.unchanged} unchanged") if report and rows else ""
    if report and report.names:
        counts += f", {report.names} model names added or renamed"
    return f"{outcome.source}: {outcome.state}{counts}"


@cli.command()
@config_option
@format_option
def sources(config_path: Path, fmt: str) -> None:
    """Each source's state: last success, how recent its data is, and why it is stale."""
    from bulletin.store.database import Store

    config = _load(config_path)
    with Store.open(config.database) as store:
        states = store.source_states()
    rows = []
    for source in config.sources:
        state = states.get(source.name)
        rows.append({"source": source.name, "type": source.type,
                     "state": state.state if state else "never collected",
                     "last_success": state.last_success if state else "",
                     "as_of": state.as_of if state else "",
                     "checked_at": state.checked_at if state else "",
                     "detail": state.detail if state else ""})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        line = (f"{row['source']:<24} {row['type']:<18} {row['state']:<16} "
                f"last success {row['last_success'] or 'never'}")
        if row["as_of"]:
            line += f", as of {row['as_of']}"
        if row["detail"]:
            line += f" ({row['detail']})"
        click.echo(line)


@cli.command()
@config_option
@week_option
@output_option
def render(config_path: Path, week: IsoWeek | None, output: Path | None) -> None:
    """Write a week's bulletin from what the store already holds."""
    from bulletin import pipeline

    result = pipeline.render(_load(config_path, output), week)
    _say_held(result)
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
        from bulletin.publish.email.actions import send_test

        click.echo(send_test(_load(config_path), week, test_to, targets))
        return
    config = _load(config_path)
    if resend_uncertain:
        from bulletin.publish.email.actions import requeue_uncertain

        requeue_uncertain(config, week)
    for delivery in pipeline.publish(config, week, targets):
        where = f" {delivery.location}" if delivery.location else ""
        click.echo(f"{delivery.target}: {delivery.status}{where}"
                   f"{f' ({delivery.detail})' if delivery.detail else ''}")


def _say_held(result: Any) -> None:
    if result.status == "held":
        click.echo(f"{result.week}: held for review; `bulletin approve {result.week}` publishes it, "
                   f"`bulletin reject {result.week} --why TEXT` drops it", err=True)


@cli.command()
@config_option
def review(config_path: Path) -> None:
    """List the bulletins held for an editor, with the reasons and where to preview them."""
    from bulletin import pipeline

    held = pipeline.review_list(_load(config_path))
    if not held:
        click.echo("no bulletins held for review")
    for record, preview in held:
        click.echo(f"{record.week}: {record.headline}")
        for reason in record.reasons:
            click.echo(f"  - {reason}")
        click.echo(f"  preview: {_shown(preview)}")


@cli.command()
@config_option
@click.argument("week", type=WEEK)
def approve(config_path: Path, week: IsoWeek) -> None:
    """Approve a held bulletin and publish it to the configured targets."""
    from bulletin import pipeline

    deliveries = pipeline.decide(_load(config_path), week, approve=True)
    click.echo(f"{week}: approved")
    for delivery in deliveries:
        where = f" {delivery.location}" if delivery.location else ""
        click.echo(f"{delivery.target}: {delivery.status}{where}"
                   f"{f' ({delivery.detail})' if delivery.detail else ''}")


@cli.command()
@config_option
@click.argument("week", type=WEEK)
@click.option("--why", required=True, help="The reason, kept with the bulletin.")
def reject(config_path: Path, week: IsoWeek, why: str) -> None:
    """Reject a bulletin: it is never sent or posted."""
    from bulletin import pipeline

    withdrawn = pipeline.decide(_load(config_path), week, approve=False, why=why)
    click.echo(f"{week}: rejected ({why})")
    for delivery in withdrawn:
        click.echo(f"{delivery.target}: {delivery.status} ({delivery.detail})")
    if any(delivery.status == "failed" for delivery in withdrawn):
        sys.exit(1)


@cli.command()
@config_option
def site(config_path: Path) -> None:
    """Rebuild the whole static site from every bulletin published to it."""
    from bulletin import pipeline

    for name, written in pipeline.rebuild_site(_load(config_path)):
        click.echo(f"{name}: {written} files written")


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; loopback keeps the preview private.")
@click.option("--port", type=int, default=8000, show_default=True)
def serve(config_path: Path, host: str, port: int) -> None:
    """Preview the site (and its forms) on a local web server."""
    from bulletin.serve import app as web
    from bulletin.serve.subscribe import register_routes

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
    from bulletin.cli.tables import stats_data, stats_text

    data = stats_data(pipeline.week_stats(_load(config_path), week))
    click.echo(json.dumps(data, indent=2) if fmt == "json" else stats_text(data))


@cli.command()
@config_option
@week_option
@format_option
def events(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """What the rules find newsworthy in a week, best first."""
    from bulletin import pipeline
    from bulletin.model import event_data

    stats_, found = pipeline.week_events(_load(config_path), week)
    data = [event_data(event) for event in found]
    if fmt == "json":
        click.echo(json.dumps({"week": str(stats_.week), "events": data}, indent=2))
        return
    click.echo(f"{stats_.week}: {len(data)} events")
    for event in data:
        facts = ", ".join(f"{k}={_short(v)}" for k, v in event["facts"].items())
        click.echo(f"{event['score']:6.1f}  {event['kind']:<12} {facts}")


@cli.command()
@config_option
@click.option("--from", "start", type=WEEK, default=None, help="First week (default: the first stored).")
@click.option("--to", "end", type=WEEK, default=None, help="Last week (default: the last stored).")
@format_option
def backtest(config_path: Path, start: IsoWeek | None, end: IsoWeek | None, fmt: str) -> None:
    """Run the rules over every complete stored week and show each week's events and headline.

    Nothing is published or recorded.
    """
    from bulletin.story.backtest import backtest as run_backtest
    from bulletin.story.backtest import results_data, results_text

    results = run_backtest(_load(config_path), start, end)
    click.echo(json.dumps(results_data(results), indent=2) if fmt == "json" else results_text(results))


def _subscribers() -> None:
    from bulletin.cli.subscribers import subscribers

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


