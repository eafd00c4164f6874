"""The package's shape: one folder per stage, and imports that only ever point one way."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bulletin"
# From the top down: a module imports only its own stage's and those below it.
ORDER = ("cli", "serve", "desk", "pipeline", "publish", "render", "corrections", "story", "collect", "store",
         "config", "model")
SAME = {"desk": "serve"}  # the two web apps, the public one and the editors', are one stage
STAGES = set(ORDER) - {"model"}
# Below the stages: the records they hand one another (model/ holds each event kind's facts).
BASE = {"model"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imported(node: ast.AST) -> Iterator[str]:
    """Every bulletin module an import statement names, inside functions too.

    Imports under ``if TYPE_CHECKING:`` are for the type checker only and never run.
    """
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield from imported(other)
            continue
        if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            for alias in child.names:
                submodule = f"{child.module}.{alias.name}"
                yield submodule if submodule in MODULES else child.module
        elif isinstance(child, ast.Import):
            yield from (alias.name for alias in child.names)
        yield from imported(child)


def dependencies(name: str) -> set[str]:
    """The modules importing ``name`` runs: each one named, and the packages above it."""
    found = set()
    for target in imported(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        parts = target.split(".")
        found.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return {module for module in found if module in MODULES and module != name}


def cycle_from(start: str, graph: dict[str, set[str]]) -> list[str]:
    """A chain of imports from ``start`` back to itself, or [] when there is none."""
    path: list[str] = []
    seen: set[str] = set()

    def walk(name: str) -> bool:
        path.append(name)
        for nxt in sorted(graph[name]):
            if nxt == start:
                path.append(nxt)
                return True
            if nxt not in seen:
                seen.add(nxt)
                if walk(nxt):
                    return True
        path.pop()
        return False

    return path if walk(start) else []


def test_the_top_level_shows_the_stages_and_at_most_ten_modules() -> None:
    folders = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert folders == STAGES | BASE
    assert len(modules) <= 10, modules


def test_no_module_imports_itself_through_others() -> None:
    graph = {name: dependencies(name) for name in MODULES}
    cycles = [" -> ".join(found) for name in sorted(graph) if (found := cycle_from(name, graph))]
    assert cycles == []


def level(module: str) -> int:
    """How far down the stages a module sits.

    ``weeks``, ``clock``, ``errors`` and ``records`` sit below them all; the other top-level
    modules (``__main__``, and the plugin names ``bulletin.rules``,
    ``bulletin.sources``, ``bulletin.publishers``) above them all.
    """
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ORDER:
        return ORDER.index(SAME.get(parts[1], parts[1]))
    return len(ORDER) if parts[-1] in ("weeks", "clock", "errors", "records") else -1


def test_every_import_points_down_the_stages() -> None:
    upward = [f"{name} -> {target}" for name in sorted(MODULES) for target in sorted(dependencies(name))
              if level(target) < level(name) and target != "bulletin"]
    assert upward == []


def test_plugins_find_the_base_classes_where_they_always_were() -> None:
    from bulletin.collect.source import Source
    from bulletin.publish.publisher import Publisher
    from bulletin.publishers import Publisher as OldPublisher
    from bulletin.rules import Rule as OldRule
    from bulletin.sources import Source as OldSource
    from bulletin.story.rules import Rule

    assert (OldSource, OldRule, OldPublisher) == (Source, Rule, Publisher)
