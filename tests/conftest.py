"""Shared fixtures: real workspaces in tmp_path, real workbooks, a real SQLite ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest

from sales_sheets.config import CONFIG_TEMPLATE
from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.forms.kinds import KINDS
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.ledger.database import close_all
from sales_sheets.workspace import Workspace, init_workspace


@pytest.fixture(autouse=True)
def _close_engines() -> Iterator[None]:
    yield
    close_all()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """An empty workspace. PDFs are off: LibreOffice takes seconds per document (one test
    turns them on)."""
    root = tmp_path / "ws"
    root.mkdir()
    config = CONFIG_TEMPLATE.replace("\npdf = true\n", "\npdf = false\n")
    (root / "config.toml").write_text(config, encoding="utf-8")
    return init_workspace(root)


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    """A workspace whose ledger holds the demo's salespeople, products and customers."""
    drop(workspace, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(workspace, "products", "pr.xlsx", lines=PRODUCTS)
    drop(workspace, "customers", "cu.xlsx", lines=CUSTOMERS)
    results = process_inbox(workspace)
    assert [r.status for r in results] == ["accepted"] * 3, [r.problems for r in results]
    return workspace


def drop(
    workspace: Workspace, kind: str, name: str, header: dict[str, Any] | None = None,
    lines: list[dict[str, Any]] | None = None, language: str = "zh",
) -> Path:
    """Write a filled form of `kind` into the inbox (name may include a sub-folder)."""
    return write_form(workspace.inbox / name, KINDS[kind], language,
                      data=FormData(header or {}, lines or []))


def order_header(no: str = "SO-1", day: date = date(2026, 11, 2), customer: str = "C001",
                 salesperson: str = "S01", **extra: Any) -> dict[str, Any]:
    return {"order_no": no, "order_date": day, "customer_code": customer,
            "salesperson": salesperson, "delivery_address": "杭州市萧山区", **extra}


def one(workspace: Workspace) -> IngestResult:
    """Process the inbox and return the only result."""
    results = process_inbox(workspace)
    assert len(results) == 1, results
    return results[0]


def codes(result: IngestResult) -> list[tuple[str, str, str]]:
    """(code, severity, cell) of each problem: what tests assert on, not message prose."""
    return [(p.code, str(p.severity), p.cell) for p in result.problems]


def docx_text(path: Path) -> str:
    """Every paragraph, table cell and footer line of a .docx, read back with python-docx."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def query(workspace: Workspace, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(workspace.root / "ledger.sqlite") as conn:
        return conn.execute(sql, args).fetchall()
