"""Load config.yaml into typed, frozen settings, reporting every problem at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bulletin.config import editions, parts, registry, yaml_bounds
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.config.countries import DEFAULT_COUNTRIES
from bulletin.config.defaults import DATABASE, DESCRIPTION, DESCRIPTION_ZH, TITLE
from bulletin.config.sections import METHODOLOGY, REVIEW, SITE, STORY
from bulletin.config.settings import Config, Review, StoryConfig
from bulletin.errors import ConfigError
from bulletin.model import DEFAULT_LOCALE, LOCALES, Methodology
from bulletin.model.publication import Publication


def load_config(path: Path) -> Config:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(["file not found (pass --config PATH)"], shown) from None
    except OSError as exc:
        raise ConfigError([f"cannot read: {exc.strerror}"], shown) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"],
                          shown) from None
    try:
        raw, _ = yaml_bounds.safe_load(text)
    except yaml_bounds.YamlBoundError as exc:
        raise ConfigError([str(exc)], shown) from None
    except yaml.reader.ReaderError as exc:
        raise ConfigError([yaml_bounds.reader_problem(exc)], shown) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError([f"{where}: {problem}"], shown) from None
    return parse_config(raw if raw is not None else {}, path)


def parse_config(raw: Any, path: Path) -> Config:
    problems = check.Problems()
    base_dir = path.resolve().parent
    if not isinstance(raw, dict):
        raise ConfigError(["expected a mapping of settings at the top level"], str(path))
    values = TOP.read(raw, "", problems, base_dir)
    output = values["output"] or base_dir / TOP.default("output")
    database = values["database"] or output / DATABASE
    # With an email list, every page invites readers to it (a site's subscribe_url wins).
    publishers = values["publish"]
    subscribe_page = next((p.subscribe_page for p in publishers if p.subscribe_page), "")
    # A target that names no title of its own goes under the publication's.
    publication = Publication(*(values[key] or "" for key in PUBLICATION))
    publishers = [p.inviting(subscribe_page).named(values["title"] or TITLE).presenting(publication)
                  for p in publishers]
    # Pages link to the site they are published on: without site.base_url,
    # the address of a `type: site` target serves.
    base_url = values["site"] or next((p.pages_url for p in publishers if p.pages_url), "")
    if problems:
        raise ConfigError(list(problems), str(path))
    return Config(path, values["title"], output, database, values["templates_dir"], tuple(values["sources"]),
                  values["methodology"], tuple(publishers), tuple(values["rules"]), values["story"],
                  tuple(dict.fromkeys(values["locales"])), values["review"], base_url, values["chart"],
                  publication, values["editions"], values["store"])


# The top-level keys that make the Publication, in its fields' order.
PUBLICATION = ("description", "description_zh", "publisher", "postal_address")


def default_rules() -> list[Any]:
    problems = check.Problems()
    rules = parts.rules(None, problems)
    assert not problems, problems
    return rules


# The readers of the top-level keys whose values are built (sources, a Methodology, ...).

def _read_sources(sources: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                  base_dir: Path) -> list[Any]:
    return parts.parts("sources", registry.SOURCES, raw.get("sources"), base_dir, problems, required=True)


def _read_publish(publish: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                  base_dir: Path) -> list[Any]:
    return parts.parts("publish", registry.PUBLISHERS, raw.get("publish", []), base_dir, problems)


def _read_rules(rules: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                base_dir: Path) -> list[Any]:
    return parts.rules(raw.get("rules"), problems)


def _read_methodology(methodology: option.Option, raw: dict[str, Any], where: str,
                      problems: check.Problems, base_dir: Path) -> Methodology:
    values = METHODOLOGY.read_section(raw.get("methodology", {}), "methodology", problems)
    if values is None:
        return Methodology(countries=DEFAULT_COUNTRIES)
    given = METHODOLOGY.filled(values)
    return Methodology(
        free_variants=given["free_variants"],
        materiality=given["materiality"],
        top_n=given["top_n"],
        exclude_authors=frozenset(given["exclude_authors"]),
        countries={**DEFAULT_COUNTRIES, **given["countries"]},
        lead_countries=given["lead_countries"],
    )


def _read_story(story: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                base_dir: Path) -> StoryConfig:
    values = STORY.read_section(raw.get("story", {}), "story", problems)
    return StoryConfig() if values is None else StoryConfig(**STORY.filled(values))


def _read_store(store: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                base_dir: Path) -> str:
    """A postgresql:// URL, or "" for the SQLite file; a password in it is refused (secrets stay out)."""
    url = check.string(raw, "store", "", problems)
    if url is None:
        return ""
    example = "postgresql://USER@HOST:PORT/DB"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as exc:
        problems.add("store", f"not a valid URL ({exc}); expected {example}")
        return ""
    if parts.scheme not in ("postgresql", "postgres"):
        problems.add("store", f"expected a PostgreSQL URL, {example}, not {url!r}")
    elif parts.password is not None:
        problems.add("store", "a password must not be written in the config: set PGPASSWORD, or use "
                              "~/.pgpass or a service file")
    elif not parts.path.strip("/") and "service=" not in parts.query:
        problems.add("store", f"the URL names no database; expected {example}")
    else:
        return url
    return ""


