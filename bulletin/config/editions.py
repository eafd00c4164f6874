"""The ``editions:`` list: named editions and generators, checked as the rest of the config is.

    editions:
      - {name: deepseek, title: "DeepSeek on OpenRouter", developer: deepseek}
      - {name: china, title: "China's AI models on OpenRouter", country: CN}
      - {per: developer, top: 20}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.config.sections import is_country
from bulletin.model.editions import Edition, EditionGenerator, Per, Subject, SubjectKind, name_problem

NAMED = {"name", "title", "title_zh", "developer", "country"}
GENERATOR = {"per", "top", "title", "title_zh"}


def read(editions: option.Option, raw: dict[str, Any], where: str, problems: check.Problems,
         base_dir: Path) -> tuple[Edition | EditionGenerator, ...]:
    given = raw.get("editions")
    if given is None:
        return ()
    if not isinstance(given, list):
        problems.add("editions", "expected a list of editions, e.g. [{name: deepseek, developer: deepseek}]")
        return ()
    found: list[Edition | EditionGenerator] = []
    for index, item in enumerate(given):
        at = f"editions[{index}]"
        entry = check.mapping(item, at, problems)
        if entry is None:
            continue
        read_one = _generator if "per" in entry else _named
        edition = read_one(entry, at, problems)
        if edition is not None:
            found.append(edition)
    names = [e.name for e in found if isinstance(e, Edition)]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add("editions", f"two editions are named {name!r}")
    if sum(isinstance(e, EditionGenerator) for e in found) > 1:
        problems.add("editions", "more than one generator ({per: developer, ...}); keep one")
    return tuple(found)


def _named(entry: dict[str, Any], at: str, problems: check.Problems) -> Edition | None:
    before = len(problems)
    check.unknown_keys(entry, NAMED, at, problems)
    name = check.string(entry, "name", at, problems, required=True)
    title = check.string(entry, "title", at, problems, required=True)
    title_zh = check.string(entry, "title_zh", at, problems, default="")
    developer = check.string(entry, "developer", at, problems)
    country = check.string(entry, "country", at, problems)
    if name is not None and (problem := name_problem(name)):
        problems.add(f"{at}.name", problem)
    if (developer is None) == (country is None):
        problems.add(at, "give one of developer (an author slug, e.g. deepseek) or country "
                         "(an ISO 3166 code, e.g. CN)")
    if country is not None and not is_country(country):
        problems.add(f"{at}.country", f"{country!r} is not an ISO 3166 country code (e.g. CN, US)")
    if len(problems) > before or name is None or title is None:
        return None
    subject = (Subject(SubjectKind.DEVELOPER, developer) if developer is not None
               else Subject(SubjectKind.COUNTRY, str(country)))
    return Edition(name, title, subject, title_zh or "")


def _generator(entry: dict[str, Any], at: str, problems: check.Problems) -> EditionGenerator | None:
    before = len(problems)
    check.unknown_keys(entry, GENERATOR, at, problems)
    per = check.string(entry, "per", at, problems)
    if per is not None and per not in tuple(Per):
        problems.add(f"{at}.per", f"{per!r}: editions are made per {', '.join(Per)}")
    top = check.integer(entry, "top", at, problems, default=10)
    title = check.string(entry, "title", at, problems, default=EditionGenerator.title)
    title_zh = check.string(entry, "title_zh", at, problems, default=EditionGenerator.title_zh)
    for key, pattern in (("title", title), ("title_zh", title_zh)):
        if pattern is not None and "{name}" not in pattern:
            problems.add(f"{at}.{key}", "must hold {name}, where the developer's name goes")
    if len(problems) > before or per is None or top is None or title is None or title_zh is None:
        return None
    return EditionGenerator(Per(per), top, title, title_zh)


OPTION = option.custom(
    "editions", (), "bulletins for one developer or country beside the main one: a list of "
    "`{name, title, developer}` or `{name, title, country}`, and `{per: developer, top: N}` for one "
    "per developer among a week's top N models ([editions](editions.md))", "list", read,
    shown_default="`[]`")
