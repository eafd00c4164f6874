"""``type: csv`` — leaderboard rows an editor keeps in a spreadsheet.

Columns: ``model`` (permaslug) and ``tokens`` (whole number), and either
``week`` (``2026-W11``) or ``date`` (a UTC day, summed into ISO weeks later);
optionally ``name`` (display name) and ``rank``. Other columns are ignored.
The whole file is checked before anything is kept: one bad row and the file
contributes nothing. The checked rows wait in a private temporary SQLite file,
not in memory, and reach the store as a stream: a file of any size is read in
bounded memory.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from bulletin.collect.bounds import name_problem, tokens_problem, whole_number
from bulletin.collect.source import CollectContext, Source, common_options
from bulletin.config import options as option
from bulletin.config import validation as check
from bulletin.errors import CollectError
from bulletin.model import Collected, ModelName, Observation
from bulletin.records import record
from bulletin.weeks import IsoWeek

_PERMASLUG = re.compile(r"[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._:+-]*", re.ASCII)
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


OPTIONS = option.schema(
    option.path("path", "the CSV file", required=True, must_exist=True),
    option.url("url", "the page the numbers came from (credited as the source)"),
)


@record
class CsvLeaderboard(Source):
    type: ClassVar[str] = "csv"
    leaderboard: ClassVar[bool] = True
    options: ClassVar[option.Schema] = common_options() + OPTIONS

    path: Path = Path()  # required: no default to declare
    source_url: str = OPTIONS.default("url")

    @classmethod
    def from_config(cls, raw: dict[str, Any], where: str, base_dir: Path,
                    problems: check.Problems) -> CsvLeaderboard | None:
        values = cls.read_options(raw, where, base_dir, problems)
        if not values.ok:
            return None
        return cls(path=values["path"], source_url=values["url"], **cls.common_fields(values))

    @property
    def url(self) -> str:
        return self.source_url

    def collect(self, context: CollectContext | None = None) -> Collected:
        fetched_at = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        rows, names = read_rows(self.path, self.name, self.source_url,
                                fetched_at.isoformat(timespec="seconds"))
        if len(rows) > _HELD_AT_MOST:
            return Collected(self.name, names=tuple(names), rows=rows)  # streamed into the store
        # A file of ordinary size is held (a few MB): the store's back-fill path is quicker.
        with closing(rows):
            return Collected(self.name, names=tuple(names), rows=tuple(rows))


_HELD_AT_MOST = 50_000  # rows; a larger file is streamed from its temporary file


class CheckedRows:
    """A file's checked rows, kept in a private temporary SQLite file (removed when closed).

    Iterating yields them in the store's column order, one at a time; it may be
    iterated again. Unique (period, model) is the table's key, so a repeated
    row is caught without a set of millions of keys in memory.
    """

    def __init__(self, source: str, url: str, fetched_at: str) -> None:
        self.source, self.url, self.fetched_at = source, url, fetched_at
        self.db = sqlite3.connect("")  # "": a temporary file SQLite deletes on close
        self.db.execute("CREATE TABLE checked (period TEXT, model TEXT, tokens INTEGER, "
                        "rank INTEGER, line INTEGER, PRIMARY KEY (period, model)) WITHOUT ROWID")
        self.count = 0

    def add(self, batch: list[tuple[str, str, int, int | None, int]]) -> tuple[str, str, int, int] | None:
        """Keep a batch of (period, model, tokens, rank, line); the first repeat found, if any,

        as (period, model, its line, the first line)."""
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO checked VALUES (?, ?, ?, ?, ?)", batch)
        self.count += self.db.total_changes - before
        if self.db.total_changes - before == len(batch):
            return None
        for period, model, _, _, line in batch:  # rare: only a file with a repeat comes here
            first = self.db.execute("SELECT line FROM checked WHERE period=? AND model=?",
                                    (period, model)).fetchone()[0]
            if first != line:
                return period, model, line, first
        raise AssertionError("a repeat was counted but not found")

    def __iter__(self) -> Iterator[tuple[str, str, str, int, int | None, str, str]]:
        source, url, fetched_at = self.source, self.url, self.fetched_at
        for period, model, tokens, rank in self.db.execute(
                "SELECT period, model, tokens, rank FROM checked ORDER BY period, model"):
            yield source, period, model, tokens, rank, url, fetched_at

    def __len__(self) -> int:
        return self.count

    def __contains__(self, row: object) -> bool:
        return any(row == kept for kept in self)

    def close(self) -> None:
        self.db.close()

    def __del__(self) -> None:
        self.db.close()


def read_leaderboard(path: Path, source: str, url: str, fetched_at: str
                     ) -> tuple[list[Observation], list[ModelName]]:
    """The file's observations as objects: for tests and small files."""
    rows, names = read_rows(path, source, url, fetched_at)
    try:
        return [Observation(*row) for row in rows], names
    finally:
        rows.close()


def read_rows(path: Path, source: str, url: str, fetched_at: str
              ) -> tuple[CheckedRows, list[ModelName]]:
    """The file's checked rows (the caller closes them) and display names; or a CollectError."""
    rows = CheckedRows(source, url, fetched_at)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            # Row by row: a file of millions of rows is never held as text and cells at once.
            return rows, _read_rows(path, csv.reader(handle), rows)
    except OSError as exc:
        rows.close()
        raise CollectError(f"{path}: cannot read: {exc.strerror}") from None
    except sqlite3.Error as exc:
        rows.close()
        # The checked rows wait in a file under TMPDIR: a full disk there is the likely cause.
        raise CollectError(f"{path}: cannot keep the checked rows in a temporary file ({exc}; "
                           "is the temporary folder, TMPDIR, full?)") from None
    except BaseException:
        rows.close()
        raise


def _read_rows(path: Path, reader: Iterator[list[str]], rows: CheckedRows) -> list[ModelName]:
    try:
        return _check_rows(path, reader, rows)
    except UnicodeDecodeError:
        # The error's offset is into a block the reader had, not into the file: not said.
        raise CollectError(f"{path}: not UTF-8 text (save the file as UTF-8)") from None
    except csv.Error as exc:
        raise CollectError(f"{path}: not a CSV file: {exc}") from None


def _check_rows(path: Path, reader: Iterator[list[str]], rows: CheckedRows) -> list[ModelName]:
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

    names: dict[str, ModelName] = {}  # the last name given for a model wins (a rename later on)
    batch: list[tuple[str, str, int, int | None, int]] = []
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
        batch.append((period, model, tokens, rank, line))
        if len(batch) == _BATCH:
            _keep(path, rows, batch)
        known = names.get(model)
        # A daily file names each model on every row: the same name is checked once.
        if cell.get("name") and (known is None or known.name != cell["name"]):
            problem = name_problem(cell["name"])
            if problem:
                raise bad("name", f"{shorter(cell['name'])!r} {problem}")
            names[model] = ModelName(model, cell["name"], rows.source)
    _keep(path, rows, batch)
    return list(names.values())


_BATCH = 10_000  # rows checked between writes to the temporary file


def _keep(path: Path, rows: CheckedRows, batch: list[tuple[str, str, int, int | None, int]]) -> None:
    repeat = rows.add(batch)
    batch.clear()
    if repeat:
        period, model, line, first = repeat
        raise CollectError(f"{path}:{line}: column 'model': {model} appears twice for {period} "
                           f"(first on line {first})")


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
