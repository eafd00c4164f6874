"""A store in a PostgreSQL database: the connection, its SQL rewriting, and its migrations.

Opened only for a ``store: postgresql://USER@HOST:PORT/DB`` in the config;
this is the one module that imports psycopg. The password is libpq's to find
(PGPASSWORD, ~/.pgpass, a service file), never the config's.

The store's modules speak SQLite's SQL (engine.py); ``PostgresConnection``
rewrites each statement once, the first time it is seen. A write transaction
takes one advisory lock for the whole database, as SQLite's BEGIN IMMEDIATE
takes its file's write lock: one writer at a time, readers never blocked
(both engines keep readers on a snapshot). The code written for SQLite's
guarantees (read a row, then write beside it) keeps them on PostgreSQL.

The schema's version is the row of ``schema_version``, counted like SQLite's
PRAGMA user_version, so one number means the same tables on either engine
(postgres_schema.py).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.adapt import Dumper

from bulletin.errors import StoreError
from bulletin.store.postgres_schema import STEPS, VERSION

Params = Sequence[Any] | Mapping[str, Any]  # as sqlite3 takes them (engine.Connection)

# pg_advisory_xact_lock's key for a store's writers ("BLTN", as SQLite's application_id).
WRITE_LOCK = 0x424C544E
CONNECT_TIMEOUT = 10  # seconds; a server that does not answer is reported, not waited on forever

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_FLAGS = re.IGNORECASE
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*(\(([^)]*)\))?", _FLAGS)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b)", _FLAGS)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(TEMP\s+|TEMPORARY\s+)?TABLE\b", _FLAGS)
# Types are upper case, names lower case (stated.text is a column).
_COLUMN_TYPES = ((re.compile(r"\bINTEGER\b"), "BIGINT"),
                 (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
                 # SQLite compares text by its bytes; so does the "C" collation, whatever
                 # the database's locale: ORDER BY gives the same order on both engines.
                 (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'))


def local_path(url: str) -> Path:
    """Where this host keeps the lock files of the store at ``url`` (``Store.path`` on SQLite).

    The email sender locks a week with a file beside the store: on
    PostgreSQL that keeps two sends of one week apart on one host only.
    """
    digest = hashlib.sha256(shown(url).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"bulletin-postgresql-{digest}"


def shown(url: str) -> str:
    """The URL as messages show it: without a password, should one have been given."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@lru_cache(maxsize=1024)
def rewrite(sql: str) -> str:
    """SQLite's words for ``sql`` as PostgreSQL's, apart from INSERT OR REPLACE (it needs the table)."""
    parts = _LITERAL.split(sql)
    for index in range(0, len(parts), 2):  # outside the string literals
        part = parts[index].replace("%", "%%").replace("?", "%s")
        part = re.sub(r"\bWITHOUT\s+ROWID\b", "", part, flags=_FLAGS)
        part = _IS_NOT.sub("IS DISTINCT FROM ", part)
        parts[index] = part
    for index in range(1, len(parts), 2):
        parts[index] = parts[index].replace("%", "%%")
    text = "".join(parts)
    if _CREATE_TABLE.match(text):
        for pattern, replacement in _COLUMN_TYPES:
            text = pattern.sub(replacement, text)
    found = _INSERT_OR.match(text)
    if found and found.group(1).upper() == "IGNORE":
        text = "INSERT INTO " + text[found.start(2):] + " ON CONFLICT DO NOTHING"
    return text


