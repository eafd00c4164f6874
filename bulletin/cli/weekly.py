"""The weekly job's commands: run, collect, render, publish, and an editor's review."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from bulletin import pipeline
from bulletin.cli import output, summary
from bulletin.cli.exits import of_deliveries
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
from bulletin.model import DeliveryStatus, SourceStatus, Status
from bulletin.publish.email.actions import requeue_uncertain, send_test
from bulletin.publish.email.publisher import preview_of
from bulletin.render.rendered import DEFAULT_LOCALE, folder_of, page_name
from bulletin.store.lock import run_lock
from bulletin.weeks import IsoWeek

email_option = click.option("--email", is_flag=True,
                            help="Email the week even when it is older than the newest published "
                                 "(a back-fill is otherwise not emailed).")
wait_option = click.option("--wait", is_flag=True,
                           help="If another bulletin command is using the store, wait for it "
                                "instead of stopping at once.")


@contextmanager
def _locked(config: Any, wait: bool) -> Iterator[None]:
    """One writing command at a time on a store (a second cron run while the first still sends)."""
    with run_lock(config.database, wait):
        yield


@click.command()
@config_option
@week_option
@output_option
@email_option
@wait_option
def run(config_path: Path, week: IsoWeek | None, output: Path | None, email: bool, wait: bool) -> None:
    """Collect, detect, render and write a week's bulletin, and publish it.

    Exits 0 when done (or nothing was left to do), 1 when it failed, 2 for a
    usage or config error, 3 when the bulletin is held for review, 4 when it
    was published but some target or some copies failed.
    """
    config = load(config_path, output)
    with _locked(config, wait):
        result = pipeline.run(config, week, email)
    for outcome in result.outcomes:
        logging.getLogger("bulletin").info("%s", _outcome_line(outcome))
    summary.paths(result.paths)
    sys.exit(summary.run_summary(result, _look_at(config, result)))


def _look_at(config: Any, result: Any) -> str:
    page = folder_of(config.output, result.week) / page_name(DEFAULT_LOCALE)
    if not Status(result.status).publishable:  # held or rejected: the page is the preview
        return shown(page)
    site = config.output / "site" if any(p.rebuilds for p in config.publishers) else None
    preview = None
    if any(p.sends_test for p in config.publishers):
        preview = preview_of(config.output, result.week)
    return summary.where_to_look(page, site, preview)


@click.command()
@config_option
@click.option("--from", "start", type=DAY, default=None,
              help="First day to fetch from live sources (with --to: back-fill a period).")
@click.option("--to", "end", type=DAY, default=None, help="Last day to fetch.")
@wait_option
def collect(config_path: Path, start: date | None, end: date | None, wait: bool) -> None:
    """Read every source into the store; live sources fetch only what is missing."""
    if (start is None) != (end is None):
        raise click.UsageError("give --from and --to together")
    if start is not None and end is not None and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    config = load(config_path)
    with _locked(config, wait):
        outcomes = pipeline.collect(config, start, end)
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
    config = load(config_path, output)
    with _locked(config, False):
        _say_written(pipeline.render(config, week))


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
    if test_to:
        click.echo(send_test(load(config_path), week, test_to, targets))
        return
    config = load(config_path)
    with _locked(config, False):
        if resend_uncertain:
            requeue_uncertain(config, week)
        deliveries = pipeline.publish(config, week, targets)
    for delivery in deliveries:
        click.echo(summary.delivery_line(delivery))
    sys.exit(of_deliveries(deliveries))


def _say_written(result: Any) -> None:
    """The week's headline and the files written (on stdout, one a line, for scripts)."""
    if result.status == Status.HELD:
        output.tell(f"{result.week}: held for review; `bulletin approve {result.week}` publishes it, "
                    f"`bulletin reject {result.week} --why TEXT` drops it")
    output.say(f"{result.week}: {result.headline}")
    for path in result.paths:
        click.echo(shown(path))


@click.command()
@config_option
def review(config_path: Path) -> None:
    """List the bulletins held for an editor, with the reasons and where to preview them."""
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
@click.option("--to", "targets", multiple=True, help="Only this target (name or type); repeatable.")
@email_option
def approve(config_path: Path, week: IsoWeek, targets: tuple[str, ...], email: bool) -> None:
    """Approve a held bulletin and publish it to the configured targets."""
    config = load(config_path)
    with _locked(config, False):
        deliveries = pipeline.decide(config, week, approve=True, to=targets, email=email)
    click.echo(f"{week}: approved")
    for delivery in deliveries:
        click.echo(summary.delivery_line(delivery))
    sys.exit(of_deliveries(deliveries))


@click.command()
@config_option
@click.argument("week", type=WEEK)
@click.option("--why", required=True, help="The reason, kept with the bulletin.")
def reject(config_path: Path, week: IsoWeek, why: str) -> None:
    """Reject a bulletin: it is never sent or posted."""
    config = load(config_path)
    with _locked(config, False):
        withdrawn = pipeline.decide(config, week, approve=False, why=why)
    click.echo(f"{week}: rejected ({why})")
    for delivery in withdrawn:
        click.echo(f"{delivery.target}: {delivery.status} ({delivery.detail})")
    if any(delivery.status == DeliveryStatus.FAILED for delivery in withdrawn):
        sys.exit(1)


@click.command()
@config_option
def site(config_path: Path) -> None:
    """Rebuild the whole static site from every bulletin published to it."""
    config = load(config_path)
    with _locked(config, False):
        rebuilt = pipeline.rebuild_site(config)
    for name, written in rebuilt:
        click.echo(f"{name}: {written} files written")

