"""The synthetic ledger bench/report_large.py measures the summary workbook on, kept working:
the same rows from the same seed, as many accepted lines as asked for, and a report of its year
whose totals are the ledger's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from sales_sheets.forms.periods import parse_period
from sales_sheets.ledger import Ledger, schema
from sales_sheets.ledger.database import ledger_of
from sales_sheets.reports.kpis import build_report
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.synthetic_ledger import FIRST_DAY, LAST_DAY, YEAR, Sizes, write_synthetic_ledger

LINES = 400
SMALL = Sizes(salespeople=4, customers=40, new_customers=6, products=20)
IN_YEAR = (f"JOIN documents AS d ON d.id = o.document_id WHERE d.status = :status "
           f"AND o.order_date BETWEEN '{FIRST_DAY}' AND '{LAST_DAY}'")


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in schema.metadata.sorted_tables if table.primary_key.columns}


def _scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_the_same_seed_writes_the_same_rows(tmp_path: Path) -> None:
    engines = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        workspace = init_workspace(tmp_path / name)
        write_synthetic_ledger(workspace, LINES, SMALL)
        engines.append(ledger_of(workspace))
    first, second = (_rows(engine) for engine in engines)
    assert first["order_lines"] and first["visits"] and first["plans"]
    assert first == second


@pytest.mark.ledgers
def test_the_report_of_the_year_adds_up_to_the_ledger(workspace: Workspace) -> None:
    write_synthetic_ledger(workspace, LINES, SMALL)
    engine = ledger_of(workspace)
    lines = _scalar(engine, "SELECT count(*) FROM order_lines AS l JOIN orders AS o "
                            f"ON o.document_id = l.document_id {IN_YEAR}", status="accepted")
    assert lines == LINES
    report = build_report(workspace, Ledger(engine), parse_period(str(YEAR)))
    assert len(report.salespeople) == SMALL.salespeople
    totals = {status: Decimal(_scalar(engine, f"SELECT sum(o.total) FROM orders AS o {IN_YEAR}",
                                      status=status)) / 100
              for status in ("accepted", "held")}
    assert sum(p.sales_actual for p in report.salespeople) == totals["accepted"]
    assert sum(p.held_amount for p in report.salespeople) == totals["held"]
    details = list(report.details())
    assert len(details) == LINES
    assert sum(d.amount for d in details) == totals["accepted"]
    receipts = Decimal(_scalar(engine, "SELECT sum(amount) FROM receipts")) / 100
    assert sum(p.receipts for p in report.salespeople) == receipts
