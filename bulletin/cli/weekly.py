"""The weekly job's commands: run, collect, render, publish, and an editor's review."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from bulletin.cli.options import (
    DAY,
    WEEK,
    config_option,
    load,
    output_option,
    shown,
    week_option,
)
from bulletin.errors import BulletinError
from bulletin.model import SourceStatus
from bulletin.weeks import IsoWeek


@click.command()
@config_option
@week_option
@output_option
def run(config_path: Path, week: IsoWeek | None, output: Path | None) -> None:
    """Collect, detect, render and write a week's bulletin."""
    from bulletin import pipeline

    result = pipeline.run(load(config_path, output), week)
    for outcome in result.outcomes:
        logging.getLogger("bulletin").info("%s", _outcome_line(outcome))
    _say_written(result)


@click.command()
@config_option
@click.option("--from", "start", type=DAY, default=None,
              help="First day to fetch from live sources (with --to: back-fill a period).")
@click.option("--to", "end", type=DAY, default=None, help="Last day to fetch.")
def collect(config_path: Path, start: date | None, end: date | None) -> None:
    """Read every source into the store; live sources fetch only what is missing."""
    from bulletin import pipeline

    if (start is None) != (end is None):
        raise click.UsageError("give --from and --to together")
    if start is not None and end is not None and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    outcomes = pipeline.collect(load(config_path), start, end)
    for outcome in outcomes:
        click.echo(_outcome_line(outcome))
    if outcomes and all(o.state == SourceStatus.STALE for o in outcomes):
        raise BulletinError("no source could be read; the store keeps its last good data")


def _outcome_line(outcome: Any) -> str:
    if outcome.state == SourceStatus.STALE:
        return f"{outcome.source}: stale, last good data kept"
    report = outcome.report
    rows = report and report.added + report.changed + report.removed + report.unchanged
    counts = (f", {report.added} added, {report.changed} changed, {report.removed} removed, "
              f"{report.unchanged} unchanged") if report and rows else ""
    if report and report.names:
        counts += f", {report.names} model names added or renamed"
    return f"{outcome.source}: {outcome.state}{counts}"


@click.command()
@config_option
@week_option
@output_option
def render(config_path: Path, week: IsoWeek | None, output: Path | None) -> None:
    """Write a week's bulletin from what the store already holds."""
    from bulletin import pipeline

    _say_written(pipeline.render(load(config_path, output), week))


@click.command()
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

        click.echo(send_test(load(config_path), week, test_to, targets))
        return
    config = load(config_path)
    if resend_uncertain:
        from bulletin.publish.email.actions import requeue_uncertain

        requeue_uncertain(config, week)
    for delivery in pipeline.publish(config, week, targets):
        where = f" {delivery.location}" if delivery.location else ""
        click.echo(f"{delivery.target}: {delivery.status}{where}"
                   f"{f' ({delivery.detail})' if delivery.detail else ''}")


def _say_written(result: Any) -> None:
    """The week's headline and the files written (on stdout, one a line, for scripts)."""
    if result.status == "held":
        click.echo(f"{result.week}: held for review; `bulletin approve {result.week}` publishes it, "
                   f"`bulletin reject {result.week} --why TEXT` drops it", err=True)
    click.echo(f"{result.week}: {result.headline}", err=True)
    for path in result.paths:
        click.echo(shown(path))


@click.command()
@config_option
def review(config_path: Path) -> None:
    """List the bulletins held for an editor, with the reasons and where to preview them."""
    from bulletin import pipeline

    held = pipeline.review_list(load(config_path))
    if not held:
        click.echo("no bulletins held for review")
    for record, preview in held:
        click.echo(f"{record.week}: {record.headline}")
        for reason in record.reasons:
            click.echo(f"  - {reason}")
        click.echo(f"  preview: {shown(preview)}")


@click.command()
@config_option
@click.argument("week", type=WEEK)
def approve(config_path: Path, week: IsoWeek) -> None:
    """Approve a held bulletin and publish it to the configured targets."""
    from bulletin import pipeline

    deliveries = pipeline.decide(load(config_path), week, approve=True)
    click.echo(f"{week}: approved")
    for delivery in deliveries:
        where = f" {delivery.location}" if delivery.location else ""
        click.echo(f"{delivery.target}: {delivery.status}{where}"
                   f"{f' ({delivery.detail})' if delivery.detail else ''}")


@click.command()
@config_option
@click.argument("week", type=WEEK)
@click.option("--why", required=True, help="The reason, kept with the bulletin.")
def reject(config_path: Path, week: IsoWeek, why: str) -> None:
    """Reject a bulletin: it is never sent or posted."""
    from bulletin import pipeline

    withdrawn = pipeline.decide(load(config_path), week, approve=False, why=why)
    click.echo(f"{week}: rejected ({why})")
    for delivery in withdrawn:
        click.echo(f"{delivery.target}: {delivery.status} ({delivery.detail})")
    if any(delivery.status == "failed" for delivery in withdrawn):
        sys.exit(1)


@click.command()
@config_option
def site(config_path: Path) -> None:
    """Rebuild the whole static site from every bulletin published to it."""
    from bulletin import pipeline

    for name, written in pipeline.rebuild_site(load(config_path)):
        click.echo(f"{name}: {written} files written")

