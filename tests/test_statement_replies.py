"""对账回函 (spec 4b): every 对账函 is numbered and recorded as it is issued, a reply form is
written beside it, and the customer's answer dropped in the inbox is checked against the
statement it names and recorded; status, the summary workbook and the daily check show where
each statement stands. Real workbooks, the real intake and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.api import write_statements
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.workspace import Workspace

from .helpers.forms import codes, docx_text, drop, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P003", "unit_price": "460"}
Q3 = "2026-Q3"


def _orders(ws: Workspace, *orders: tuple[str, date, int]) -> None:
    for no, day, qty in orders:
        drop(ws, "order", f"S01/{no}.xlsx", order_header(no=no, day=day, overdue_approval_no="Y"),
             [dict(LINE, quantity=qty)])
    assert {r.status for r in process_inbox(ws)} == {"accepted"}


def _fill(form: Path, target: Path, values: dict[str, object],
          disputes: tuple[tuple[object, ...], ...] = ()) -> Path:
    """Fill the reply form sales-sheets wrote, as the assistant does in Excel: by its defined
    names and its table's first rows, saved into the inbox."""
    book = openpyxl.load_workbook(form)
    for name, value in values.items():
        [(sheet, cell)] = list(book.defined_names[name].destinations)
        book[sheet][cell.replace("$", "")] = value
    sheet = next(s for s in book.worksheets if "disputes" in s.tables)
    ref = sheet.tables["disputes"].ref
    first = openpyxl.utils.cell.range_boundaries(ref)
    for r, row in enumerate(disputes):
        for c, value in enumerate(row):
            sheet.cell(first[1] + 1 + r, first[0] + c, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _answer(ws: Workspace, number: str, customer: str = "C001", reply: str = "核对相符",
            name: str = "reply.xlsx", language: str = "zh", **extra: object) -> IngestResult:
    """A reply written by the kind's own template, dropped and processed."""
    header = {"statement_no": number, "customer_code": customer, "reply": reply,
              "replied_on": date(2026, 10, 12), **extra}
    drop(ws, "statement_reply", f"A01/{name}", header, language=language)
    [result] = process_inbox(ws)
    return result


def test_each_letter_is_numbered_recorded_and_gets_its_reply_form(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    c001 = next(f for f in written if f.customer == "C001")
    assert c001.statement_no == "DZ-2026-Q3-C001"
    assert c001.reply_form == loaded.outbox / "statements" / Q3 / "C001_对账回函.xlsx"
    book = openpyxl.load_workbook(c001.reply_form)
    meta = book["_meta"]
    assert "statement_reply" in [c.value for row in meta.iter_rows() for c in row]
    for name in ("statement_no", "customer_code", "reply", "replied_on", "customer_balance",
                 "remarks"):
        assert name in book.defined_names, name
    [(sheet, cell)] = list(book.defined_names["statement_no"].destinations)
    assert book[sheet][cell.replace("$", "")].value == "DZ-2026-Q3-C001"
    assert query(loaded, "SELECT statement_no, period, customer_code, closing, superseded_by "
                 "FROM statements_issued WHERE customer_code = 'C001'") == [
        ("DZ-2026-Q3-C001", Q3, "C001", 920000, None)]
    assert "DZ-2026-Q3-C001" in docx_text(c001.letter)
    # Written again with the same balance: the same number, nothing new recorded.
    _, again = write_statements(loaded, Q3)
    assert next(f for f in again if f.customer == "C001").statement_no == "DZ-2026-Q3-C001"
    assert query(loaded, "SELECT COUNT(*) FROM statements_issued WHERE customer_code = 'C001'"
                 ) == [(1,)]


def test_the_filled_reply_form_is_recorded_agreed(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    form = next(f for f in written if f.customer == "C001").reply_form
    _fill(form, loaded.inbox / "A01" / "回函.xlsx",
          {"reply": "核对相符", "replied_on": date(2026, 10, 10)})
    [result] = process_inbox(loaded)
    assert (result.kind, result.status, result.document) == (
        "statement_reply", "accepted", "DZ-2026-Q3-C001")
    assert query(loaded, "SELECT statement_no, reply, our_balance, their_balance, difference "
                 "FROM statement_replies") == [("DZ-2026-Q3-C001", "agreed", 920000, 920000, 0)]


def test_a_disputed_reply_records_their_balance_the_difference_and_the_items(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    form = next(f for f in written if f.customer == "C001").reply_form
    _fill(form, loaded.inbox / "A01" / "回函.xlsx",
          {"reply": "核对不符", "replied_on": date(2026, 10, 11), "customer_balance": 8740},
          (("SO-8 少收一件", 9200, 8740, "破损未入账"),))
    [result] = process_inbox(loaded)
    assert result.status == "accepted", result.problems
    ours, theirs = Decimal("9200"), Decimal("8740")
    assert query(loaded, "SELECT reply, our_balance, their_balance, difference "
                 "FROM statement_replies") == [
        ("disputed", 920000, 874000, int((theirs - ours) * 100))]
    assert query(loaded, "SELECT item, our_amount, their_amount, note FROM disputes") == [
        ("SO-8 少收一件", 920000, 874000, "破损未入账")]


def test_unknown_statement_customer_mismatch_and_missing_balance_are_rejected(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    unknown = _answer(loaded, "DZ-2026-Q2-C001")
    assert [c for c, *_ in codes(unknown)] == ["unknown_statement"]
    other = _answer(loaded, "DZ-2026-Q3-C001", customer="C002", name="r2.xlsx")
    assert [c for c, *_ in codes(other)] == ["statement_customer_mismatch"]
    no_balance = _answer(loaded, "DZ-2026-Q3-C001", reply="核对不符", name="r3.xlsx")
    assert [c for c, *_ in codes(no_balance)] == ["reply_balance_required"]
    assert query(loaded, "SELECT COUNT(*) FROM statement_replies") == [(0,)]


def test_a_statement_issued_again_with_another_balance_supersedes_the_first(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    _orders(loaded, ("SO-9", date(2026, 9, 20), 1))  # recorded late: the balance changed
    _, written = write_statements(loaded, Q3)
    assert next(f for f in written if f.customer == "C001").statement_no == "DZ-2026-Q3-C001-2"
    assert query(loaded, "SELECT statement_no, closing, superseded_by FROM statements_issued "
                 "WHERE customer_code = 'C001' ORDER BY statement_no") == [
        ("DZ-2026-Q3-C001", 920000, "DZ-2026-Q3-C001-2"),
        ("DZ-2026-Q3-C001-2", 966000, None)]
    old = _answer(loaded, "DZ-2026-Q3-C001")
    assert [c for c, *_ in codes(old)] == ["superseded_statement"]
    assert "DZ-2026-Q3-C001-2" in old.problems[0].message("zh")
    assert _answer(loaded, "DZ-2026-Q3-C001-2", name="new.xlsx").status == "accepted"


def test_a_second_reply_to_the_same_statement_revises_the_first(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    first = _answer(loaded, "DZ-2026-Q3-C001", reply="核对不符", customer_balance="9000")
    assert first.status == "accepted"
    second = _answer(loaded, "DZ-2026-Q3-C001", name="again.xlsx")
    assert second.status == "accepted"
    assert query(loaded, "SELECT d.version, d.status, r.reply FROM statement_replies r "
                 "JOIN documents d ON d.id = r.document_id ORDER BY d.version") == [
        (1, "superseded", "disputed"), (2, "accepted", "agreed")]


