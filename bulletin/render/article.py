"""Turn a Story into the article's files with Jinja templates, in each language.

Every sentence lives in templates/ (templates/zh/ for Chinese); this module
only supplies data, number filters, the phrasing choice and the
Markdown-to-HTML step. StrictUndefined makes a missing value an error instead
of a silent gap in a published sentence.
"""

from __future__ import annotations

import html
import logging
import os
import re
import traceback
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import jinja2
import orjson
from markupsafe import Markup

from bulletin import __version__
from bulletin.errors import RenderError
from bulletin.model import Artifact, Event, Methodology, Story, event_data
from bulletin.model.editions import MAIN, Edition, EditionGenerator, SubjectKind
from bulletin.model.edits import NO_EDITS, Edit, Edits
from bulletin.model.facts import ForecastFacts
from bulletin.model.markup import markdown_to_html, markdown_to_text
from bulletin.model.publication import Publication
from bulletin.records import record
from bulletin.render import (
    card,
    chart,
    claims,
    correction_notes,
    escape,
    moves,
    numbers_zh,
    phrasing,
    rendered,
)
from bulletin.render.chart import Drawn
from bulletin.render.plaintext import html_to_plain
from bulletin.render.raster import Batch
from bulletin.story import quantities
from bulletin.story.compose import biggest_move, sources_used
from bulletin.weeks import IsoWeek

if TYPE_CHECKING:
    from bulletin.render.correction_notes import Rendered
from bulletin.render.correction_notes import Notes

log = logging.getLogger("bulletin")

FORMATS: dict[str, ModuleType] = claims.FORMATS
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
# Placeholder in email.html and email.txt; the mailer puts each subscriber's link here.
UNSUBSCRIBE = "__UNSUBSCRIBE_URL__"
PREFERENCES = "__PREFERENCES_URL__"  # ... and their link to choose editions and language
CHART_SIZE = chart.CHART_SIZE  # each drawing states its own; this serves where there is none
EMAIL_CHART = (600, 390)  # the chart in the email's 640-pixel column, less its padding (in proportion)


DEFAULT_MATERIALITY = Methodology.materiality  # a story composed before it was recorded

@record
class Settings:
    title: str
    templates_dir: Path | None = None
    locales: tuple[str, ...] = ("en",)
    base_url: str = ""  # with a trailing slash
    chart: bool = True
    folder: Path | None = None  # the bulletin's folder: an unchanged chart there is reused
    publication: Publication = Publication()  # what it is and who is behind it, in the email
    edition: Edition | None = None  # an edition's article (edition.md.j2); None: the main bulletin


def default_templates_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"  # where the wheel puts them
    return packaged if packaged.is_dir() else package.parent / "templates"


@cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs: compiling them is most of a run's rendering.

    Jinja checks each entry against its template's source, so an edited
    template is compiled again. The folder is per bulletin and Jinja version,
    because compiled code depends on both (and on the environment's options,
    which are the same for every environment made here).
    """
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = root / "bulletin" / f"templates-{__version__}-jinja{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time
    return jinja2.FileSystemBytecodeCache(str(folder))


@cache
def environment(templates_dir: Path | None = None, locale: str = "en") -> jinja2.Environment:
    folders = [str(templates_dir)] if templates_dir else []
    folders.append(str(default_templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        # Data is text, never markup: render/escape.py says what each kind of template does.
        # (a string, which Jinja treats as true and keeps in the eval context; typed as bool)
        autoescape=cast("Callable[[str | None], bool]", escape.autoescape),
        finalize=escape.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    fmt = FORMATS[locale]
    env.filters.update(
        tokens=fmt.tokens,
        tokens_in=fmt.tokens_in,
        table_unit=fmt.table_unit,
        in_unit=fmt.in_unit,
        signed_percent=fmt.signed_percent,
        percent=fmt.percent,
        rough_percent=fmt.rough_percent,
        multiple=fmt.multiple,
        times=fmt.times,
        date_range=fmt.date_range,
        model_name=fmt.model_name,
        change=fmt.change,
        ordinal=fmt.ordinal,
        a_ordinal=fmt.a_ordinal,
        a=fmt.article,
        count_words=fmt.count_words,
        long_date=fmt.long_date,
        month_day=fmt.month_day,
        iso_week=fmt.iso_week,
        territory=lambda code: territory(code, locale),
        short_territory=lambda code: territory(code, locale, short=True),
        model_count=quantities.model_count,
        subject_zh=numbers_zh.subject_name,
        flat=lambda change: change is not None and abs(change) < env.globals.get(
            "materiality", DEFAULT_MATERIALITY),
        with_note=numbers_zh.with_note,
    )
    # A top model's move by half or more, told wherever a list names it (compose.big_move).
    env.filters["biggest_move"] = biggest_move
    # An edition's subject is a country (CN) or a developer (deepseek): each is named its own way.
    env.tests["country"] = is_country_code
    return env


def is_country_code(key: object) -> bool:
    return isinstance(key, str) and len(key) == 2 and key.isupper()


# A table's column is a phone's third: CLDR's short forms where the name is long ("United States").
SHORT_TERRITORIES = {"en": {"US": "US", "GB": "UK", "AE": "UAE"}}


def territory(code: str, locale: str = "en", short: bool = False) -> str:
    from babel import Locale

    if short and code in SHORT_TERRITORIES.get(locale, {}):
        return SHORT_TERRITORIES[locale][code]
    return Locale.parse(locale).territories.get(code, code)


def _email_links(settings: Settings, locale: str, week_url: str, source: Any) -> dict[str, Any]:
    """Where the email leads beyond itself: the week in the other languages, every bulletin (the
    language's archive on the site), and the data's source; none of the first two without a site."""
    def folder(lang: str) -> str:
        return "" if lang == rendered.DEFAULT_LOCALE else f"{lang}/"

    editions = [(other, HTML_LANG[other], week_url + folder(other))
                for other in settings.locales if other != locale] if week_url else []
    archive_url = f"{settings.base_url}{folder(locale)}archive/" if settings.base_url else ""
    return {"editions": editions, "archive_url": archive_url, "source": source}


def prefix(locale: str) -> str:
    """Where a language's templates live: templates/ for English, templates/zh/ for Chinese."""
    return "" if locale == rendered.DEFAULT_LOCALE else f"{locale}/"


@record
class Rendering:
    """A week's files as render made them, before anything is written."""

    artifacts: tuple[Artifact, ...]
    headline: str  # in the first of the locales
    data: rendered.BulletinData  # what bulletin.json holds
    left_out: tuple[str, ...] = ()  # chart files not drawn this time: an earlier run's must not serve
    unused: tuple[Edit, ...] = ()  # editors' changes to paragraphs the story no longer writes

    def texts(self) -> dict[str, str]:
        """Every text file, by name."""
        return {a.filename: a.content for a in self.artifacts if isinstance(a.content, str)}


def render_story(story: Story, settings: Settings) -> list[Artifact]:
    """The week's files, in every language (see ``render_week``)."""
    return list(render_week(story, settings).artifacts)


def render_week(story: Story, settings: Settings, notes: Notes | None = None, edits: Edits = NO_EDITS,
                drawing: Drawing | None = None) -> Rendering:
    """The week's files; ``notes``: the corrections its page and email carry (correction_notes.py),
    ``edits``: editors' changes to its paragraphs' wording (model/edits.py), ``drawing``: its chart,
    started earlier (``start_chart``)."""
    return draft_week(story, settings, notes, edits, drawing).finish()


def draft_week(story: Story, settings: Settings, notes: Notes | None = None, edits: Edits = NO_EDITS,
               drawing: Drawing | None = None) -> Draft:
    """The week's articles written, its chart perhaps still being drawn: ``finish()`` waits for it.

    A week's editions are drafted one after another while their charts are drawn, and finished
    after: none waits for its chart while there are articles still to write.
    """
    notes = notes or correction_notes.NO_NOTES
    # Started first: the chart's PNG is drawn in another process while the articles are written.
    drawn = (drawing or start_chart(story, settings)).drawn
    try:
        artifacts, articles, texts, quoted, cards = _articles(story, settings, drawn, notes, edits)
        numbers = claims.trace(story, texts, settings.title, quoted)
    except BaseException:
        if drawn:
            drawn.cancel()  # no drawing left running for a bulletin that will not be written
        raise
    return Draft(story, settings, notes, edits, drawn, artifacts, articles, quoted, cards, numbers)


@record
class Draft:
    """A week's articles as ``draft_week`` wrote them, waiting for their chart."""

    story: Story
    settings: Settings
    notes: Notes
    edits: Edits
    drawn: Drawn | None
    artifacts: list[Artifact]
    articles: dict[str, rendered.ArticleData]
    quoted: list[claims.Quoted]
    cards: dict[str, rendered.CardData]
    numbers: dict[str, Any]

    def texts(self) -> dict[str, str]:
        """Every text file, by name (what the claim check reads)."""
        return {a.filename: a.content for a in self.artifacts if isinstance(a.content, str)}

    def cancel(self) -> None:
        if self.drawn:
            self.drawn.cancel()

    def finish(self) -> Rendering:
        return _finish(self)


def _finish(draft: Draft) -> Rendering:
    story, settings, notes, edits, drawn = draft.story, draft.settings, draft.notes, draft.edits, draft.drawn
    artifacts, articles, quoted, cards, numbers = (list(draft.artifacts), draft.articles, draft.quoted,
                                                   draft.cards, draft.numbers)
    charts = drawn.artifacts() if drawn else []
    data = rendered.BulletinData(
        **story_data(story, articles[settings.locales[0]]["headline"]), articles=articles,
        numbers=numbers, chart={"key": drawn.keys if drawn else {}, "files": [a.filename for a in charts]})
    if cards:
        data["cards"] = cards
    if settings.edition:
        data["edition"] = edition_data(settings.edition, {locale: a["title"] for locale, a in articles.items()
                                                          if "title" in a})
    if quoted:
        data["corrections"] = correction_notes.data_of(notes, quoted)
        data["updated_at"] = correction_notes.updated_at(notes) or data["generated_at"]
    artifacts.extend(charts)
    # orjson writes what json.dumps(indent=2, ensure_ascii=False) does, in a tenth of the time.
    artifacts.append(Artifact("json", rendered.DATA,
                              orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"))
    unused = tuple(edit for locale in settings.locales
                   for edit in edits.unused(locale, [p["generated"] for p in articles[locale]["paragraphs"]]))
    return Rendering(tuple(artifacts), data["headline"], data, drawn.left_out if drawn else (), unused)


def _articles(story: Story, settings: Settings, drawn: Drawn | None, notes: Notes, edits: Edits) -> tuple[
        list[Artifact], dict[str, rendered.ArticleData], dict[str, str], list[claims.Quoted],
        dict[str, rendered.CardData]]:
    """Each language's files, what bulletin.json says of them, each article's text, the old
    figures its correction notes quote, and the social cards being drawn."""
    artifacts: list[Artifact] = []
    articles: dict[str, rendered.ArticleData] = {}
    texts: dict[str, str] = {}
    quoted: list[claims.Quoted] = []
    cards: dict[str, rendered.CardData] = {}
    for locale in settings.locales:
        env = environment(settings.templates_dir, locale)
        # Below it a change is flat in every sentence, as in the rules (methodology.materiality).
        env.globals["materiality"] = story.methodology.get("materiality", DEFAULT_MATERIALITY)
        try:
            shown = correction_notes.render(env, prefix(locale), locale, notes)
            files, headline, paragraphs, card_data = _render_locale(env, story, settings, locale, drawn,
                                                                    shown, edits)
        except jinja2.TemplateError as exc:
            raise RenderError(f"{_where(exc, env)}: {exc.message or exc}") from None
        artifacts.extend(files)
        texts[locale] = str(files[0].content)
        articles[locale] = {"headline": headline, "files": [a.filename for a in files],
                            "paragraphs": paragraphs}
        if settings.edition:
            articles[locale]["title"] = edition_title(env, settings.edition, locale)
        quoted.extend(shown.quoted)
        if card_data:
            cards[locale] = card_data
    return artifacts, articles, texts, quoted, cards


@record
class Drawing:
    """A story's chart being drawn, or None where it has none."""

    drawn: Drawn | None


def start_chart(story: Story, settings: Settings, batch: Batch | None = None) -> Drawing:
    """Start drawing the story's chart; with ``batch``, its PNGs are drawn with other stories' (the
    editions of a week), by the batch's processes once it is launched."""
    return Drawing(_chart(story, settings, batch) if settings.chart and story.trend else None)


def _chart(story: Story, settings: Settings, batch: Batch | None = None) -> Drawn:
    """The chart in every language; its words come from each language's chart.txt.j2."""
    found = chart.finding(story)
    credit = next((c for c in story.credits if c.name == story.stats.source), None)
    words = {}
    for locale in settings.locales:
        env, name = environment(settings.templates_dir, locale), f"{prefix(locale)}chart.txt.j2"
        try:
            weeks = [escape.plain(_call(env, name, "week", IsoWeek.parse(week).sunday))
                     for week, *_ in max(story.trend.values(), key=len)]
            words[locale] = chart.Words(
                escape.plain(_call(env, name, "title", found)),
                escape.plain(_call(env, name, "subtitle", story)),
                escape.plain(_call(env, name, "source", credit)) if credit else "",
                {code: escape.plain(_call(env, name, "name", code)) for code in story.trend}, weeks)
        except jinja2.TemplateError as exc:
            raise RenderError(f"{_where(exc, env)}: {exc.message or exc}") from None
    return chart.draw(story, words, settings.folder, batch)


def _render_locale(env: jinja2.Environment, story: Story, settings: Settings, locale: str,
                   drawn: Drawn | None, notes: Rendered | None = None, edits: Edits = NO_EDITS
                   ) -> tuple[list[Artifact], str, list[rendered.Paragraph], rendered.CardData | None]:
    """The language's four files, its headline, its news paragraphs (as generated and as written)
    and its social card (being drawn)."""
    pre = prefix(locale)
    events = [e for e in story.events if _has_template(env, pre, e.kind, locale)
              and _has_subject(e, locale)]
    modules = [env.get_template(f"{pre}events/{e.kind}.md.j2").module for e in events]
    counts = {str(e.kind): len(phrasing.names(m, "paragraph")) for e, m in zip(events, modules, strict=True)}
    picks = phrasing.choose(str(story.week), [str(e.kind) for e in events], counts)
    generated = [_call(env, f"{pre}events/{e.kind}.md.j2", phrasing.names(m, "paragraph")[i], e, story)
                 for e, m, i in zip(events, modules, picks, strict=True)]
    # An editor's wording is Markdown as the generated paragraph is (checked by the pipeline: no
    # link, image or HTML), and goes into every format as the generated one would.
    paragraphs = [Markup(text) for text in edits.apply(locale, [str(p) for p in generated])]
    edited_by = edits.editors(locale, [str(p) for p in generated])
    headline = _headline(env, pre, story, events, modules)
    if settings.edition:
        headline = _naming(env, settings.edition, locale, headline)
    # The canonical page is the week's permanent page on the site (2026/w11/,
    # other languages below it), which the site builder writes.
    name = settings.edition.name if settings.edition else MAIN
    week_url = f"{settings.base_url}{rendered.page_path(story.week, name)}" if settings.base_url else ""
    page_url = week_url + ("" if locale == rendered.DEFAULT_LOCALE else f"{locale}/") if week_url else ""
    # One line: English lines of the template start with their own space, Chinese need none.
    has_chart = drawn is not None
    svg_name = rendered.chart_name(locale)
    # Its own PNG, or the default language's where its own could not be drawn with words.
    png_name = rendered.chart_name(drawn.png_locale(locale) if drawn else locale, png=True)
    # The alt text names each week as the chart's axis does, by its last day, not "W19".
    sundays = {week: IsoWeek.parse(week).sunday for points in story.trend.values() for week, *_ in points}
    chart_alt = "".join(_render(env, f"{pre}chart_alt.txt.j2", story=story, sundays=sundays,
                                finding=chart.finding(story)).splitlines()).strip() if has_chart else ""
    # Started as soon as its words are known: it is drawn while the rest is written. Only for a
    # page on the site: a link preview needs the image's address, and nothing else shows it.
    # An edition's link preview is its chart: a card is a 1200-pixel PNG, most of an edition's time.
    card_data = (_card(env, story, settings, locale, escape.plain(headline), chart_alt, drawn)
                 if drawn and page_url and not settings.edition else None)
    card_url = f"{week_url}{card_data['file']}" if card_data and page_url else ""
    # A language credits only what its article shows: a figure left out of it is not a source of it.
    used = sources_used(story.stats.source, events)
    credits = [credit for credit in story.credits if credit.name in used]
    # The week's moves under the lede, less those the paragraphs (as edited) already tell.
    moved = [] if settings.edition else moves.moves(
        story.stats, [str(p) for p in paragraphs], locale,
        story.methodology.get("materiality", DEFAULT_MATERIALITY),
        claims.names(story, settings.title))
    common = {"story": story, "headline": headline, "title": settings.title, "locale": locale,
              "moves": moved,
              "tagline": settings.publication.describe(locale), "publication": settings.publication,
              "paragraphs": paragraphs, "events": events, "credits": credits,
              "chart_alt": chart_alt, "unsubscribe_url": UNSUBSCRIBE, "preferences_url": PREFERENCES,
              "corrections": notes.paragraphs if notes else (), "edited_by": edited_by}
    template = f"{pre}article.md.j2"
    if settings.edition:
        common["edition"] = {"name": settings.edition.name, "subject": settings.edition.subject,
                             "title": edition_title(env, settings.edition, locale)}
        template = f"{pre}edition.md.j2"
    article = _render(env, template, **common, chart_src=svg_name if has_chart else "", with_disclosure=True)
    disclosure = markdown_to_html(_render(env, f"{pre}disclosure.md.j2", story=story, events=events,
                                          credits=credits, edited_by=edited_by))
    body = markdown_to_html(_render(env, template, **common,
                            chart_src=svg_name if has_chart else "", with_disclosure=False))
    html_common = common | {"lang": HTML_LANG[locale], "disclosure": _markup(disclosure),
                            "headline": escape.plain(headline),
                            "description": markdown_to_text(paragraphs[0]) if paragraphs
                            else escape.plain(headline)}
    page = _render(env, f"{pre}page.html.j2", **html_common, body=_markup(body), page_url=page_url,
                   image_url=card_url or (f"{week_url}{png_name}" if has_chart and page_url else ""),
                   image_alt=card_data["alt"] if card_url and card_data else chart_alt,
                   image_size=card.SIZE if card_url else None,
                   chart_size=drawn.size(locale) if drawn else CHART_SIZE)
    # The email shows its language's PNG (drawn for it, type readable on a phone): linked on
    # the site, or (no site) carried inside the message by the mailer.
    png = f"{week_url}{png_name}" if week_url else png_name
    email_size = drawn.email_size(locale) if drawn else EMAIL_CHART
    # Mail clients show PNG, not SVG, and Outlook sizes an image by its attributes only;
    # the body is otherwise the page's.
    email_body = body.replace(f'src="{svg_name}"',
                              f'width="{email_size[0]}" height="{email_size[1]}" src="{html.escape(png)}"')
    if drawn and week_url:
        email_body = _dark_chart(email_body, png, week_url + rendered.chart_name(drawn.png_locale(locale),
                                                                                 dark=True))
    if notes and notes.notice:
        email_body += notes.notice  # earlier weeks' corrections: this email is the next one readers get
    links = _email_links(settings, locale, week_url,
                         next((c for c in credits if c.name == story.stats.source and c.url), None))
    email_html = _inline(_render(env, f"{pre}email.html.j2", **html_common, body=_markup(email_body),
                                 page_url=page_url, **links))
    # The text part is the HTML part's words, so the two cannot say different things.
    email_txt = _render(env, f"{pre}email.txt.j2", **common, page_url=page_url,
                        text=html_to_plain(email_body + disclosure), **links)
    return [
        Artifact("markdown", rendered.article_name(locale), article),
        Artifact("html", rendered.page_name(locale), page),
        Artifact("email-html", rendered.email_html_name(locale), email_html),
        Artifact("email-text", rendered.email_text_name(locale), email_txt),
    ], escape.plain(headline), [{"generated": str(g), "text": str(p)}
                                for g, p in zip(generated, paragraphs, strict=True)], card_data


def edition_title(env: jinja2.Environment, edition: Edition, locale: str) -> str:
    """An edition's title in a language: its pattern with the subject's name there (``{name}``).

    A Chinese page without a Chinese title of the config's gets the generator's pattern, so that
    no English title heads a Chinese page.
    """
    pattern = edition.title
    if locale != rendered.DEFAULT_LOCALE:
        pattern = edition.title_zh or EditionGenerator.title_zh
    if "{name}" not in pattern:
        return pattern
    subject = edition.subject
    macro = "author" if subject.kind == SubjectKind.DEVELOPER else (
        "Country" if locale == rendered.DEFAULT_LOCALE else "country")
    name = escape.plain(_call(env, f"{prefix(locale)}_words.j2", macro, subject.key))
    if subject.kind == SubjectKind.COUNTRY and locale == "zh":
        name += "AI模型"  # "OpenRouter上的中国AI模型": a country's models, not the country
    return pattern.replace("{name}", name)


def edition_data(edition: Edition, titles: dict[str, str]) -> rendered.EditionData:
    """What bulletin.json says of an edition: which it is, its title in each language, its subject."""
    return {"name": edition.name, "titles": titles, "generated": edition.generated,
            "subject": {"kind": str(edition.subject.kind), "key": edition.subject.key}}


def _naming(env: jinja2.Environment, edition: Edition, locale: str, headline: Markup) -> Markup:
    """An edition's headline names its subject: one led by news of its model ("Chinese models take
    the top three places") is put under the subject's name, as a kicker."""
    subject = edition.subject
    macro = "author" if subject.kind == SubjectKind.DEVELOPER else (
        "Country" if locale == rendered.DEFAULT_LOCALE else "country")
    name = _call(env, f"{prefix(locale)}_words.j2", macro, subject.key)
    if str(name) in escape.plain(headline):
        return headline
    return Markup("{}{}{}").format(name, ": " if locale == rendered.DEFAULT_LOCALE else "：", headline)


def _dark_chart(body: str, png: str, dark: str) -> str:
    """The email's chart as a <picture> whose source for a client set to dark is the same chart in the
    dark colours: Apple's mail apps and others that honour the media query take it, and the rest
    show the light PNG (its own white card, legible on either background). Linked on the site only:
    a message carries one image inside itself."""
    tag = re.search(f'<img [^>]*src="{re.escape(html.escape(png))}"[^>]*>', body)
    if tag is None:
        return body
    source = (f'<source media="(prefers-color-scheme: dark)" srcset="{html.escape(dark)}" '
              'type="image/svg+xml">')
    return body.replace(tag[0], f"<picture>{source}{tag[0]}</picture>", 1)


def _card(env: jinja2.Environment, story: Story, settings: Settings, locale: str, headline: str,
          chart_alt: str, drawn: Drawn) -> rendered.CardData | None:
    """Start drawing the language's social card; its file and alt text, or None where its script
    has no face here (then its pages' cards show the chart, as they did before)."""
    said = drawn.words.get(locale)
    if said is None:
        return None
    name = f"{prefix(locale)}card.txt.j2"
    dateline = str(_call(env, name, "date", story.week))
    words = card.CardWords(escape.clean(settings.title), headline, dateline, said.title,
                           str(_call(env, name, "unit")), said.names)
    file = rendered.card_name(locale)
    # Drawn in this process while it waits for the chart's: a process of its own cost more to start.
    if not drawn.draw_png(file, card.svg(story, words, locale), locale, zoom=1, here=True):
        return None
    alt = _call(env, name, "alt", words.publication, headline, dateline, chart_alt)
    return {"file": file, "alt": str(alt)}


def _has_template(env: jinja2.Environment, pre: str, kind: str, locale: str) -> bool:
    """New event kinds may arrive with English words only; the other languages leave them out."""
    try:
        env.get_template(f"{pre}events/{kind}.md.j2")
    except jinja2.TemplateNotFound:
        log.warning("no %s wording for %s events (templates/%sevents/%s.md.j2); "
                    "left out of that language's article", locale, kind, pre, kind)
        return False
    return True


def _has_subject(event: Event, locale: str) -> bool:
    """A figure's story is told in Chinese only with its subject in Chinese, never quoted in English."""
    facts = event.facts
    if locale != "zh" or not isinstance(facts, ForecastFacts):
        return True
    if numbers_zh.subject_name(facts.subject, facts.subject_zh):
        return True
    log.warning("no Chinese subject for the figure %r (%s); left out of the Chinese article: "
                "give it a subject_zh in the figures file", facts.subject, facts.organisation)
    return False


def _headline(env: jinja2.Environment, pre: str, story: Story, events: list[Event],
              modules: list[Any]) -> Markup:
    if not events:
        # Its words come from the events' Markdown macros: Markdown, like the rest.
        return Markup(_render(env, f"{pre}headline.txt.j2", story=story).strip())
    lead, module = events[0], modules[0]
    options = phrasing.names(module, "headline")
    pick = options[phrasing.start(str(story.week), lead.kind, len(options))]
    return Markup(" ").join(_call(env, f"{pre}events/{lead.kind}.md.j2", pick, lead).split())


# Macros are called through a template, not from Python, so that an error
# inside one is reported at its template's line rather than compiled code's.
_CALL = "{% import name as kind %}{{ kind[macro](*args) }}"


def _call(env: jinja2.Environment, name: str, macro: str, *args: Any) -> Markup:
    # A macro's Markdown, its data already escaped: Markup, so that no template escapes it again.
    return Markup(_caller(env).render(name=name, macro=macro, args=args).strip())


@cache
def _caller(env: jinja2.Environment) -> jinja2.Template:
    """The calling template, compiled once per environment: compiling it cost more than the call."""
    return env.from_string(_CALL)


def _inline(html: str) -> str:
    """Mail clients drop <style> blocks; every rule goes onto its elements."""
    import css_inline

    return css_inline.inline(html)


def _markup(html: str) -> Markup:
    return Markup(html)


def headline_of(story: Story, templates_dir: Path | None = None) -> str:
    """Only the headline, for a backtest that writes no article."""
    env = environment(templates_dir)
    try:
        return escape.plain(_render(env, "headline.txt.j2", story=story).strip())
    except jinja2.TemplateError as exc:
        raise RenderError(f"{_where(exc, env)}: {exc.message or exc}") from None


def _where(exc: jinja2.TemplateError, env: jinja2.Environment) -> str:
    """The template and line a failure happened at, as the editor knows them."""
    name, line = getattr(exc, "name", None), getattr(exc, "lineno", None)
    if name is None:
        # Runtime errors (an undefined value) carry no location of their own;
        # Jinja rewrites the traceback so that template frames point at the file.
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    if name is None:
        return "template"
    for folder in getattr(env.loader, "searchpath", []):
        if Path(name).is_relative_to(folder):
            name = Path(name).relative_to(folder).as_posix()
    return f"{name}:{line}" if line else name


def _render(env: jinja2.Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)


def story_data(story: Story, headline: str) -> rendered.StoryData:
    """Everything behind the article, for bulletin.json: events, totals, sources."""
    stats = story.stats
    return {
        "week": str(story.week),
        "week_start": story.week.monday.isoformat(),
        "week_end": story.week.sunday.isoformat(),
        "complete": stats.complete,
        "headline": headline,
        "generated_at": story.generated_at.isoformat(),
        "methodology": dict(story.methodology),
        "events": [event_data(event) for event in story.events],
        "other_events": [event_data(event) for event in story.detected
                         if event not in story.events],
        "countries": [asdict(total) | {"change": total.change} for total in stats.countries],
        "models": [asdict(row) | {"change": row.change} for row in stats.models],
        "trend": {code: [{"week": week, "tokens": tokens} for week, tokens, _ in points]
                  for code, points in story.trend.items()},
        "notes": [dict(note) for note in story.notes],
        "sources": [asdict(credit) for credit in story.credits],
        "provenance": {key: dict(value) for key, value in story.provenance.items()},
    }