def _read_locales(locales: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                  base_dir: Path) -> list[str]:
    codes = check.string_list(raw, "locales", "", problems, default=list(locales.default))
    for code in codes or ():
        if code not in LOCALES:
            problems.add("locales", f"unknown locale {code!r} (known: {', '.join(LOCALES)})")
    return codes or list(locales.default)


def _read_review(review: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
                 base_dir: Path) -> Review:
    """``review: on_anomaly`` or ``review: {mode: on_anomaly, max_change_factor: 5, ...}``."""
    given = raw.get("review", Review.mode)
    if isinstance(given, str):
        # The bare mode is the review key's own value, and its problem is the key's.
        mode = replace(REVIEW["mode"], key="review").read({"review": given}, "", problems)
        return Review(mode or Review.mode)
    values = REVIEW.read_section(given, "review", problems)
    return Review() if values is None else Review(**REVIEW.filled(values))


def _read_site(site: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
               base_dir: Path) -> str:
    """site.base_url, ending with a slash; "" if not given."""
    section = raw.get("site", {})
    if section == {}:
        return ""
    values = SITE.read_section(section, "site", problems)
    url = values["base_url"] if values else ""
    return url.rstrip("/") + "/" if url else ""


TOP = option.schema(
    option.text("title", TITLE, "the publication's name, shown on the page"),
    option.text("description", DESCRIPTION, "one line under the name on every page and email: what the "
                "publication is and how often it comes"),
    option.text("description_zh", DESCRIPTION_ZH, "the same line on the Chinese edition's pages and emails"),
    option.text("publisher", None, "who is behind it: named on every page and in the email's footer",
                shown_default="none"),
    option.text("postal_address", None, "the publisher's postal address, in the email's footer (the law "
                "of many countries asks a newsletter for one)", shown_default="none"),
    option.path("output", "folder for the bulletins and the default database", default="output"),
    option.path("database", "the SQLite history", shown_default=f"`OUTPUT/{DATABASE}`"),
    option.custom("store", None, "a PostgreSQL database to keep the history in instead, "
                  "`postgresql://USER@HOST:PORT/DB` (`pip install 'bulletin[postgres]'`); the password "
                  "comes from `PGPASSWORD`, `~/.pgpass` or a service file, never from here", "URL",
                  _read_store, shown_default="none (the SQLite file)"),
    option.path("templates_dir", "a folder of templates that override the built-in ones by name",
                must_exist=True),
    option.custom("sources", None, "where the numbers come from: a list of `{name, type, ...}`, each type's "
                  "keys [below](#sources)", "list", _read_sources, shown_default="required"),
    option.custom("publish", None, "where a bulletin goes: a list of `{name, type, ...}`, each type's keys "
                  "[below](#publish)", "list", _read_publish, shown_default="`[]`"),
    replace(option.custom("methodology", None, "how the numbers are counted, below", "mapping",
                          _read_methodology, shown_default="`{}`"), nested=METHODOLOGY),
    option.custom("rules", None, "what the bulletin notices: a list of `{kind, ...parameters}`, each kind's "
                  "parameters [below](#rules)", "list", _read_rules, shown_default="the built-in list"),
    replace(option.custom("story", None, "how many events an article tells, below", "mapping", _read_story,
                          shown_default="`{}`"), nested=STORY),
    option.custom("locales", (DEFAULT_LOCALE,), "the languages each bulletin is written in: `en`, `zh` "
                  "(Simplified Chinese)", "list of text", _read_locales),
    replace(option.custom("review", None, "when a bulletin waits for an editor: a mode (`auto`, `on_anomaly` "
                          "or `always`) or a mapping, below", "mode or mapping", _read_review,
                          shown_default=f"`{REVIEW.default('mode')}`"), nested=REVIEW),
    replace(option.custom("site", None, "where the bulletins are published, below", "mapping", _read_site,
                          shown_default="`{}`"), nested=SITE),
    editions.OPTION,
    option.flag("chart", True, "draw the chart in each language (`chart.svg`, `chart-narrow.svg`, "
                "`chart.png`; `chart.zh.*` likewise); `false` draws none"),
)
