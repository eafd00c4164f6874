"""The settings a config file gives, as frozen values; each default is its option's (sections.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulletin.config.defaults import DATABASE
from bulletin.config.sections import REVIEW, STORY, ReviewMode
from bulletin.model import DEFAULT_LOCALE, Methodology
from bulletin.model.editions import Edition, EditionGenerator
from bulletin.model.publication import Publication
from bulletin.records import record

if TYPE_CHECKING:
    from bulletin.collect.source import Source
    from bulletin.publish.publisher import Publisher


@record
class StoryConfig:
    """How the article chooses among the events."""

    max_events: int = STORY.default("max_events")
    repeat_factor: float = STORY.default("repeat_factor")
    memory_weeks: int = STORY.default("memory_weeks")


@record
class Review:
    """When a bulletin waits for an editor, and what counts as an anomaly.

    ``auto`` publishes whatever the checks say (their findings are still
    recorded), ``on_anomaly`` holds a bulletin any check fails, ``always``
    holds every bulletin for an editor to approve.
    """

    mode: ReviewMode = REVIEW.default("mode")
    max_change_factor: float = REVIEW.default("max_change_factor")
    stale_after_days: int = REVIEW.default("stale_after_days")


@record
class Config:
    path: Path
    title: str
    output: Path
    database: Path
    templates_dir: Path | None
    sources: tuple[Source, ...]
    methodology: Methodology
    publishers: tuple[Publisher, ...] = ()
    rules: tuple[Any, ...] | None = None  # Rule instances in the order they run; None: built-in
    story: StoryConfig = StoryConfig()
    locales: tuple[str, ...] = (DEFAULT_LOCALE,)
    review: Review = Review()
    base_url: str = ""  # site.base_url: makes canonical and Open Graph URLs absolute
    chart: bool = True
    publication: Publication = Publication()  # what it is and who is behind it
    editions: tuple[Edition | EditionGenerator, ...] = ()  # beside the main bulletin (model/editions.py)
    store_url: str = ""  # `store:`, a postgresql:// URL; "" keeps the history in ``database``

    @property
    def store(self) -> Path | str:
        """Where the history is: what Store.open() takes (the SQLite file, or the URL)."""
        return self.store_url or self.database

    def with_output(self, output: Path) -> Config:
        """The same settings writing elsewhere; the database follows only if it was defaulted."""
        database = self.database
        if database == self.output / DATABASE:
            database = output / DATABASE
        return replace(self, output=output, database=database)