class _BoolAsInteger(Dumper):
    """True and False as 1 and 0, as SQLite stores them (the store's flags are INTEGER columns)."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class PostgresConnection:
    """A psycopg connection behind the interface of ``sqlite3.Connection`` the store uses."""

    def __init__(self, connection: psycopg.Connection[Any], url: str) -> None:
        self._db = connection
        self._db.adapters.register_dumper(bool, _BoolAsInteger)
        self.url = url
        self._upserts: dict[str, str] = {}

    def execute(self, sql: str, parameters: Params = ()) -> Any:  # a psycopg cursor
        if sql == "BEGIN IMMEDIATE":
            self._db.execute("BEGIN")
            return self._db.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        return self._db.execute(self._translated(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Params]) -> psycopg.Cursor[Any]:
        cursor = self._db.cursor()
        cursor.executemany(self._translated(sql), parameters)
        return cursor

    def close(self) -> None:
        self._db.close()

    @property
    def in_transaction(self) -> bool:
        return self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def _translated(self, sql: str) -> str:
        text = rewrite(sql)
        if text.lstrip()[:17].upper().startswith("INSERT OR REPLACE"):
            if sql not in self._upserts:
                self._upserts[sql] = self._upsert(text)
            return self._upserts[sql]
        return text

    def _upsert(self, text: str) -> str:
        """INSERT OR REPLACE as INSERT ... ON CONFLICT (key) DO UPDATE, from the table's own key."""
        found = _INSERT_OR.match(text)
        assert found is not None
        table, named = found.group(2), found.group(4)
        key, columns = self._key_and_columns(table)
        if named:
            columns = [column.strip() for column in named.split(",")]
        changed = [column for column in columns if column not in key]
        action = ("DO UPDATE SET " + ", ".join(f"{column} = excluded.{column}" for column in changed)
                  if changed else "DO NOTHING")
        return ("INSERT INTO " + text[found.start(2):] + f" ON CONFLICT ({', '.join(key)}) {action}")

    def _key_and_columns(self, table: str) -> tuple[list[str], list[str]]:
        rows = self._db.execute(
            "SELECT a.attname, a.attnum = ANY (i.indkey) AS keyed FROM pg_attribute a "
            "JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
            "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
            "AND a.attidentity = '' ORDER BY a.attnum", (table,)).fetchall()
        if not rows:
            raise StoreError(f"{shown(self.url)}: INSERT OR REPLACE into {table}, which has no primary key")
        return [name for name, keyed in rows if keyed], [name for name, _ in rows]


def connect(url: str) -> PostgresConnection:
    """A connection to the store at ``url``, its schema made or brought up to date."""
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise StoreError(f"{shown(url)}: cannot connect to the store ({_first_line(exc)})") from None
    db = PostgresConnection(raw, url)
    try:
        migrate(db)
    except psycopg.Error as exc:
        db.close()
        raise StoreError(f"{shown(url)}: {_first_line(exc)}") from None
    except BaseException:
        db.close()
        raise
    return db


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def version(db: PostgresConnection) -> int | None:
    """The schema version of the store; None where the database holds tables but no bulletin store."""
    row = db.execute("SELECT to_regclass('schema_version') IS NOT NULL, (SELECT count(*) FROM "
                     "pg_tables WHERE schemaname = current_schema())").fetchone()
    if row[0]:
        found = db.execute("SELECT version FROM schema_version").fetchone()
        return int(found[0]) if found else 0
    return 0 if not row[1] else None


def migrate(db: PostgresConnection) -> None:
    """Run the steps the database has not had, each in its own transaction, one process at a time.

    A store already current is seen without the writers' lock: the web server
    opens the store for each request, and must not wait for a long collection.
    """
    if version(db) == VERSION:
        return
    while True:
        db.execute("BEGIN IMMEDIATE")  # the writers' lock: two processes never run one step twice
        try:
            now = version(db)
            if now is None:
                raise StoreError(f"{shown(db.url)}: not a bulletin database (it holds other tables "
                                 "and no schema_version); give the store a database of its own")
            if now > VERSION:
                raise StoreError(f"{shown(db.url)}: schema version {now} was written by a newer "
                                 f"bulletin (this one knows {VERSION})")
            step = next(((start, end, statements) for start, end, statements in STEPS if start == now),
                        None)
            if now == VERSION or step is None:
                db.execute("COMMIT")
                if now != VERSION:
                    raise StoreError(f"{shown(db.url)}: no migration from schema version {now}")
                return
            for statement in step[2]:
                db.execute(statement)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version VALUES (?)", (step[1],))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def inspect(url: str) -> tuple[str, int | None]:
    """The server's version (``15.18 (Debian ...)``) and the store's schema version, only read.

    None for the schema: the database holds other tables and no bulletin store.
    Raises StoreError when the server cannot be reached or refuses the login.
    """
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        raise StoreError(f"{shown(url)}: cannot connect to the store ({_first_line(exc)})") from None
    db = PostgresConnection(raw, url)
    try:
        db.execute("SET default_transaction_read_only = on")
        return str(db.execute("SHOW server_version").fetchone()[0]), version(db)
    except psycopg.Error as exc:
        raise StoreError(f"{shown(url)}: {_first_line(exc)}") from None
    finally:
        db.close()
