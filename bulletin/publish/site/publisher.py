"""``type: site``: the static website in OUTPUT/site (home, archive, pages, feeds, sitemap)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin import clock
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import Delivery, DeliveryStatus
from bulletin.model.publication import Publication
from bulletin.publish.publisher import COMMON_OPTIONS, Publisher, RenderedBulletin
from bulletin.publish.site.build import Site
from bulletin.publish.site.pages import Listed
from bulletin.store.database import Store

if TYPE_CHECKING:
    from bulletin.model.corrections import Correction


OPTIONS = option.schema(
    option.url("base_url", "where the site is served: canonical, Open Graph and feed URLs", required=True),
    option.text("title", None, "the site's name", shown_default="the top-level `title`"),
    option.path("templates_dir", "a folder of templates that override `templates/site/*.j2` by name",
                must_exist=True),
    option.url("subscribe_url", "where every page invites readers to subscribe",
               shown_default="the email target's `/subscribe`"),
)


@dataclass(frozen=True)
class SitePublisher(Publisher):
    type: ClassVar[str] = "site"
    options: ClassVar[option.Schema] = COMMON_OPTIONS + OPTIONS
    withdraws: ClassVar[bool] = True
    rebuilds: ClassVar[bool] = True
    corrects: ClassVar[bool] = True

    base_url: str = ""  # required: no default to declare
    title: str = ""  # "": the publication's name (named())
    templates_dir: Path | None = OPTIONS.default("templates_dir")
    subscribe_url: str = OPTIONS.default("subscribe_url")  # every page invites readers to it
    publication: Publication = Publication()  # what every page says the publication is (presenting())

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> SitePublisher | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if values["base_url"] is None:
            return None
        # Page URLs are joined onto it, so it always ends with a slash.
        return cls(values["name"] or "", values["base_url"].rstrip("/") + "/", values["title"] or "",
                   values["templates_dir"], values["subscribe_url"] or "")

    @property
    def pages_url(self) -> str:
        return self.base_url

    def inviting(self, subscribe_page: str) -> SitePublisher:
        # Its own subscribe_url wins; otherwise every page invites readers to the list.
        if self.subscribe_url or not subscribe_page:
            return self
        return replace(self, subscribe_url=subscribe_page)

    def named(self, title: str) -> SitePublisher:
        return self if self.title else replace(self, title=title)

    def presenting(self, publication: Publication) -> SitePublisher:
        return replace(self, publication=publication)

    def site(self, output: Path) -> Any:
        return Site(output / "site", output, self.base_url, self.title, self.templates_dir,
                    self.subscribe_url, self.publication)

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
