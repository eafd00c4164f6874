"""The two engines a store can live in: an SQLite file (the default) or a PostgreSQL database.

The store's modules write their SQL once, in SQLite's words, against one small
interface (``Connection``): ``execute`` and ``executemany`` with ``?``
placeholders, cursors with ``fetchone``/``fetchall``/``rowcount`` that can be
iterated, and transactions opened by ``Store.transaction``. On SQLite that
interface is ``sqlite3.Connection`` itself, untouched, so the SQLite path costs
nothing. On PostgreSQL, ``store/postgres.py`` wraps a psycopg connection and
rewrites each statement once (cached): placeholders, ``INSERT OR IGNORE`` /
``INSERT OR REPLACE`` as ``ON CONFLICT``, ``IS NOT`` between values as
``IS DISTINCT FROM``, ``WITHOUT ROWID`` dropped, column types for temporary
tables. Where the engines differ in meaning (JSON aggregates, dates), a module
asks ``dialect(db)`` and keeps both statements side by side.

What the rewriting does not do, the SQL must say in words both engines read:
``count(*) FILTER (WHERE ...)`` rather than ``sum(a IS NULL)``; ``WHERE true``
rather than ``WHERE 1``; an upsert's ``DO UPDATE ... WHERE`` naming the
table's columns (``observations.tokens``); ``"user"`` quoted; a bare column
beside an aggregate listed in GROUP BY. Sums of BIGINT come back as Decimal
on PostgreSQL (NUMERIC: exact past 2^63); convert with int() where one is read.

psycopg is imported only when a store is opened at a ``postgresql://`` URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from bulletin.errors import StoreError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
URL_SCHEMES = ("postgresql://", "postgres://")

Params = Sequence[Any] | Mapping[str, Any]


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store's modules may call on ``store.db`` (sqlite3.Connection has all of it)."""

    def execute(self, sql: str, parameters: Params = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Any: ...

    def close(self) -> None: ...


def is_url(location: Path | str) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than an SQLite file."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def dialect(db: Any) -> str:
    """The engine behind a connection: SQLITE or POSTGRESQL."""
    return SQLITE if isinstance(db, sqlite3.Connection) else POSTGRESQL


def postgres() -> ModuleType:
    """store/postgres.py, or a StoreError saying how to install what it needs."""
    try:
        from bulletin.store import postgres as module
    except ModuleNotFoundError as exc:
        if exc.name != "psycopg":
            raise
        raise StoreError("the store is a postgresql:// URL, which needs psycopg: "
                         "pip install 'bulletin[postgres]'") from None
    return module
