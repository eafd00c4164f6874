"""YAML read within bounds: the config and the figures file are the editor's, but not trusted blindly.

Aliases are allowed (an editor may reuse a block), yet a document whose
aliases expand past ``MAX_VALUES`` values is refused before anything is
built from it: nine levels of nine aliases each ("billion laughs") are a few
hundred bytes of YAML and billions of values once an error message prints
them. A key written twice in one mapping is refused by name: YAML keeps the
last silently, so a second ``output:`` would move the history to a new store
without a word. Nesting deeper than ``MAX_DEPTH`` and aliases that contain themselves
are refused too; PyYAML would recurse into them without end.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_VALUES = 100_000
MAX_DEPTH = 60


class YamlBoundError(ValueError):
    """The document is valid YAML but too big or too deep to read; the message says which."""


def compose(text: str) -> yaml.Node | None:
    """The document's node graph, checked; raise yaml.YAMLError or YamlBoundError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise YamlBoundError(f"nested deeper than {MAX_DEPTH} levels") from None
    if node is not None:
        _size(node, 0, {}, set())
    return node


def safe_load(text: str) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node graph (for line numbers), within the bounds."""
    node = compose(text)
    if node is None:
        return None, None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def reader_problem(error: yaml.reader.ReaderError) -> str:
    """PyYAML's refusal of a character, in one line that says where."""
    char = error.character
    code = ord(char) if isinstance(char, str) else int(char)
    return f"character {error.position + 1}: U+{code:04X} is not allowed in YAML (a control character?)"


def _size(node: yaml.Node, depth: int, sizes: dict[int, int], open_: set[int]) -> int:
    """How many values ``node`` stands for once its aliases are expanded."""
    if depth > MAX_DEPTH:
        raise YamlBoundError(f"nested deeper than {MAX_DEPTH} levels")
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise YamlBoundError(f"line {node.start_mark.line + 1}: an alias refers to itself")
    open_.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_size(child, depth + 1, sizes, open_) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        _no_repeated_key(node)
        total += sum(_size(k, depth + 1, sizes, open_) + _size(v, depth + 1, sizes, open_)
                     for k, v in node.value)
    open_.discard(key)
    if total > MAX_VALUES:
        raise YamlBoundError(f"expands to more than {MAX_VALUES:,} values (aliases repeating "
                             "aliases?); write the values out instead")
    sizes[key] = total
    return total


def _no_repeated_key(node: yaml.MappingNode) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            raise YamlBoundError(f"line {line}: the key {key.value!r} is given twice "
                                 f"(first on line {seen[key.value]}); keep one")
        seen[key.value] = line
