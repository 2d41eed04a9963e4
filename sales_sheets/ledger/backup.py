"""`backup`: a consistent copy of a live SQLite ledger, through SQLite's online backup."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from ..errors import StorageError
from ..files import atomic_path

PG_DUMP_HINT = ("back up a PostgreSQL ledger with pg_dump, e.g. "
                "pg_dump --format=custom --file=ledger.dump DBNAME (README, Backups)")


def backup_ledger(url: str, target: Path, force: bool = False) -> Path:
    """Copy the SQLite ledger at `url` to `target` while watchers may be writing to it.

    The copy is one snapshot (a transaction still open is not in it), a single file in rollback
    journal mode that `open_ledger` opens like the original, and it appears at `target` only
    when complete.

    Raises:
        StorageError: the ledger is not a SQLite file (PostgreSQL: use pg_dump), does not
            exist, or `target` exists and `force` is not given.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StorageError(f"sales-sheets backup copies SQLite ledgers only; {PG_DUMP_HINT}")
    if not parsed.database or parsed.database == ":memory:":
        raise StorageError(f"the ledger at {url} is not a file")
    source_path = Path(parsed.database)
    if not source_path.is_file():
        raise StorageError(f"there is no ledger at {source_path}")
    target = Path(target)
    if target.resolve() == source_path.resolve():
        raise StorageError(f"{target} is the ledger itself")
    if target.exists() and not force:
        raise StorageError(f"{target} exists; give --force to replace it")
    # Read-only, so a mistyped path never creates an empty ledger to copy.
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    with closing(source), atomic_path(target) as partial:
        with closing(sqlite3.connect(partial)) as copy:
            # One step (pages=-1) copies one consistent snapshot; in WAL mode it neither waits
            # for a writer nor makes one wait.
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    return target
