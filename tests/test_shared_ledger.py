"""One ledger, several offices: real processes on two workspaces that share a ledger (a SQLite
file, or the PostgreSQL server) process their inboxes at the same moment, and the outcome is the
one that processing the files one at a time would give."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sales_sheets.api import write_report, write_statements
from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.intake.check import read_document
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.locks import locks_of
from sales_sheets.workspace import Workspace, init_workspace

from .helpers.config import configure
from .helpers.forms import drop, one, order_header, query
from .helpers.ledgers import PostgresDatabase
from .helpers.offices import both_judged, run_at_once, second_office

pytestmark = pytest.mark.ledgers

ORDER_OF_5060 = {"product_code": "P003", "quantity": 11, "unit_price": "460"}


@pytest.mark.ledgers("sqlite")  # reads forms only
def test_what_a_document_is_serialised_on(workspace: Workspace) -> None:
    def locks(kind: str, header: dict[str, Any] | None = None,
              lines: list[dict[str, Any]] | None = None) -> set[str]:
        doc = read_document(drop(workspace, kind, f"{kind}.xlsx", header, lines),
                            workspace.settings.limits).document
        assert doc is not None
        return locks_of(doc)

    assert locks("order", order_header(no="SO-7", customer="C004"), [ORDER_OF_5060]) == {
        "customer:C004", "document:order:SO-7"}
    assert locks("receipt", lines=[
        {"receipt_date": "2026-11-03", "customer_code": c, "amount": "1", "reference": r}
        for c, r in (("C001", "R1"), ("C002", "R2"), ("C001", "R3"))]) == {
        "customer:C001", "customer:C002"}
    assert locks("approval", {"approval_type": "document", "document_no": "SO-7",
                              "customer_code": "C004", "approver": "M01"}) == {
        "customer:C004", "document:order:SO-7", "document:return:SO-7",
        "document:expense:SO-7", "document:quote:SO-7", "approval-numbers"}
    assert locks("customers", lines=[{"code": "C9", "name": "x", "region": "华东",
                                      "salesperson": "S01", "created": "2026-11-01"}]) == set()


@pytest.mark.ledgers("sqlite")
@pytest.mark.postgresql
def test_every_document_is_byte_for_byte_the_same_on_postgresql(
    loaded: Workspace, tmp_path: Path, postgres_database: PostgresDatabase,
) -> None:
    shared = configure(init_workspace(tmp_path / "pg"), documents={"pdf": False},
                       database={"url": postgres_database.fresh_schema()})
    drop(shared, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(shared, "products", "pr.xlsx", lines=PRODUCTS)
    drop(shared, "customers", "cu.xlsx", lines=CUSTOMERS)
    outputs = []
    for ws in (loaded, shared):
        drop(ws, "order", "S01/a.xlsx", order_header(no="SO-A"),
             [{"product_code": "P001", "quantity": "2.5", "unit_price": "12800"},
              {"product_code": "P003", "quantity": 7, "unit_price": "460"}])
        drop(ws, "order", "S02/b.xlsx", order_header(no="SO-B", customer="C004", salesperson="S02",
                                                     day=date(2026, 11, 9)), [ORDER_OF_5060])
        drop(ws, "order", "S02/c.xlsx", order_header(no="SO-C", customer="C004", salesperson="S02",
                                                     day=date(2026, 11, 9)),
             [dict(ORDER_OF_5060, quantity=100)])  # beyond the credit limit: held
        drop(ws, "receipt", "r.xlsx", lines=[
            {"receipt_date": "2026-11-20", "customer_code": "C001", "amount": "10000.05",
             "reference": "R-1"}])
        assert sorted(r.status for r in process_inbox(ws)) == [
            *(["accepted"] * (6 if ws is shared else 3)), "held"]
        write_report(ws, "2026-11")
        write_statements(ws, "2026-Q4")
        outputs.append({path.relative_to(ws.outbox).as_posix(): path.read_bytes()
                        for part in ("contracts", "approvals", "reports", "statements")
                        for path in sorted((ws.outbox / part).rglob("*")) if path.is_file()})
    on_sqlite, on_postgresql = outputs
    assert len(on_sqlite) >= 6 and list(on_sqlite) == list(on_postgresql)
    assert [name for name in on_sqlite if on_sqlite[name] != on_postgresql[name]] == []


def test_the_same_orders_dropped_in_two_offices_are_stored_once(
    loaded: Workspace, tmp_path: Path,
) -> None:
    other = second_office(loaded, tmp_path / "office2")
    numbers = [f"SO-X{n:02}" for n in range(8)]
    for number in numbers:
        path = drop(loaded, "order", f"S01/{number}.xlsx", order_header(no=number),
                    [{"product_code": "P003", "quantity": 1, "unit_price": "460"}])
        (other.inbox / "S01").mkdir(exist_ok=True)
        (other.inbox / "S01" / path.name).write_bytes(path.read_bytes())
    first, second = run_at_once(tmp_path, loaded, other)
    outcomes = Counter((f["document"], f["status"]) for f in first + second)
    assert outcomes == Counter({(n, s): 1 for n in numbers for s in ("accepted", "duplicate")})
    assert all(f["problems"] == [] for f in first + second)
    assert query(loaded, "SELECT doc_key, version, status FROM documents WHERE kind = 'order' "
                         "ORDER BY doc_key") == [(n, 1, "accepted") for n in numbers]
    assert query(loaded, "SELECT COUNT(*) FROM order_lines") == [(len(numbers),)]


def test_twenty_orders_through_two_offices_take_exactly_the_credit_limit(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """C004 has a credit limit of 50,000 and nothing outstanding: nine orders of 5,060 fit,
    the tenth would not, whichever office stores it."""
    # No contracts: without them each process goes from one transaction straight to the next,
    # so the two overlap all the way, and most of all around the ninth order.
    loaded = configure(loaded, documents={"contracts": False})
    other = configure(second_office(loaded, tmp_path / "office2"), documents={"contracts": False})
    for n in range(20):
        office = loaded if n % 2 else other
        drop(office, "order", f"S02/SO-C{n:02}.xlsx",
             order_header(no=f"SO-C{n:02}", customer="C004", salesperson="S02"),
             [ORDER_OF_5060])
    first, second = run_at_once(tmp_path, loaded, other)
    statuses = Counter(f["status"] for f in first + second)
    assert statuses == Counter({"accepted": 9, "held": 11})
    held = [f for f in first + second if f["status"] == "held"]
    assert {tuple(p["code"] for p in f["problems"]) for f in held} == {("credit_limit_exceeded",)}
    assert query(loaded, "SELECT status, COUNT(*), SUM(o.total) FROM documents d "
                         "JOIN orders o ON o.document_id = d.id GROUP BY status ORDER BY 1") == [
        ("accepted", 9, 9 * 506000), ("held", 11, 11 * 506000)]


# -- On PostgreSQL, with every commit held back until both processes have judged their file ----

@pytest.mark.ledgers("postgresql")
def test_two_orders_judged_at_the_same_moment_do_not_both_take_the_last_room(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """Eight orders of 5,060 are in; the ninth fits under C004's 50,000, a tenth does not.
    Both arrive together: the customer's lock makes one wait and then see the other."""
    for n in range(8):
        drop(loaded, "order", f"S02/SO-P{n}.xlsx",
             order_header(no=f"SO-P{n}", customer="C004", salesperson="S02"), [ORDER_OF_5060])
        assert one(loaded).status == "accepted"
    other = second_office(loaded, tmp_path / "office2")
    for office, number in ((loaded, "SO-P8"), (other, "SO-P9")):
        drop(office, "order", f"S02/{number}.xlsx",
             order_header(no=number, customer="C004", salesperson="S02"), [ORDER_OF_5060])
    with both_judged(loaded) as release:
        first, second = run_at_once(tmp_path, loaded, other, started=lambda: release(2))
    assert sorted(f["status"] for f in first + second) == ["accepted", "held"]


