"""Turn a Story into the article's files with Jinja templates, in each language.

Every sentence lives in templates/ (templates/zh/ for Chinese); this module
only supplies data, number filters, the phrasing choice and the
Markdown-to-HTML step. StrictUndefined makes a missing value an error instead
of a silent gap in a published sentence.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import traceback
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import markdown
import nh3

from bulletin import __version__
from bulletin.errors import RenderError
from bulletin.model import Artifact, Event, Story, event_data
from bulletin.publish.site.pages import page_path
from bulletin.render import claims, phrasing

log = logging.getLogger("bulletin")

# Tags the article's HTML may keep after Markdown conversion; anything else
# (a <script> smuggled in through a model name, say) is dropped.
ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "img",
                "li", "ol", "p", "strong", "sup", "sub", "table", "tbody", "td", "th", "thead",
                "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align", "style"}, "th": {"align", "style"},
                      "abbr": {"title"}, "img": {"src", "alt", "width", "height"}}
FORMATS: dict[str, ModuleType] = claims.FORMATS
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
# Placeholder in email.html and email.txt; the mailer puts each subscriber's link here.
UNSUBSCRIBE = "__UNSUBSCRIBE_URL__"
CHART_SIZE = (720, 360)  # pixels, as chart.py draws it


@dataclass(frozen=True)
class Settings:
    title: str
    templates_dir: Path | None = None
    locales: tuple[str, ...] = ("en",)
    base_url: str = ""  # with a trailing slash
    chart: bool = True
    folder: Path | None = None  # the bulletin's folder: an unchanged chart there is reused


def _chart_key(story: Story) -> str:
    """What the chart shows; the same key means the same picture."""
    from bulletin.render.chart import VERSION

    trend = {code: [point[:2] for point in points] for code, points in story.trend.items()}
    shown = [VERSION, str(story.week), trend,
             [(row.name, row.tokens, row.country) for row in story.stats.top(5)]]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def _reused_chart(folder: Path, key: str) -> list[Artifact]:
    """Drawing costs more than the rest of rendering; a rerun on the same data reuses it."""
    try:
        previous = json.loads((folder / "bulletin.json").read_text(encoding="utf-8"))
        if previous.get("chart", {}).get("key") != key:
            return []
        return [Artifact("chart-svg", "chart.svg", "image/svg+xml",
                         (folder / "chart.svg").read_text(encoding="utf-8")),
                Artifact("chart-png", "chart.png", "image/png", (folder / "chart.png").read_bytes())]
    except (OSError, ValueError, AttributeError):
        return []


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
        autoescape=lambda name: name is not None and ".html" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    fmt = FORMATS[locale]
    env.filters.update(
        tokens=fmt.tokens,
        tokens_in=fmt.tokens_in,
        signed_percent=fmt.signed_percent,
        percent=fmt.percent,
        rough_percent=fmt.rough_percent,
        multiple=fmt.multiple,
        ordinal=fmt.ordinal,
        count_words=fmt.count_words,
        long_date=fmt.long_date,
        month_day=fmt.month_day,
        iso_week=fmt.iso_week,
        territory=lambda code: territory(code, locale),
    )
    return env


def territory(code: str, locale: str = "en") -> str:
    from babel import Locale

    return Locale.parse(locale).territories.get(code, code)


def prefix(locale: str) -> str:
    """Where a language's templates live: templates/ for English, templates/zh/ for Chinese."""
    return "" if locale == "en" else f"{locale}/"


def suffix(locale: str) -> str:
    """bulletin.md for English, bulletin.zh.md for Chinese."""
    return "" if locale == "en" else f".{locale}"


def render_story(story: Story, settings: Settings) -> list[Artifact]:
    charts: list[Artifact] = []
    chart_key = ""
    if settings.chart and story.trend:
        chart_key = _chart_key(story)
        charts = _reused_chart(settings.folder, chart_key) if settings.folder else []
        if not charts:
            from bulletin.render.chart import draw

            charts = draw(story)
    artifacts: list[Artifact] = []
    articles: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}
    for locale in settings.locales:
        env = environment(settings.templates_dir, locale)
        try:
            files, headline = _render_locale(env, story, settings, locale, bool(charts))
        except jinja2.TemplateError as exc:
            raise RenderError(f"{_where(exc, env)}: {exc.message or exc}") from None
        artifacts.extend(files)
        texts[locale] = str(files[0].content)
        articles[locale] = {"headline": headline, "files": [a.filename for a in files]}
    data = story_data(story, articles[settings.locales[0]]["headline"]) | {
        "articles": articles, "numbers": claims.trace(story, texts, settings.title),
        "chart": {"key": chart_key, "files": [a.filename for a in charts]}}
    artifacts.extend(charts)
    artifacts.append(Artifact("json", "bulletin.json", "application/json",
                              json.dumps(data, indent=2, ensure_ascii=False) + "\n"))
    return artifacts


