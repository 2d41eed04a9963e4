"""Shared fixtures: real workspaces in tmp_path, real workbooks, a real ledger (SQLite, and for the
modules marked `ledgers` PostgreSQL too). Shared helpers that are not fixtures live in
tests/helpers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.services import Services
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.config import configure
from .helpers.forms import drop
from .helpers.ledgers import DIALECTS, SERVER, PostgresDatabase


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `ledgers` run once per ledger dialect (`ledgers("sqlite")` narrows a test
    to the ones named); every other test runs on SQLite alone."""
    marker = metafunc.definition.get_closest_marker("ledgers")
    if marker is None or "ledger_dialect" not in metafunc.fixturenames:
        return
    dialects = marker.args or DIALECTS
    metafunc.parametrize(
        "ledger_dialect",
        [pytest.param(d, marks=[pytest.mark.postgresql] if d == "postgresql" else [])
         for d in dialects],
        indirect=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """One fresh database on the PostgreSQL server for the whole session, dropped after it."""
    database = PostgresDatabase(SERVER)
    yield database
    database.drop()


@pytest.fixture
def ledger_dialect(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def ledger_url(ledger_dialect: str, request: pytest.FixtureRequest) -> str | None:
    """The ledger URL of the test's workspace: None for the workspace's own SQLite file, else a
    fresh PostgreSQL schema."""
    if ledger_dialect == "sqlite":
        return None
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    return database.fresh_schema()


@pytest.fixture(autouse=True)
def _close_services(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close every Services a test made (each workspace it opened or re-configured has its
    own), as the CLI and the add-in close theirs: no connection outlives its test."""
    made: list[Services] = []
    build = Services.__init__

    def tracked(self: Services, **kwargs: Any) -> None:
        build(self, **kwargs)
        made.append(self)

    monkeypatch.setattr(Services, "__init__", tracked)
    yield
    for services in made:
        services.close()


@pytest.fixture
def readers_stay_quiet(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """olefile and oletools log what they find odd instead of raising: none of it is allowed."""
    # Both loggers start above CRITICAL (silenced) until a level is set.
    with (
        caplog.at_level(logging.WARNING, logger="olefile"),
        caplog.at_level(logging.WARNING, logger="olevba"),
    ):
        yield
    assert [
        r.getMessage() for r in caplog.records if r.name.startswith(("olefile", "olevba"))
    ] == []


@pytest.fixture
def workspace(tmp_path: Path, ledger_url: str | None) -> Workspace:
    """An empty workspace on the test's ledger. PDFs are off: LibreOffice takes seconds per
    document (one test turns them on)."""
    root = tmp_path / "ws"
    root.mkdir()
    workspace = configure(init_workspace(root), documents={"pdf": False})
    if ledger_url is not None:
        workspace = configure(workspace, database={"url": ledger_url})
    return workspace


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    """A workspace whose ledger holds the demo's salespeople, products and customers."""
    drop(workspace, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(workspace, "products", "pr.xlsx", lines=PRODUCTS)
    drop(workspace, "customers", "cu.xlsx", lines=CUSTOMERS)
    results = process_inbox(workspace)
    assert [r.status for r in results] == ["accepted"] * 3, [r.problems for r in results]
    return workspace
