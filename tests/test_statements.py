"""Statements and reconciliation letters, recomputed by hand from a small known ledger."""

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.api import write_statements
from sales_sheets.cli import main
from sales_sheets.forms.periods import parse_period, reply_by
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.workspace import Workspace

from .helpers.forms import docx_text as text_of
from .helpers.forms import drop, order_header

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P003", "unit_price": "460"}


def _ledger(ws: Workspace) -> None:
    """C001 (60 payment days): orders in June, August and October; receipts and a return.
    The later orders were approved despite the overdue June order."""
    for no, day, qty in (("SO-6", date(2026, 6, 10), 10), ("SO-8", date(2026, 8, 20), 20),
                         ("SO-10", date(2026, 10, 5), 5)):
        header = order_header(no=no, day=day, overdue_approval_no="YQ-1")
        drop(ws, "order", f"S01/{no}.xlsx", header, [dict(LINE, quantity=qty)])
    drop(ws, "receipt", "r.xlsx", lines=[
        {"receipt_date": date(2026, 6, 30), "customer_code": "C001", "amount": "1000",
         "reference": "R-1"},
        {"receipt_date": date(2026, 7, 15), "customer_code": "C001", "amount": "2000",
         "reference": "R-2"},
        {"receipt_date": date(2026, 10, 9), "customer_code": "C001", "amount": "100",
         "reference": "R-3"}])
    drop(ws, "return", "S01/t.xlsx", {"return_no": "TH-1", "return_date": date(2026, 9, 1),
                                      "customer_code": "C001", "order_no": "SO-8",
                                      "reason": "破损"}, [dict(LINE, quantity=1)])
    assert {r.status for r in process_inbox(ws)} == {"accepted"}


def test_a_quarter_statement_and_letter(loaded: Workspace) -> None:
    _ledger(loaded)
    period, written = write_statements(loaded, "2026-Q3")
    # C003 has an opening balance from August; the others nothing at all
    assert [f.customer for f in written] == ["C001", "C003"]
    files = written[0]
    assert files.workbook == (loaded.outbox / "statements" / "2026-Q3" / "C001_对账单_2026-Q3.xlsx")
    opening = Decimal("4600") - Decimal("1000")  # SO-6 less R-1, both before July
    movements = [("R-2", None, Decimal("2000")), ("SO-8", Decimal("9200"), None),
                 ("TH-1", None, Decimal("460"))]
    closing = opening + Decimal("9200") - Decimal("2000") - Decimal("460")
    sheet = openpyxl.load_workbook(files.workbook).active
    rows = [r for r in sheet.iter_rows(min_row=7, values_only=True) if any(r)]
    assert rows[0][5] == float(opening)
    body = rows[1:1 + len(movements)]
    assert [(r[2], r[3], r[4]) for r in body] == [
        (ref, float(d) if d else None, float(c) if c else None) for ref, d, c in movements]
    running = opening
    for row, (_, debit, credit) in zip(body, movements, strict=True):
        running += (debit or 0) - (credit or 0)
        assert row[5] == float(running)
    closing_row = rows[1 + len(movements)]
    assert closing_row[3:6] == (9200.0, 2460.0, float(closing))
    # At 30 Sep: credits of 3,460 (R-1, R-2 and the return) pay June's 4,600 first, which fell
    # due on 9 Aug -> 1,140 overdue; August's 9,200 is due on 19 Oct -> not yet due.
    assert rows[-2][5] == 9200.0
    assert rows[-1][5] == 1140.0
    letter = text_of(files.letter)
    assert "杭州恒达机械有限公司" in letter
    assert f"{closing:,.2f}" in letter and "壹万零叁佰肆拾元整" in letter
    assert "2026年10月15日" in letter and "DZ-2026-Q3-C001" in letter
    assert closing == Decimal("10340")


def test_statements_skip_quiet_customers_unless_asked(loaded: Workspace) -> None:
    _ledger(loaded)
    _, everyone = write_statements(loaded, "2026-Q3", include_all=True)
    assert len(everyone) == 6
    _, one_customer = write_statements(loaded, "2026-Q3", customer="c002")
    assert [f.customer for f in one_customer] == ["C002"]


def test_the_default_period_is_the_last_complete_quarter(loaded: Workspace) -> None:
    _ledger(loaded)
    period, _ = write_statements(loaded, today=date(2026, 11, 23))
    assert period.label == "2026-Q3"


def test_regenerating_is_deterministic(loaded: Workspace) -> None:
    _ledger(loaded)
    _, first = write_statements(loaded, "2026-Q4")
    texts = [text_of(f.letter) for f in first]
    cells = [list(openpyxl.load_workbook(f.workbook).active.values) for f in first]
    _, second = write_statements(loaded, "2026-Q4")
    assert [text_of(f.letter) for f in second] == texts
    assert [list(openpyxl.load_workbook(f.workbook).active.values) for f in second] == cells


def test_the_statements_command(loaded: Workspace) -> None:
    _ledger(loaded)
    result = CliRunner().invoke(main, ["statements", "--period", "2026-Q3", "-w",
                                       str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert "2026年第3季度: 2" in result.stdout
    bad = CliRunner().invoke(main, ["statements", "--period", "2026-Q5", "-w", str(loaded.root)])
    assert bad.exit_code == 1 and "no quarter 5" in bad.stderr


def test_the_reply_date_is_in_the_month_after_the_period_clamped_to_its_length() -> None:
    assert [reply_by(parse_period("2026-Q3"), 15), reply_by(parse_period("2026-Q4"), 15),
            reply_by(parse_period("2026-01"), 31), reply_by(parse_period("2024-01"), 30),
            reply_by(parse_period("2026-03"), 31), reply_by(parse_period("2026"), 0)] == [
        date(2026, 10, 15), date(2027, 1, 15), date(2026, 2, 28), date(2024, 2, 29),
        date(2026, 4, 30), date(2027, 1, 1)]
