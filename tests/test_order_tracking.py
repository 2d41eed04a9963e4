"""销售跟单 (spec 4b, issue 22 point 5): real orders, deliveries (partial, late), invoices,
receipts and a return through the real ingest, the summary workbook written and read back with
openpyxl, every figure worked out by hand; and the contract ledger's delivered / invoiced /
received. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sales_sheets.documents.invoice import invoice_path
from sales_sheets.forms.periods import parse_period
from sales_sheets.ledger import Ledger
from sales_sheets.reports.summary import write_summary
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, one, order_header

pytestmark = pytest.mark.ledgers

D = Decimal
FIRST = 4  # the first data row (1-based): title, info and header rows above it
HANGZHOU, NINGBO, BEIJING = "杭州恒达机械有限公司", "宁波海天塑机配件厂", "北京京城重工机械有限公司"


def ordered(ws: Workspace, no: str, day: date, customer: str, salesperson: str, due: date,
            lines: list[dict[str, Any]], expected: str = "accepted") -> None:
    drop(ws, "order", f"{salesperson}/{no}.xlsx",
         order_header(no=no, day=day, customer=customer, salesperson=salesperson,
                      delivery_date=due), lines)
    result = one(ws)
    assert result.status == expected, result.problems


def delivered(ws: Workspace, no: str, order_no: str, day: date,
              *lines: tuple[str, object]) -> None:
    drop(ws, "delivery", f"S01/{no}.xlsx",
         {"delivery_no": no, "delivery_date": day, "order_no": order_no,
          "vehicle_or_picker": "浙A·12345", "signed_by": "周建华"},
         [{"product_code": code, "quantity": quantity} for code, quantity in lines])
    result = one(ws)
    assert result.status == "accepted", result.problems


def invoiced(ws: Workspace, customer: str, order_no: str, invoice_no: str, day: date,
             amount: object = None) -> None:
    """Finance fills the order's 开票通知单 and drops it back (an empty amount: the rest)."""
    book = openpyxl.load_workbook(invoice_path(ws, customer, order_no, 1))
    values = {"invoice_no": invoice_no, "invoiced_on": day, "invoice_amount": amount}
    for key, value in values.items():
        if value is None:
            continue
        [(sheet, cell)] = list(book.defined_names[key].destinations)
        book[sheet][cell.replace("$", "")].value = value
    target = ws.inbox / "FINANCE" / f"{invoice_no}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    result = one(ws)
    assert result.status == "accepted", result.problems


def received(ws: Workspace, name: str, *rows: tuple[date, str, str, str]) -> None:
    drop(ws, "receipt", f"FINANCE/{name}.xlsx", lines=[
        {"receipt_date": day, "customer_code": customer, "amount": amount,
         "method": "银行转账", "reference": f"{name}-{i}", "order_no": order_no}
        for i, (day, customer, amount, order_no) in enumerate(rows)])
    result = one(ws)
    assert result.status == "accepted", result.problems


def returned(ws: Workspace, no: str, day: date, customer: str, order_no: str,
             line: dict[str, Any]) -> None:
    drop(ws, "return", f"S01/{no}.xlsx", {
        "return_no": no, "return_date": day, "customer_code": customer, "order_no": order_no,
        "reason": "规格不符"}, [line])
    result = one(ws)
    assert result.status == "accepted", result.problems


GEARS = {"product_code": "P001", "quantity": 5, "unit_price": "12800"}  # 64,000.00
COUPLINGS = {"product_code": "P003", "quantity": 10, "unit_price": "460"}  # 4,600.00


