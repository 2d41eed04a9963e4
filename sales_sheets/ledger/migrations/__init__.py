"""The ledger's schema history as Alembic migrations (versions/), and running them from code:
there is no alembic.ini, and every step runs on a connection and in a transaction the caller owns.

A new ledger is created from the schema (`metadata.create_all`) and stamped with the newest
revision rather than built by replaying every migration: one pass instead of many, and
tests/test_migrations.py proves the two give the same tables.

Alembic is imported only to stamp, upgrade or walk the migrations: opening a ledger that is
already current (every `status`, every add-in button) reads its revision with SQLAlchemy Core
against `HEAD`, and importing Alembic would cost such a command about 0.15 s of its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, Connection, MetaData, String, Table, delete, inspect, select

from ..schema import meta

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

LOCATION = Path(__file__).parent
# The newest revision in versions/, known without reading them; a new migration moves it
# (tests/test_migrations.py fails until it does).
HEAD = "0011"
# Alembic's own table, as Alembic defines it; read here, only ever written by Alembic.
_ALEMBIC_VERSION = Table("alembic_version", MetaData(),
                         Column("version_num", String(32), primary_key=True))


@cache
def script(location: Path = LOCATION) -> ScriptDirectory:
    """The migrations at `location`, read once per process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(location))


def head(location: Path = LOCATION) -> str:
    """The newest revision at `location`: this program's own is `HEAD`."""
    if location == LOCATION:
        return HEAD
    found = script(location).get_current_head()
    assert found is not None, f"no migrations in {location}"
    return found


def knows(revision: str, location: Path = LOCATION) -> bool:
    """Whether `revision` is one of the migrations at `location`."""
    return any(r.revision == revision for r in script(location).walk_revisions())


def first(location: Path = LOCATION) -> str:
    """The first revision: the schema as it was when migrations began."""
    found = script(location).get_base()
    assert found is not None, f"no migrations in {location}"
    return found


class Standing(StrEnum):
    """Where a ledger stands against this program's migrations."""

    EMPTY = "empty"  # no ledger tables yet
    UNVERSIONED = "before migrations"  # made by a program before migrations
    OLDER = "older"
    CURRENT = "current"
    NEWER = "newer"  # a revision this program does not know


@dataclass(frozen=True)
class Revisions:
    """The ledger's revision beside this program's newest."""

    found: str | None
    head: str
    standing: Standing
    written_by: str | None  # the sales-sheets release that last created or upgraded it


def read_revisions(conn: Connection, location: Path = LOCATION) -> Revisions:
    """Where the ledger on `conn` stands; reads only."""
    found = revision_of(conn)
    newest = head(location)
    written_by = None
    if found is None:
        standing = Standing.UNVERSIONED if inspect(conn).has_table("meta") else Standing.EMPTY
    else:
        written_by = conn.execute(
            select(meta.c.value).where(meta.c.key == "program_version")).scalar()
        standing = (Standing.CURRENT if found == newest
                    else Standing.OLDER if knows(found, location) else Standing.NEWER)
    return Revisions(found, newest, standing, written_by)


def revision_of(conn: Connection) -> str | None:
    """The revision the ledger is stamped with, or None when it has no alembic_version.

    Raises:
        sqlalchemy.exc.MultipleResultsFound: it is stamped with several (a branched history,
            which this program's migrations never make).
    """
    if not inspect(conn).has_table(_ALEMBIC_VERSION.name):
        return None
    return conn.execute(select(_ALEMBIC_VERSION.c.version_num)).scalar_one_or_none()


def stamp(conn: Connection, location: Path = LOCATION) -> None:
    """Mark a ledger created from the current schema as being at the newest revision."""
    from alembic.migration import MigrationContext

    MigrationContext.configure(conn).stamp(script(location), head(location))
    record(conn, location)


def upgrade(conn: Connection, target: str = "head", location: Path = LOCATION) -> None:
    """Run the migrations from the ledger's revision (or from the start) up to `target`."""
    from alembic import command

    config = _config(location)
    config.attributes["connection"] = conn
    command.upgrade(config, target)
    record(conn, location)


def record(conn: Connection, location: Path = LOCATION) -> None:
    """Write the schema's position and this program's version into `meta`.

    The program before migrations refuses a ledger whose `schema_version` is above 1, so every
    revision after the first keeps that program away; the version tells a program meeting a
    newer ledger which release it needs.
    """
    revision = revision_of(conn)
    position = sum(1 for _ in script(location).iterate_revisions(revision, "base"))
    conn.execute(delete(meta).where(meta.c.key.in_(("schema_version", "program_version"))))
    conn.execute(meta.insert(), [
        {"key": "schema_version", "value": str(position)},
        {"key": "program_version", "value": version("sales-sheets")},
    ])


def _config(location: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(location))
    return config
