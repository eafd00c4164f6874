"""The history: observations, figures and bulletins, in SQLite or PostgreSQL (engine.py).

Each collection is saved in one transaction, so a failure leaves the store as
it was. A source's file is its whole truth for the periods it covers: rows
that disappeared from it are removed, and re-importing the same data writes
nothing at all. Observations are merged set-wise (a temporary table, one
statement per step), so a ten-year back-fill of daily rows loads in about a
second. News items and the figures read from them are only ever added.

Several processes write the same file (a send, the web server's sign-ups, the
CLI), so every store is opened in WAL mode with a busy timeout, email or not.
The connection may be used from several threads (the sender's workers share
it): a transaction holds the store's lock from BEGIN to COMMIT, and one opened
inside another joins it.
"""

from __future__ import annotations

import glob
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from bulletin.store.corrections import CorrectionLedger
    from bulletin.store.decisions import Decisions
    from bulletin.store.editors import Editors
    from bulletin.store.edits import EditLedger
    from bulletin.store.mail import SendLedger, Subscribers
    from bulletin.store.mail_reports import MailReports

from bulletin.errors import StoreError
from bulletin.model import (
    PUBLISHABLE,
    BulletinRecord,
    Collected,
    Delivery,
    DeliveryStatus,
    Event,
    FeedItem,
    Figure,
    HttpValidators,
    ModelName,
    Observation,
    SourceWeek,
    Status,
    event_from_data,
)
from bulletin.model.editions import MAIN
from bulletin.records import record
from bulletin.store import engine, week_totals
from bulletin.store.corrections import CorrectionLedger
from bulletin.store.decisions import Decisions
from bulletin.store.editions import Editions
from bulletin.store.editors import Editors
from bulletin.store.edits import EditLedger
from bulletin.store.engine import is_url
from bulletin.store.mail import SendLedger, Subscribers
from bulletin.store.mail_reports import MailReports
from bulletin.store.migrations import MIGRATIONS
from bulletin.store.quota import Limits, SendQuota
from bulletin.weeks import IsoWeek

# PRAGMA application_id of a bulletin store ("BLTN"): another program's SQLite file is told apart.
APPLICATION_ID = 0x424C544E


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements the way SQLite's own tokenizer sees them.

    (executescript() would commit first, outside our transaction.)
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise StoreError(f"incomplete SQL in a migration: {pending.strip()[:60]}")


@record
class SaveReport:
    source: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    names: int = 0  # display names added or renamed
    periods: tuple[str, ...] = ()  # the days and weeks whose observations it added, changed or removed

    @property
    def wrote(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.names)


@record
class SourceState:
    source: str
    type: str
    state: str  # ok, unchanged, stale
    detail: str = ""
    checked_at: str = ""
    last_success: str = ""
    as_of: str = ""


def _share(connection: sqlite3.Connection) -> None:
    """WAL and a busy timeout: the web server, a running send and the CLI write the same file."""
    connection.execute("PRAGMA busy_timeout = 10000")
    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        connection.execute("PRAGMA journal_mode = WAL")  # kept in the file: once per database
    # In WAL mode NORMAL survives a killed process (the OS has the pages); only
    # a power cut can lose the last commits.
    connection.execute("PRAGMA synchronous = NORMAL")


def _open_problem(path: Path, error: sqlite3.DatabaseError) -> str:
    """What went wrong opening the store, in words that point at the fix."""
    text = str(error)
    if "readonly" in text or "unable to open" in text:
        return f"{path}: cannot write the store ({text}; is {path.parent} writable?)"
    if "full" in text:
        return f"{path}: the disk is full ({text}); nothing was changed"
    if "disk I/O" in text:
        return f"{path}: cannot write the store ({text}: is the disk full or failing?); nothing was changed"
    return f"{path}: not a bulletin database ({text})"


