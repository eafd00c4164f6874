"""The lines a weekly command ends with: what was read, what was written, where each target stands.

Cron mails stderr to the editor; these lines are that mail. Paths stay on
stdout, one a line, for scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bulletin.cli.exits import Exit, of_deliveries
from bulletin.cli.options import shown
from bulletin.cli.output import quiet, say, tell
from bulletin.model import Delivery, SourceStatus, Status
from bulletin.model.editions import MAIN


def source_word(outcome: Any) -> str:
    if outcome.state == SourceStatus.STALE:
        return f"{outcome.source} stale ({outcome.detail})" if outcome.detail else \
            f"{outcome.source} stale"
    return f"{outcome.source} {outcome.state}"


def delivery_line(delivery: Delivery) -> str:
    where = f" {delivery.location}" if delivery.location else ""
    detail = f" ({delivery.detail})" if delivery.detail else ""
    # An edition's is told apart from its week's main bulletin: "newsletter (china): ok ...".
    target = delivery.target if delivery.edition == MAIN else f"{delivery.target} ({delivery.edition})"
    return f"{target}: {delivery.status}{where}{detail}"


def run_summary(result: Any, look_at: str) -> Exit:
    """Say what the run did; the exit status that goes with it."""
    if result.outcomes:
        say("sources: " + ", ".join(source_word(o) for o in result.outcomes))
    week = result.week
    corrected = getattr(result, "corrected", None)
    if corrected:
        say(corrected.line())
    say(f"{week}: {result.headline}")
    if result.done_before:
        if corrected and week in corrected.published:
            say(f"{week}: corrected (see above) and sent again to the targets that had it; "
                "nothing else to do")
            return Exit.DONE
        say(f"{week}: already written and delivered to every target; nothing to do "
            f"(`bulletin render --week {week}` and `bulletin publish --week {week}` redo it)")
        return Exit.HELD if result.status == Status.HELD else Exit.DONE
    if result.status == Status.HELD:
        tell(f"{week}: held for review ({'; '.join(result.reasons)}); "
             f"`bulletin approve {week}` publishes it, `bulletin reject {week} --why TEXT` drops it")
        reached = getattr(result, "reached", ())
        if reached:
            # An email cannot be recalled: the editor decides knowing who already has the week.
            tell(f"{week}: already published to {', '.join(reached)} before this hold "
                 "(an email that went out cannot be recalled)")
        say(f"look at: {look_at}")
        return Exit.HELD
    if result.status == Status.REJECTED:
        say(f"{week}: rejected by an editor ({'; '.join(result.reasons)}); nothing published")
        return Exit.DONE
    return deliveries_summary(result.deliveries, result.targets, look_at)


def deliveries_summary(deliveries: Sequence[Delivery], targets: int, look_at: str) -> Exit:
    done = of_deliveries(deliveries)
    for delivery in deliveries:  # under -q too where any target or copy failed: the reason
        (say if done == Exit.DONE else tell)(delivery_line(delivery))
    if not targets:
        say(f"look at: {look_at} (no publish targets configured: add a `publish:` list to "
            "config.yaml; docs/publishing.md)")
    else:
        say(f"look at: {look_at}")
    return done


def where_to_look(page: Path, site: Path | None, email_preview: Path | None) -> str:
    """The files a person opens after a run: the site (and how to serve it), else the page; the email."""
    places = [f"{shown(site / 'index.html')} (`bulletin serve` shows the site at http://127.0.0.1:8000/)"
              if site is not None and (site / "index.html").is_file() else shown(page)]
    if email_preview is not None and email_preview.is_file():
        places.append(f"the email as a subscriber gets it in {shown(email_preview)}")
    return "; ".join(places)


def paths(written: Sequence[Any]) -> None:
    """The files a command wrote, one a line on stdout (none under ``-q``)."""
    import click

    if quiet():
        return
    for path in written:
        click.echo(shown(path))
