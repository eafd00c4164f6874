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
from bulletin.model.editions import MAIN
from bulletin.publish.email import choices
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
@click.option("--edition", "editions", multiple=True, metavar="NAME",
              help="An edition the address gets (repeat for several; `main` is the main bulletin). "
                   "Without it a new address gets the main bulletin and a known one keeps its choice.")
def add(config_path: Path, email: str, locale: str, pending: bool, force: bool,
        editions: tuple[str, ...]) -> None:
    """Add an address (confirmed: you vouch that its owner asked)."""
    config = load_config(config_path)
    with Store.open(config.store) as store, store.transaction():
        if editions:
            offered = choices.offered(config.editions, store, config.title)
            editions = choices.checked(editions, offered, "--edition")
        status = SubscriberStatus.PENDING if pending else SubscriberStatus.CONFIRMED
        result = subs.add(store.subscribers, email, locale, status, force=force)
        found = store.subscribers.get(subs.normalise(email))
        assert found is not None
        if editions and store.subscribers.editions(found.id) != _reads(editions):
            store.subscribers.choose(found.id, editions)
            result = "updated" if result == "unchanged" else result
        chosen = store.subscribers.editions(found.id)
    click.echo(f"{found.email}: {result} ({found.status}, {found.locale}, {', '.join(chosen)})")


def _reads(editions: tuple[str, ...]) -> tuple[str, ...]:
    """What a subscriber who chose ``editions`` reads, as ``Subscribers.editions`` tells it."""
    return tuple(sorted(set(editions)))


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
    """Every address with its status, language and editions; as JSON, with why and since when
    it is bounced or complained, and the bounce reports read for it."""
    with _database(config_path) as store:
        found = store.subscribers.listing(status)
        chosen = store.subscribers.all_editions()
        if fmt == "json":
            rows = [{"email": sub.email, "status": sub.status, "locale": sub.locale,
                     "editions": list(chosen.get(sub.id, (MAIN,))),
                     "changed_at": sub.changed_at, "reason": sub.reason,
                     "soft_bounces": sub.soft_bounces,
                     "reports": [r.as_json() for r in store.mail_reports.of(sub.id)]} for sub in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for sub in found:
            click.echo(f"{sub.email}\t{sub.status}\t{sub.locale}\t{','.join(chosen.get(sub.id, (MAIN,)))}")
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
@click.option("--edition", default=MAIN, show_default=True, metavar="NAME",
              help="The week's edition (`main` is the main bulletin).")
def sends(config_path: Path, week: str, state: str | None, edition: str) -> None:
    """What the send ledger says of each address for one week's bulletin, or one of its editions."""
    try:
        parsed = IsoWeek.parse(week)
    except ValueError as exc:
        raise BulletinError(f"--week: {exc}") from None
    with _database(config_path) as store:
        rows = store.send_ledger(parsed, edition).records(state)
    for row in rows:
        click.echo(f"{row.email}\t{row.state}\t{row.attempts}\t{row.detail}")
    output.say(f"{len(rows)} rows")


@subscribers.command()
@config_option
def export(config_path: Path) -> None:
    """Write the list as CSV (email,locale,status) to stdout."""
    with _database(config_path) as store:
        sys.stdout.write(subs.export_csv(store.subscribers))
