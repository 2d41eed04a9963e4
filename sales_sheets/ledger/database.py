"""Opening the ledger: engine set-up, SQLite pragmas and the schema revision."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from ..workspace import Workspace
from . import migrations
from .migrations import Revisions, Standing
from .schema import metadata

_READ_ONLY = "sales_sheets_read_only"  # an execution option of our own, read at BEGIN
# PostgreSQL: the advisory lock that lets one process at a time create or upgrade the schema.
_SCHEMA_LOCK = 0x5A1E5_5C4E


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue the BEGIN (see _begin), not the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the status command read while a watcher writes; NORMAL keeps every commit
    # atomic and durable against a process crash without an fsync per file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 32 MiB instead of SQLite's 2: a 100,000-line file inserts into indexes whose pages are
    # touched in key order, not row order; a cache smaller than them re-reads and spills them
    # (about a tenth of storing the file). Pages are allocated only as they are used.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


@contextmanager
def small_cache(conn: Connection, kib: int = 8192) -> Iterator[None]:
    """SQLite's page cache at `kib` for a long sorted read on `conn`, as it was again after.
    The cache also bounds the memory an ORDER BY sorts in before it spills to a temporary file:
    at the connection's 32 MiB, the process streaming the million sorted lines of a year's 明细
    peaked at 156 MiB, at 8 MiB at 104 MiB, in the same time. Other databases: nothing."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _begin(conn: Any) -> None:
    # Each file is checked and stored in one transaction; taking the write lock at its start
    # makes a second process wait (busy_timeout) instead of failing half-way, and its checks
    # see everything the first one stored. A connection that only reads (see `reading`) takes
    # a snapshot instead: in WAL mode it neither waits for a writer nor makes one wait, and
    # two readers (a report's figures and its order lines, in two processes) run side by side.
    read_only = conn.get_execution_options().get(_READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Connection:
    """A connection for reading only: its transaction is a snapshot that takes no lock."""
    if engine.dialect.name == "postgresql":
        # READ COMMITTED would let a report's figures and its order lines, read one after the
        # other, straddle a watcher's commit; REPEATABLE READ reads one snapshot, and a
        # read-only transaction never waits for a writer nor makes one wait.
        return engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return engine.connect().execution_options(**{_READ_ONLY: True})


def open_ledger(url: str) -> Engine:
    """A new engine on the ledger at `url`, created at the current schema if there is none yet;
    the caller owns it (`ledger_of` gives a workspace's, opened once).

    Raises:
        StorageError: the ledger cannot be opened, is older than this program (run
            `sales-sheets db upgrade`) or newer (install a newer sales-sheets).
    """
    engine = ledger_engine(url)
    try:
        with engine.begin() as conn:
            _prepare(conn)
    except (SQLAlchemyError, StorageError) as exc:
        engine.dispose()  # a ledger that cannot be used keeps no connection open
        if isinstance(exc, StorageError):
            raise
        raise StorageError(
            f"cannot open the ledger at {url}: {exc.__class__.__name__}: {exc}") from None
    return engine


def ledger_of(workspace: Workspace) -> Engine:
    """The engine of `workspace`'s services: the one the entry point opened, or opened here on
    first use and kept in them (not in this module: see services.py).

    Raises:
        StorageError: as `open_ledger`.
    """
    services = workspace.services
    with services.lock:
        if services.engine is None:
            services.engine = open_ledger(workspace.database_url)
        return services.engine


@contextmanager
def engine_of(ledger: Engine | str) -> Iterator[Engine]:
    """`ledger` itself when it is an engine; for a URL (a helper process is handed one) a new
    engine, disposed of at the end of the block."""
    if not isinstance(ledger, str):
        yield ledger
        return
    engine = open_ledger(ledger)
    try:
        yield engine
    finally:
        engine.dispose()


def ledger_engine(url: str) -> Engine:
    """A new engine on `url` with the ledger's connection settings, unchecked and not shared."""
    try:
        engine = create_engine(url)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot open the ledger at {url}: {exc.__class__.__name__}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
    return engine


def serialise_schema_changes(conn: Connection) -> None:
    """Make a second process that creates or upgrades the schema wait for this transaction
    (SQLite's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))


def refusal(revisions: Revisions) -> StorageError:
    """Why a ledger of this revision cannot be used as it is."""
    if revisions.standing is Standing.NEWER:
        needed = f"sales-sheets {revisions.written_by} or newer" if revisions.written_by \
            else "a newer sales-sheets"
        return StorageError(
            f"the ledger is at schema revision {revisions.found}, which this sales-sheets "
            f"(newest revision {revisions.head}) does not know: it was upgraded by a newer "
            f"release; install {needed}")
    return StorageError(
        f"the ledger is at schema revision {revisions.found or 'none (before migrations)'}, "
        f"older than this program's {revisions.head}: back it up, then run "
        f"sales-sheets db upgrade")


def _prepare(conn: Connection) -> None:
    # Upgrading an existing ledger is left to `db upgrade`: with several watchers on one
    # PostgreSQL ledger the administrator chooses the moment, after a backup, and never an old
    # watcher meets a schema changed under it mid-run.
    serialise_schema_changes(conn)
    revisions = migrations.read_revisions(conn)
    if revisions.standing is Standing.EMPTY:
        metadata.create_all(conn)
        migrations.stamp(conn)
        return
    if revisions.standing is Standing.UNVERSIONED:
        # The program before migrations added missing tables on every start; the migrations
        # do that once more (each creates only what is missing) and stamp the ledger, changing
        # no existing table, so an office's watchers go on after the program is upgraded.
        migrations.upgrade(conn)
        revisions = migrations.read_revisions(conn)
    if revisions.standing is not Standing.CURRENT:
        raise refusal(revisions)
