"""Opening the ledger: engine set-up, SQLite pragmas and the schema version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from .schema import SCHEMA_VERSION, meta, metadata

_engines: dict[str, Engine] = {}
_READ_ONLY = "sales_sheets_read_only"  # an execution option of our own, read at BEGIN


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
    cursor.close()


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
    """An engine on the ledger at `url`, created or migrated to the current schema; one per url
    for the life of the process."""
    if url in _engines:
        return _engines[url]
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _begin)
        _migrate(engine)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot open the ledger at {url}: {exc.__class__.__name__}: {exc}") from None
    _engines[url] = engine
    return engine


def _migrate(engine: Engine) -> None:
    with engine.begin() as conn:
        if not inspect(conn).has_table("meta"):
            metadata.create_all(conn)
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            return
        found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        version = int(found or 0)
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"the ledger has schema version {version}, newer than this program's "
                f"{SCHEMA_VERSION}; upgrade sales-sheets"
            )
        # Migrations from older versions go here, one step per version, when there are any.
        metadata.create_all(conn)


def close_all() -> None:
    """Dispose of every engine, so the next `open_ledger` opens and migrates afresh (tests call
    it; a process that ends takes its engines with it)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
