"""``bulletin subscribers ...``: keep the list from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bulletin.cli import output
from bulletin.cli.options import config_option, format_option
from bulletin.config.load import load_config
from bulletin.errors import BulletinError
from bulletin.publish.email import subscribers as subs
from bulletin.render.rendered import LOCALES
from bulletin.store.database import Store
from bulletin.store.mail import SendState, SubscriberStatus
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.store.database import Store

STATUSES = tuple(status.value for status in SubscriberStatus)
# The send ledger's states (bulletin/publish/email/sender.py tells their story).
SEND_STATES = tuple(state.value for state in SendState)


def _database(config_path: Path) -> Store:
    return Store.open(load_config(config_path).store)


@click.group()
def subscribers() -> None:
    """The email list: add, remove, list, import and export subscribers."""


@subscribers.command()
@config_option
@click.argument("email")
@click.option("--locale", type=click.Choice(LOCALES), default="en", show_default=True)
@click.option("--pending", is_flag=True,
              help="Wait for the address to confirm (as the web form does) instead of "
                   "adding it as confirmed.")
@click.option("--force", is_flag=True,
              help="Subscribe again an address that unsubscribed: only with its owner's word.")
def add(config_path: Path, email: str, locale: str, pending: bool, force: bool) -> None:
    """Add an address (confirmed: you vouch that its owner asked)."""
    with _database(config_path) as store, store.transaction():
        status = SubscriberStatus.PENDING if pending else SubscriberStatus.CONFIRMED
        result = subs.add(store.subscribers, email, locale, status, force=force)
        found = store.subscribers.get(subs.normalise(email))
    assert found is not None
    click.echo(f"{found.email}: {result} ({found.status}, {found.locale})")


@subscribers.command()
@config_option
@click.argument("email")
def remove(config_path: Path, email: str) -> None:
    """Unsubscribe an address (kept as unsubscribed, so an import cannot re-add it)."""
    with _database(config_path) as store, store.transaction():
        subs.remove(store.subscribers, email)
    click.echo(f"{subs.normalise(email)}: unsubscribed")


@subscribers.command("list")
@config_option
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@format_option
def list_(config_path: Path, status: str | None, fmt: str) -> None:
    """Every address with its status and language; as JSON, with why and since when it is
    bounced or complained, and the bounce reports read for it."""
    with _database(config_path) as store:
        found = store.subscribers.listing(status)
        if fmt == "json":
            rows = [{"email": sub.email, "status": sub.status, "locale": sub.locale,
                     "changed_at": sub.changed_at, "reason": sub.reason,
                     "soft_bounces": sub.soft_bounces,
                     "reports": [r.as_json() for r in store.mail_reports.of(sub.id)]} for sub in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for sub in found:
            click.echo(f"{sub.email}\t{sub.status}\t{sub.locale}")
    output.say(f"{len(found)} subscribers")


@subscribers.command("import")
@config_option
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
def import_(config_path: Path, csv_file: Path) -> None:
    """Import email[,locale,status] rows; bad rows are reported and skipped."""
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BulletinError(f"{csv_file}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BulletinError(f"{csv_file}: not UTF-8 text") from None
    with _database(config_path) as store:  # batches of its own: see import_csv
        report = subs.import_csv(store.subscribers, text, str(csv_file))
    for line in report.rejected:
        output.emit("rejected", line)
    click.echo(f"{csv_file}: {report.added} added, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.rejected)} rejected")


@subscribers.command()
@config_option
@click.option("--week", required=True, help="The bulletin's week, like 2026-W11.")
@click.option("--state", type=click.Choice(SEND_STATES), default=None, help="Only this state.")
def sends(config_path: Path, week: str, state: str | None) -> None:
    """What the send ledger says of each address for one week's bulletin."""
    try:
        parsed = IsoWeek.parse(week)
    except ValueError as exc:
        raise BulletinError(f"--week: {exc}") from None
    with _database(config_path) as store:
        rows = store.send_ledger(parsed).records(state)
    for row in rows:
        click.echo(f"{row.email}\t{row.state}\t{row.attempts}\t{row.detail}")
    output.say(f"{len(rows)} rows")


@subscribers.command()
@config_option
def export(config_path: Path) -> None:
    """Write the list as CSV (email,locale,status) to stdout."""
    with _database(config_path) as store:
        sys.stdout.write(subs.export_csv(store.subscribers))
