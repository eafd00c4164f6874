"""``type: site``: the static website in OUTPUT/site (home, archive, pages, feeds, sitemap).

It takes editions too: each is a site of its own under ``/<name>/`` (build.py),
listed on the main pages, and taken down with its week when that is rejected.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from bulletin import clock
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import PublishError
from bulletin.model import Delivery, DeliveryStatus
from bulletin.model.editions import MAIN
from bulletin.model.publication import Publication
from bulletin.publish.publisher import COMMON_OPTIONS, Publisher, RenderedBulletin
from bulletin.publish.site.build import Site, edition_folders, merge
from bulletin.publish.site.pages import DEFAULT_LANG, EditionOnSite, Listed
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
    takes_editions: ClassVar[bool] = True

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

    def site(self, output: Path, editions: Sequence[EditionOnSite] = ()) -> Any:
        """The main site, listing ``editions``."""
        return Site(output / "site", output, self.base_url, self.title, self.templates_dir,
                    self.subscribe_url, self.publication, editions=tuple(editions))

    def edition_site(self, output: Path, name: str, titles: dict[str, str]) -> Site:
        """An edition's site, under ``/<name>/``, titled ``titles`` (by language)."""
        return Site(output / "site", output, self.base_url, self.title, self.templates_dir,
                    self.subscribe_url, self.publication, name, titles)

    def published(self, store: Store) -> list[Listed]:
        corrected = store.corrections.last_corrected()
        return [Listed(week, headline, date, tuple(pages.split()), updated=corrected.get(week, ""))
                for week, headline, date, pages in store.delivered(self.name)]

    def editions_on_site(self, store: Store) -> list[EditionOnSite]:
        """Every edition with a week on this site, by name, titled as its newest week is."""
        newest = store.editions.newest()
        found = []
        for name, rows in store.editions.published_to(self.name).items():
            titles = dict(newest[name].titles) if name in newest else {}
            found.append(EditionOnSite(name, titles or {DEFAULT_LANG: name}, tuple(
                Listed(week, headline, date, tuple(pages.split()), edition=name)
                for week, headline, date, pages in rows)))
        return found

    def publish(self, bulletin: RenderedBulletin, store: Store) -> Delivery:
        site = self.site(bulletin.output, self.editions_on_site(store))
        try:
            if bulletin.edition == MAIN:
                article = site.publish(bulletin, self.published(store))
            else:
                article = self.publish_edition(bulletin, store, site)
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
        listed = article.listed()
        return Delivery(bulletin.week, self.name, DeliveryStatus.OK, remote_id=" ".join(listed.pages),
                        location=self.base_url + listed.path,
                        delivered_at=clock.stamp())

    def publish_edition(self, bulletin: RenderedBulletin, store: Store, main: Site) -> Any:
        """An edition's week onto its own pages and lists, then the sitemap; the main home and about
        pages too when the edition is new to the site, since they list the editions."""
        found = {edition.name: edition for edition in main.editions}
        before = found.get(bulletin.edition)
        edition = bulletin.data.get("edition")
        titles = dict(edition["titles"]) if edition and edition["titles"] else {}
        titles = titles or {DEFAULT_LANG: bulletin.edition}
        article = self.edition_site(bulletin.output, bulletin.edition, titles).publish(
            bulletin, before.listed if before else ())
        found[bulletin.edition] = EditionOnSite(bulletin.edition, titles, tuple(
            merge(before.listed if before else (), article.listed())))
        main = self.site(bulletin.output, [found[name] for name in sorted(found)])
        if before is None:
            main.write_front(self.published(store))
        else:
            main.write_sitemap(self.published(store))
        return article

    def correct(self, bulletin: RenderedBulletin, store: Store, corrections: Sequence[Correction]
                ) -> Delivery:
        """The corrected page in place of the old, at the same address; the feeds say it was updated."""
        return self.publish(bulletin, store)

    def withdraw(self, output: Path, delivered: Delivery, store: Store) -> Delivery:
        """Take a rejected week off the site."""
        week = delivered.week
        # The rejected week is in no edition's list any more (``editions_on_site``), which its main
        # pages show first; then each edition that had the week loses its page, or its whole folder
        # with its last week.
        editions = {edition.name: edition for edition in self.editions_on_site(store)}
        site = self.site(output, list(editions.values()))
        had = [d.edition for d in store.editions.deliveries(week)
               if d.target == self.name and d.status == DeliveryStatus.OK]
        try:
            site.withdraw(week, self.published(store))
            for name in had:
                if name in editions:
                    edition = editions[name]
                    self.edition_site(output, name, edition.titles).withdraw(week, edition.listed)
                elif (site.root / name).is_dir():
                    shutil.rmtree(site.root / name)
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
        return Delivery(week, self.name, DeliveryStatus.WITHDRAWN, detail="its pages are off the site",
                        delivered_at=clock.stamp())

    def rebuild(self, output: Path, store: Store) -> int:
        """Write the whole site again from every week published to it; returns the files written."""
        editions = self.editions_on_site(store)
        site = self.site(output, editions)
        try:
            written = int(site.rebuild(self.published(store)))
            for edition in editions:
                written += self.edition_site(output, edition.name, edition.titles).rebuild(edition.listed)
            kept = {edition.name for edition in editions}
            for folder in edition_folders(site.root):  # an edition no week of which is on the site
                if folder.name not in kept:
                    shutil.rmtree(folder)
            return written
        except OSError as exc:
            raise PublishError(f"{site.root}: cannot write the site: {exc.strerror}") from None