@pytest.mark.ledgers("postgresql")
def test_the_same_master_data_in_two_offices_at_the_same_moment_is_stored_once(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """Master data takes no lock: the second insert of the same content meets the unique
    hash of the first and is decided again, as a duplicate."""
    other = second_office(loaded, tmp_path / "office2")
    customer = {"code": "C901", "name": "温州新客户", "region": "华东", "salesperson": "S01",
                "credit_limit": "1000", "created": "2026-11-01"}
    path = drop(loaded, "customers", "cu-new.xlsx", lines=[customer])
    (other.inbox / path.name).write_bytes(path.read_bytes())
    with both_judged(loaded) as release:
        first, second = run_at_once(tmp_path, loaded, other, started=lambda: release(2))
    assert sorted((f["status"], f["problems"]) for f in first + second) == [
        ("accepted", []), ("duplicate", [])]
    assert query(loaded, "SELECT code, credit_limit FROM customers WHERE code = 'C901'") == [
        ("C901", 100000)]
    assert query(loaded, "SELECT COUNT(*) FROM documents WHERE kind = 'customers'") == [(2,)]


@pytest.mark.ledgers("postgresql")
def test_one_bank_slip_sent_by_two_offices_at_the_same_moment_is_paid_once(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """Two receipt files for different customers share one reference: neither waits for the
    other's customer, the reference's unique index makes the second decide again."""
    other = second_office(loaded, tmp_path / "office2")
    for office, customer in ((loaded, "C001"), (other, "C002")):
        drop(office, "receipt", "r.xlsx", lines=[
            {"receipt_date": "2026-11-03", "customer_code": customer, "amount": "1000",
             "reference": "BANK-77"}])
    with both_judged(loaded) as release:
        first, second = run_at_once(tmp_path, loaded, other, started=lambda: release(2))
    outcomes = sorted((f["status"], tuple(p["code"] for p in f["problems"]))
                      for f in first + second)
    assert outcomes == [("accepted", ()), ("rejected", ("duplicate_reference",))]
    assert query(loaded, "SELECT reference, COUNT(*) FROM receipts GROUP BY reference") == [
        ("BANK-77", 1)]
