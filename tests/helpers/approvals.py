"""An approver at work: the approval request read back, its decision block filled in as a
person would in Excel (through its defined names), and the form dropped into the inbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import Connection, event

from sales_sheets.ledger.approvals import next_approval_no
from sales_sheets.workspace import Workspace


def requests(workspace: Workspace) -> list[Path]:
    """Every approval request waiting in an approver's folder, as paths relative to
    outbox/approvals/ (those filed away in 已处理/ left out)."""
    folder = workspace.outbox / "approvals"
    return sorted(p.relative_to(folder) for p in folder.glob("*/*.xlsx"))


def filed_requests(workspace: Workspace) -> list[str]:
    """The requests filed away in the approvers' 已处理/ folders, as <approver>/<name> with
    the time stamp left out."""
    folder = workspace.outbox / "approvals"
    return sorted(f"{p.parent.parent.name}/{p.name.split('_', 1)[1]}"
                  for p in folder.glob("*/已处理/*.xlsx"))


def fields(path: Path) -> dict[str, object]:
    """The header fields of a form, by their defined names."""
    book = openpyxl.load_workbook(path)
    values = {}
    for name, defined in book.defined_names.items():
        for sheet, cell in defined.destinations:
            if ":" not in cell:  # the drop-down lists are ranges
                values[name] = book[sheet][cell.replace("$", "")].value
    return values


def lines(path: Path) -> list[dict[str, object]]:
    """The line table of a form, as dicts by column header; empty rows left out."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    [table] = sheet.tables.values()
    rows = list(sheet[table.ref])
    header = [c.value for c in rows[0]]
    found = [dict(zip(header, (c.value for c in row), strict=True)) for row in rows[1:]]
    return [row for row in found if any(v not in (None, "") for v in row.values())]


def decide(workspace: Workspace, request: Path, dest: str, **values: object) -> Path:
    """Fill the decision block of `request` (decision="同意", approver="M01", ...) and drop it
    into the inbox as `dest` (which may include a sub-folder)."""
    book = openpyxl.load_workbook(request)
    for key, value in values.items():
        [(sheet, cell)] = list(book.defined_names[key].destinations)
        book[sheet][cell.replace("$", "")].value = value
    target = workspace.inbox / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def approval_number_plan(conn: Connection, day: date) -> tuple[str, str]:
    """The next approval number of `day`, and how the database found it: its query plan."""
    sent: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
        sent.append((args[2], args[3]))

    event.listen(conn, "before_cursor_execute", capture)
    number = next_approval_no(conn, day)
    event.remove(conn, "before_cursor_execute", capture)
    [(statement, parameters)] = [(sql, p) for sql, p in sent if "approval_no" in sql]
    if conn.dialect.name == "sqlite":
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    else:  # an empty table: only without the sequential scan does the planner show its way
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    return number, str(plan)
