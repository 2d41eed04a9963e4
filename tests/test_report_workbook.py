"""The summary workbook: a Report built by hand, written, and read back with openpyxl, calamine
and as raw package parts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from sales_sheets.errors import SalesSheetsError
from sales_sheets.forms.periods import parse_period
from sales_sheets.reports import workbook
from sales_sheets.reports.definitions import KPI_DEFINITIONS, KPI_NAMES
from sales_sheets.reports.details import rendered_elsewhere
from sales_sheets.reports.model import (
    AgingRow,
    DetailRow,
    Report,
)
from sales_sheets.reports.workbook import hold_reason_words, write_report

from .helpers.reports import (
    AGING,
    CUSTOMERS,
    DETAILS,
    PRODUCTS,
    REGIONS,
    SALESPEOPLE,
    TREND,
    VISITS,
    detail_row,
    sample_report,
)

D = Decimal
FIRST = 4  # the first data row (1-based): title, info, header above it
ZH = ["业务员达成", "片区", "产品", "客户", "趋势", "应收账龄", "合同台账", "销售跟单", "待审批",
      "对账回函", "费用", "报价转化", "投诉售后", "拜访执行", "明细", "说明"]
EN = ["Achievement", "Regions", "Products", "Customers", "Trend", "Aging", "Contracts",
      "Order tracking", "Pending", "Statement replies", "Expenses", "Quotations", "Complaints",
      "Visits", "Details", "Notes"]

@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    return {lang: write_report(sample_report(), folder / lang / f"销售汇总_2026-Q4_{lang}.xlsx",
                               lang, "上海示例 & Co.")
            for lang in ("zh", "en")}


def _rows(ws: Worksheet, count: int, width: int, first: int = FIRST) -> list[list[Any]]:
    return [[ws.cell(row, col).value for col in range(1, width + 1)]
            for row in range(first, first + count)]


def _same(cell: Any, expected: Any) -> bool:
    """Money and counts exactly; long ratios to double precision; dates as dates."""
    if expected is None:
        return cell is None
    if isinstance(expected, Decimal):
        if expected == expected.quantize(D("0.01")):
            return isinstance(cell, int | float) and cell == float(expected)
        return bool(cell == pytest.approx(float(expected), rel=1e-15))
    if isinstance(expected, date):
        return isinstance(cell, datetime) and cell.date() == expected
    return bool(cell == expected) and type(cell) is type(expected)


def _check_table(ws: Worksheet, expected: list[tuple[Any, ...]], first: int = FIRST) -> None:
    width = len(expected[0])
    for r, (got, want) in enumerate(zip(_rows(ws, len(expected), width, first), expected,
                                        strict=True)):
        for c, (cell, value) in enumerate(zip(got, want, strict=True)):
            assert _same(cell, value), (ws.title, first + r, c + 1, cell, value)


def test_sheet_names_in_order_in_both_languages(books: dict[str, Path]) -> None:
    assert openpyxl.load_workbook(books["zh"]).sheetnames == ZH
    assert openpyxl.load_workbook(books["en"]).sheetnames == EN
    assert not list(books["zh"].parent.glob(".*"))  # no partial file left behind


def test_achievement_values_totals_and_formats(books: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(books["zh"])["业务员达成"]
    assert ws["A1"].value == "上海示例 & Co. 销售汇总 · 业务员达成 · 2026年第4季度"
    assert ws["A3"].value == "编码" and ws["F3"].value == "计划达成率"
    _check_table(ws, [(s.code, s.name, s.region, s.sales_target, s.sales_actual, s.achievement,
                       s.held_amount, s.collection_target, s.receipts, s.collection_rate,
                       s.new_customer_target, s.new_customers, s.new_customer_rate,
                       s.visits_planned, s.visits_done, s.visits_unplanned,
                       s.visit_completion, D(1)) for s in SALESPEOPLE])
    # totals: sums of the known targets, ratios from the totals
    target, actual = D("150000.00"), D("85234.56") + D("4321.09") + D("61000.33")
    receipts, collection = D("70000.01") + D("100.10") + D("45000.45"), D("130000.00")
    _check_table(ws, [("合计", None, None, target, actual, actual / target, D("12000.50"),
                       collection, receipts, receipts / collection, 3, 3, D(1), 15, 13, 4,
                       D(13) / D(15), None)], first=FIRST + 3)
    assert ws["A7"].font.b
    for col in "FJMQ":
        assert ws[f"{col}4"].number_format == "0.0%"
        assert ws[f"{col}7"].number_format == "0.0%"
    assert ws["D4"].number_format == "#,##0.00" and ws["K4"].number_format == "#,##0"
    assert ws.column_dimensions["R"].hidden  # the 100 % line of the chart
    assert ws.freeze_panes == "C4"


def test_every_table_cell_by_cell(books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(books["zh"])
    regions = book["片区"]
    _check_table(regions, [(r.region, r.customers, r.orders, r.amount, r.share) for r in REGIONS]
                 + [("合计", 4, 8, D("150555.98"), D(1))])
    assert regions["E4"].number_format == "0.0%"
    _check_table(book["产品"], [(p.code, p.name, p.spec or None, p.unit, p.quantity, p.amount,
                                 p.share) for p in PRODUCTS]
                 + [("合计", None, None, None, None, D("150556.00"), D(1))])
    _check_table(book["客户"], [(c.rank, c.code, c.name, c.region, c.salesperson, c.amount,
                                 c.share, c.cumulative_share, c.abc) for c in CUSTOMERS]
                 + [(None, "合计", None, None, None, D("150555.98"), D(1), None, None)])
    _check_table(book["趋势"], [(t.month, t.orders, t.receipts) for t in TREND]
                 + [("合计", sum((t.orders for t in TREND), D(0)),
                     sum((t.receipts for t in TREND), D(0)))])
    aging = book["应收账龄"]
    _check_table(aging, [(a.code, a.name, a.salesperson, a.credit_limit, a.balance, a.not_due,
                          a.overdue_1_30, a.overdue_31_60, a.overdue_61_90, a.overdue_over_90,
                          a.overdue, a.credit_use) for a in AGING]
                 # one customer has no credit limit: no credit use in the totals
                 + [("合计", None, None, D("70000.00"), D("73234.71"), D("36234.61"),
                     D("25000.10"), D("5000.00"), D("0.00"), D("7000.00"), D("37000.10"),
                     None)])
    assert aging["K4"].font.color.rgb == "FFC00000"  # overdue in red
    assert aging["K6"].font.color is None or aging["K6"].font.color.rgb != "FFC00000"
    visits = book["拜访执行"]
    _check_table(visits, [(v.salesperson, v.week_start, v.planned, v.done, v.unplanned,
                           D(v.done) / D(v.planned) if v.planned else None) for v in VISITS]
                 + [("合计", None, 7, 6, 3, D(6) / D(7))])
    assert visits["B4"].number_format == "yyyy-mm-dd" and visits["F4"].number_format == "0.0%"
    details = book["明细"]
    _check_table(details, [(d.order_no, d.order_date, d.customer_code, d.customer_name,
                            d.salesperson, d.product_code, d.product_name, d.spec, d.unit,
                            d.quantity, d.unit_price, d.amount) for d in DETAILS]
                 + [("合计",) + (None,) * 10 + (sum((d.amount for d in DETAILS), D(0)),)])
    assert details["B4"].number_format == "yyyy-mm-dd"
    assert details["L4"].number_format == "#,##0.00"


def test_contract_ledger_statuses_and_reasons(books: dict[str, Path]) -> None:
    zh = openpyxl.load_workbook(books["zh"])["合同台账"]
    # 已发货, 已开票, 已收款 per contract, the accepted ones' totals below (issue 22, point 5).
    _check_table(zh, [
        ("SO-1", 1, date(2026, 10, 3), "C001", "=1+2", "S01", D("4600.00"),
         "已被新版本替代", None, None, None, D("0.00"), D("0.00"), D("0.00")),
        ("SO-1", 2, date(2026, 10, 4), "C001", "=1+2", "S01", D("4700.20"), "已接收", None,
         None, "contracts/C001/SO-1-2.docx", D("2000.00"), D("4700.20"), D("1000.10")),
        ("SO-2", 1, date(2026, 11, 9), "C002", "@SUM(A1)", "S03", D("12000.50"), "待审批",
         "低于价目表价、客户逾期", None, None, D("0.00"), D("0.00"), D("0.00")),
        ("SO-3", 1, date(2026, 12, 1), "C003", "A & B <C> 公司", "S02", D("999.99"), "已接收",
         None, "SP-7", "=cmd|' /C calc'!A0.docx", D("999.99"), D("0.00"), D("999.99")),
        ("已接收合计", None, None, None, None, None, D("5700.19"), None, None, None, None,
         D("2999.99"), D("4700.20"), D("1000.10") + D("999.99")),
        ("待审批合计", None, None, None, None, None, D("12000.50"), None, None, None, None, None,
         None, None),
    ])
    assert [zh.cell(3, c).value for c in (12, 13, 14)] == ["已发货", "已开票", "已收款"]
    assert zh["K7"].data_type == "s"
    assert zh["A6"].fill.fgColor.rgb == "FFFFF2CC"  # held rows stand out
    en = openpyxl.load_workbook(books["en"])["Contracts"]
    assert [en.cell(r, 8).value for r in range(4, 8)] == [
        "Superseded", "Accepted", "Held for approval", "Accepted"]
    assert en["I6"].value == "below list price; customer overdue"
    assert en["A8"].value == "Total accepted"


def test_pending_approvals_oldest_first_with_a_total_per_kind(books: dict[str, Path]) -> None:
    zh = openpyxl.load_workbook(books["zh"])["待审批"]
    _check_table(zh, [
        ("订货单", "SO-2", 1, "C002", "@SUM(A1)", "S03", D("12000.50"), "低于价目表价、客户逾期",
         date(2026, 11, 9), 52, "S03"),
        ("退货申请", "TH-1", 1, "C003", "A & B <C> 公司", "=1+2", D("999.99"), "return",
         date(2026, 12, 30), 1, None),
        ("订货单合计", None, None, None, None, None, D("12000.50"), None, None, None, None),
        ("退货申请合计", None, None, None, None, None, D("999.99"), None, None, None, None),
    ])
    assert zh["A2"].value.endswith("待审天数算至 2026-12-31。")
    assert zh["E4"].data_type == "s" and zh["I4"].number_format == "yyyy-mm-dd"
    en = openpyxl.load_workbook(books["en"])["Pending"]
    assert [en.cell(r, 1).value for r in range(4, 8)] == ["Order", "Return", "Order total",
                                                          "Return total"]
    assert en["H4"].value == "below list price; customer overdue"


def test_hold_reasons_are_codes_shown_in_words() -> None:
    assert hold_reason_words(("price_below_list", "credit_limit_exceeded"), "zh") == \
        "低于价目表价、超授信额度"
    assert hold_reason_words(("customer_overdue",), "en") == "customer overdue"
    assert hold_reason_words(("something_new",), "en") == "something_new"


def test_user_text_stays_text(books: dict[str, Path]) -> None:
    for data_only in (False, True):
        book = openpyxl.load_workbook(books["zh"], data_only=data_only)
        cells = [book["业务员达成"]["B5"], book["片区"]["A5"], book["产品"]["B5"],
                 book["客户"]["C4"], book["客户"]["C5"], book["客户"]["E6"],
                 book["应收账龄"]["B4"], book["明细"]["D5"]]
        assert [c.value for c in cells] == ["=1+2", "@SUM(A1)", '=HYPERLINK("http://x")',
                                            "=1+2", "@SUM(A1)", "=1+2", "@SUM(A1)", "=1+2"]
        assert {c.data_type for c in cells} == {"s"}
    with zipfile.ZipFile(books["zh"]) as package:
        sheets = [package.read(n).decode() for n in package.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml for xml in sheets)  # not one formula anywhere


def test_escaping_round_trips(tmp_path: Path) -> None:
    odd = ["A & B <C>", "  leading and trailing  ", "tab\there\nline", "_x0041_ stays",
           "ctl\x01char", "x" * 40000, ""]
    rows = [DetailRow(f"SO-{i}", date(2026, 10, 1), "C1", text, "S", "P", "p", "", "", D(1),
                      D(1), D(1)) for i, text in enumerate(odd)]
    path = write_report(sample_report(lambda: iter(rows)), tmp_path / "odd.xlsx")
    got = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("明细").to_python()
    names = [row[3] for row in got[FIRST - 1:FIRST - 1 + len(odd)]]
    assert names == odd[:5] + ["x" * 32767, ""]


def test_freeze_panes_and_print_setup(books: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(books["en"])
    frozen = {ws.title: ws.freeze_panes for ws in book.worksheets}
    assert frozen == {"Achievement": "C4", "Regions": "B4", "Products": "C4", "Customers": "D4",
                      "Trend": "B4", "Aging": "C4", "Contracts": "B4", "Order tracking": "B4",
                      "Pending": "C4",
                      "Statement replies": "D4", "Expenses": "C4", "Quotations": "C4",
                      "Complaints": "D4",
                      "Visits": "B4",
                      "Details": "B4", "Notes": "A4"}
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth or 1) == 1
        assert int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows == "$1:$3", ws.title
        assert ws["A1"].value.startswith("上海示例 & Co. Sales summary · ")
        assert ws["A1"].value.endswith(" · 2026 Q4")
    assert book["Contracts"].auto_filter.ref == "A3:N7"


def _charts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode() for name in package.namelist()
                if re.fullmatch(r"xl/charts/chart\d+\.xml", name)}


def _refers(chart: str, sheet: str, *ranges: str) -> bool:
    found = set(re.findall(r"<c:f>'?([^<!']+)'?!([^<]+)</c:f>", chart))
    return all((sheet, cells) in found for cells in ranges)


def test_native_charts_reference_the_written_cells(books: dict[str, Path]) -> None:
    charts = list(_charts(books["zh"]).values())
    assert len(charts) == 3
    combined = next(xml for xml in charts if '<c:barDir val="col"/>' in xml)
    assert "<c:lineChart>" in combined  # the 100 % line
    assert _refers(combined, "业务员达成", "$F$4:$F$6", "$R$4:$R$6", "$B$4:$B$6")
    assert "plotVisOnly" not in combined  # the default: hidden cells are plotted too
    trend = next(xml for xml in charts if "<c:lineChart>" in xml and "<c:barChart>" not in xml)
    assert _refers(trend, "趋势", "$A$4:$A$15", "$B$4:$B$15", "$C$4:$C$15")
    aging = next(xml for xml in charts if '<c:barDir val="bar"/>' in xml)
    assert '<c:grouping val="stacked"/>' in aging
    assert _refers(aging, "应收账龄", "$B$4:$B$6", *(f"${c}$4:${c}$6" for c in "FGHIJ"))


def test_aging_chart_takes_the_largest_balances(tmp_path: Path) -> None:
    rows = [AgingRow(f"C{i:03d}", f"客户{i}", "S", None, D(i * 100), D(i * 100), D(0), D(0),
                     D(0), D(0), None) for i in range(1, 21)]
    report = sample_report()
    report = Report(report.period, [], [], [], [], [], rows, lambda: iter(()), [], lambda: iter(()))
    path = write_report(report, tmp_path / "aging.xlsx", "en")
    ws = openpyxl.load_workbook(path)["Aging"]
    assert ws["A24"].value == "Total" and ws["E24"].value == sum(range(1, 21)) * 100
    assert ws["A26"].value == "The 15 largest balances (chart data)"
    assert [ws.cell(r, 1).value for r in range(27, 42)] == [f"C{i:03d}" for i in
                                                              range(20, 5, -1)]
    (chart,) = _charts(path).values()  # no rows elsewhere: no other chart
    assert _refers(chart, "Aging", "$B$27:$B$41", "$F$27:$F$41", "$J$27:$J$41")


def test_notes_hold_every_definition(books: dict[str, Path]) -> None:
    for lang in ("zh", "en"):
        ws = openpyxl.load_workbook(books[lang]).worksheets[-1]
        texts = [ws.cell(r, 2).value for r in range(FIRST, FIRST + len(KPI_DEFINITIONS))]
        assert texts == [definition(lang) for _, definition in KPI_DEFINITIONS]
        names = [ws.cell(r, 1).value for r in range(FIRST, FIRST + len(KPI_DEFINITIONS))]
        assert names == [KPI_NAMES[key](lang) for key, _ in KPI_DEFINITIONS]
    keys = {key for key, _ in KPI_DEFINITIONS}
    assert {"achievement", "collection_rate", "new_customers", "new_customer_rate",
            "visit_completion", "abc", "aging", "due_date", "what_counts",
            "targets"} <= keys == set(KPI_NAMES)


def test_an_empty_period_still_makes_a_workbook(tmp_path: Path) -> None:
    report = Report(parse_period("2027-01"), [], [], [], [], [], [], lambda: iter(()), [],
                    lambda: iter(()))
    path = write_report(report, tmp_path / "empty.xlsx", "en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == EN
    assert book["Details"]["A4"].value == "Total" and book["Details"]["L4"].value == 0
    assert _charts(path) == {}


def test_details_continue_past_the_sheet_row_limit(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "DETAIL_ROWS_PER_SHEET", 5)
    rows = [detail_row(i) for i in range(12)]
    path = write_report(sample_report(lambda: iter(rows)), tmp_path / "many.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ZH[:-1] + ["明细 (2)", "明细 (3)", "说明"]
    seen = []
    for name, count in (("明细", 5), ("明细 (2)", 5), ("明细 (3)", 2)):
        ws = book[name]
        seen += [ws.cell(r, 1).value for r in range(FIRST, FIRST + count)]
        assert ws.cell(FIRST + count, 1).value == "本表合计"
        assert ws.cell(FIRST + count, 12).value == pytest.approx(
            float(sum((row.amount for row in rows[len(seen) - count:len(seen)]), D(0))))
    assert seen == [row.order_no for row in rows]


def test_a_chart_that_does_not_fit_below_its_table_starts_a_printed_page(
        tmp_path: Path) -> None:
    many = [SALESPEOPLE[0]] * 40
    base = sample_report()
    report = Report(base.period, many, [], [], [], [], [], lambda: iter(()), [],
                    lambda: iter(()))
    book = openpyxl.load_workbook(write_report(report, tmp_path / "many.xlsx"))
    # the break falls under the 45 rows above the chart: title, info, header, 40, total, blank
    assert [brk.id for brk in book["业务员达成"].row_breaks.brk] == [45]
    small = openpyxl.load_workbook(write_report(sample_report(), tmp_path / "small.xlsx"))
    assert not small["业务员达成"].row_breaks.brk  # three rows: the chart fits below


def test_the_same_report_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write_report(sample_report(), tmp_path / "a.xlsx").read_bytes()
    assert write_report(sample_report(), tmp_path / "b.xlsx").read_bytes() == first


def test_an_existing_report_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"old")
    write_report(sample_report(), path)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


_STREAM = """
import json, resource, sys
from decimal import Decimal
from pathlib import Path
from sales_sheets.reports.workbook import write_report
from tests.helpers.reports import sample_report, streamed_details

