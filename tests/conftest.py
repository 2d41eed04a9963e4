"""Shared fixtures: real workspaces in tmp_path, real workbooks, a real SQLite ledger. Shared
helpers that are not fixtures live in tests/helpers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.database import close_all
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.config import configure
from .helpers.forms import drop


@pytest.fixture(autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    close_all()


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
def workspace(tmp_path: Path) -> Workspace:
    """An empty workspace. PDFs are off: LibreOffice takes seconds per document (one test
    turns them on)."""
    root = tmp_path / "ws"
    root.mkdir()
    return configure(init_workspace(root), documents={"pdf": False})


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    """A workspace whose ledger holds the demo's salespeople, products and customers."""
    drop(workspace, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(workspace, "products", "pr.xlsx", lines=PRODUCTS)
    drop(workspace, "customers", "cu.xlsx", lines=CUSTOMERS)
    results = process_inbox(workspace)
    assert [r.status for r in results] == ["accepted"] * 3, [r.problems for r in results]
    return workspace
