"""开票登记: the 开票通知单 that sales-sheets wrote for an accepted order comes back filled in
by finance (as in Excel: through its defined names, with openpyxl) and registers the invoice,
through the real ingest and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.documents.invoice import invoice_path
from sales_sheets.intake.ingest import IngestResult
from sales_sheets.ledger import Ledger, locks_of
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide, requests
from .helpers.config import configure
from .helpers.forms import codes, drop, one, order_header, query
from .helpers.ledgers import commits_held
from .helpers.offices import run_at_once, second_office

pytestmark = pytest.mark.ledgers

P001 = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}  # 25,600.00 at 13 %
P006 = {"product_code": "P006", "quantity": 1, "unit_price": "2000"}  # 2,000.00 at 6 %
BELOW_LIST = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # held: price
TOTAL = Decimal("27600.00")  # SO-1 with P001 and P006


def ordered(workspace: Workspace, no: str = "SO-1", lines: list[dict[str, Any]] | None = None,
            **extra: Any) -> IngestResult:
    """An order through the real ingest, as a salesperson drops it."""
    drop(workspace, "order", f"S01/{no}-{len(list(workspace.inbox.rglob('*')))}.xlsx",
         order_header(no=no, **extra), lines or [P001, P006],
         language=workspace.language)
    return one(workspace)


def notice(workspace: Workspace, no: str = "SO-1", version: int = 1) -> Path:
    """The invoice notice sales-sheets wrote for that order version."""
    path = invoice_path(workspace, "C001", no, version)
    assert path.exists(), path
    return path


def fill(workspace: Workspace, source: Path, dest: str, **values: object) -> Path:
    """Finance at work: the notice opened, the fields filled in through their defined names,
    saved into the inbox as `dest`."""
    book = openpyxl.load_workbook(source)
    for key, value in values.items():
        [(sheet, cell)] = list(book.defined_names[key].destinations)
        book[sheet][cell.replace("$", "")].value = value
    target = workspace.inbox / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def registered(workspace: Workspace, path: Path, **values: object) -> IngestResult:
    fill(workspace, path, f"FINANCE/{values.get('invoice_no', 'blank')}-"
                          f"{len(list(workspace.inbox.rglob('*')))}.xlsx", **values)
    return one(workspace)


def invoices(workspace: Workspace) -> list[tuple[Any, ...]]:
    """The current invoices as the ledger keeps them (amounts in fen)."""
    return query(workspace, "SELECT i.invoice_no, i.order_no, i.customer_code, i.invoiced_on, "
                            "i.amount, d.version FROM invoices i JOIN documents d "
                            "ON d.id = i.document_id WHERE d.status = 'accepted' "
                            "ORDER BY i.invoice_no")


def invoiced(workspace: Workspace) -> dict[str, Decimal]:
    with Ledger.of(workspace).reading() as books:
        return books.invoiced_by_order()


def test_a_returned_notice_registers_the_invoice_through_the_cli(loaded: Workspace) -> None:
    assert ordered(loaded).status == "accepted"
    fill(loaded, notice(loaded), "FINANCE/SO-1_开票通知单.xlsx", invoice_no="04512345",
         invoiced_on=date(2026, 11, 5), remarks="专票")
    result = CliRunner().invoke(main, ["process", "--json", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    [answer] = json.loads(result.stdout)["files"]
    assert (answer["kind"], answer["status"], answer["problems"]) == ("invoice", "accepted", [])
    assert answer["document"] == "04512345 SO-1"
    # Left empty, the amount is the rest of the order: all of it.
    assert invoices(loaded) == [("04512345", "SO-1", "C001", "2026-11-05", 2760000, 1)]
    assert query(loaded, "SELECT remarks, invoice_amount, order_version FROM invoices") == [
        ("专票", None, 1)]
    with Ledger.of(loaded).reading() as books:
        assert books.invoiced_by_order(["SO-1", "SO-9"]) == {"SO-1": TOTAL}
        assert books.invoiced_by_order(as_of=date(2026, 11, 4)) == {}
        [record] = books.customer_invoices("C001")
        assert (record.invoice_no, record.order_no, record.invoiced_on, record.amount,
                record.remarks, record.version) == (
            "04512345", "SO-1", date(2026, 11, 5), TOTAL, "专票", 1)
        assert books.customer_invoices("C002") == []
    # The acknowledgement says what was stored.
    [receipt] = (loaded.outbox / "receipts" / "FINANCE").glob("*.accepted.txt")
    text = receipt.read_text(encoding="utf-8")
    assert "开票登记" in text and "0 行" not in text  # a registration has no lines to count
    assert query(loaded, "SELECT stored FROM intake WHERE kind = 'invoice'") == [("开票登记",)]


def test_partial_invoices_add_up_to_the_order_and_no_further(loaded: Workspace) -> None:
    ordered(loaded)
    path = notice(loaded)
    first = registered(loaded, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
                       invoice_amount=10000)
    assert (first.status, codes(first)) == ("accepted", [])
    rest = registered(loaded, path, invoice_no="FP-2", invoiced_on=date(2026, 11, 20))
    assert (rest.status, codes(rest)) == ("accepted", [])
    assert [(r[0], r[4]) for r in invoices(loaded)] == [("FP-1", 1000000), ("FP-2", 1760000)]
    assert invoiced(loaded) == {"SO-1": TOTAL}
    # Nothing is left: neither an amount nor "the rest" can be invoiced.
    more = registered(loaded, path, invoice_no="FP-3", invoiced_on=date(2026, 11, 21),
                      invoice_amount="0.01")
    assert (more.status, codes(more)) == ("rejected", [("over_invoiced", "error", "H24")])
    empty = registered(loaded, path, invoice_no="FP-4", invoiced_on=date(2026, 11, 21))
    assert [p.code for p in empty.problems] == ["over_invoiced"]
    assert invoiced(loaded) == {"SO-1": TOTAL}


def test_over_invoicing_says_how_much_remains(loaded: Workspace) -> None:
    ordered(loaded)
    path = notice(loaded)
    registered(loaded, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
               invoice_amount=20000)
    result = registered(loaded, path, invoice_no="FP-2", invoiced_on=date(2026, 11, 6),
                        invoice_amount="7600.01")
    assert result.status == "rejected"
    [found] = result.problems
    assert (found.code, found.field, found.sheet) == ("over_invoiced", "invoice_amount",
                                                      "开票通知单")
    assert found.message("zh") == (
        "开票金额 7600.01 超过订单“SO-1”尚可开票的 7600.00（订单 27600.00，退货 0.00，"
        "已开票 20000.00）。")
    # The annotated copy marks the amount finance entered.
    assert any((loaded.outbox / "rejected" / "FINANCE").glob("*.xlsx"))
    exact = registered(loaded, path, invoice_no="FP-3", invoiced_on=date(2026, 11, 6),
                       invoice_amount="7600.00")
    assert exact.status == "accepted"


def test_returns_lower_what_may_be_invoiced(loaded: Workspace) -> None:
    ordered(loaded)
    drop(loaded, "return", "S01/r.xlsx", {
        "return_no": "TH-1", "return_date": date(2026, 11, 4), "customer_code": "C001",
        "order_no": "SO-1", "reason": "安装取消"}, [{"product_code": "P006", "quantity": 1,
                                                    "unit_price": "2000"}])
    assert one(loaded).status == "accepted"
    path = notice(loaded)
    over = registered(loaded, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
                      invoice_amount=TOTAL)
    assert [p.code for p in over.problems] == ["over_invoiced"]
    assert "the 25600.00 left to invoice" in over.problems[0].message("en")
    rest = registered(loaded, path, invoice_no="FP-2", invoiced_on=date(2026, 11, 5))
    assert rest.status == "accepted"
    assert invoiced(loaded) == {"SO-1": Decimal("25600.00")}


def test_one_invoice_number_is_one_invoice(loaded: Workspace) -> None:
    ordered(loaded, "SO-1")
    ordered(loaded, "SO-2")
    first = notice(loaded, "SO-1")
    fill(loaded, first, "FINANCE/fp1.xlsx", invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
         invoice_amount=5000)
    assert one(loaded).status == "accepted"
    # The same number on another order's notice: a number used twice.
    twice = registered(loaded, notice(loaded, "SO-2"), invoice_no="FP-1",
                       invoiced_on=date(2026, 11, 6))
    assert (twice.status, codes(twice)) == ("rejected", [("duplicate_invoice", "error", "C24")])
    assert twice.problems[0].message("en") == (
        "Invoice No. \u201cFP-1\u201d is already registered against order \u201cSO-1\u201d.")
    # The same file again is the same file: a duplicate, nothing new stored.
    [archived] = loaded.archive.glob("**/*_fp1.xlsx")
    (loaded.inbox / "FINANCE" / "same.xlsx").write_bytes(archived.read_bytes())
    assert one(loaded).status == "duplicate"
    # The same number for the same order, corrected: a new version that replaces the old.
    corrected = registered(loaded, first, invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
                           invoice_amount=6000)
    assert (corrected.status, codes(corrected)) == ("accepted", [])
    assert invoices(loaded) == [("FP-1", "SO-1", "C001", "2026-11-05", 600000, 2)]
    assert query(loaded, "SELECT d.version, d.status FROM documents d JOIN invoices i "
                         "ON i.document_id = d.id ORDER BY d.version") == [
        (1, "superseded"), (2, "accepted")]
    # The corrected amount replaces the old one: the rest is counted from it alone.
    assert invoiced(loaded) == {"SO-1": Decimal("6000.00")}
    assert registered(loaded, first, invoice_no="FP-2",
                      invoiced_on=date(2026, 11, 7)).status == "accepted"
    assert invoiced(loaded) == {"SO-1": TOTAL}


def test_a_held_order_cannot_be_invoiced(loaded: Workspace) -> None:
    ordered(loaded)
    path = notice(loaded)  # version 1, accepted; version 2 below the list price is held
    assert ordered(loaded, lines=[BELOW_LIST, P006]).status == "held"
    result = registered(loaded, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5))
    assert (result.status, codes(result)) == ("rejected", [("order_held", "error", "C3")])
    assert result.problems[0].message("zh") == (
        "订单“SO-1”（第 1 版）正在待审批，审批通过后才能发货或开票。")


def test_a_declined_order_cannot_be_invoiced(loaded: Workspace) -> None:
    configure(loaded, approvals={"price": ["M01"]})
    ordered(loaded)
    path = notice(loaded)
    assert ordered(loaded, lines=[BELOW_LIST, P006]).status == "held"
    [request] = requests(loaded)
    decide(loaded, loaded.outbox / "approvals" / request, "M01/decision.xlsx",
           decision="不同意", approver="M01")
    assert one(loaded).status == "accepted"
    result = registered(loaded, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5))
    assert codes(result) == [("order_declined", "error", "C3")]


def test_a_notice_of_a_superseded_version_cannot_be_invoiced(loaded: Workspace) -> None:
    ordered(loaded)
    old = notice(loaded, version=1)
    assert ordered(loaded, lines=[P001]).status == "accepted"  # version 2, without P006
    result = registered(loaded, old, invoice_no="FP-1", invoiced_on=date(2026, 11, 5))
    assert codes(result) == [("stale_order_version", "error", "C3")]
    assert result.problems[0].message("en") == (
        "This form is for version 1 of order \u201cSO-1\u201d; version 2 is current: use its "
        "form.")
    current = registered(loaded, notice(loaded, version=2), invoice_no="FP-1",
                         invoiced_on=date(2026, 11, 5))
    assert current.status == "accepted"
    assert invoiced(loaded) == {"SO-1": Decimal("25600.00")}


def test_an_unknown_order_or_another_customer_is_rejected(loaded: Workspace) -> None:
    ordered(loaded)
    path = notice(loaded)
    unknown = registered(loaded, path, order_no="SO-404", invoice_no="FP-1",
                         invoiced_on=date(2026, 11, 5))
    assert codes(unknown) == [("unknown_order", "error", "C3")]
    other = registered(loaded, path, customer_code="C002", invoice_no="FP-1",
                       invoiced_on=date(2026, 11, 5))
    assert codes(other) == [("order_customer_mismatch", "error", "K3")]


def test_an_invoice_dated_before_its_order_is_rejected(loaded: Workspace) -> None:
    ordered(loaded)  # dated 2026-11-02
    result = registered(loaded, notice(loaded), invoice_no="FP-1",
                        invoiced_on=date(2026, 11, 1))
    assert codes(result) == [("invoice_before_order", "error", "H26")]
    assert result.problems[0].message("zh") == "开票日期 2026-11-01 早于订单日期 2026-11-02。"


def test_an_unfilled_notice_dropped_back_says_what_is_missing(loaded: Workspace) -> None:
    ordered(loaded)
    path = notice(loaded)
    (loaded.inbox / "FINANCE").mkdir()
    (loaded.inbox / "FINANCE" / path.name).write_bytes(path.read_bytes())
    result = one(loaded)
    assert (result.kind, result.status) == ("invoice", "rejected")
    assert codes(result) == [("required", "error", "C24"), ("required", "error", "H26")]
    assert [p.message("zh") for p in result.problems] == [
        "“发票号码”为必填项。", "“开票日期”为必填项。"]
    assert invoices(loaded) == []
    # The annotated copy comes back with the cells to fill marked.
    [copy] = (loaded.outbox / "rejected" / "FINANCE").glob("*.xlsx")
    book = openpyxl.load_workbook(copy)
    sheet = book["开票通知单"]
    assert sheet["C24"].comment is not None and sheet["H26"].comment is not None
    assert "发票号码" in sheet["C24"].comment.text


def test_in_english(loaded: Workspace) -> None:
    workspace = configure(loaded, language="en")
    ordered(workspace)
    path = invoice_path(workspace, "C001", "SO-1", 1)
    assert path.name == "SO-1_invoice_notice.xlsx"
    blank = registered(workspace, path, invoiced_on=date(2026, 11, 5))
    assert [p.message("en") for p in blank.problems] == ["\u201cInvoice No.\u201d is required."]
    over = registered(workspace, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5),
                      invoice_amount=30000)
    assert [p.message("en") for p in over.problems] == [
        "The invoice amount 30000.00 exceeds the 27600.00 left to invoice on order "
        "\u201cSO-1\u201d (order 27600.00, returned 0.00, invoiced 0.00)."]
    done = registered(workspace, path, invoice_no="FP-1", invoiced_on=date(2026, 11, 5))
    assert (done.status, done.document) == ("accepted", "FP-1 SO-1")
    assert invoiced(workspace) == {"SO-1": TOTAL}


def test_a_notice_that_lost_its_names_is_read_by_its_labels(loaded: Workspace) -> None:
    ordered(loaded)
    target = fill(loaded, notice(loaded), "FINANCE/wps.xlsx", invoice_no="FP-1",
                  invoiced_on=date(2026, 11, 5), invoice_amount=1000)
    book = openpyxl.load_workbook(target)  # as if saved by a program that drops them
    for name in list(book.defined_names):
        del book.defined_names[name]
    del book["_meta"]
    book.save(target)
    result = one(loaded)
    assert (result.kind, result.status, codes(result)) == ("invoice", "accepted", [])
    assert invoiced(loaded) == {"SO-1": Decimal("1000.00")}


def test_the_blank_template_is_a_header_only_form(loaded: Workspace) -> None:
    made = CliRunner().invoke(main, ["template", "invoice", "-w", str(loaded.root)])
    assert made.exit_code == 0, made.output
    ordered(loaded)
    drop(loaded, "invoice", "FINANCE/typed.xlsx", {
        "order_no": "SO-1", "customer_code": "C001", "invoice_no": "FP-9",
        "invoiced_on": date(2026, 11, 9), "invoice_amount": "100.50"})
    result = one(loaded)
    assert (result.status, codes(result)) == ("accepted", [])
    assert invoiced(loaded) == {"SO-1": Decimal("100.50")}


def test_an_invoice_is_serialised_with_its_customer_and_number(loaded: Workspace) -> None:
    from sales_sheets.intake.check import read_document

    ordered(loaded)
    path = fill(loaded, notice(loaded), "FINANCE/x.xlsx", invoice_no="FP-1",
                invoiced_on=date(2026, 11, 5))
    reading = read_document(path, loaded.settings.limits)
    assert reading.document is not None
    # The customer, as every order of it, and the invoice number, as every version of it.
    assert locks_of(reading.document) == {"customer:C001", "document:invoice:FP-1"}


# -- Two offices on one PostgreSQL ledger, each commit held until both have judged their file --

# Each worker opens the ledger, says it is ready and waits for the go (as in
# test_shared_ledger.py), so that both reach their transactions together.
def outcomes(found: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f["status"], tuple(p["code"] for p in f["problems"])) for f in found)


@pytest.mark.ledgers("postgresql")
def test_two_invoices_at_the_same_moment_do_not_together_over_invoice(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """Each of two offices registers 20,000 of the 27,600 order at the same moment: the
    customer's lock makes one wait and then see the other."""
    ordered(loaded)
    other = second_office(loaded, tmp_path / "office2")
    for office, number in ((loaded, "FP-A"), (other, "FP-B")):
        fill(office, notice(loaded), f"FINANCE/{number}.xlsx", invoice_no=number,
             invoiced_on=date(2026, 11, 5), invoice_amount=20000)
    with commits_held(loaded.database_url) as release:
        found = [r for each in run_at_once(tmp_path, loaded, other, started=lambda: release(2))
                 for r in each]
    assert outcomes(found) == [("accepted", ()), ("rejected", ("over_invoiced",))]
    assert invoiced(loaded) == {"SO-1": Decimal("20000.00")}


@pytest.mark.ledgers("postgresql")
def test_one_invoice_number_for_two_customers_at_the_same_moment_is_registered_once(
    loaded: Workspace, tmp_path: Path,
) -> None:
    """Two customers' orders, one invoice number: no customer lock is shared, the number's
    lock makes the second see the first."""
    ordered(loaded, "SO-1")
    ordered(loaded, "SO-2", customer="C002")
    other = second_office(loaded, tmp_path / "office2")
    fill(loaded, notice(loaded, "SO-1"), "FINANCE/a.xlsx", invoice_no="FP-1",
         invoiced_on=date(2026, 11, 5))
    fill(other, invoice_path(loaded, "C002", "SO-2", 1), "FINANCE/b.xlsx", invoice_no="FP-1",
         invoiced_on=date(2026, 11, 5))
    with commits_held(loaded.database_url) as release:
        found = [r for each in run_at_once(tmp_path, loaded, other, started=lambda: release(2))
                 for r in each]
    assert outcomes(found) == [("accepted", ()), ("rejected", ("duplicate_invoice",))]
    assert len(invoices(loaded)) == 1
