"""A small summary-workbook Report built by hand: every table with known rows, and a stream of
detail rows of any length."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sales_sheets.forms.periods import parse_period
from sales_sheets.ledger.pending import PendingApproval
from sales_sheets.reports.model import (
    AgingRow,
    ContractRow,
    CustomerRow,
    DetailRow,
    ProductRow,
    RegionRow,
    Report,
    SalespersonRow,
    TrendRow,
    VisitRow,
)
from sales_sheets.status import Status

D = Decimal

SALESPEOPLE = [
    SalespersonRow("S01", "张伟", "华东", D("100000.00"), D("85234.56"), D("0.8523456"),
                   D("12000.50"), D("90000.00"), D("70000.01"), D("0.7777778888888888888888888889"),
                   2, 1, D("0.5"), 10, 8, 3, D("0.8")),
    SalespersonRow("S02", "=1+2", "华南", None, D("4321.09"), None, D("0.00"), None,
                   D("100.10"), None, None, 0, None, 0, 0, 1, None),
    SalespersonRow("S03", "王芳", "华东", D("50000.00"), D("61000.33"), D("1.2200066"),
                   D("0.00"), D("40000.00"), D("45000.45"), D("1.125011250"), 1, 2, D("2"),
                   5, 5, 0, D("1")),
]
REGIONS = [
    RegionRow("华东", 3, 7, D("146234.89"), D("0.9713")),
    RegionRow("@SUM(A1)", 1, 1, D("4321.09"), D("0.0287")),
]
PRODUCTS = [
    ProductRow("P001", "工业润滑油", "18L/桶", "桶", D("120"), D("100000.00"), D("0.6642")),
    ProductRow("P002", "=HYPERLINK(\"http://x\")", "1kg", "千克", D("2.5"), D("50556.00"),
               D("0.3358")),
    ProductRow("P003", "样品", "", "个", D("0"), D("0.00"), None),
]
CUSTOMERS = [
    CustomerRow(1, "C001", "=1+2", "华东", "张伟", D("80000.01"), D("0.5314"), D("0.5314"), "A"),
    CustomerRow(2, "C002", "@SUM(A1)", "华东", "王芳", D("61000.33"), D("0.4052"),
                D("0.9366"), "B"),
    CustomerRow(3, "C003", "A & B <C> 公司", "华南", "=1+2", D("9555.64"), D("0.0634"),
                D("1"), "C"),
]
TREND = [TrendRow(f"2026-{m:02d}", D(f"{m}000.{m:02d}"), D(f"{m}00.50")) for m in range(1, 13)]
AGING = [
    AgingRow("C002", "@SUM(A1)", "王芳", D("50000.00"), D("42000.10"), D("10000.00"),
             D("20000.10"), D("5000.00"), D("0.00"), D("7000.00"), D("0.840002")),
    AgingRow("C001", "=1+2", "张伟", None, D("30000.05"), D("25000.05"), D("5000.00"),
             D("0.00"), D("0.00"), D("0.00"), None),
    AgingRow("C003", "A & B <C> 公司", "=1+2", D("20000.00"), D("1234.56"), D("1234.56"),
             D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.061728")),
]
CONTRACTS = [
    ContractRow("SO-1", 1, date(2026, 10, 3), "C001", "=1+2", "S01", D("4600.00"),
                Status.SUPERSEDED, (), "", "", D("0.00")),
    ContractRow("SO-1", 2, date(2026, 10, 4), "C001", "=1+2", "S01", D("4700.20"), Status.ACCEPTED,
                (), "", "contracts/C001/SO-1-2.docx", D("1000.10"), D("2000.00"),
                D("4700.20")),
    ContractRow("SO-2", 1, date(2026, 11, 9), "C002", "@SUM(A1)", "S03", D("12000.50"), Status.HELD,
                ("price_below_list", "customer_overdue"), "", "", D("0.00")),
    ContractRow("SO-3", 1, date(2026, 12, 1), "C003", "A & B <C> 公司", "S02", D("999.99"),
                Status.ACCEPTED, (), "SP-7", "=cmd|' /C calc'!A0.docx", D("999.99"), D("999.99")),
]
PENDING = [
    PendingApproval("order", "SO-2", 1, "C002", "@SUM(A1)", "S03", D("12000.50"),
                    ("price_below_list", "customer_overdue"), datetime(2026, 11, 9, 14, 30), 52,
                    "S03"),
    PendingApproval("return", "TH-1", 1, "C003", "A & B <C> 公司", "=1+2", D("999.99"),
                    ("return",), datetime(2026, 12, 30, 9, 0), 1, ""),
]
VISITS = [
    VisitRow("张伟", date(2026, 10, 5), 3, 2, 1),
    VisitRow("张伟", date(2026, 10, 12), 0, 0, 2),
    VisitRow("=1+2", date(2026, 10, 5), 4, 4, 0),
]


def detail_row(i: int) -> DetailRow:
    quantity = D(i % 7 + 1) if i % 3 else D("2.5")
    price = D("12.34")
    return DetailRow(f"SO-{i // 5:06d}", date(2026, 10, 1) + timedelta(days=i % 90),
                     f"C{i % 40:03d}", "=1+2" if i == 1 else "上海某某贸易有限公司", "张伟",
                     f"P{i % 25:03d}", "工业润滑油", "18L/桶", "桶", quantity, price,
                     (quantity * price).quantize(D("0.01")))


DETAILS = [detail_row(i) for i in range(6)]


def sample_report(details: Any = None) -> Report:
    return Report(parse_period("2026-Q4"), SALESPEOPLE, REGIONS, PRODUCTS, CUSTOMERS, TREND,
                  AGING, lambda: iter(CONTRACTS), VISITS, details or (lambda: iter(DETAILS)),
                  PENDING)



def streamed_details(count: int, tally: dict[str, Any]) -> Iterator[DetailRow]:
    """Fresh rows from a generator, counted and summed as they are taken."""
    for i in range(count):
        row = detail_row(i)
        tally["produced"] += 1
        tally["amount"] += row.amount
        yield row