def not_a_store(db: sqlite3.Connection, path: Path) -> str | None:
    """Why the file ``db`` reads is not a bulletin store, or None when it is one."""
    if path.stat().st_size == 0:
        return (f"{path}: the store is an empty file, not a bulletin history; restore it "
                "from a backup (or delete it to start a new history)")
    owner = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if owner not in (0, APPLICATION_ID) or not version:
        return (f"{path}: not a bulletin database (an SQLite file of another program, or an "
                "unfinished one); restore the store from a backup")
    return None


def _tune(connection: sqlite3.Connection) -> None:
    _share(connection)
    # A back-fill of years of daily rows builds B-tree pages faster than
    # SQLite's default 2 MB page cache can hold them; 64 MB keeps them in memory.
    connection.execute("PRAGMA cache_size = -65536")


def _create(path: Path) -> None:
    """Make a new store at ``path``: built whole beside it, then linked into place.

    No descriptor of ``path`` itself is ever opened here. Closing any
    descriptor of a database file drops the POSIX locks that every SQLite
    connection of this process holds on it (SQLite's "How To Corrupt", 2.2),
    which is how a web server's threads lost sign-ups and damaged the file.
    Built under a private name, a store is never seen empty or half-made;
    ``os.link`` fails on an existing name, so of two processes making it at
    once, one wins and the other opens the winner's.
    """
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    # The store holds subscriber addresses: readable by its owner only. SQLite gives
    # its -wal and -shm files the database file's permissions.
    os.close(os.open(draft, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        connection = sqlite3.connect(draft, isolation_level=None)
        try:
            # No journal and no syncing while the private draft is built (a killed run's draft
            # is swept, never used): a new store takes 5 ms instead of 25. Then the one fsync
            # below, before the draft takes the store's name.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            migrate(connection, draft, None)
            connection.execute("PRAGMA journal_mode = WAL")  # kept in the file, as _share sets it
        finally:
            connection.close()
        made = os.open(draft, os.O_RDONLY)
        try:
            os.fsync(made)
        finally:
            os.close(made)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        Store.delete(draft)


def _sweep_drafts(path: Path) -> None:
    """Remove the drafts of processes killed while making a store (their pid is gone)."""
    for draft in path.parent.glob(f".{glob.escape(path.name)}.*.*.new"):
        pid = draft.name[len(path.name) + 2:].split(".")[0]
        if pid.isdigit() and not _running(int(pid)):
            Store.delete(draft)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def migrate(db: sqlite3.Connection, path: Path,
            transaction: Callable[[], AbstractContextManager[sqlite3.Connection]] | None) -> None:
    """Run the migrations the file has not had, each in its own transaction.

    The version is read again inside each transaction: two processes opening
    an old store at once must not both run the same script.
    """
    while True:
        with transaction() if transaction else _immediate(db) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(f"{path}: schema version {version} was written by a newer "
                                 f"bulletin (this one knows {len(MIGRATIONS)})")
            if version == len(MIGRATIONS):
                return
            for statement in _statements(MIGRATIONS[version]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path  # an SQLite store's file; for PostgreSQL, postgres.local_path()
        self.lock = threading.RLock()  # held by a transaction, and by the mail tables' reads
        self._depth = 0  # transactions open on this connection (an inner one joins the outer)

    # The mail tables' code is imported only by the commands that use them.
    @cached_property
    def subscribers(self) -> Subscribers:
        """The email list."""
        return Subscribers(self)

    @cached_property
    def mail_reports(self) -> MailReports:
        """The bounces and complaints read from the bounce mailbox."""
        return MailReports(self)

    @cached_property
    def corrections(self) -> CorrectionLedger:
        """Numbers published bulletins stated that the source has revised since."""
        return CorrectionLedger(self)

    @cached_property
    def editors(self) -> Editors:
        """Who may sign in to the editors' desk."""
        return Editors(self)

    @cached_property
    def edits(self) -> EditLedger:
        """Editors' changes to articles' wording."""
        return EditLedger(self)

    @cached_property
    def editions(self) -> Editions:
        """The editions of each week, and where each was published."""
        return Editions(self)

    @cached_property
    def decisions(self) -> Decisions:
        """Model names editors decided, and the articles as they approved them."""
        return Decisions(self)

    @classmethod
    def open(cls, location: Path | str) -> Store:
        """The store at ``location``, made anew (0600, current schema) if there is no file there.

        A file that is there but is not a bulletin store (empty, truncated,
        another program's database) is refused: starting a fresh history in
        its place would silently drop every published week and subscriber.
        ``location`` may be a ``postgresql://`` URL instead (store/postgres.py).
        """
        if is_url(location):
            postgres = engine.postgres()
            # Typed as SQLite's: it offers the part of sqlite3.Connection the store uses (engine.py).
            connection = cast(sqlite3.Connection, postgres.connect(str(location)))
            return cls(connection, postgres.local_path(str(location)))
        path = Path(location)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _sweep_drafts(path)
            if not path.exists():
                _create(path)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create or open the store: {exc.strerror} "
                             f"(is {path.parent} writable?)") from None
        try:
            # Identified before anything is written: WAL mode alone would rewrite a foreign header.
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            store = cls(connection, path)
            store._identify()
            _tune(connection)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(_open_problem(path, exc)) from None
        return store

    def send_ledger(self, week: IsoWeek, edition: str = MAIN) -> SendLedger:
        """The email send ledger's rows of one week's edition (its methods may run on several
        threads); the main bulletin's by default."""
        return SendLedger(self, week, edition=edition)

    def send_quota(self, account: str, limits: Limits) -> SendQuota:
        """The sending quota of one relay (or the outbox), counted here for every sender."""
        return SendQuota(self, account, limits)

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def delete(path: Path) -> None:
        """Remove a history and the journal files SQLite keeps beside it."""
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
            (path.parent / name).unlink(missing_ok=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the lock; one opened inside it joins it."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self.db.execute("COMMIT")

    def _identify(self) -> None:
        """Refuse a file that is not a bulletin store (see ``open``)."""
        problem = not_a_store(self.db, self.path)
        if problem:
            raise StoreError(problem)
        if not self.db.execute("PRAGMA application_id").fetchone()[0]:
            self.db.execute("PRAGMA busy_timeout = 10000")
            with self.transaction() as db:  # a store made before stores were marked
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _migrate(self) -> None:
        migrate(self.db, self.path, self.transaction)

    # -- writing -----------------------------------------------------------

    def save(self, collections: Sequence[Collected],
             states: Callable[[list[SaveReport]], Sequence[SourceState]] | None = None
             ) -> list[SaveReport]:
        """Store every source's data in one transaction: all of it or none.

        ``states`` turns the save reports into each source's state (ok or
        unchanged depends on what was written), recorded in the same transaction.
        """
        with self.transaction() as db:
            reports = [self._save_one(db, collected) for collected in collections]
            for state in states(reports) if states else ():
                self._record_state(db, state)
            return reports

    def _save_one(self, db: sqlite3.Connection, collected: Collected) -> SaveReport:
        counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0, "names": 0}
        periods: set[str] = set()  # what a revision touched: corrections look at no week before
        if collected.observations or collected.rows:
            self._merge_observations(db, collected, counts, periods)
        for name in collected.names:
            counts["names"] += db.execute(
                "INSERT INTO model_names VALUES (?, ?, ?, ?) ON CONFLICT (model) DO UPDATE "
                "SET name=excluded.name, source=excluded.source, created=excluded.created "
                "WHERE model_names.name IS NOT excluded.name OR model_names.created IS NOT excluded.created",
                (name.model, name.name, name.source, name.created)).rowcount
        for item in collected.items:
            cursor = db.execute("INSERT INTO feed_items VALUES (?, ?, ?, ?, ?, ?, ?) "
                                "ON CONFLICT DO NOTHING",
                                (item.source, item.key, item.link, item.title, item.summary,
                                 item.published_at, item.fetched_at))
            counts["added" if cursor.rowcount else "unchanged"] += 1
        for cache in collected.validators:
            db.execute("INSERT INTO http_cache VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE "
                       "SET etag=excluded.etag, last_modified=excluded.last_modified "
                       "WHERE http_cache.etag IS NOT excluded.etag "
                       "OR http_cache.last_modified IS NOT excluded.last_modified",
                       (cache.url, cache.etag, cache.last_modified))
        if not collected.figures_replace:
            self._add_figures(db, collected, counts)
        elif collected.figures or not (collected.observations or collected.rows or collected.names
                                       or collected.items):
            self._replace_figures(db, collected, counts)
        return SaveReport(collected.source, **counts, periods=tuple(sorted(periods)))

    def _merge_observations(self, db: sqlite3.Connection, collected: Collected,
                            counts: dict[str, int], touched: set[str]) -> None:
        # Set-wise through a temporary table: one statement per step instead of
        # one per row, so ten years of daily rows load in about a second.
        source = collected.source
        streamed = not isinstance(collected.rows, tuple)  # a large file's rows, not held in memory
        rows = [] if streamed else list(collected.rows)
        rows += [(o.source, o.period, o.model, o.tokens, o.rank, o.source_url, o.fetched_at)
                 for o in collected.observations]
        db.execute("CREATE TEMP TABLE IF NOT EXISTS incoming (source TEXT, period TEXT, model TEXT, "
                   "tokens INTEGER, rank INTEGER, source_url TEXT, fetched_at TEXT, "
                   "PRIMARY KEY (period, model)) WITHOUT ROWID")
        db.execute("DELETE FROM incoming")
        if streamed:
            # Row by row from the source into the temporary table: memory stays flat
            # however large the file. Its periods are then read back from the table.
            db.executemany("INSERT OR REPLACE INTO incoming VALUES (?, ?, ?, ?, ?, ?, ?)",
                           iter(collected.rows))
            db.executemany("INSERT OR REPLACE INTO incoming VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            periods = [row[0] for row in db.execute("SELECT DISTINCT period FROM incoming ORDER BY 1")]
        else:
            periods = sorted({row[1] for row in rows})
        if not streamed and not self._holds_any(db, source, periods):
            # Periods the store has never seen (a back-fill): nothing to compare, insert straight.
            db.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            counts["added"] += len(rows)
            touched.update(periods)
            week_totals.add_new(db, source, rows, periods)
            week_totals.settle(db)  # anything changed from outside since the last reader
            return
        if not streamed:
            db.executemany("INSERT OR REPLACE INTO incoming VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        total = db.execute("SELECT count(*) FROM incoming").fetchone()[0]
        added, changed = db.execute(
            "SELECT count(*) FILTER (WHERE o.model IS NULL), count(*) FILTER (WHERE o.model IS NOT NULL "
            "AND (o.tokens != i.tokens OR o.rank IS NOT i.rank)) FROM incoming i LEFT JOIN observations o "
            "ON o.source = ? AND o.period = i.period AND o.model = i.model", (source,)).fetchone()
        if added or changed:
            touched.update(row[0] for row in db.execute(
                "SELECT DISTINCT i.period FROM incoming i LEFT JOIN observations o ON o.source = ? "
                "AND o.period = i.period AND o.model = i.model WHERE o.model IS NULL "
                "OR o.tokens != i.tokens OR o.rank IS NOT i.rank", (source,)))
        gone = db.execute(
            "DELETE FROM observations WHERE source = ? AND period IN (SELECT period FROM incoming) "
            "AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.period = observations.period "
            "AND i.model = observations.model) RETURNING period", (source,)).fetchall()
        removed = len(gone)
        touched.update(row[0] for row in gone)
        if added or changed:
            db.execute("INSERT INTO observations SELECT ?, period, model, tokens, rank, source_url, "
                       "fetched_at FROM incoming WHERE true ON CONFLICT (source, period, model) "
                       "DO UPDATE SET tokens=excluded.tokens, rank=excluded.rank, "
                       "source_url=excluded.source_url, fetched_at=excluded.fetched_at "
                       "WHERE observations.tokens != excluded.tokens "
                       "OR observations.rank IS NOT excluded.rank", (source,))
        db.execute("DELETE FROM incoming")
        week_totals.settle(db, source, periods if added else ())
        counts["added"] += added or 0
        counts["changed"] += changed or 0
        counts["removed"] += removed
        counts["unchanged"] += total - (added or 0) - (changed or 0)

    @staticmethod
    def _holds_any(db: sqlite3.Connection, source: str, periods: list[str]) -> bool:
        db.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_periods (period TEXT PRIMARY KEY) "
                   "WITHOUT ROWID")
        db.execute("DELETE FROM incoming_periods")
        db.executemany("INSERT INTO incoming_periods VALUES (?)", [(p,) for p in periods])
        found = db.execute("SELECT 1 FROM incoming_periods p WHERE EXISTS (SELECT 1 FROM observations "
                           "o WHERE o.source = ? AND o.period = p.period) LIMIT 1", (source,)).fetchone()
        db.execute("DELETE FROM incoming_periods")
        return found is not None

    def _add_figures(self, db: sqlite3.Connection, collected: Collected,
                     counts: dict[str, int]) -> None:
        for fig in collected.figures:
            cursor = db.execute(
                f"INSERT INTO figures ({_FIGURE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (fig.source, fig.subject, fig.organisation, fig.kind, fig.period, str(fig.value),
                 fig.unit, fig.scale, fig.link, fig.quote, fig.published_at, fig.fetched_at,
                 fig.subject_zh))
            counts["added" if cursor.rowcount else "unchanged"] += 1

    def _record_state(self, db: sqlite3.Connection, state: SourceState) -> None:
        old = self.source_states().get(state.source)
        last_success = state.last_success or (old.last_success if old else "")
        as_of = state.as_of or (old.as_of if old else "")
        db.execute("INSERT OR REPLACE INTO source_state VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (state.source, state.type, state.state, state.detail, state.checked_at,
                    last_success, as_of))

    def _replace_figures(self, db: sqlite3.Connection, collected: Collected,
                         counts: dict[str, int]) -> None:
        keep = set()
        for fig in collected.figures:
            key = (fig.source, fig.subject, fig.organisation, fig.kind, fig.period)
            keep.add(key)
            row = (str(fig.value), fig.unit, fig.scale, fig.link, fig.quote, fig.published_at)
            old = db.execute("SELECT value, unit, scale, link, quote, published_at, subject_zh "
                             "FROM figures WHERE source=? AND subject=? AND organisation=? AND kind=? "
                             "AND period=?", key).fetchone()
            if old == (*row, fig.subject_zh):
                counts["unchanged"] += 1
                continue
            counts["added" if old is None else "changed"] += 1
            db.execute(f"INSERT OR REPLACE INTO figures ({_FIGURE_COLUMNS}) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*key, *row, fig.fetched_at, fig.subject_zh))
        for key in db.execute("SELECT source, subject, organisation, kind, period FROM figures "
                              "WHERE source=?", (collected.source,)).fetchall():
            if tuple(key) not in keep:
                db.execute("DELETE FROM figures WHERE source=? AND subject=? AND organisation=? "
                           "AND kind=? AND period=?", key)
                counts["removed"] += 1

    def record_bulletin(self, week: IsoWeek, headline: str, events: Sequence[Mapping[str, Any]],
                        rendered_at: str, status: Status = Status.READY,
                        reasons: Sequence[str] = ()) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO bulletins VALUES (?, ?, ?, ?, ?, ?)",
                       (str(week), headline, json.dumps(list(events), sort_keys=True), rendered_at,
                        str(status), json.dumps(list(reasons))))

    def set_status(self, week: IsoWeek, status: Status, reasons: Sequence[str]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE bulletins SET status=?, reasons=? WHERE week=?",
                       (str(status), json.dumps(list(reasons)), str(week)))

    def bulletins(self) -> list[BulletinRecord]:
        rows = self.db.execute(f"SELECT {_BULLETIN} FROM bulletins ORDER BY week")
        return [_bulletin(row) for row in rows]

    def record_delivery(self, delivery: Delivery) -> None:
        if delivery.edition != MAIN:
            self.editions.record_delivery(delivery)
            return
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (str(delivery.week), delivery.target, str(delivery.status),
                        delivery.remote_id, delivery.location, delivery.detail, delivery.attempts,
                        delivery.delivered_at))

    def delivery(self, week: IsoWeek, target: str) -> Delivery | None:
        row = self.db.execute(f"SELECT {_DELIVERY} FROM deliveries WHERE week=? AND target=?",
                              (str(week), target)).fetchone()
        return _delivery(row) if row else None

    def deliveries(self, week: IsoWeek) -> list[Delivery]:
        rows = self.db.execute(f"SELECT {_DELIVERY} FROM deliveries WHERE week=? ORDER BY target",
                               (str(week),))
        return [_delivery(row) for row in rows]

    def newest_published(self) -> IsoWeek | None:
        """The newest week any target has (a back-fill is a week older than this)."""
        row = self.db.execute(f"SELECT max(week) FROM deliveries WHERE status = '{DeliveryStatus.OK}'"
                              ).fetchone()
        return IsoWeek.parse(row[0]) if row[0] else None

    def delivered(self, target: str) -> list[tuple[IsoWeek, str, str, str]]:
        """(week, headline, rendered_at, remote_id) of every week delivered to ``target``.

        Only weeks that may still be shown: one rendered again and held, or
        rejected, since it went out is left out until an editor approves it.
        """
        rows = self.db.execute(
            "SELECT b.week, b.headline, b.rendered_at, d.remote_id FROM deliveries d "
            f"JOIN bulletins b ON b.week = d.week WHERE d.target=? AND d.status='{DeliveryStatus.OK}' "
            f"AND b.status IN ({_PUBLISHABLE}) ORDER BY b.week", (target,))
        return [(IsoWeek.parse(week), headline, rendered_at, remote_id)
                for week, headline, rendered_at, remote_id in rows]

    # -- reading -----------------------------------------------------------

    def observations(self) -> list[Observation]:
        rows = self.db.execute("SELECT source, period, model, tokens, rank, source_url, fetched_at "
                               "FROM observations ORDER BY period, source, model")
        return [Observation(*row) for row in rows]

    def last_read(self) -> dict[str, str]:
        """Each source's newest observation fetch time."""
        rows = self.db.execute("SELECT source, MAX(fetched_at) FROM observations GROUP BY source")
        return dict(rows.fetchall())

    def observations_in(self, weeks: Sequence[IsoWeek]) -> list[Observation]:
        """The observations of these ISO weeks: their weekly rows and the rows of their days."""
        periods = [str(week) for week in weeks]
        periods += [day.isoformat() for week in weeks for day in week.days()]
        found: list[Observation] = []
        for start in range(0, len(periods), 500):  # SQLite's limit on bound parameters
            chunk = periods[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.execute("SELECT source, period, model, tokens, rank, source_url, "
                                   f"fetched_at FROM observations WHERE period IN ({marks})", chunk)
            found.extend(Observation(*row) for row in rows)
        return sorted(found, key=lambda obs: (obs.period, obs.source, obs.model))

    def source_weeks(self) -> list[SourceWeek]:
        """Each source's totals per ISO week, as kept beside the observations (week_totals.py).

        One row per source and week: a store of millions of daily rows is
        read in a fraction of a second.
        """
        if not week_totals.is_settled(self.db):
            # Observations written from outside the store since the totals were last summed.
            with self.transaction() as db:
                week_totals.settle(db)
        found = []
        for source, week, daily, days, tokens, ranks, listed in self.db.execute(
                "SELECT source, week, daily, days, tokens, ranks, listed FROM week_boards"):
            given = {model: rank for model, rank in json.loads(ranks).items() if rank is not None}
            found.append(SourceWeek(IsoWeek.parse(week), source, bool(daily), days,
                                    json.loads(tokens), given, json.loads(listed)))
        return found

    def rebuild_week_totals(self) -> None:
        """Sum every week again from the observations (after rows were inserted from outside)."""
        with self.transaction() as db:
            week_totals.rebuild(db)

    def model_names(self) -> dict[str, ModelName]:
        rows = self.db.execute("SELECT model, name, source, created FROM model_names")
        return {row[0]: ModelName(*row) for row in rows}

    def days(self, source: str) -> set[str]:
        """The UTC days a source has rows for (weekly rows are not days)."""
        rows = self.db.execute("SELECT DISTINCT period FROM observations WHERE source=? "
                               "AND period NOT LIKE '%-W%'", (source,))
        return {row[0] for row in rows}

    def validators(self, url: str) -> HttpValidators | None:
        row = self.db.execute("SELECT url, etag, last_modified FROM http_cache WHERE url=?",
                              (url,)).fetchone()
        return HttpValidators(*row) if row else None

    def feed_items(self, source: str | None = None) -> list[FeedItem]:
        query = ("SELECT source, item_key, link, title, summary, published_at, fetched_at "
                 "FROM feed_items")
        rows = (self.db.execute(query + " WHERE source=? ORDER BY item_key", (source,)) if source
                else self.db.execute(query + " ORDER BY source, item_key"))
        return [FeedItem(*row) for row in rows]

    def source_states(self) -> dict[str, SourceState]:
        rows = self.db.execute("SELECT source, type, state, detail, checked_at, last_success, as_of "
                               "FROM source_state ORDER BY source")
        return {row[0]: SourceState(*row) for row in rows}

    def figures(self) -> list[Figure]:
        rows = self.db.execute(
            "SELECT source, subject, organisation, kind, value, unit, period, link, quote, scale, "
            "published_at, fetched_at, subject_zh FROM figures ORDER BY subject, organisation, period")
        return [Figure(row[0], row[1], row[2], row[3], Decimal(row[4]), *row[5:]) for row in rows]

    def reported_before(self, week: IsoWeek, limit: int) -> list[list[Event]]:
        """The events of up to ``limit`` bulletins before ``week``, most recent first.

        Held and rejected bulletins reported nothing to readers, so they are left out.
        """
        rows = self.db.execute(f"SELECT events FROM bulletins WHERE week < ? AND status IN "
                               f"({_PUBLISHABLE}) ORDER BY week DESC LIMIT ?", (str(week), limit))
        return [[event_from_data(event) for event in json.loads(row[0])] for row in rows]

    def bulletin(self, week: IsoWeek) -> BulletinRecord | None:
        row = self.db.execute(f"SELECT {_BULLETIN} FROM bulletins WHERE week=?",
                              (str(week),)).fetchone()
        return _bulletin(row) if row else None


_BULLETIN = "week, headline, events, rendered_at, status, reasons"
_FIGURE_COLUMNS = ("source, subject, organisation, kind, period, value, unit, scale, link, quote, "
                   "published_at, fetched_at, subject_zh")
_DELIVERY = "week, target, status, remote_id, location, detail, attempts, delivered_at"
_PUBLISHABLE = ", ".join(f"'{status}'" for status in sorted(PUBLISHABLE))


def _bulletin(row: Sequence[Any]) -> BulletinRecord:
    week, headline, events, rendered_at, status, reasons = row
    return BulletinRecord(IsoWeek.parse(week), headline, tuple(json.loads(events)), rendered_at,
                          Status(status), tuple(json.loads(reasons)))


def _delivery(row: Sequence[Any]) -> Delivery:
    week, target, status, *rest = row
    return Delivery(IsoWeek.parse(week), target, DeliveryStatus(status), *rest)
