"""Load config.yaml into typed, frozen settings, reporting every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bulletin.config import registry, yaml_bounds
from bulletin.config import validation as check
from bulletin.config.countries import DEFAULT_COUNTRIES
from bulletin.config.defaults import DEFAULT_RULES, TITLE
from bulletin.config.settings import Config, Review, StoryConfig
from bulletin.errors import ConfigError
from bulletin.model import DEFAULT_LOCALE, LOCALES, Methodology

TOP_KEYS = {"title", "output", "database", "templates_dir", "sources", "publish", "methodology",
            "rules", "story", "locales", "review", "site", "chart"}
METHODOLOGY_KEYS = {"top_n", "exclude_authors", "countries", "lead_countries", "free_variants",
                    "materiality"}
FREE_VARIANTS = ("separate", "merge")
STORY_KEYS = {"max_events", "repeat_factor", "memory_weeks"}

REVIEW_KEYS = {"mode", "max_change_factor", "stale_after_days"}
REVIEW_MODES = ("auto", "on_anomaly", "always")


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
    top: dict[str, Any] = raw
    check.unknown_keys(top, TOP_KEYS, "", problems)

    title = check.string(top, "title", "", problems, default=TITLE) or TITLE
    output = check.path(top, "output", "", problems, base_dir) or base_dir / "output"
    database = check.path(top, "database", "", problems, base_dir) or output / "bulletin.db"
    templates_dir = check.path(top, "templates_dir", "", problems, base_dir, must_exist=True)
    sources = _parts("sources", registry.SOURCES, top.get("sources"), base_dir, problems,
                     required=True)
    publishers = _parts("publish", registry.PUBLISHERS, top.get("publish", []), base_dir, problems)
    # With an email list, every page invites readers to it (a site's subscribe_url wins).
    subscribe_page = next((p.subscribe_page for p in publishers if p.subscribe_page), "")
    publishers = [p.inviting(subscribe_page) for p in publishers]
    methodology = _methodology(top.get("methodology", {}), problems)
    rules = _rules(top.get("rules"), problems)
    story = _story(top.get("story", {}), problems)
    locales = check.string_list(top, "locales", "", problems, default=[DEFAULT_LOCALE])
    locales = locales or [DEFAULT_LOCALE]
    for code in locales:
        if code not in LOCALES:
            problems.add("locales", f"unknown locale {code!r} (known: {', '.join(LOCALES)})")
    review = _review(top.get("review", Review.mode), problems)
    # Pages link to the site they are published on: without site.base_url,
    # the address of a `type: site` target serves.
    base_url = _base_url(top.get("site", {}), problems) or next(
        (p.pages_url for p in publishers if p.pages_url), "")
    chart = top.get("chart", True)
    if not isinstance(chart, bool):
        problems.add("chart", "expected true or false")

    if problems:
        raise ConfigError(list(problems), str(path))
    return Config(path, title, output, database, templates_dir, tuple(sources), methodology,
                  tuple(publishers), tuple(rules), story, tuple(dict.fromkeys(locales)), review,
                  base_url, chart)


def default_rules() -> list[Any]:
    problems = check.Problems()
    rules = _rules(None, problems)
    assert not problems, problems
    return rules


def _plugin(group: str, entry: dict[str, Any], key: str, where: str,
            problems: check.Problems) -> Any:
    """The class registered under the name ``entry[key]`` gives, or None with the problem noted."""
    name = check.string(entry, key, where, problems, required=True)
    if name is None:
        return None
    try:
        return registry.load(group, name)
    except KeyError:
        known = ", ".join(registry.names(group)) or "none installed"
        problems.add(f"{where}.{key}", f"unknown {key} {name!r} (known: {known})")
    except ImportError as exc:
        problems.add(f"{where}.{key}", f"{name!r} is disabled because {exc}")
    return None


def _rules(raw: Any, problems: check.Problems) -> list[Any]:
    """Each ``{kind, ...parameters}`` entry of ``rules:`` built by the rule its kind names."""
    entries = list(DEFAULT_RULES) if raw is None else raw
    if not isinstance(entries, list):
        problems.add("rules", "expected a list of {kind, ...parameters}")
        return []
    rules = []
    for index, entry in enumerate(entries):
        where = f"rules[{index}]"
        if check.mapping(entry, where, problems) is None:
            continue
        rule_class = _plugin(registry.RULES, entry, "kind", where, problems)
        if rule_class is None:
            continue
        rule = rule_class.from_config(entry, where, problems)
        if rule is not None:
            rules.append(rule)
    return rules


def _story(raw: Any, problems: check.Problems) -> StoryConfig:
    where = "story"
    section = check.mapping(raw, where, problems)
    if section is None:
        return StoryConfig()
    check.unknown_keys(section, STORY_KEYS, where, problems)
    defaults = StoryConfig()
    max_events = check.integer(section, "max_events", where, problems, default=defaults.max_events)
    memory = check.integer(section, "memory_weeks", where, problems, default=defaults.memory_weeks,
                           minimum=0)
    factor = section.get("repeat_factor", defaults.repeat_factor)
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
        problems.add(f"{where}.repeat_factor", f"expected a number from 0 to 1, got {factor!r}")
        factor = defaults.repeat_factor
    return StoryConfig(max_events or defaults.max_events, float(factor),
                       defaults.memory_weeks if memory is None else memory)


def _review(raw: Any, problems: check.Problems) -> Review:
    """``review: on_anomaly`` or ``review: {mode: on_anomaly, max_change_factor: 5, ...}``."""
    section: dict[str, Any] | None = {"mode": raw} if isinstance(raw, str) else check.mapping(
        raw, "review", problems)
    if section is None:
        return Review()
    where = "review" if isinstance(raw, dict) else ""
    check.unknown_keys(section, REVIEW_KEYS, "review", problems)
    defaults = Review()
    mode = section.get("mode", defaults.mode)
    if mode not in REVIEW_MODES:
        problems.add(f"{where}.mode" if where else "review",
                     f"expected one of {', '.join(REVIEW_MODES)}, not {mode!r}")
        mode = defaults.mode
    factor = section.get("max_change_factor", defaults.max_change_factor)
    # A chained comparison is False for NaN, so NaN and infinities are refused too.
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 1 < factor < 1e9:
        problems.add("review.max_change_factor", "expected a number above 1, e.g. 5")
        factor = defaults.max_change_factor
    days = check.integer(section, "stale_after_days", "review", problems,
                         default=defaults.stale_after_days)
    return Review(mode, float(factor), days if days is not None else defaults.stale_after_days)


def _base_url(raw: Any, problems: check.Problems) -> str:
    section = check.mapping(raw, "site", problems)
    if not section:
        return ""
    url = check.url(section, "base_url", "site", problems)
    return (url or "").rstrip("/") + "/" if url else ""


def _parts(key: str, group: str, raw: Any, base_dir: Path, problems: check.Problems,
           required: bool = False) -> list[Any]:
    """Build each ``{name, type, ...}`` entry of a list with the class its type names."""
    if raw is None and required:
        problems.add(key, "required: a list of {name, type, ...}")
        return []
    if not isinstance(raw, list):
        problems.add(key, "expected a list of {name, type, ...}")
        return []
    parts: list[Any] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{key}[{index}]"
        if check.mapping(entry, where, problems) is None:
            continue
        part_class = _plugin(group, entry, "type", where, problems)
        if part_class is None:
            continue
        part = part_class.from_config(entry, where, base_dir, problems)
        if part is None:
            continue
        if part.name in seen:
            problems.add(f"{where}.name", f"duplicate name {part.name!r}")
        seen.add(part.name)
        parts.append(part)
    return parts


def _methodology(raw: Any, problems: check.Problems) -> Methodology:
    where = "methodology"
    section = check.mapping(raw, where, problems)
    if section is None:
        return Methodology(countries=DEFAULT_COUNTRIES)
    check.unknown_keys(section, METHODOLOGY_KEYS, where, problems)
    defaults = Methodology()
    top_n = check.integer(section, "top_n", where, problems, default=defaults.top_n) or defaults.top_n
    excluded = check.string_list(section, "exclude_authors", where, problems,
                                 default=sorted(defaults.exclude_authors))
    countries = dict(DEFAULT_COUNTRIES)
    countries.update(_country_map(section.get("countries", {}), f"{where}.countries", problems))
    lead = check.string_list(section, "lead_countries", where, problems,
                             default=list(defaults.lead_countries))
    if lead is not None:
        if len(lead) != 2 or lead[0] == lead[1]:
            problems.add(f"{where}.lead_countries", "expected two different country codes, e.g. [CN, US]")
            lead = None
        else:
            for code in lead:
                if not _is_country(code):
                    problems.add(f"{where}.lead_countries", f"{code!r} is not an ISO 3166 country code")
                    lead = None
    free = check.string(section, "free_variants", where, problems, default=defaults.free_variants)
    if free is not None and free not in FREE_VARIANTS:
        problems.add(f"{where}.free_variants", f"{free!r} is neither separate nor merge")
        free = None
    materiality = check.number(section, "materiality", where, problems, default=defaults.materiality)
    if materiality is not None and materiality >= 1:
        problems.add(f"{where}.materiality", f"a share of a total, below 1 (0.01 is 1%); got {materiality}")
        materiality = None
    return Methodology(
        free_variants=free or defaults.free_variants,
        materiality=materiality or defaults.materiality,
        top_n=top_n,
        exclude_authors=frozenset(excluded or defaults.exclude_authors),
        countries=countries,
        lead_countries=(lead[0], lead[1]) if lead else defaults.lead_countries,
    )


def _country_map(raw: Any, where: str, problems: check.Problems) -> dict[str, str | None]:
    """Entries given in the config are laid over the built-in map; null un-maps an author."""
    section = check.mapping(raw, where, problems)
    if section is None:
        return {}
    result: dict[str, str | None] = {}
    for author, code in section.items():
        if code is not None and not (isinstance(code, str) and _is_country(code)):
            problems.add(f"{where}.{author}", f"{code!r} is not an ISO 3166 country code (e.g. CN, US, FR)")
            continue
        result[str(author)] = code
    return result


def _is_country(code: str) -> bool:
    from babel import Locale

    return len(code) == 2 and code.isupper() and code in Locale("en").territories
