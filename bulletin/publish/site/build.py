"""Build the static site in OUTPUT/site from the bulletins published to it.

Publishing one week writes that week's pages and the pages that list it (the
home page, its year, the archive, the feeds, the sitemap), so the time it
takes does not grow with the archive. ``rebuild()`` writes everything. Every
file is written under a temporary name and renamed into place: a site being
served never shows half a file, and a build killed midway leaves the files
it had not reached as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.errors import PublishError
from bulletin.publish.files import replace_file, sweep
from bulletin.publish.site import feeds as sitefeeds
from bulletin.publish.site.pages import DEFAULT_LANG, Article, Listed
from bulletin.render.edition import CHART_PNG, DATA, Edition, folder_of, page_path
from bulletin.weeks import IsoWeek

HOME_LISTS = 10  # earlier bulletins listed under the latest one on the home page


@dataclass(frozen=True)
class Site:
    root: Path  # OUTPUT/site
    output: Path  # OUTPUT, whose bulletins/ holds each week's edition
    base_url: str  # ends with "/"
    title: str
    templates_dir: Path | None = None
    _loaded: dict[IsoWeek, Article] = field(default_factory=dict, compare=False, repr=False)

    def publish(self, edition: Edition, published: Sequence[Listed]) -> Article:
        """Add (or refresh) one week; ``published`` is every other week already on the site."""
        article = self._loaded[edition.week] = Article.of(edition)
        self.write_article(article)
        listed = merge(published, article.listed())
        self.write_lists(listed, [article.listed().year])
        return article

    def rebuild(self, published: Sequence[Listed]) -> int:
        """Write every page again, and remove the pages of weeks no longer published.

        Returns how many files were written.
        """
        self.sweep()
        listed = sorted(published, key=lambda item: item.week)
        written = 0
        for item in listed:
            written += self.write_article(self.article(item.week))
        listed = [self.article(item.week).listed() for item in listed]
        on_site = {page_path(item.week) for item in listed}
        years = {item.year for item in listed}
        gone = [folder for folder in self.root.glob("[0-9][0-9][0-9][0-9]/w[0-9][0-9]")
                if f"{folder.parent.name}/{folder.name}/" not in on_site]
        years |= {int(folder.parent.name) for folder in gone}
        written += self.write_lists(listed, sorted(years))
        for folder in gone:  # after the lists, so no page ever links to a missing one
            shutil.rmtree(folder)
        return written

    def withdraw(self, week: IsoWeek, published: Sequence[Listed]) -> None:
        """Take one week off the site: the lists are written without it, then its pages go."""
        remaining = [item for item in published if item.week != week]
        self.write_lists(remaining, [week.year])
        folder = self.root / page_path(week)
        if folder.is_dir():
            shutil.rmtree(folder)

    def article(self, week: IsoWeek) -> Article:
        if week not in self._loaded:
            data = folder_of(self.output, week) / DATA
            if not data.is_file():
                raise PublishError(f"{week}: {data} is missing, so its page cannot "
                                   f"be built (run `bulletin render --week {week}`)")
            self._loaded[week] = Article.of(Edition.load(self.output, week))
        return self._loaded[week]

    def write_article(self, article: Article) -> int:
        folder = self.root / article.path
        # The chart first: the page that shows it must never point at a missing file.
        for name in article.charts:
            replace_file(folder / name, (folder_of(self.output, article.week) / name).read_bytes())
        alternates = self._alternates(article)
        for lang in (DEFAULT_LANG, *article.languages):
            prefix = "" if lang == DEFAULT_LANG else f"{lang}/"
            version = article.version(lang)
            page = self._page("site/article.html.j2", article.path + prefix, a=article, lang=lang,
                              og_title=version.headline, og_type="article",
                              description=version.description, alternates=alternates,
                              image=self._image(article))
            replace_file(folder / prefix / "index.html", page)
        return len(article.charts) + 1 + len(article.languages)

    def write_lists(self, listed: Sequence[Listed], years: Iterable[int]) -> int:
        newest = sorted(listed, key=lambda item: item.week, reverse=True)
        written = 0
        for year in years:
            items = [item for item in newest if item.year == year]
            if not items:  # its last week was taken off the site
                (self.root / str(year) / "index.html").unlink(missing_ok=True)
                continue
            replace_file(self.root / str(year) / "index.html",
                         self._page("site/year.html.j2", f"{year}/", year=year, items=items,
                                    description=f"Every {self.title} bulletin of {year}.",
                                    og_title=f"{year} · {self.title}"))
            written += 1
        counts: dict[int, int] = {}
        for item in newest:
            counts[item.year] = counts.get(item.year, 0) + 1
        years_listed = sorted(counts.items(), reverse=True)
        replace_file(self.root / "archive" / "index.html",
                     self._page("site/archive.html.j2", "archive/", years=years_listed,
                                description=f"Every {self.title} bulletin, by year.",
                                og_title=f"Archive · {self.title}"))
        recent = [self.article(item.week) for item in newest[:sitefeeds.FEED_ENTRIES]]
        replace_file(self.root / "feed.xml", sitefeeds.atom(recent, self.base_url, self.title))
        replace_file(self.root / "feed.json", sitefeeds.json_feed(recent, self.base_url, self.title))
        replace_file(self.root / "sitemap.xml",
                     sitefeeds.sitemap(newest, sorted(counts, reverse=True), self.base_url))
        # The home page last: it is where readers come in, so it links only to pages that exist.
        latest = recent[0] if recent else None
        description = latest.version(DEFAULT_LANG).description if latest else self.title
        replace_file(self.root / "index.html",
                     self._page("site/home.html.j2", "", latest=latest, earlier=newest[1:1 + HOME_LISTS],
                                description=description, og_title=self.title, og_type="website",
                                image=self._image(latest) if latest else ""))
        return written + 5

    def sweep(self) -> None:
        """Remove temporary files a killed build left behind."""
        sweep(self.root, recursive=True)

    def _page(self, template: str, path: str, **context: Any) -> bytes:
        from bulletin.render.article import environment

        context.setdefault("lang", DEFAULT_LANG)
        context.setdefault("og_type", "website")
        context.setdefault("image", "")
        context.setdefault("alternates", [])
        root = "../" * path.count("/")
        page = environment(self.templates_dir).get_template(template).render(
            site=self, root=root, canonical=self.base_url + path, **context)
        return page.encode("utf-8")

    def _image(self, article: Article) -> str:
        # Social cards want a raster image; the SVG serves only where there is no PNG.
        name = CHART_PNG if CHART_PNG in article.charts else article.chart
        return f"{self.base_url}{article.path}{name}" if name else ""

    def _alternates(self, article: Article) -> list[dict[str, str]]:
        if not article.languages:
            return []
        from babel import Locale

        found = []
        for lang in (DEFAULT_LANG, *article.languages):
            prefix = "" if lang == DEFAULT_LANG else f"{lang}/"
            try:
                name = Locale.parse(lang.replace("-", "_")).get_display_name(lang) or lang
            except (ValueError, LookupError):
                name = lang
            found.append({"lang": lang, "url": f"{self.base_url}{article.path}{prefix}", "name": name,
                          "path": article.path + prefix})
        found.append({"lang": "x-default", "url": f"{self.base_url}{article.path}", "name": "",
                      "path": article.path})
        return found


def merge(published: Sequence[Listed], item: Listed) -> list[Listed]:
    return [*(other for other in published if other.week != item.week), item]
