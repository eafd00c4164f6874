"""``bulletin corrections``: the numbers published bulletins stated that the source revised since."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bulletin.cli.options import config_option, format_option, load, week_option
from bulletin.model.corrections import CorrectionStatus
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek


@click.command()
@config_option
@week_option
@format_option
def corrections(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """Every correction: the week, the statement, what it said, what it says now, when, its status."""
    config = load(config_path)
    if not config.store_url and not config.database.exists():
        found = []
    else:
        with Store.open(config.store) as store:
            found = store.corrections.of(week)
    rows = [{"week": str(c.week), "locale": c.locale, "statement": c.sentence, "old": c.old,
             "new": c.new, "quantity": c.quantity, "source": c.source, "detected_at": c.detected_at,
             "status": str(c.status), "held_for": c.held_for, "announced_in": c.announced_in}
            for c in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no corrections")
    for row in rows:
        click.echo(f"{row['week']} {row['locale']:<3} {row['status']:<9} {row['detected_at']}  "
                   f"{row['old']} -> {row['new'] or '(no longer given)'}")
        click.echo(f"    {row['statement']}")
        if row["held_for"] and row["status"] == CorrectionStatus.HELD:
            click.echo(f"    held: {row['held_for']} (`bulletin approve {row['week']}` publishes it)")