count, path = int(sys.argv[1]), Path(sys.argv[2])
tally = {"produced": 0, "amount": Decimal(0)}
report = sample_report(lambda: streamed_details(count, tally))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
write_report(report, path)
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
print(json.dumps({"growth": growth, "produced": tally["produced"],
                  "amount": str(tally["amount"])}))
"""


def test_details_stream_with_bounded_memory(tmp_path: Path) -> None:
    """200,000 order lines from a generator. Peak memory is measured as the growth of the
    resident set of a fresh interpreter: tracemalloc would make this write seven times slower
    and cannot see zlib's memory. Holding the rows would cost ~300 MB; streaming costs a few."""
    count, path = 200_000, tmp_path / "big.xlsx"
    done = subprocess.run([sys.executable, "-c", _STREAM, str(count), str(path)],
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True,
                          check=True, timeout=120)
    result = json.loads(done.stdout)
    assert result["produced"] == count
    assert result["growth"] < 60 * 1024, f"resident set grew {result['growth'] // 1024} MiB"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("明细").to_python()
    assert len(rows) == FIRST - 1 + count + 1  # title, info, header; the lines; the total
    assert rows[FIRST - 1][0] == "SO-000000" and rows[-2][0] == f"SO-{(count - 1) // 5:06d}"
    assert rows[-1][0] == "合计" and rows[-1][11] == float(D(result["amount"]))


def _failing_details() -> Iterator[DetailRow]:
    raise ValueError("no lines today")


def _dying_details() -> Iterator[DetailRow]:
    os._exit(3)


@pytest.mark.parametrize(("details", "message"), [
    (_failing_details, "ValueError: no lines today"), (_dying_details, "ended without a result")])
def test_a_failing_helper_process_fails_the_workbook(tmp_path: Path, details: Any,
                                                     message: str) -> None:
    with rendered_elsewhere(details, workbook.DETAIL_ROWS_PER_SHEET) as rendered, \
            pytest.raises(SalesSheetsError, match=message):
        write_report(sample_report(), tmp_path / "r.xlsx", rendered=rendered)
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
