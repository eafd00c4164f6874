"""Editions: the week told for one subject, a developer or a country, beside the main bulletin.

The config names editions (``{name: deepseek, developer: deepseek}``) or a
generator (``{per: developer, top: 20}``) that makes one for each developer
among a week's top models; the main bulletin is the edition named ``main``.
An edition's name is a slug: the site serves it at ``/<name>/`` and readers
choose it by that name.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bulletin.records import record

MAIN = "main"  # the main bulletin, as an edition: what a reader gets who chose nothing else

# A slug: lower-case letters, digits and single hyphens, as a path segment and in a form.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_NAME = 40

# Paths of the site's own, and the web service's, that an edition's /<name>/ must not take;
# a year (2026/) is refused by its form (all digits).
RESERVED = frozenset({
    MAIN, "zh", "en", "archive", "about", "feed", "feeds", "sitemap", "robots", "static", "assets",
    "icons", "editions", "subscribe", "unsubscribe", "confirm", "preferences", "desk", "names",
    "webhooks", "bulletins", "outbox", "search", "tags", "index",
})


class Per(StrEnum):
    """What a generator makes an edition for."""

    DEVELOPER = "developer"


class SubjectKind(StrEnum):
    DEVELOPER = "developer"  # a model maker: the leaderboard's author slug (deepseek)
    COUNTRY = "country"  # an ISO 3166 code (CN): the models of its developers


@record
class Subject:
    kind: SubjectKind
    key: str  # the author slug or the country code


@record
class Edition:
    """One edition of a week: its name (a slug), its titles and what it is about."""

    name: str
    title: str  # may hold {name}: the subject's name in the language, filled by the render stage
    subject: Subject
    title_zh: str = ""  # the Chinese title; without one, the English title's pattern
    generated: bool = False  # made by a generator for the week, not named in the config


@record
class EditionGenerator:
    """``{per: developer, top: N}``: an edition for each developer counted among a week's top N models."""

    per: Per
    top: int
    title: str = "{name} on OpenRouter"
    title_zh: str = "OpenRouter上的{name}"


def slug_of(key: str) -> str:
    """A subject's key as an edition's name: ``x-ai`` stays, ``Meta_Llama`` is ``meta-llama``."""
    return "-".join(part for part in re.split(r"[^a-z0-9]+", key.lower()) if part)


def name_problem(name: str) -> str:
    """What is wrong with an edition's name, or "" where it is fine."""
    if not SLUG.fullmatch(name):
        return f"{name!r} is not a slug (lower-case letters, digits and hyphens, e.g. deepseek)"
    if len(name) > MAX_NAME:
        return f"{name!r} is longer than {MAX_NAME} characters"
    if name.isdigit():
        return f"{name!r} would take the site's path of a year"
    if name in RESERVED:
        return f"{name!r} is taken by the site's own pages ({', '.join(sorted(RESERVED))})"
    return ""
