"""`db upgrade` and `db current`: bringing a ledger to this program's schema, and saying where
it stands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StorageError
from . import migrations
from .database import ledger_engine, refusal, serialise_schema_changes
from .migrations import Revisions, Standing
from .schema import metadata

T = TypeVar("T")


@dataclass(frozen=True)
class Upgrade:
    """A ledger's revision before `db upgrade` and after it."""

    before: Revisions
    after: str


def ledger_revisions(url: str, location: Path = migrations.LOCATION) -> Revisions:
    """Where the ledger at `url` stands against this program (the migrations at `location`),
    without changing it."""
    return _run(url, partial(migrations.read_revisions, location=location), writes=False)


def upgrade_ledger(url: str, location: Path = migrations.LOCATION) -> Upgrade:
    """Bring the ledger at `url` to this program's schema (the migrations at `location`) in one
    transaction: a new one is created, one made before migrations is stamped, an older one is
    migrated.

    Raises:
        StorageError: the ledger is newer than this program, cannot be reached, or a migration
            failed (then nothing changed).
    """
    return _run(url, partial(_upgrade, location=location), writes=True)


def _upgrade(conn: Connection, location: Path) -> Upgrade:
    serialise_schema_changes(conn)
    before = migrations.read_revisions(conn, location)
    if before.standing is Standing.NEWER:
        raise refusal(before)
    if before.standing is Standing.EMPTY:
        metadata.create_all(conn)
        migrations.stamp(conn, location)
    elif before.standing is not Standing.CURRENT:
        migrations.upgrade(conn, location=location)
    if conn.dialect.name == "sqlite":
        broken = conn.execute(text("PRAGMA foreign_key_check")).all()
        if broken:
            raise StorageError(f"the upgrade would break {len(broken)} references, e.g. "
                               f"{tuple(broken[0])}; nothing was changed")
    return Upgrade(before, migrations.head(location))


def _run(url: str, work: Callable[[Connection], T], writes: bool) -> T:
    engine = ledger_engine(url)
    try:
        with engine.connect() as conn:
            if writes and conn.dialect.name == "sqlite":
                # SQLite copies a table to alter it (batch mode); with foreign keys on, dropping
                # the old copy of a referenced table would fail or cascade. The check above
                # stands in for them. The pragma is ignored inside a transaction, so it goes
                # to the driver before ours begins; this engine is disposed afterwards.
                conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=OFF")
            with conn.begin():
                return work(conn)
    except Exception as exc:
        # Alembic is imported only once something failed: reading a current ledger needs none.
        from alembic.util import CommandError

        if not isinstance(exc, SQLAlchemyError | CommandError):
            raise
        action = "upgrade" if writes else "read"
        raise StorageError(f"cannot {action} the ledger at {url}: "
                           f"{exc.__class__.__name__}: {exc}") from None
    finally:
        engine.dispose()
