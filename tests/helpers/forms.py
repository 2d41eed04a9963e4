"""Real forms into a real inbox, and what the tests read back: results, problem codes, the
ledger's rows, a .docx's text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace

Row = dict[str, object]  # a form's header or one of its lines, by field name


def drop(
    workspace: Workspace, kind: str, name: str, header: Mapping[str, object] | None = None,
    lines: Sequence[Mapping[str, object]] | None = None, language: str = "zh",
) -> Path:
    """Write a filled form of `kind` into the inbox (name may include a sub-folder)."""
    return write_form(workspace.inbox / name, KINDS[kind], language,
                      data=FormData(dict(header or {}), [dict(line) for line in lines or []]))


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
    """Rows of `sql` (with `?` placeholders) on the workspace's ledger, whatever its database,
    read apart from the library's own engine and its connection set-up. Values come back as
    SQLite stores them (dates as ISO text, booleans as 0/1), so one expectation fits both."""
    parts = sql.split("?")
    named = "".join(part + (f":p{i}" if i < len(args) else "") for i, part in enumerate(parts))
    assert len(parts) == len(args) + 1, (sql, args)
    engine = create_engine(workspace.database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(named), {f"p{i}": a for i, a in enumerate(args)})
            return [tuple(_as_sqlite_stores(v) for v in row) for row in rows]
    finally:
        engine.dispose()


def _as_sqlite_stores(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
