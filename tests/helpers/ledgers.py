"""The ledgers tests run against: the workspace's own SQLite file, or a fresh schema per test in
one PostgreSQL database made for the test session (and dropped after it).

The server is SALES_SHEETS_TEST_POSTGRES (a SQLAlchemy URL of a database we may connect to with
the right to CREATE DATABASE), by default the local server over TCP. A server that cannot be
reached fails the tests that need it: a ledger nobody tested must not look green.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

SERVER = os.environ.get("SALES_SHEETS_TEST_POSTGRES",
                        "postgresql+psycopg://127.0.0.1:5432/postgres")
DIALECTS = ("sqlite", "postgresql")


class PostgresDatabase:
    """One database of the test session; each test gets a schema of its own in it, named on the
    connection's search_path, so the ledger's tables land there and nowhere else."""

    def __init__(self, server: str) -> None:
        self.server = make_url(server)
        self.name = f"sales_sheets_test_{secrets.token_hex(4)}"
        self.url: URL = self.server.set(database=self.name)
        self._numbers = itertools.count(1)
        self._run(f'CREATE DATABASE "{self.name}"')

    def _run(self, sql: str) -> None:
        # CREATE and DROP DATABASE refuse to run inside a transaction.
        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(sql))
        except SQLAlchemyError as exc:
            pytest.fail(f"PostgreSQL at {self.server!r} is needed for the shared-ledger tests "
                        f"(set SALES_SHEETS_TEST_POSTGRES): {exc.__class__.__name__}: {exc}",
                        pytrace=False)
        finally:
            admin.dispose()

    def fresh_schema(self) -> str:
        """The URL of a new, empty schema of this database."""
        schema = f"t_{next(self._numbers)}"
        engine = create_engine(self.url)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        # FORCE: a worker process killed half-way may still hold a connection.
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@contextmanager
def commits_held(url: str) -> Iterator[Callable[[int], None]]:
    """Hold back every file's commit on the PostgreSQL ledger at `url`: its intake row waits
    for a lock this holds. `release(n)` lets them go once `n` other transactions are waiting
    for a lock, so each of them has judged its file before any of them commits."""
    engine = create_engine(url)
    conn = engine.connect()
    conn.begin()
    conn.execute(text("LOCK TABLE intake IN EXCLUSIVE MODE"))  # reading it stays allowed

    def release(waiting: int) -> None:
        deadline = time.monotonic() + 30
        count = text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        while conn.execute(count).scalar_one() < waiting:
            assert time.monotonic() < deadline, f"fewer than {waiting} transactions waiting"
            time.sleep(0.01)
        conn.commit()

    try:
        yield release
    finally:
        conn.close()
        engine.dispose()