def _render_locale(env: jinja2.Environment, story: Story, settings: Settings, locale: str,
                   chart: bool) -> tuple[list[Artifact], str]:
    pre, end = prefix(locale), suffix(locale)
    events = [e for e in story.events if _has_template(env, pre, e.kind, locale)]
    modules = [env.get_template(f"{pre}events/{e.kind}.md.j2").module for e in events]
    counts = {e.kind: len(phrasing.names(m, "paragraph")) for e, m in zip(events, modules, strict=True)}
    picks = phrasing.choose(str(story.week), [e.kind for e in events], counts)
    paragraphs = [_call(env, f"{pre}events/{e.kind}.md.j2", phrasing.names(m, "paragraph")[i], e, story)
                  for e, m, i in zip(events, modules, picks, strict=True)]
    headline = _headline(env, pre, story, events, modules)
    # The canonical page is the week's permanent page on the site (issue's
    # /2026/w11/ layout, other languages below it), which the site builder writes.
    week_url = f"{settings.base_url}{page_path(str(story.week))}" if settings.base_url else ""
    page_url = week_url + ("" if locale == "en" else f"{locale}/") if week_url else ""
    # One line: English lines of the template start with their own space, Chinese need none.
    chart_alt = "".join(_render(env, f"{pre}chart_alt.txt.j2", story=story).splitlines()).strip() \
        if chart else ""
    common = {"story": story, "headline": headline, "title": settings.title, "locale": locale,
              "paragraphs": paragraphs, "chart_alt": chart_alt, "unsubscribe_url": UNSUBSCRIBE}
    article = _render(env, f"{pre}article.md.j2", **common, chart_src="chart.svg" if chart else "",
                      with_disclosure=True)
    disclosure = _to_html(_render(env, f"{pre}disclosure.md.j2", story=story))
    body = _to_html(_render(env, f"{pre}article.md.j2", **common,
                            chart_src="chart.svg" if chart else "", with_disclosure=False))
    html_common = common | {"lang": HTML_LANG[locale], "disclosure": _markup(disclosure),
                            "description": _plain(paragraphs[0]) if paragraphs else headline}
    page = _render(env, f"{pre}page.html.j2", **html_common, body=_markup(body), page_url=page_url,
                   image_url=f"{week_url}chart.png" if chart and page_url else "",
                   chart_size=CHART_SIZE)
    png = f"{week_url}chart.png" if week_url else "chart.png"
    # Mail clients show PNG, not SVG; the body is otherwise the page's.
    email_body = body.replace('src="chart.svg"', f'src="{html.escape(png)}"')
    email_html = _inline(_render(env, f"{pre}email.html.j2", **html_common, body=_markup(email_body)))
    email_txt = _render(env, f"{pre}email.txt.j2", **common)
    return [
        Artifact("markdown", f"bulletin{end}.md", "text/markdown; charset=utf-8", article),
        Artifact("html", f"bulletin{end}.html", "text/html; charset=utf-8", page),
        Artifact("email-html", f"email{end}.html", "text/html; charset=utf-8", email_html),
        Artifact("email-text", f"email{end}.txt", "text/plain; charset=utf-8", email_txt),
    ], headline


def _has_template(env: jinja2.Environment, pre: str, kind: str, locale: str) -> bool:
    """New event kinds may arrive with English words only; the other languages leave them out."""
    try:
        env.get_template(f"{pre}events/{kind}.md.j2")
    except jinja2.TemplateNotFound:
        log.warning("no %s wording for %s events (templates/%sevents/%s.md.j2); "
                    "left out of that language's article", locale, kind, pre, kind)
        return False
    return True


def _headline(env: jinja2.Environment, pre: str, story: Story, events: list[Event],
              modules: list[Any]) -> str:
    if not events:
        return _render(env, f"{pre}headline.txt.j2", story=story).strip()
    lead, module = events[0], modules[0]
    options = phrasing.names(module, "headline")
    pick = options[phrasing.start(str(story.week), lead.kind, len(options))]
    return " ".join(_call(env, f"{pre}events/{lead.kind}.md.j2", pick, lead).split())


# Macros are called through a template, not from Python, so that an error
# inside one is reported at its template's line rather than compiled code's.
_CALL = "{% import name as kind %}{{ kind[macro](*args) }}"


def _call(env: jinja2.Environment, name: str, macro: str, *args: Any) -> str:
    return env.from_string(_CALL).render(name=name, macro=macro, args=args).strip()


def _inline(html: str) -> str:
    """Mail clients drop <style> blocks; every rule goes onto its elements."""
    import css_inline

    return css_inline.inline(html)


def _markup(html: str) -> jinja2.utils.markupsafe.Markup:
    return jinja2.utils.markupsafe.Markup(html)


def headline_of(story: Story, templates_dir: Path | None = None) -> str:
    """Only the headline, for a backtest that writes no article."""
    env = environment(templates_dir)
    try:
        return _render(env, "headline.txt.j2", story=story).strip()
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


@cache
def _markdown() -> markdown.Markdown:
    # Building a converter loads its extensions; one, reset between texts, is enough.
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def _to_html(article: str) -> str:
    html = _markdown().reset().convert(article)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def _plain(paragraph: str) -> str:
    return nh3.clean(_markdown().reset().convert(paragraph), tags=set()).strip()


def story_data(story: Story, headline: str) -> dict[str, Any]:
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


