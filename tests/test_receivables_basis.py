"""The receivables basis ([receivables] basis): from the order's date for its total, from each
delivery's date for the value delivered, or from each invoice's date for the amount invoiced.
Real forms through the real ingest, on SQLite and PostgreSQL; the statement, the ageing and
the overdue hold all count on the same basis."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales_sheets.cli import main
from sales_sheets.errors import ConfigError
from sales_sheets.forms.kinds import Ref
from sales_sheets.forms.periods import parse_period
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger import Ledger
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import codes, drop, one, order_header

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P003", "quantity": 10, "unit_price": "460"}  # 4,600.00


def _order(ws: Workspace, no: str, day: date, lines: list[dict[str, Any]] | None = None,
           **header: Any) -> str:
    drop(ws, "order", f"S01/{no}.xlsx", order_header(no=no, day=day, **header), lines or [LINE])
    return one(ws).status


def _deliver(ws: Workspace, no: str, order_no: str, day: date,
             lines: list[tuple[str, int]]) -> None:
    drop(ws, "delivery", f"S01/{no}.xlsx",
         {"delivery_no": no, "delivery_date": day, "order_no": order_no},
         [{"product_code": code, "quantity": quantity} for code, quantity in lines])
    result = one(ws)
    assert result.status == "accepted", result.problems


def _invoice(ws: Workspace, no: str, order_no: str, day: date, amount: str | None) -> None:
    drop(ws, "invoice", f"FINANCE/{no}.xlsx",
         {"order_no": order_no, "order_version": 1, "customer_code": "C001", "invoice_no": no,
          "invoiced_on": day, "invoice_amount": amount})
    result = one(ws)
    assert result.status == "accepted", result.problems


def _receipt(ws: Workspace, day: date, amount: str) -> None:
    drop(ws, "receipt", f"FINANCE/r-{day}.xlsx", lines=[
        {"receipt_date": day, "customer_code": "C001", "amount": amount, "reference": f"R{day}"}])
    assert one(ws).status == "accepted"


def _history(ws: Workspace) -> None:
    """SO-1 (4,600.00) ordered 1 September, shipped in two parts (4 on 10 September, 6 on 5
    October), invoiced in two parts (2,000.00 on 15 September, the rest on 10 October) and
    paid 1,000.00 on 20 October."""
    assert _order(ws, "SO-1", date(2026, 9, 1)) == "accepted"
    _deliver(ws, "FH-1", "SO-1", date(2026, 9, 10), [("P003", 4)])
    _deliver(ws, "FH-2", "SO-1", date(2026, 10, 5), [("P003", 6)])
    _invoice(ws, "FP-1", "SO-1", date(2026, 9, 15), "2000")
    _invoice(ws, "FP-2", "SO-1", date(2026, 10, 10), None)
    _receipt(ws, date(2026, 10, 20), "1000")


def _statement(ws: Workspace, period: str) -> tuple[Decimal, Decimal, list[tuple[str, str]]]:
    with Ledger.of(ws).reading() as books:
        [customer] = books.master_records(Ref.CUSTOMER, "C001")
        found = books.customer_statement(customer, parse_period(period))
    return found.opening, found.closing, [(m.kind, m.reference) for m in found.movements]


@pytest.mark.parametrize(("basis", "q3_closing", "q3_debits"), [
    ("order", Decimal("4600.00"), [("order", "SO-1")]),
    ("delivery", Decimal("1840.00"), [("delivery", "FH-1")]),
    ("invoice", Decimal("2000.00"), [("invoice", "FP-1")]),
])
def test_each_basis_charges_from_its_own_dates_and_all_meet_once_everything_is_done(
    loaded: Workspace, basis: str, q3_closing: Decimal, q3_debits: list[tuple[str, str]],
) -> None:
    ws = configure(loaded, receivables={"basis": basis})
    _history(ws)
    opening, closing, movements = _statement(ws, "2026-Q3")
    assert (opening, closing, movements) == (Decimal("0.00"), q3_closing, q3_debits)
    # closing = opening + the basis' amounts − receipts − returns, and every basis ends the
    # same once the order is shipped, invoiced and paid in part
    opening, closing, movements = _statement(ws, "2026-Q4")
    assert opening == q3_closing
    assert closing == Decimal("3600.00")
    assert ("receipt", "R2026-10-20") in movements


def test_ageing_counts_each_delivery_from_its_own_day(loaded: Workspace) -> None:
    ws = configure(loaded, receivables={"basis": "delivery"})
    _history(ws)
    with Ledger.of(ws).reading() as books:
        [(customer, position)] = [(c, p) for c, p in books.customer_positions(date(2026, 12, 31))
                                  if c["code"] == "C001"]
    # C001 pays in 60 days; the receipt paid the oldest delivery first
    assert [(item.day, item.due, item.open) for item in position.items] == [
        (date(2026, 9, 10), date(2026, 11, 9), Decimal("840.00")),
        (date(2026, 10, 5), date(2026, 12, 4), Decimal("2760.00"))]
    assert position.overdue == Decimal("3600.00")


def test_an_order_not_yet_shipped_is_not_overdue_on_the_delivery_basis(
    loaded: Workspace,
) -> None:
    # SO-6 of June, 60 payment days: overdue by August on the order basis, nothing on the
    # delivery basis until it ships
    ws = configure(loaded, receivables={"basis": "delivery"})
    assert _order(ws, "SO-6", date(2026, 6, 10)) == "accepted"
    assert _order(ws, "SO-8", date(2026, 8, 20)) == "accepted"  # SO-6 not shipped: nothing due
    _deliver(ws, "FH-6", "SO-6", date(2026, 8, 25), [("P003", 10)])
    # shipped 25 August, due 24 October: a November order waits for approval
    drop(ws, "order", "S01/SO-11.xlsx", order_header(no="SO-11", day=date(2026, 11, 2)),
         [LINE])
    result = one(ws)
    assert (result.status, [c for c, _, _ in codes(result)]) == ("held", ["customer_overdue"])
    # on the order basis SO-6 was overdue from 10 August: SO-8 would have been held
    ws = configure(ws, receivables={"basis": "order"})
    drop(ws, "order", "S01/SO-9.xlsx", order_header(no="SO-9", day=date(2026, 8, 20)),
         [LINE])
    result = one(ws)
    assert (result.status, [c for c, _, _ in codes(result)]) == ("held", ["customer_overdue"])


def test_an_unknown_basis_is_a_clear_error(loaded: Workspace) -> None:
    with pytest.raises(ConfigError, match="receivables.basis = 'shipment'; use one of order, "
                                          "delivery, invoice"):
        configure(loaded, receivables={"basis": "shipment"})
    result = CliRunner().invoke(main, ["status", "-w", str(loaded.root)])
    assert result.exit_code == 1 and "receivables.basis = 'shipment'" in result.stderr


@pytest.mark.ledgers("sqlite")
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
       invoices=st.integers(min_value=1, max_value=3),
       quantity=st.sampled_from([Decimal("1"), Decimal("2.5"), Decimal("0.333"),
                                 Decimal("4.125")]))
def test_the_three_bases_agree_once_everything_is_delivered_and_invoiced(
    loaded: Workspace, parts: list[int], invoices: int, quantity: Decimal,
) -> None:
    """Orders shipped in any number of parts and invoiced in any number of parts: once all is
    shipped and invoiced, the three bases give the same balance and the same total charged,
    to the fen (quantities with places, prices with fen: every part rounds)."""
    ws = configure(loaded, receivables={"basis": "order"})
    tag = f"{len(parts)}-{sum(parts)}-{invoices}-{quantity}-{len(list(ws.outbox.rglob('*')))}"
    lines: list[dict[str, object]] = [
             {"product_code": "P003", "quantity": str(quantity * sum(parts)),
              "unit_price": "460.37"},
             {"product_code": "P006", "quantity": sum(parts), "unit_price": "2000.37"}]
    number = f"SO-{tag}"
    drop(ws, "order", f"S01/{number}.xlsx",
         order_header(no=number, day=date(2026, 9, 1)), lines)
    for n, part in enumerate(parts):
        drop(ws, "delivery", f"S01/FH-{tag}-{n}.xlsx",
             {"delivery_no": f"FH-{tag}-{n}", "delivery_date": date(2026, 9, 2 + n),
              "order_no": number},
             [{"product_code": "P003", "quantity": str(quantity * part)},
              {"product_code": "P006", "quantity": part}])
    total = ((quantity * sum(parts) * Decimal("460.37")).quantize(Decimal("0.01"))
             + sum(parts) * Decimal("2000.37"))
    share = (total / invoices).quantize(Decimal("0.01"))
    for n in range(invoices):
        drop(ws, "invoice", f"FINANCE/FP-{tag}-{n}.xlsx",
             {"order_no": number, "order_version": 1, "customer_code": "C001",
              "invoice_no": f"FP-{tag}-{n}", "invoiced_on": date(2026, 9, 20 + n),
              "invoice_amount": None if n == invoices - 1 else str(share)})
    # paid in full on the order's day: the credit check counts the receipts up to the order's
    # date, and the examples hypothesis runs on one ledger must not add up to the credit limit
    drop(ws, "receipt", f"FINANCE/R-{tag}.xlsx", lines=[
        {"receipt_date": date(2026, 9, 1), "customer_code": "C001", "amount": str(total),
         "reference": f"R-{tag}"}])
    assert {r.status for r in process_inbox(ws)} == {"accepted"}
    found = {}
    for basis in ("order", "delivery", "invoice"):
        on_basis = configure(ws, receivables={"basis": basis})
        with Ledger.of(on_basis).reading() as books:
            [customer] = books.master_records(Ref.CUSTOMER, "C001")
            statement = books.customer_statement(customer, parse_period("2026"))
        debits = sum((m.debit for m in statement.movements if m.kind == basis), Decimal(0))
        found[basis] = (statement.closing, debits)
    assert found["order"] == found["delivery"] == found["invoice"], found