@pytest.fixture
def book(loaded: Workspace) -> Path:
    """November 2026 and around it:

    - SO-3 (S03, C005, 5 Oct, 5 couplings = 2,300.00): delivered, invoiced and paid in
      October: settled before the period, so not followed;
    - SO-4 (S03, C005, 8 Oct, due 31 Dec, one gearbox = 12,800.00): nothing yet: open;
    - SO-1 (S01, C001, 2 Nov, due 20 Nov, 68,600.00): 2 gearboxes and 4 couplings delivered
      on 5 Nov (27,440.00), the rest only on 3 Dec; invoiced 20,000.00; 10,000.00
      received naming it; one coupling (460.00) returned: late by 10 days on 30 Nov;
    - SO-2 (S01, C002, 3 Nov, due 10 Dec, 4,600.00): delivered, invoiced and paid in full;
    - SO-6 (S01, C001, 9 Nov): held (below list price), not followed;
    - SO-5 (S01, C001, 2 Dec): after the period.
    """
    ws = loaded
    ordered(ws, "SO-3", date(2026, 10, 5), "C005", "S03", date(2026, 10, 20),
            [{"product_code": "P003", "quantity": 5, "unit_price": "460"}])
    ordered(ws, "SO-4", date(2026, 10, 8), "C005", "S03", date(2026, 12, 31),
            [{"product_code": "P001", "quantity": 1, "unit_price": "12800"}])
    delivered(ws, "FH-3", "SO-3", date(2026, 10, 15), ("P003", 5))
    invoiced(ws, "C005", "SO-3", "FP-3", date(2026, 10, 16))
    received(ws, "oct", (date(2026, 10, 30), "C005", "2300", "SO-3"))

    ordered(ws, "SO-1", date(2026, 11, 2), "C001", "S01", date(2026, 11, 20),
            [GEARS, COUPLINGS])
    ordered(ws, "SO-2", date(2026, 11, 3), "C002", "S01", date(2026, 12, 10), [COUPLINGS])
    delivered(ws, "FH-1", "SO-1", date(2026, 11, 5), ("P001", 2), ("P003", 4))
    delivered(ws, "FH-2", "SO-2", date(2026, 11, 8), ("P003", 10))
    invoiced(ws, "C001", "SO-1", "FP-1", date(2026, 11, 6), "20000")
    invoiced(ws, "C002", "SO-2", "FP-2", date(2026, 11, 8))
    ordered(ws, "SO-6", date(2026, 11, 9), "C001", "S01", date(2026, 11, 30),
            [{"product_code": "P001", "quantity": 1, "unit_price": "12000"}], "held")
    returned(ws, "TH-1", date(2026, 11, 12), "C001", "SO-1",
             {"product_code": "P003", "quantity": 1, "unit_price": "460"})
    received(ws, "nov", (date(2026, 11, 10), "C001", "10000", "SO-1"),
             (date(2026, 11, 25), "C002", "4600", "SO-2"),
             (date(2026, 11, 26), "C001", "500", ""))  # naming no order: counts for none

    # After the period: none of it counts on 30 November.
    ordered(ws, "SO-5", date(2026, 12, 2), "C001", "S01", date(2026, 12, 20), [COUPLINGS])
    delivered(ws, "FH-4", "SO-1", date(2026, 12, 3), ("P001", 3), ("P003", 5))
    invoiced(ws, "C005", "SO-4", "FP-4", date(2026, 12, 4))
    received(ws, "dec", (date(2026, 12, 5), "C005", "12800", "SO-4"))
    return write_summary(ws, parse_period("2026-11"))


def _rows(ws: Worksheet, first: int, count: int, width: int) -> list[list[Any]]:
    return [[_value(ws.cell(r, c).value) for c in range(1, width + 1)]
            for r in range(first, first + count)]


