"""Paying expenses (spec 4c): the summary workbook's 费用 sheet (budget, spent, remaining per
salesperson × category × month, a region's budget as a row of the region, 费用率 against
receipts) and the 报销汇总 finance pays from, written by `sales-sheets expenses`. Real budget,
claim, receipt and approval workbooks through the real ingest and CLI; every figure worked out
by hand below; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide, requests
from .helpers.config import configure
from .helpers.forms import drop, one, query

pytestmark = pytest.mark.ledgers

TRAVEL, MEALS = "差旅费", "业务招待费"
FIRST = 4  # the first data row (1-based): title, info and header rows above


def _claim(ws: Workspace, no: str, salesperson: str, customer: str,
           *items: tuple[str, str, str]) -> None:
    drop(ws, "expense", f"{salesperson}/{no}.xlsx",
         {"claim_no": no, "salesperson": salesperson, "claim_date": date(2026, 11, 30)},
         [{"spent_on": day, "category": category, "amount": amount, "invoice_count": 1,
           "customer_code": customer, "description": "拜访客户"}
          for day, category, amount in items])


@pytest.fixture
def paid(loaded: Workspace) -> Workspace:
    """November 2026: S01 has budgets of their own (travel 1,000, meals 500); 华南 has a
    quarter's travel budget of 3,000 (1,000 a month) that S02 claims against. BX-1 (S01,
    travel 600 + meals 300) is within budget; BX-2 (S01, travel 700) takes travel to 1,300,
    is held over budget and approved; BX-3 (S02, travel 400) is within the region's budget;
    BX-4 (S01, December) is another month's. Receipts: 20,000 from C001 (S01's customer),
    5,000 from C003 (S02's); S03 has none."""
    ws = loaded
    for owner, period, amounts in (("S01", "2026-11", {TRAVEL: "1000", MEALS: "500"}),
                                   ("华南", "2026-Q4", {TRAVEL: "3000"}),
                                   ("S01", "2026-12", {TRAVEL: "1000"})):
        drop(ws, "budget", f"budget-{owner}-{period}.xlsx", {"owner": owner, "period": period},
             [{"category": c, "amount": a} for c, a in amounts.items()])
        assert one(ws).status == "accepted"
    _claim(ws, "BX-1", "S01", "C001", ("2026-11-03", TRAVEL, "600"),
           ("2026-11-04", MEALS, "300"))
    assert one(ws).status == "accepted"
    _claim(ws, "BX-2", "S01", "C001", ("2026-11-10", TRAVEL, "700"))
    assert one(ws).status == "held"
    [request] = requests(ws)
    decide(ws, ws.outbox / "approvals" / request, "李强/审批.xlsx", decision="同意",
           approver="M01", approved_on=date(2026, 12, 1), remarks="展会差旅，同意")
    _claim(ws, "BX-3", "S02", "C003", ("2026-11-05", TRAVEL, "400"))
    _claim(ws, "BX-4", "S01", "C002", ("2026-12-02", TRAVEL, "99"))
    drop(ws, "receipt", "receipts.xlsx", lines=[
        {"receipt_date": "2026-11-15", "customer_code": "C001", "amount": "20000",
         "reference": "R-1"},
        {"receipt_date": "2026-11-20", "customer_code": "C003", "amount": "5000",
         "reference": "R-2"},
        {"receipt_date": "2026-12-03", "customer_code": "C001", "amount": "777",
         "reference": "R-3"}])
    run(ws, "process")
    assert query(ws, "SELECT doc_key, status, approval FROM documents WHERE kind = 'expense' "
                     "ORDER BY doc_key") == [
        ("BX-1", "accepted", None), ("BX-2", "accepted", "AP-20261201-001"),
        ("BX-3", "accepted", None), ("BX-4", "accepted", None)]
    return ws


def run(ws: Workspace, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return result.output


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    found = [tuple(None if v == "" else v for v in row)
             for row in book[sheet].iter_rows(min_row=FIRST, values_only=True)]
    return [row for row in found if any(v is not None for v in row)]


def _money(*values: str | None) -> tuple[float | None, ...]:
    return tuple(None if v is None else float(Decimal(v)) for v in values)


# -- 费用 in the summary workbook ----------------------------------------------------------------


def _expense_rows(subtotal: str) -> list[tuple[Any, ...]]:
    return [
        # S01's own budgets: meals 500 − 300; travel 1,000 − (600 + 700) = −300 (approved)
        ("S01", "张伟", "S01", MEALS, "2026-11", *_money("500", "300", "200"), None, None),
        ("S01", "张伟", "S01", TRAVEL, "2026-11", *_money("1000", "1300", "-300"), None, None),
        # 费用率 = 1,600 ÷ 20,000 = 8 %
        ("S01", f"张伟 {subtotal}", None, None, None, *_money("1500", "1600", None, "20000"),
         0.08),
        # S02 has no budget of their own: their region's, shown on the region's row
        ("S02", "王芳", "华南", TRAVEL, "2026-11", None, 400.0, None, None, None),
        ("S02", f"王芳 {subtotal}", None, None, None, None, 400.0, None, 5000.0, 0.08),
        ("S03", f"刘洋 {subtotal}", None, None, None, None, 0.0, None, 0.0, None),  # no receipts
        (None, None, "华南", TRAVEL, "2026-11", *_money("1000", "400", "600"), None, None),
    ]


def test_the_expenses_sheet_shows_budget_spent_remaining_and_the_expense_ratio(
        paid: Workspace) -> None:
    path = paid.root / run(paid, "report", "--period", "2026-11").strip()
    book = openpyxl.load_workbook(path)
    names = book.sheetnames
    assert names.index("费用") == names.index("对账回函") + 1
    assert [c.value for c in book["费用"][3]] == [
        "编码", "业务员", "预算归属", "费用类别", "月份", "预算", "已报销", "剩余", "回款金额",
        "费用率"]
    found = rows(path, "费用")
    assert found[:-1] == _expense_rows("小计")
    # the total: budgets shown (1,500 + 1,000), spent 2,000 ÷ receipts 25,000 = 8 %
    assert found[-1] == ("合计", None, None, None, None, 2500.0, 2000.0, None, 25000.0, 0.08)
    assert book["费用"]["J6"].number_format.endswith("%")
    notes = {row[0]: row[1] for row in rows(path, "说明")}
    for item in ("费用预算", "已报销", "预算剩余", "费用率"):
        assert item in notes
    assert "片区行" in notes["费用预算"] and "÷ 本期回款金额" in notes["费用率"]
    # the sheet's receipts are the 业务员达成 sheet's
    achieved = {row[0]: row[8] for row in rows(path, "业务员达成")}
    assert (achieved["S01"], achieved["S02"]) == (20000.0, 5000.0)


# -- 报销汇总 ------------------------------------------------------------------------------------


def test_the_expense_summary_lists_what_finance_pays_per_salesperson(paid: Workspace) -> None:
    out = run(paid, "expenses", "--period", "2026-11").strip()
    assert out == str(Path("outbox/expenses/2026-11/报销汇总_2026-11.xlsx"))
    path = paid.root / out
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "报销汇总"
    assert [c.value for c in sheet[3]] == ["业务员", "报销单号", "报销日期", "费用日期", "费用类别",
                                           "金额", "发票张数", "客户编码", "事由", "审批号"]
    nov30 = datetime(2026, 11, 30)
    assert rows(path, "报销汇总") == [
        ("S01 张伟", "BX-1", nov30, datetime(2026, 11, 3), TRAVEL, 600.0, 1, "C001", "拜访客户",
         None),
        ("S01 张伟", "BX-1", nov30, datetime(2026, 11, 4), MEALS, 300.0, 1, "C001", "拜访客户",
         None),
        ("S01 张伟", "BX-2", nov30, datetime(2026, 11, 10), TRAVEL, 700.0, 1, "C001", "拜访客户",
         "AP-20261201-001"),
        ("S01 张伟 小计", None, None, None, None, 1600.0, 3, None, None, None),
        ("S02 王芳", "BX-3", nov30, datetime(2026, 11, 5), TRAVEL, 400.0, 1, "C003", "拜访客户",
         None),
        ("S02 王芳 小计", None, None, None, None, 400.0, 1, None, None, None),
        ("合计", None, None, None, None, 2000.0, 4, None, None, None),
    ]
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$3"
    # December's claim is December's
    december = paid.root / run(paid, "expenses", "--period", "2026-12").strip()
    assert [r[1] for r in rows(december, "报销汇总")] == ["BX-4", None, None]


def test_both_workbooks_are_byte_identical_when_written_again(paid: Workspace) -> None:
    for command in ("expenses", "report"):
        path = paid.root / run(paid, command, "--period", "2026-11").strip()
        first = path.read_bytes()
        path.unlink()
        run(paid, command, "--period", "2026-11")
        assert path.read_bytes() == first, command


def test_in_english(paid: Workspace) -> None:
    ws = configure(paid, language="en")
    path = ws.root / run(ws, "expenses", "--period", "2026-11").strip()
    assert path.name == "Expense summary_2026-11.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Expense summary"]
    assert [c.value for c in book.active[3]][:6] == [
        "Salesperson", "Claim No.", "Claim date", "Spent on", "Category", "Amount"]
    found = rows(path, "Expense summary")
    assert found[3][0] == "S01 张伟 subtotal" and found[-1][:1] == ("Total",)
    assert found[-1][5:7] == (2000.0, 4)
    report = ws.root / run(ws, "report", "--period", "2026-11").strip()
    book = openpyxl.load_workbook(report)
    assert [c.value for c in book["Expenses"][3]] == [
        "Code", "Salesperson", "Budget of", "Category", "Month", "Budget", "Spent", "Remaining",
        "Receipts", "Expense ratio"]
    found = rows(report, "Expenses")
    assert found[:-1] == _expense_rows("subtotal")
    assert found[-1][0] == "Total"
    notes = {row[0] for row in rows(report, "Notes")}
    assert {"Expense budget", "Expenses spent", "Budget remaining", "Expense ratio"} <= notes


def test_an_empty_period_writes_only_the_totals(loaded: Workspace) -> None:
    path = loaded.root / run(loaded, "expenses", "--period", "2026-01").strip()
    assert rows(path, "报销汇总") == [("合计", None, None, None, None, 0.0, 0, None, None, None)]
    report = loaded.root / run(loaded, "report", "--period", "2026-01").strip()
    found = rows(report, "费用")
    assert [r[1] for r in found] == ["张伟 小计", "王芳 小计", "刘洋 小计", None]
    assert found[-1] == ("合计", None, None, None, None, 0.0, 0.0, None, 0.0, None)
