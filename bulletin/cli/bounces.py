"""``bulletin bounces SOURCE...``: read bounces, complaints and unsubscribe requests that came to the
bounce address."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bulletin.cli.options import config_option
from bulletin.config.load import load_config
from bulletin.config.settings import Config
from bulletin.errors import BulletinError
from bulletin.publish.email import bounce_sources, tokens
from bulletin.publish.email import bounces as bounce_rules
from bulletin.publish.email.publisher import EmailPublisher
from bulletin.publish.email.settings import EmailSettings
from bulletin.store.database import Store


@click.command()
@config_option
@click.option("--recipient", envvar="ORIGINAL_RECIPIENT", default="", metavar="ADDRESS",
              help="The address the message on stdin was delivered to (an MTA's pipe gives it; "
                   "Postfix's local delivery sets ORIGINAL_RECIPIENT, which is read by default).")
@click.argument("sources", nargs=-1, required=True)
def bounces(config_path: Path, recipient: str, sources: tuple[str, ...]) -> None:
    """Read delivery reports, complaints and unsubscribe requests from mbox files, Maildir folders
    or stdin (-).

    A hard bounce marks its subscriber bounced; soft ones do after
    soft_bounce_limit in a row; a complaint marks it complained; a message to
    a copy's List-Unsubscribe mailto address unsubscribes it. Only the signed
    token in the address a message came to (or in a request's subject) names a
    subscriber. Reading the same mail again changes nothing.
    """
    config = load_config(config_path)
    settings = _email_settings(config)
    key = tokens.key_from_env(settings.signing_key_env)
    messages = bounce_sources.read(sources, sys.stdin.buffer, recipient)
    with Store.open(config.store) as store:
        tally = bounce_rules.apply(store, key, messages.reports, settings.soft_bounce_limit,
                                   messages.too_large)
    click.echo(tally.line())


def _email_settings(config: Config) -> EmailSettings:
    """The email target's settings: the one with a bounce address, else the first."""
    found = [p.settings for p in config.publishers if isinstance(p, EmailPublisher) and p.settings]
    if not found:
        raise BulletinError("bounces: the config has no email target (publish: - type: email)")
    return next((s for s in found if s.bounce_address), found[0])
