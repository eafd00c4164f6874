"""Build the static site in OUTPUT/site from the bulletins published to it.

Publishing one week writes that week's pages and the pages that list it (the
home page, its year, the archive, the feeds, the sitemap), so the time it
takes does not grow with the archive. ``rebuild()`` writes everything.

An edition of the week (a developer's, a country's) is a site of its own under
``/<name>/``: a ``Site`` with ``edition`` set writes its week pages, home,
archive, year pages and feeds there, titled with the edition's title. The main
site lists the editions ("Follow a developer") and its sitemap lists their
pages; publishing one edition's week writes that edition's pages and lists and
the sitemap, and the main home and about pages only when the edition is new
to the site. Every
file is written under a temporary name and renamed into place: a site being
served never shows half a file, and a build killed midway leaves the files
it had not reached as they were.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import orjson

from bulletin.errors import PublishError
from bulletin.model.editions import MAIN, SLUG
from bulletin.model.publication import Publication
from bulletin.publish.files import PART, place_copy, replace_file
from bulletin.publish.site import feeds as sitefeeds
from bulletin.publish.site import static
from bulletin.publish.site.pages import DEFAULT_LANG, Article, EditionOnSite, Listed, language_tag
from bulletin.render.article import environment
from bulletin.render.card import SIZE as CARD_SIZE
from bulletin.render.rendered import DATA, LOCALES, RenderedWeek, folder_of, page_path
from bulletin.weeks import IsoWeek

HOME_LISTS = 10  # earlier bulletins listed under the latest one on the home page
ABOUT = "about/"
WORDS = "site/_words.j2"  # the chrome's words, per language
EXCERPTS = "site-excerpts.json"  # in OUTPUT: each published week's one-line excerpt, by week
# ... and each edition's, beside it: site-excerpts.deepseek.json


@dataclass(frozen=True)
class Site:
    root: Path  # OUTPUT/site
    output: Path  # OUTPUT, whose bulletins/ holds each week's edition
    base_url: str  # ends with "/"
    title: str
    templates_dir: Path | None = None
    subscribe_url: str = ""  # the list's /subscribe page, when an email target has one
    publication: Publication = Publication()  # what it is and who is behind it, on every page
    edition: str = MAIN  # the main site, or an edition's under /<name>/
    titles: Mapping[str, str] = field(default_factory=dict)  # an edition's title, by language
    # The main site's: the editions it lists, and whose pages its sitemap lists.
    editions: tuple[EditionOnSite, ...] = ()
    _loaded: dict[IsoWeek, Article] = field(default_factory=dict, compare=False, repr=False)
    # What every page of a build shares, worked out once: each language's words and templates.
    _words: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _environments: dict[str, jinja2.Environment] = field(default_factory=dict, compare=False, repr=False)

    def publish(self, edition: RenderedWeek, published: Sequence[Listed]) -> Article:
        """Add (or refresh) one week; ``published`` is every other week already on the site."""
        # A publish killed midway left .part files where it was writing: its week and its lists.
        self.sweep(self.lists_folders([edition.week.year]) + self.week_folders(edition.week))
        article = self._loaded[edition.week] = Article.of(edition)
        self.write_article(article)
        listed = merge(published, article.listed())
        self.write_lists(listed, [article.listed().year])
        return article

    @property
    def prefix(self) -> str:
        """Where its pages are under the site's root: "" for the main site, ``deepseek/`` for an
        edition's."""
        return "" if self.edition == MAIN else f"{self.edition}/"

    def title_in(self, lang: str) -> str:
        """What its pages and feeds are titled in ``lang``: the edition's title, or the site's."""
        return self.titles.get(lang) or self.titles.get(DEFAULT_LANG) or self.title

    def home(self, lang: str) -> str:
        """A language's home, relative to the site root: "", ``zh/``, ``deepseek/``, ``deepseek/zh/``."""
        return self.prefix + sitefeeds.folder(lang)

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
        gone = [folder for folder in (self.root / self.prefix).glob("[0-9][0-9][0-9][0-9]/w[0-9][0-9]")
                if f"{folder.parent.name}/{folder.name}/" not in on_site]
        years |= {int(folder.parent.name) for folder in gone}
        written += self.write_lists(listed, sorted(years))
        for folder in gone:  # after the lists, so no page ever links to a missing one
            shutil.rmtree(folder)
        return written

    def withdraw(self, week: IsoWeek, published: Sequence[Listed]) -> None:
        """Take one week off the site: the lists are written without it, then its pages go."""
        self.sweep(self.lists_folders([week.year]))
        remaining = [item for item in published if item.week != week]
        self.write_lists(remaining, [week.year])
        folder = self.root / page_path(week, self.edition)
        if folder.is_dir():
            shutil.rmtree(folder)

    def article(self, week: IsoWeek) -> Article:
        if week not in self._loaded:
            data = folder_of(self.output, week, self.edition) / DATA
            if not data.is_file():
                raise PublishError(f"{week}: {data} is missing, so its page cannot "
                                   f"be built (run `bulletin render --week {week}`)")
            self._loaded[week] = Article.of(RenderedWeek.load(self.output, week, self.edition))
        return self._loaded[week]

    def write_article(self, article: Article) -> int:
        folder = self.root / article.path
        # The chart first: the page that shows it must never point at a missing file.
        edition = folder_of(self.output, article.week, self.edition)
        for name in article.charts:
            place_copy(edition / name, folder / name)
        alternates = self._alternates(article.path, (DEFAULT_LANG, *article.languages))
        for lang in (DEFAULT_LANG, *article.languages):
            prefix = "" if lang == DEFAULT_LANG else f"{lang}/"
            version = article.version(lang)
            # An edition's page leads to the week's main bulletin, in the same language.
            whole = page_path(article.week) + prefix if self.edition != MAIN else ""
            page = self._page("site/article.html.j2", article.path + prefix, a=article, lang=lang,
                              whole=whole, og_title=version.headline, og_type="article",
                              description=version.description, alternates=alternates,
                              **self._card(article, lang),
                              chart_prefix="../" * prefix.count("/"))
            replace_file(folder / prefix / "index.html", page)
        return len(article.charts) + 1 + len(article.languages)

    def write_lists(self, listed: Sequence[Listed], years: Iterable[int]) -> int:
        newest = sorted(listed, key=lambda item: item.week, reverse=True)
        years = list(years)
        languages = list_languages(newest)
        lists = self.with_excerpts(newest, languages)
        written = 0
        for lang in languages:
            written += self.write_edition_lists(lang, lists[lang], years)
        recent = [self.article(item.week) for item in newest[:sitefeeds.FEED_ENTRIES]]
        for lang in languages:
            folder = self.root / self.home(lang)
            chosen = [article for article in recent if lang == DEFAULT_LANG or lang in article.languages]
            title = self.feed_title(lang)
            # The author is the publication, whichever edition the feed is of.
            replace_file(folder / "feed.xml", sitefeeds.atom(chosen, self.base_url, title, self.title, lang,
                                                             self.prefix))
            replace_file(folder / "feed.json",
                         sitefeeds.json_feed(chosen, self.base_url, title, self.title, lang, self.prefix))
            written += 2
        if self.edition == MAIN:  # the site's own files: an edition has none
            written += self.write_static(languages) + self.write_sitemap(newest)
        # The home pages last: they are where readers come in, so they link only to pages that exist.
        for lang in languages:
            written += self.write_home(lang, lists[lang], languages)
        return written

    def write_sitemap(self, listed: Sequence[Listed]) -> int:
        """sitemap.xml: the main site's pages (``listed`` its weeks) and every edition's."""
        newest = sorted(listed, key=lambda item: item.week, reverse=True)
        languages = list_languages(newest)
        about = [path for _, path in about_pages(languages)]
        replace_file(self.root / "sitemap.xml",
                     sitefeeds.sitemap(newest, self.base_url, languages, about, self.editions))
        return 1

    def write_front(self, listed: Sequence[Listed]) -> int:
        """What lists the editions: the home and about pages in each language, and the sitemap
        (an edition new to the site, or gone from it, changes them and nothing else of the main site)."""
        newest = sorted(listed, key=lambda item: item.week, reverse=True)
        languages = list_languages(newest)
        lists = self.with_excerpts(newest, languages)
        written = self.write_static(languages) + self.write_sitemap(newest)
        for lang in languages:
            written += self.write_home(lang, lists[lang], languages)
        return written

    def write_edition_lists(self, lang: str, listed: Sequence[Listed], years: Sequence[int]) -> int:
        """One language's year pages (each of ``years``) and archive: ``listed`` newest first, in it."""
        edition = self.home(lang)
        w = self.words(lang)
        title = self.title_in(lang)
        written = 0
        for year in years:
            page = self.root / edition / str(year) / "index.html"
            # As the archive lists them (``with_excerpts``): no week's edition read again for its excerpt.
            items = [item for item in listed if item.year == year]
            if not items:  # its last week (in this language) was taken off the site
                page.unlink(missing_ok=True)
                continue
            replace_file(page, self._page("site/year.html.j2", f"{edition}{year}/", lang, year=year,
                                          items=items, description=w["year_description"].format(
                                              title, year),
                                          og_title=f"{year} · {title}"))
            written += 1
        by_year: dict[int, list[Listed]] = {}
        for item in listed:
            by_year.setdefault(item.year, []).append(item)
        replace_file(self.root / edition / "archive" / "index.html",
                     self._page("site/archive.html.j2", f"{edition}archive/", lang,
                                years=sorted(by_year.items(), reverse=True),
                                description=w["archive_description"].format(title),
                                og_title=f"{w['archive']} · {title}"))
        return written + 1

    def write_home(self, lang: str, listed: Sequence[Listed], languages: Sequence[str]) -> int:
        """A language's front page: its latest bulletin, the ones before it, the way to the archive."""
        latest = self.article(listed[0].week) if listed else None
        description = latest.version(lang).description if latest else self.title_in(lang)
        earlier = list(listed[1:1 + HOME_LISTS])
        replace_file(self.root / self.home(lang) / "index.html",
                     self._page("site/home.html.j2", self.home(lang), lang, latest=latest,
                                earlier=earlier, description=description, og_title=self.title_in(lang),
                                og_type="website", **(self._card(latest, lang) if latest else {}),
                                alternates=self._alternates(self.prefix, languages)))
        return 1

    def with_excerpts(self, listed: Sequence[Listed], languages: Sequence[str]) -> dict[str, list[Listed]]:
        """``listed`` as each language's lists show it: the weeks written in that language, each
        with its headline there and its excerpt, for the archive.

        Reading every week's edition on every publish would grow with the
        archive; each excerpt (and a headline in another language than the
        default) is kept in EXCERPTS beside the site (not on it) once read,
        and replaced only by a week's own listing, which a publish or a
        rebuild reads from its edition anyway (a new or corrected week).
        """
        path = self.output / self.excerpts_name
        # A publish killed as it replaced the file left its temporary beside it (the run lock
        # says no other writer is at it now).
        for stray in self.output.glob(f".{self.excerpts_name}.*{PART}"):
            stray.unlink(missing_ok=True)
        try:
            kept = orjson.loads(path.read_bytes())  # UTF-8, as it is written below
        except (OSError, ValueError):
            kept = {}
        kept = kept if isinstance(kept, dict) else {}
        excerpts: dict[str, Any] = {}
        lists: dict[str, list[Listed]] = {}
        for lang in languages:
            lists[lang] = []
            for item in listed:
                if not item.written_in(lang):
                    continue
                key = _excerpt_key(item.week, lang)
                if item.excerpt or not _keeps(kept.get(key), lang):
                    # A week just read (published, corrected, rebuilt), or kept by none before
                    # (a site older than the file, or than its other languages).
                    own = self.article(item.week).listed(lang)
                    excerpts[key] = own.excerpt if lang == DEFAULT_LANG else [own.headline, own.excerpt]
                else:
                    excerpts[key] = kept[key]
                if lang == DEFAULT_LANG:
                    lists[lang].append(item.shown(item.headline, excerpts[key]))
                else:
                    lists[lang].append(item.shown(*excerpts[key]))
        if excerpts != kept:
            replace_file(path, (json.dumps(excerpts, ensure_ascii=False, indent=0) + "\n").encode())
        return lists

    @property
    def excerpts_name(self) -> str:
        return EXCERPTS if self.edition == MAIN else EXCERPTS.replace(".json", f".{self.edition}.json")

    def write_static(self, languages: Sequence[str]) -> int:
        """What does not depend on a week: the about page, the icons, robots.txt naming the sitemap.

        Each is written only when it changed, so publishing a week touches only
        the pages that list it. Returns how many were written.
        """
        wanted = {f"{path}index.html": self._page(
                      "site/about.html.j2", path, lang,
                      description=self.words(lang)["about_description"].format(self.title),
                      og_title=f"{self.words(lang)['about']} · {self.title}")
                  for lang, path in about_pages(languages)}
        wanted.update(static.files(self.base_url))
        written = 0
        for name, content in wanted.items():
            path = self.root / name
            if not path.is_file() or path.read_bytes() != content:
                replace_file(path, content)
                written += 1
        return written

    def sweep(self, folders: Sequence[Path] | None = None) -> None:
        """Remove the temporary files a killed build left in ``folders``, or anywhere in the site.

        A publish sweeps where a publish writes, not through a folder for every week of
        the archive; a rebuild, which writes everywhere, sweeps everywhere.
        """
        walked = os.walk(self.root / self.prefix) if folders is None else (
            (str(folder), [], os.listdir(folder)) for folder in folders if folder.is_dir())
        for folder, _, names in walked:
            for name in names:
                if name.startswith(".") and name.endswith(PART):
                    Path(folder, name).unlink(missing_ok=True)

    def week_folders(self, week: IsoWeek) -> list[Path]:
        """Where a week's pages are: its folder, and a folder in it for each other language."""
        folder = self.root / page_path(week, self.edition)
        return [folder, *(folder / lang for lang in LOCALES if lang != DEFAULT_LANG)]

    def lists_folders(self, years: Iterable[int]) -> list[Path]:
        """Where ``write_lists`` writes, in any language: each edition's home (with its feeds),
        archive and year pages, the about pages; the site's root holds the sitemap and icons."""
        editions = [self.root / self.home(lang) for lang in LOCALES]
        return [self.root, *editions, *(self.root / ABOUT / sitefeeds.folder(lang) for lang in LOCALES),
                *(edition / name for edition in editions for name in ("archive", *map(str, years)))]

    def _page(self, template: str, path: str, lang: str = DEFAULT_LANG, **context: Any) -> bytes:
        context.setdefault("og_type", "website")
        context.setdefault("image", "")
        context.setdefault("image_alt", "")  # what the social card's chart says, for who cannot see it
        context.setdefault("image_size", None)  # stated where it is the card drawn for previews
        context.setdefault("alternates", [])
        env = self.environment(lang)
        w = self.words(lang)
        root = "../" * path.count("/")
        # A page offers its own language's feed first, and the English one: a page
        # in a language exists only with a bulletin in it, whose build writes that feed.
        feeds = [link for one in dict.fromkeys((lang, DEFAULT_LANG))
                 for link in sitefeeds.links(self.feed_title(one), one, self.prefix)]
        # The reader's language goes to the subscribe page, which answers in it.
        subscribe_query = "" if lang == DEFAULT_LANG else f"?lang={lang}"
        page = env.get_template(template).render(
            site=self, root=root, canonical=self.base_url + path, lang=lang, tag=language_tag(lang),
            w=w, feeds=feeds, subscribe_query=subscribe_query, language_tag=language_tag,
            edition=sitefeeds.folder(lang), home=self.prefix, title=self.title_in(lang),
            followed=self.followed(lang), **context)
        return page.encode("utf-8")

    def environment(self, lang: str) -> jinja2.Environment:
        """The templates in ``lang``, each read once a build: a build takes seconds, and
        asking whether a template changed before each of thousands of pages is most of
        the time Jinja spends outside them."""
        locale = lang if lang in LOCALES else DEFAULT_LANG
        if locale not in self._environments:
            self._environments[locale] = environment(self.templates_dir, locale).overlay(auto_reload=False)
        return self._environments[locale]

    def words(self, lang: str) -> dict[str, str]:
        if lang not in self._words:
            module = self.environment(DEFAULT_LANG).get_template(WORDS).module
            words = module.words  # type: ignore[attr-defined]
            self._words[lang] = dict(words.get(lang, words[DEFAULT_LANG]))
        return dict(self._words[lang])

    def feed_title(self, lang: str) -> str:
        return self.words(lang)["feed_title"].format(self.title_in(lang))

    def followed(self, lang: str) -> list[dict[str, str]]:
        """The editions a main page lists, each at its home and feed in ``lang`` (or in the default
        language, where it has no page in ``lang``)."""
        found = []
        for edition in self.editions:
            here = edition.prefix + sitefeeds.folder(lang if edition.written_in(lang) else DEFAULT_LANG)
            found.append({"title": edition.title(lang), "path": here, "feed": here + "feed.xml"})
        return found

    def _card(self, article: Article, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        """The page's image for link previews: its language's card (1200 by 630), else the chart."""
        version = article.version(lang)
        if version.card:
            return {"image": f"{self.base_url}{article.path}{version.card}", "image_alt": version.card_alt,
                    "image_size": CARD_SIZE}
        # A raster image where there is one; the SVG serves only where there is no PNG.
        name = article.png(lang)
        return {"image": f"{self.base_url}{article.path}{name}" if name else "",
                "image_alt": version.chart_alt}

    def _alternates(self, path: str, languages: Sequence[str]) -> list[dict[str, str]]:
        """The page at ``path`` in each of ``languages`` (each at its folder under it), for hreflang
        links and the languages line; none when there is only one."""
        if len(languages) < 2:
            return []
        found = []
        for lang in languages:
            here = path + sitefeeds.folder(lang)
            found.append({"lang": language_tag(lang), "url": f"{self.base_url}{here}",
                          "name": language_name(lang), "path": here})
        found.append({"lang": "x-default", "url": f"{self.base_url}{path}", "name": "", "path": path})
        return found


@cache
def language_name(lang: str) -> str:
    """A language's name in itself ("中文"), as the languages line shows it."""
    from babel import Locale

    try:
        return Locale.parse(lang.replace("-", "_")).get_display_name(lang) or lang
    except (ValueError, LookupError):
        return lang


def about_pages(languages: Sequence[str]) -> list[tuple[str, str]]:
    """The about page in each language the site has bulletins in: about/, about/zh/."""
    return [(lang, ABOUT + sitefeeds.folder(lang)) for lang in languages]


def list_languages(listed: Sequence[Listed]) -> list[str]:
    """The editions the site has: English always; another language once a bulletin is written in it,
    with its own home page, archive, year pages and feeds."""
    return [DEFAULT_LANG, *(lang for lang in LOCALES
                            if lang != DEFAULT_LANG and any(item.written_in(lang) for item in listed))]


def _excerpt_key(week: IsoWeek, lang: str) -> str:
    # The default language's key is the week alone, as files kept before other languages say it.
    return str(week) if lang == DEFAULT_LANG else f"{week}/{lang}"


def _keeps(value: Any, lang: str) -> bool:
    """Whether ``value`` is what EXCERPTS keeps for a week in ``lang`` (a hand-edited or older file
    may hold anything)."""
    if lang == DEFAULT_LANG:
        return isinstance(value, str)
    return isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)


def edition_folders(root: Path) -> list[Path]:
    """The folders of editions on the site at ``root``: a slug's, with its feed in it."""
    with os.scandir(root) as entries:
        return [Path(entry.path) for entry in entries
                if entry.is_dir() and SLUG.fullmatch(entry.name) and not entry.name.isdigit()
                and entry.name not in LOCALES and (root / entry.name / "feed.xml").is_file()]


def merge(published: Sequence[Listed], item: Listed) -> list[Listed]:
    return [*(other for other in published if other.week != item.week), item]
