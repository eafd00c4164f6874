"""Turn a Story into the article's files with Jinja templates.

Every sentence lives in templates/; this module only supplies data, number
filters and the Markdown-to-HTML step. StrictUndefined makes a missing value
an error instead of a silent gap in a published sentence.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3

from bulletin import numbers
from bulletin.errors import RenderError
from bulletin.model import Artifact, Event, Story

# Tags the article's HTML may keep after Markdown conversion; anything else
# (a <script> smuggled in through a model name, say) is dropped.
ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr",
                "li", "ol", "p", "strong", "sup", "sub", "table", "tbody", "td", "th", "thead",
                "tr", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align", "style"}, "th": {"align", "style"},
                      "abbr": {"title"}}


def default_templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


@cache
def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    folders = [str(templates_dir)] if templates_dir else []
    folders.append(str(default_templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: name is not None and ".html" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        tokens=numbers.tokens,
        tokens_in=numbers.tokens_in,
        signed_percent=numbers.signed_percent,
        percent=numbers.percent,
        rough_percent=numbers.rough_percent,
        multiple=numbers.multiple,
        ordinal=numbers.ordinal,
        count_words=numbers.count_words,
        long_date=numbers.long_date,
        month_day=numbers.month_day,
        territory=_territory,
    )
    return env


def _territory(code: str) -> str:
    from babel import Locale

    return Locale.parse(numbers.LOCALE).territories.get(code, code)


def render_story(story: Story, title: str, templates_dir: Path | None = None) -> list[Artifact]:
    env = environment(templates_dir)
    try:
        headline = _render(env, "headline.txt.j2", story=story).strip()
        article = _render(env, "article.md.j2", story=story, headline=headline, title=title)
        body = _to_html(article)
        page = _render(env, "page.html.j2", story=story, headline=headline, title=title,
                       body=jinja2.utils.markupsafe.Markup(body),
                       description=_lede_text(env, story))
    except jinja2.TemplateError as exc:
        raise RenderError(f"{_where(exc, env)}: {exc.message or exc}") from None
    return [
        Artifact("markdown", "bulletin.md", "text/markdown; charset=utf-8", article),
        Artifact("html", "bulletin.html", "text/html; charset=utf-8", page),
        Artifact("json", "bulletin.json", "application/json",
                 json.dumps(story_data(story, headline), indent=2, ensure_ascii=False) + "\n"),
    ]


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


def _to_html(article: str) -> str:
    html = markdown.markdown(article, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def _lede_text(env: jinja2.Environment, story: Story) -> str:
    """The first paragraph as plain text, for the page's description."""
    if story.lead is None:
        return ""
    module = env.get_template(f"events/{story.lead.kind}.md.j2").module
    text = str(module.paragraph(story.lead, story))  # type: ignore[attr-defined]
    return nh3.clean(markdown.markdown(text), tags=set()).strip()


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
        "notes": [dict(note) for note in story.notes],
        "sources": [asdict(credit) for credit in story.credits],
        "provenance": {key: dict(value) for key, value in story.provenance.items()},
    }


def event_data(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "score": round(event.score, 2), "subjects": list(event.subjects),
            "novelty": event.novelty, "facts": dict(event.facts), "evidence": list(event.evidence)}
