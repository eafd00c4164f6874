"""Commands that look without writing: sources, stats, events, backtest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from bulletin import pipeline
from bulletin.cli.options import WEEK, config_option, format_option, load, week_option
from bulletin.cli.tables import stats_data, stats_text
from bulletin.model import event_data
from bulletin.pipeline.backtest import backtest as run_backtest
from bulletin.pipeline.backtest import results_data, results_text
from bulletin.store.database import Store
from bulletin.weeks import IsoWeek


@click.command()
@config_option
@format_option
def sources(config_path: Path, fmt: str) -> None:
    """Each source's state: last success, how recent its data is, and why it is stale."""
    config = load(config_path)
    with Store.open(config.store) as store:
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


@click.command()
@config_option
@week_option
@format_option
def stats(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """Totals per country, author and model for a week, with ranks and changes."""
    data = stats_data(pipeline.week_stats(load(config_path), week))
    click.echo(json.dumps(data, indent=2) if fmt == "json" else stats_text(data))


@click.command()
@config_option
@week_option
@format_option
def events(config_path: Path, week: IsoWeek | None, fmt: str) -> None:
    """What the rules find newsworthy in a week, best first."""
    stats_, found = pipeline.week_events(load(config_path), week)
    data = [event_data(event) for event in found]
    if fmt == "json":
        click.echo(json.dumps({"week": str(stats_.week), "events": data}, indent=2))
        return
    click.echo(f"{stats_.week}: {len(data)} events")
    for event in data:
        facts = ", ".join(f"{k}={_short(v)}" for k, v in event["facts"].items())
        click.echo(f"{event['score']:6.1f}  {event['kind']:<12} {facts}")


@click.command()
@config_option
@click.option("--from", "start", type=WEEK, default=None, help="First week (default: the first stored).")
@click.option("--to", "end", type=WEEK, default=None, help="Last week (default: the last stored).")
@format_option
def backtest(config_path: Path, start: IsoWeek | None, end: IsoWeek | None, fmt: str) -> None:
    """Run the rules over every complete stored week and show each week's events and headline.

    Nothing is published or recorded.
    """
    results = run_backtest(load(config_path), start, end)
    click.echo(json.dumps(results_data(results), indent=2) if fmt == "json" else results_text(results))


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)[:60]
    return str(value)

