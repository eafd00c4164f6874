"""The configuration reference, written from the option declarations.

``python -m bulletin.config.reference --write`` rewrites docs/reference.md;
``--check`` exits 1 when the page differs from what the declarations give.
Sources, targets and rules are found as a config finds them (registry), so a
type that is installed is in the reference with its own options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bulletin.config import registry
from bulletin.config.load import TOP
from bulletin.config.options import Option, Schema

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference.md"
COMMAND = "python -m bulletin.config.reference --write"

INTRODUCTION = f"""# Configuration reference

<!-- Written by `{COMMAND}` from the options each part declares: edit those, not this page. -->

Every key `config.yaml` takes, with its type, its default and what it does.
How the file is read and checked is in [Configuration](configuration.md).
"""

# Each list of parts: its heading (and anchor), the key naming a part's class, and the group.
GROUPS = (
    ("Sources", "sources", "type", registry.SOURCES, "Each is `{name, type, ...}`; every source takes"),
    ("Publish", "publish", "type", registry.PUBLISHERS, "Each is `{name, type, ...}`; every target takes"),
    ("Rules", "rules", "kind", registry.RULES, "Each is `{kind, ...parameters}`, `kind` naming one of the "
     "kinds below; every rule takes"),
)


def page() -> str:
    sections = [INTRODUCTION, "## Top level\n", table(TOP)]
    for option in TOP:
        if option.nested is not None:
            sections += [f"### `{option.key}`\n", table(option.nested, prefix=option.key + ".")]
    for title, key, names_by, group, common in GROUPS:
        sections += _group(title, key, names_by, group, common)
    return "\n".join(sections)


def _group(title: str, key: str, names_by: str, group: str, common_words: str) -> list[str]:
    classes = {name: registry.load(group, name) for name in registry.names(group)}
    schemas = {name: _schema_of(cls) for name, cls in classes.items()}
    common = _common(list(schemas.values()))
    lines = [f"## {title}\n", f"The entries of `{key}:`. {common_words}:\n", table(common)]
    for name, schema in schemas.items():
        own = schema.without(*common.keys())
        lines.append(f"### `{names_by}: {name}`\n")
        lines.append(table(own) if own.options else "No keys of its own.\n")
        for option in own:
            if option.nested is not None:
                lines += [f"#### `{name}` `{option.key}`\n", table(option.nested, prefix=option.key + ".")]
    return lines


def _schema_of(cls: Any) -> Schema:
    """A source or target declares ``options``; a rule kind makes its own from its parameters."""
    return cls.options() if callable(cls.options) else cls.options


def _common(schemas: list[Schema]) -> Schema:
    """The options every schema of a group has, as the first declares them."""
    first = schemas[0]
    shared = set.intersection(*(schema.keys() for schema in schemas))
    return first.without(*(first.keys() - shared))


def table(schema: Schema, prefix: str = "") -> str:
    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    rows += [_row(option, prefix) for option in schema]
    return "\n".join(rows) + "\n"


def _row(option: Option, prefix: str) -> str:
    cells = (f"`{prefix}{option.key}`", option.type, option.shown(), option.help)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def main(argv: list[str]) -> int:
    written = page()
    target = Path(argv[1]) if len(argv) > 1 else PAGE
    if argv[:1] == ["--write"]:
        target.write_text(written, encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if argv[:1] == ["--check"]:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != written:
            print(f"{target} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
