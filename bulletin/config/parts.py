"""The lists of config.yaml built by classes a name picks: ``sources:``, ``publish:``, ``rules:``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulletin.config import registry
from bulletin.config import validation as check
from bulletin.config.defaults import DEFAULT_RULES


def plugin(group: str, entry: dict[str, Any], key: str, where: str, problems: check.Problems) -> Any:
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


def rules(raw: Any, problems: check.Problems) -> list[Any]:
    """Each ``{kind, ...parameters}`` entry of ``rules:`` built by the rule its kind names."""
    entries = list(DEFAULT_RULES) if raw is None else raw
    if not isinstance(entries, list):
        problems.add("rules", "expected a list of {kind, ...parameters}")
        return []
    built = []
    for index, entry in enumerate(entries):
        where = f"rules[{index}]"
        if check.mapping(entry, where, problems) is None:
            continue
        rule_class = plugin(registry.RULES, entry, "kind", where, problems)
        if rule_class is None:
            continue
        rule = rule_class.from_config(entry, where, problems)
        if rule is not None:
            built.append(rule)
    return built


def parts(key: str, group: str, raw: Any, base_dir: Path, problems: check.Problems,
          required: bool = False) -> list[Any]:
    """Build each ``{name, type, ...}`` entry of a list with the class its type names."""
    if raw is None and required:
        problems.add(key, "required: a list of {name, type, ...}")
        return []
    if not isinstance(raw, list):
        problems.add(key, "expected a list of {name, type, ...}")
        return []
    built: list[Any] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{key}[{index}]"
        if check.mapping(entry, where, problems) is None:
            continue
        part_class = plugin(group, entry, "type", where, problems)
        if part_class is None:
            continue
        part = part_class.from_config(entry, where, base_dir, problems)
        if part is None:
            continue
        if part.name in seen:
            problems.add(f"{where}.name", f"duplicate name {part.name!r}")
        seen.add(part.name)
        built.append(part)
    return built
