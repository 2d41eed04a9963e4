"""The synthetic ledger bench/report_large.py measures the summary workbook on, kept working:
the same rows from the same seed, as many accepted lines as asked for, and a report of its year
whose totals are the ledger's."""

from __future__ import annotations

from datetime import date
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


@pytest.mark.ledgers
def test_deliveries_and_invoices_add_to_the_same_ledger_and_add_up(
        workspace: Workspace, tmp_path: Path) -> None:
    """The order-to-cash option of the generator (bench/report_large.py --order-to-cash): the
    ledger of the plain run plus 发货单 and 开票登记, none over-delivering or over-invoicing,
    and the 销售跟单 and 合同台账 figures of the year add up to them."""
    write_synthetic_ledger(workspace, LINES, SMALL, delivery_lines=380, invoices=100)
    engine = ledger_of(workspace)
    plain = init_workspace(tmp_path / "plain")
    write_synthetic_ledger(plain, LINES, SMALL)
    with_them, without = _rows(engine), _rows(ledger_of(plain))
    assert {name: rows[:len(without[name])] for name, rows in with_them.items()} == without
    assert _scalar(engine, "SELECT count(*) FROM delivery_lines") == 380
    assert _scalar(engine, "SELECT count(*) FROM invoices") == 100
    assert _scalar(engine, """
        SELECT count(*) FROM (SELECT dl.product_code, dv.order_no, sum(dl.quantity) AS q
                              FROM delivery_lines dl JOIN deliveries dv
                              ON dv.document_id = dl.document_id
                              GROUP BY dv.order_no, dl.product_code) AS s
        JOIN orders o ON o.order_no = s.order_no
        JOIN documents d ON d.id = o.document_id AND d.status = 'accepted'
        WHERE s.q > (SELECT sum(l.quantity) FROM order_lines l
                     WHERE l.document_id = o.document_id AND l.product_code = s.product_code)
        """) == 0
    assert _scalar(engine, """
        SELECT count(*) FROM orders o JOIN documents d ON d.id = o.document_id
        AND d.status = 'accepted'
        WHERE o.total < (SELECT sum(i.amount) FROM invoices i WHERE i.order_no = o.order_no)
        """) == 0
    ledger = Ledger(engine)
    report = build_report(workspace, ledger, parse_period(str(YEAR)))
    invoiced = Decimal(_scalar(engine, "SELECT sum(amount) FROM invoices")) / 100
    with ledger.reading() as books:
        by_order = books.delivered_value_by_order()
        # The one-pass sum per order is what the deliveries one by one are worth, on any day.
        for as_of in (None, date(YEAR, 6, 30)):
            each: dict[str, Decimal] = {}
            for value in books.delivered_values(as_of=as_of):
                each[value.order_no] = each.get(value.order_no, Decimal(0)) + value.value
            summed = books.delivered_value_by_order(as_of)
            assert {k: v for k, v in each.items() if v} == {k: v for k, v in summed.items() if v}
    delivered = sum(by_order.values(), Decimal(0))
    assert delivered > 0
    # Every accepted order is of the year, so 销售跟单 lists each of them once.
    accepted = [c for c in report.contracts() if c.status == "accepted"]
    followed = list(report.tracking())
    assert sorted(r.order_no for r in followed) == sorted(c.order_no for c in accepted)
    for figures in (followed, accepted):
        assert sum((r.invoiced for r in figures), Decimal(0)) == invoiced
        assert sum((r.delivered for r in figures), Decimal(0)) == delivered
