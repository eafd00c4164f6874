"""Find sources and rules by the name the config gives them.

Built-ins are declared as entry points in pyproject.toml, exactly like a
third-party package would declare its own, so both are found the same way.
Only the entry points a config names are imported. A name is looked up in
bulletin's own metadata first, so that a config naming only built-ins (most
do) never reads every installed package's, and no package can take a
built-in's name.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, PackageNotFoundError, distribution, entry_points
from typing import Any

SOURCES = "bulletin.sources"
RULES = "bulletin.rules"
PUBLISHERS = "bulletin.publishers"


@cache
def _all() -> Any:
    # One look through the installed packages for every group: each look reads every
    # package's metadata, a few milliseconds of each run (benchmarks/bench_run.py).
    return entry_points()


@cache
def _group(group: str) -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in _all().select(group=group)}


@cache
def _own(group: str) -> dict[str, EntryPoint]:
    try:
        found = distribution("bulletin").entry_points.select(group=group)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return {}
    return {ep.name: ep for ep in found}


def names(group: str) -> list[str]:
    return sorted(_group(group) | _own(group))


def load(group: str, name: str) -> Any:
    """The class registered under ``name``; KeyError if there is none.

    An implementation whose optional dependency is missing raises ImportError,
    which callers report as "disabled because ..." rather than crashing.
    """
    return (_own(group).get(name) or _group(group)[name]).load()
