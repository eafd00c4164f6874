"""``type: csv`` — leaderboard rows an editor keeps in a spreadsheet.

Columns: ``model`` (permaslug) and ``tokens`` (whole number), and either
``week`` (``2026-W11``) or ``date`` (a UTC day, summed into ISO weeks later);
optionally ``name`` (display name) and ``rank``. Other columns are ignored.
The whole file is checked before anything is kept: one bad row and the file
contributes nothing.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from bulletin.collect.bounds import name_problem, tokens_problem, whole_number
from bulletin.collect.source import CollectContext, Source
from bulletin.config import validation as check
from bulletin.errors import CollectError
from bulletin.model import Collected, ModelName, Observation
from bulletin.weeks import IsoWeek

_PERMASLUG = re.compile(r"[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._:+-]*", re.ASCII)
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class CsvLeaderboard(Source):
    type: ClassVar[str] = "csv"
    leaderboard: ClassVar[bool] = True
    keys: ClassVar[set[str]] = {"path", "url"}

    path: Path = Path()
    source_url: str = ""

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> CsvLeaderboard | None:
        common = cls.common(raw, where, problems)
        path = check.path(raw, "path", where, problems, base_dir, required=True, must_exist=True)
        url = check.url(raw, "url", where, problems)
        if path is None:
            return None
        return cls(path=path, source_url=url or "", **common)

    @property
    def url(self) -> str:
        return self.source_url

    def collect(self, context: CollectContext | None = None) -> Collected:
        fetched_at = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        observations, names = read_leaderboard(self.path, self.name, self.source_url,
                                               fetched_at.isoformat(timespec="seconds"))
        return Collected(self.name, tuple(observations), tuple(names))


def read_leaderboard(path: Path, source: str, url: str, fetched_at: str
                     ) -> tuple[list[Observation], list[ModelName]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            # Row by row: a file of millions of rows is never held as text and cells at once.
            return _read_rows(path, csv.reader(handle), source, url, fetched_at)
    except OSError as exc:
        raise CollectError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        # The error's offset is into a block the reader had, not into the file: not said.
        raise CollectError(f"{path}: not UTF-8 text (save the file as UTF-8)") from None
    except csv.Error as exc:
        raise CollectError(f"{path}: not a CSV file: {exc}") from None


def _read_rows(path: Path, reader: Iterator[list[str]], source: str, url: str, fetched_at: str
               ) -> tuple[list[Observation], list[ModelName]]:
    first = next(reader, None)
    if first is None:
        raise CollectError(f"{path}: empty file, expected a header row")

    header = [cell.strip().lower() for cell in first]
    columns = {name: index for index, name in enumerate(header)}
    missing = [name for name in ("model", "tokens") if name not in columns]
    if "week" not in columns and "date" not in columns:
        missing.append("week or date")
    if missing:
        raise CollectError(f"{path}:1: missing column {', '.join(missing)} "
                           f"(header is: {', '.join(header)[:200]})")
    if "week" in columns and "date" in columns:
        raise CollectError(f"{path}:1: has both a week and a date column; use one")
    period_column = "week" if "week" in columns else "date"

    observations: list[Observation] = []
    names: list[ModelName] = []
    first_seen: dict[str, dict[str, int]] = {}  # period -> model -> the line it was on
    last = reader.line_num  # type: ignore[attr-defined]
    for row in reader:
        # A quoted cell may run over lines: a row is named by the line it starts on.
        line, last = last + 1, reader.line_num  # type: ignore[attr-defined]
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CollectError(f"{path}:{line}: has {len(row)} fields, the header has {len(header)}")
        cell = {name: row[index].strip() for name, index in columns.items()}

        def bad(column: str, problem: str, line: int = line) -> CollectError:
            return CollectError(f"{path}:{line}: column {column!r}: {problem}")

        model = cell["model"]
        if not _PERMASLUG.fullmatch(model):
            raise bad("model", f"{shorter(model)!r} is not a model permaslug like "
                               "minimax/minimax-m2.5-20260211")
        tokens = whole_number(cell["tokens"])
        if tokens is None:
            raise bad("tokens", f"{shorter(cell['tokens'])!r} {tokens_problem(cell['tokens'])}")
        period = _period(cell[period_column], period_column, bad)
        rank = None
        if cell.get("rank"):
            rank = whole_number(cell["rank"])
            if rank is None or rank < 1:
                raise bad("rank", f"{shorter(cell['rank'])!r} is not a rank (1, 2, 3, ...)")
        # One copy of each day and model, however many rows name it: a file of millions
        # of rows is held as its rows' numbers, not as millions of equal strings.
        period, model = sys.intern(period), sys.intern(model)
        seen = first_seen.setdefault(period, {})
        if model in seen:
            raise bad("model", f"{model} appears twice for {period} (first on line {seen[model]})")
        seen[model] = line
        observations.append(Observation(source, period, model, tokens, rank, url, fetched_at))
        if cell.get("name"):
            problem = name_problem(cell["name"])
            if problem:
                raise bad("name", f"{shorter(cell['name'])!r} {problem}")
            names.append(ModelName(model, cell["name"], source))
    return observations, _unique(names)


def shorter(text: str, most: int = 60) -> str:
    """A cell as an error message quotes it: a megabyte cell is not repeated whole."""
    return text if len(text) <= most else text[:most] + "..."


def _period(text: str, column: str, bad: Any) -> str:
    if column == "week":
        try:
            return str(IsoWeek.parse(text))
        except ValueError as exc:
            raise bad("week", str(exc)) from None
    if not _DAY.match(text):
        raise bad("date", f"{text!r} is not a date like 2026-03-09")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise bad("date", f"{text!r} is not a calendar date") from None


def _unique(names: list[ModelName]) -> list[ModelName]:
    """The last name given for a model wins (a rename later in the file)."""
    return list({name.model: name for name in names}.values())
