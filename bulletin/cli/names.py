"""``bulletin names``: model names editors decided, so that a made-up name holds one week, not every week."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from bulletin.cli.options import config_option, format_option, load
from bulletin.pipeline import names as decisions
from bulletin.pipeline.names import Decided
from bulletin.store.database import Store


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


_BY = click.option("--by", default=_who, show_default="the login name",
                   help="Who decides, as the store records it.")


@click.group()
def names() -> None:
    """Model names editors confirmed or corrected: used in every article, never held for again."""


@names.command("list")
@config_option
@format_option
def list_names(config_path: Path, fmt: str) -> None:
    """Every decided name, and the made-up names held weeks still wait on."""
    config = load(config_path)
    kept = decisions.decided(config)
    with Store.open(config.store) as store:
        open_ = decisions.waiting(store)
    if fmt == "json":
        click.echo(json.dumps({"decided": [vars(d) for d in kept],
                               "waiting": [{"model": w.model, "name": w.name, "weeks": list(w.weeks)}
                                           for w in open_]}, indent=2, ensure_ascii=False))
        return
    if not kept and not open_:
        click.echo("no names decided, and none waiting")
    for found in kept:
        click.echo(f"{found.model}: {found.name} ({found.decision} by {found.editor}, {found.at})")
    for waiting in open_:
        click.echo(f"{waiting.model}: {waiting.name} (made up; holds {', '.join(waiting.weeks)}: "
                   f"`bulletin names confirm {waiting.model}` or `bulletin names set {waiting.model} NAME`)")


def _said(decided: Decided) -> None:
    found = decided.name
    click.echo(f"{found.model}: {found.name} ({found.decision}); weeks rendered from now on use it "
               "and are not held for it")
    for result in decided.rendered:
        click.echo(f"{result.week}: rendered again, {result.status}"
                   + (f" ({'; '.join(result.reasons)})" if result.reasons else ""))


@names.command()
@config_option
@click.argument("model")
@_BY
def confirm(config_path: Path, model: str, by: str) -> None:
    """Accept the name made from MODEL's id as its name."""
    _said(decisions.confirm(load(config_path), model, by))


@names.command("set")
@config_option
@click.argument("model")
@click.argument("name")
@_BY
def set_name(config_path: Path, model: str, name: str, by: str) -> None:
    """Give MODEL the name NAME wherever it is named."""
    _said(decisions.correct(load(config_path), model, name, by))


@names.command()
@config_option
@click.argument("model")
def forget(config_path: Path, model: str) -> None:
    """Drop the decision on MODEL: its name is the catalogue's, or made up and held for, again."""
    decisions.forget(load(config_path), model)
    click.echo(f"{model}: forgotten")
