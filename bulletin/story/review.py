"""The hand-brake: sanity checks that hold a bulletin for an editor.

Each check returns the reasons it found, in words an editor can act on. The
config's ``review.mode`` decides what a reason does: ``auto`` records it and
publishes, ``on_anomaly`` holds the bulletin, ``always`` holds every bulletin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from bulletin.config.sections import ReviewMode
from bulletin.config.settings import Review
from bulletin.model import Status, Story
from bulletin.story import sense

ALWAYS = "review: always (every bulletin waits for an editor)"


def reasons(story: Story, last_read: Mapping[str, str], review: Review,
            source_names: Iterable[str]) -> list[str]:
    found = jumps(story, review.max_change_factor) + missing_days(story) + unmapped_top(story)
    found += stale(last_read, story.generated_at, review.stale_after_days, source_names)
    found += stealth_leader(story) + made_names(story)
    return found + sense.problems(story)


def status(found: list[str], review: Review) -> tuple[Status, list[str]]:
    if review.mode == ReviewMode.ALWAYS:
        return Status.HELD, [*found, ALWAYS]
    if found and review.mode == ReviewMode.ON_ANOMALY:
        return Status.HELD, found
    return Status.READY, found


def jumps(story: Story, factor: float) -> list[str]:
    """A subject whose volume grew or shrank by more than ``factor`` week on week."""
    found = []
    subjects = [(total.key, total.tokens, total.previous_tokens) for total in story.stats.countries]
    # A model listed on only some days of either week jumps by its listing, not its use.
    subjects += [(row.name, row.tokens, row.previous_tokens) for row in story.stats.top(10)
                 if row.full_weeks]
    for name, now, before in subjects:
        if not before or not now:
            continue
        ratio = now / before
        if ratio > factor or ratio < 1 / factor:
            direction = "jumped" if ratio > 1 else "fell"
            shown = f"{ratio:.1f}" if ratio > 1 else f"1/{1 / ratio:.1f}"
            found.append(f"{name}: volume {direction} {shown}x week on week "
                         f"({before:,} to {now:,} tokens; the limit is {factor:g}x)")
    return found


def missing_days(story: Story) -> list[str]:
    if story.stats.complete:
        return []
    return [f"{story.week}: the data covers {story.stats.days} of 7 days"]


def made_names(story: Story) -> list[str]:
    """A top-ten model the catalogue has no name for: its name was made from the id.

    A name an editor confirmed or corrected is not made up (``bulletin names``), so a week
    is held for a model's made-up name once, not every week.
    """
    return [f"{row.name} (No. {row.rank}): no name in the model catalogue; "
            f"made from its id {row.model}, check it" for row in story.stats.top(10) if row.name_made]


# made_names()'s reason, read back: the made-up name and the model's id (the desk offers to decide it).
_MADE = re.compile(r"(?P<name>.+) \(No\. \d+\): no name in the model catalogue; made from its id "
                   r"(?P<model>\S+), check it")


def made_name_in(reason: str) -> tuple[str, str] | None:
    """(made-up name, model id) when ``reason`` is made_names()'s; None otherwise."""
    found = _MADE.fullmatch(reason)
    return (found["name"], found["model"]) if found else None


def unmapped_top(story: Story) -> list[str]:
    return [f"{row.name} (No. {row.rank}): its author {row.author!r} has no country configured"
            for row in story.stats.top(10) if row.country is None and not row.excluded]


def stale(last_read: Mapping[str, str], now: datetime, days: int,
          source_names: Iterable[str]) -> list[str]:
    """A source read longer ago than ``days`` before the bulletin was made.

    ``last_read`` is each source's newest observation fetch time (Store.last_read()).
    """
    wanted = set(source_names)
    found = []
    for source, fetched in sorted(last_read.items()):
        if source not in wanted:
            continue
        try:
            when = datetime.fromisoformat(fetched)
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        age = (now - when).days
        if age > days:
            found.append(f"{source}: last read {age} days ago ({fetched}; the limit is {days} days)")
    return found


def stealth_leader(story: Story) -> list[str]:
    top = story.stats.top(1)
    if top and top[0].excluded and top[0].previous_rank != 1:
        return [f"{top[0].name}: a stealth model of undisclosed origin is the new No. 1"]
    return []