def _value(cell: Any) -> Any:
    """Back from the cell: dates as dates, money as exact fen Decimals."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return D(str(cell)).quantize(D("0.01")) if isinstance(cell, float) else cell
    return cell


def _money(*values: str) -> list[Decimal]:
    return [D(v) for v in values]


def test_the_order_tracking_sheet_figure_by_figure(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    assert "销售跟单" in workbook.sheetnames
    assert workbook.sheetnames.index("销售跟单") == workbook.sheetnames.index("合同台账") + 1
    ws = workbook["销售跟单"]
    assert [ws.cell(3, c).value for c in range(1, 15)] == [
        "订单号", "订单日期", "客户编码", "客户名称", "业务员", "交货日期", "订单金额", "已发货",
        "已开票", "已收款", "已退货", "未结金额", "在途天数", "延迟天数"]
    assert ws["A2"].value.startswith("期间：2026-11-01 至 2026-11-30。截至 2026-11-30")
    got = _rows(ws, FIRST, 6, 14)
    # SO-1: ordered 5 × 12,800 + 10 × 460 = 68,600.00; delivered 2 × 12,800 + 4 × 460 =
    # 27,440.00 (the 3 December delivery is after the period); invoiced 20,000.00; received
    # 10,000.00; returned 1 × 460; outstanding 68,600 − 460 − 10,000 = 58,140.00; open
    # 30 Nov − 2 Nov = 28 days; late 30 Nov − 20 Nov = 10 days.
    assert got[0] == ["SO-1", date(2026, 11, 2), "C001", HANGZHOU, "S01", date(2026, 11, 20),
                      *_money("68600", "27440", "20000", "10000", "460", "58140"), 28, 10]
    # SO-2: everything done by 25 November: settled, neither open nor late.
    assert got[1] == ["SO-2", date(2026, 11, 3), "C002", NINGBO, "S01", date(2026, 12, 10),
                      *_money("4600", "4600", "4600", "4600", "0", "0"), None, None]
    assert got[2] == ["S01 小计", None, None, None, "S01", None,
                      *_money("73200", "32040", "24600", "14600", "460", "58140"), None, None]
    # SO-4: October, nothing shipped, invoiced or paid by 30 November (December's invoice and
    # receipt are after it): open 30 Nov − 8 Oct = 53 days; due only on 31 December.
    assert got[3] == ["SO-4", date(2026, 10, 8), "C005", BEIJING, "S03", date(2026, 12, 31),
                      *_money("12800", "0", "0", "0", "0", "12800"), 53, None]
    assert got[4] == ["S03 小计", None, None, None, "S03", None,
                      *_money("12800", "0", "0", "0", "0", "12800"), None, None]
    assert got[5] == ["合计", None, None, None, None, None,
                      *_money("86000", "32040", "24600", "14600", "460", "70940"), None, None]
    # Nothing else: SO-3 was settled in October, SO-6 is held, SO-5 is December's.
    assert ws.cell(FIRST + 6, 1).value is None
    assert ws.auto_filter.ref == f"A3:N{FIRST + 4}"  # the rows, not the grand total
    # The late row in red, the settled one not; the subtotals bold.
    red = "FFC00000"
    assert ws["A4"].font.color is not None and ws["A4"].font.color.rgb == red
    assert ws["N4"].font.color.rgb == red
    assert ws["A5"].font.color is None or ws["A5"].font.color.rgb != red
    assert ws["A7"].font.color is None or ws["A7"].font.color.rgb != red
    assert ws["G6"].font.bold and ws["G9"].font.bold
    assert ws["G4"].number_format == "#,##0.00" and ws["B4"].number_format == "yyyy-mm-dd"


def test_the_contract_ledger_shows_delivered_invoiced_and_received(book: Path) -> None:
    ws = openpyxl.load_workbook(book)["合同台账"]
    assert [ws.cell(3, c).value for c in range(12, 15)] == ["已发货", "已开票", "已收款"]
    got = {(row[0], row[7]): row[11:14] for row in _rows(ws, FIRST, 5, 14)}
    assert got == {
        ("SO-1", "已接收"): _money("27440", "20000", "10000"),
        ("SO-2", "已接收"): _money("4600", "4600", "4600"),
        ("SO-6", "待审批"): _money("0", "0", "0"),
        ("已接收合计", None): _money("32040", "24600", "14600"),
        ("待审批合计", None): [None, None, None],
    }


def test_a_later_period_follows_what_is_still_open(book: Path, loaded: Workspace) -> None:
    """December: SO-1 fully delivered on 3 Dec but still owing; SO-4 invoiced and paid but
    not delivered and not yet late; SO-2 settled in November drops out; SO-5 is new."""
    ws = openpyxl.load_workbook(write_summary(loaded, parse_period("2026-12")))["销售跟单"]
    got = {row[0]: row[6:] for row in _rows(ws, FIRST, 6, 14)}
    assert "SO-2" not in got and "SO-3" not in got
    # SO-1: 27,440 + 3 × 12,800 + 5 × 460 = 68,140 delivered; + 460 returned = 68,600: all
    # shipped (the returned coupling is not owed), so no longer late; open 31 Dec − 2 Nov.
    assert got["SO-1"] == [*_money("68600", "68140", "20000", "10000", "460", "58140"), 59,
                           None]
    assert got["SO-4"] == [*_money("12800", "0", "12800", "12800", "0", "0"), 84, None]
    assert got["SO-5"] == [*_money("4600", "0", "0", "0", "0", "4600"), 29, 11]


def test_a_product_on_two_lines_is_delivered_in_line_order(loaded: Workspace) -> None:
    """The one-pass value per order (what the sheet shows) takes a product (two specs of it)
    from its lines in
    line order, as delivery by delivery does: 3 of P001 fill the 2 at 12,800 and 1 of the 3 at
    13,000 = 38,600.00; a fourth and fifth fill the second line = 64,600.00."""
    ordered(loaded, "SO-7", date(2026, 11, 2), "C001", "S01", date(2026, 11, 20), [
        {"product_code": "P001", "spec": "ZQ-250", "quantity": 2, "unit_price": "12800"},
        {"product_code": "P003", "quantity": "2.5", "unit_price": "460.33"},
        {"product_code": "P001", "spec": "ZQ-350", "quantity": 3, "unit_price": "13000"}])
    delivered(loaded, "FH-7", "SO-7", date(2026, 11, 5), ("P001", 3), ("P003", "1.5"))
    delivered(loaded, "FH-8", "SO-7", date(2026, 11, 9), ("P001", 2))
    ledger = Ledger.of(loaded)
    with ledger.reading() as books:
        # 1.5 × 460.33 = 690.495 -> 690.50, half up
        assert books.delivered_value_by_order(date(2026, 11, 6)) == {"SO-7": D("39290.50")}
        assert books.delivered_value_by_order() == {"SO-7": D("65290.50")}
        assert sum((v.value for v in books.delivered_values()), D(0)) == D("65290.50")
