"""``type: site``: the static website in OUTPUT/site (home, archive, pages, feeds, sitemap)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin import clock
from bulletin.config import validation as check
from bulletin.config.defaults import TITLE
from bulletin.errors import PublishError
from bulletin.model import Delivery, DeliveryStatus
from bulletin.publish.publisher import Publisher, RenderedBulletin
from bulletin.publish.site.build import Site
from bulletin.publish.site.pages import Listed
from bulletin.store.database import Store

if TYPE_CHECKING:
    from bulletin.model.corrections import Correction


@dataclass(frozen=True)
class SitePublisher(Publisher):
    type: ClassVar[str] = "site"
    keys: ClassVar[set[str]] = {"base_url", "title", "templates_dir", "subscribe_url"}
    withdraws: ClassVar[bool] = True
    rebuilds: ClassVar[bool] = True
    corrects: ClassVar[bool] = True

    base_url: str = ""
    title: str = TITLE
    templates_dir: Path | None = None
    subscribe_url: str = ""  # every page invites readers to it (the email target's /subscribe)

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> SitePublisher | None:
        common = cls.common(raw, where, problems)
        base_url = check.url(raw, "base_url", where, problems, required=True)
        title = check.string(raw, "title", where, problems, default=TITLE)
        templates = check.path(raw, "templates_dir", where, problems, base_dir, must_exist=True)
        subscribe = check.url(raw, "subscribe_url", where, problems)
        if base_url is None:
            return None
        # Page URLs are joined onto it, so it always ends with a slash.
        return cls(common["name"], base_url.rstrip("/") + "/", title or TITLE, templates, subscribe or "")

    @property
    def pages_url(self) -> str:
        return self.base_url

    def inviting(self, subscribe_page: str) -> SitePublisher:
        # Its own subscribe_url wins; otherwise every page invites readers to the list.
        if self.subscribe_url or not subscribe_page:
            return self
        return replace(self, subscribe_url=subscribe_page)

    def site(self, output: Path) -> Any:
        return Site(output / "site", output, self.base_url, self.title, self.templates_dir,
                    self.subscribe_url)

    def published(self, store: Store) -> list[Listed]:
        corrected = store.corrections.last_corrected()
        return [Listed(week, headline, date, tuple(pages.split()), updated=corrected.get(week, ""))
                for week, headline, date, pages in store.delivered(self.name)]

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        site = self.site(bulletin.output)
        try:
            article = site.publish(bulletin, self.published(store))
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
        listed = article.listed()
        return Delivery(bulletin.week, self.name, DeliveryStatus.OK, remote_id=" ".join(listed.pages),
                        location=self.base_url + listed.path,
                        delivered_at=clock.stamp())

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """The corrected page in place of the old, at the same address; the feeds say it was updated."""
        return self.publish(bulletin, store)

    def withdraw(self, output: Path, delivered: Delivery, store: Store) -> Delivery:
        """Take a rejected week off the site."""
        week = delivered.week
        site = self.site(output)
        try:
            site.withdraw(week, self.published(store))
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
        return Delivery(week, self.name, DeliveryStatus.WITHDRAWN, detail="its pages are off the site",
                        delivered_at=clock.stamp())

    def rebuild(self, output: Path, store: Store) -> int:
        """Write the whole site again from every week published to it; returns the files written."""
        site = self.site(output)
        try:
            return int(site.rebuild(self.published(store)))
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
