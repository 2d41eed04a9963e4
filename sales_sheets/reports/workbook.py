"""The summary workbook of one period (销售汇总): ten sheets, three charts, print set-up.

xlsxwriter (in constant_memory mode, so every sheet is written top to bottom) lays out each
sheet: title, header and totals rows, formats, column widths, frozen panes, autofilter, print
set-up and charts. The data rows themselves are rendered by `_Rows` as sheet XML into a
temporary file and spliced into xlsxwriter's sheet part when the package is zipped again. The
reason is speed: xlsxwriter spends several microseconds a cell, so the 明细 of a million order
lines (twelve million cells) took 97 s on a development machine; `_Rows` renders a whole row in
about the time xlsxwriter needs for one cell (a million lines in about 10 s), with the same cell
XML: inline strings, escaped the same way.

Every figure is a stored value, never a formula; user text is always a string cell.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import chain, islice
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..errors import SalesSheetsError
from .definitions import KPI_DEFINITIONS, KPI_NAMES
from .model import AgingRow, ContractRow, Report, SalespersonRow

_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}
TITLE_ROW, INFO_ROW, HEAD_ROW, FIRST_ROW = 0, 1, 2, 3  # 0-based; data starts below the header
_EXCEL_ROWS = 1_048_576
# Data rows a 明细 sheet takes before the lines continue on the next one (room for totals).
DETAIL_ROWS_PER_SHEET = _EXCEL_ROWS - FIRST_ROW - 2
_TOP_AGING = 15
_ONE = Decimal(1)
_FONT = {"font_name": "微软雅黑", "font_size": 10}

SHEETS: dict[str, tuple[str, str]] = {
    "achievement": ("业务员达成", "Achievement"),
    "regions": ("片区", "Regions"),
    "products": ("产品", "Products"),
    "customers": ("客户", "Customers"),
    "trend": ("趋势", "Trend"),
    "aging": ("应收账龄", "Aging"),
    "contracts": ("合同台账", "Contracts"),
    "visits": ("拜访执行", "Visits"),
    "details": ("明细", "Details"),
    "notes": ("说明", "Notes"),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("已接收", "Accepted"),
    "held": ("待审批", "Held (pending approval)"),
    "superseded": ("已作废（被新版本替代）", "Superseded by a revision"),
}
HOLD_REASON_WORDS: dict[str, tuple[str, str]] = {
    "price_below_list": ("低于价目表价", "below list price"),
    "customer_overdue": ("客户逾期", "customer overdue"),
    "credit_limit_exceeded": ("超授信额度", "over credit limit"),
}
_WORDS: dict[str, tuple[str, str]] = {
    "report": ("销售汇总", "Sales summary"),
    "period": ("期间：{start} 至 {end}。", "Period: {start} to {end}. "),
    "total": ("合计", "Total"),
    "sheet_total": ("本表合计", "Total of this sheet"),
    "accepted_total": ("已接收合计", "Total accepted"),
    "held_total": ("待审批合计", "Total held"),
    "note_achievement": (
        "实际订单金额只含已接收订单；待审批订单单列，未计入。指标定义见“说明”。",
        "Actual orders are accepted orders only; held orders are pending and shown apart. "
        "Definitions are on the Notes sheet."),
    "note_products": ("不同单位的数量不相加。", "Quantities in different units are not added up."),
    "note_customers": ("ABC分类按累计占比（80% / 95%），定义见“说明”。",
                       "ABC class by cumulative share (80 % / 95 %); see Notes."),
    "note_trend": ("最近12个月：{first} 至 {last}。", "The last 12 months: {first} to {last}."),
    "note_aging": ("截至 {end}；逾期客户在前。", "As of {end}; overdue customers first."),
    "note_contracts": (
        "本期全部订单版本，含待审批与已被替代的版本；合计只含已接收订单。",
        "Every order version of the period, held and superseded ones included; the total "
        "counts accepted orders only."),
    "note_details": ("订单明细行。", "Order lines."),
    "note_notes": ("本工作簿由台账生成，所有数字均为数值（不含公式）。",
                   "Generated from the ledger; every figure is a value, not a formula."),
    "item": ("指标", "Item"),
    "definition": ("定义", "Definition"),
    "chart_achievement": ("计划达成率", "Plan achievement"),
    "chart_target": ("目标 100%", "Target 100 %"),
    "chart_trend": ("近12个月订单与回款", "Orders and receipts, last 12 months"),
    "chart_aging": ("应收账龄", "Receivables aging"),
    "chart_aging_top": ("应收账龄（应收余额前{n}名）", "Receivables aging ({n} largest balances)"),
    "top_balances": ("应收余额前{n}名（图表数据）", "The {n} largest balances (chart data)"),
    "footer": ("&C第 &P 页，共 &N 页", "&CPage &P of &N"),
}


@dataclass(frozen=True)
class _Column:
    zh: str
    en: str
    kind: str  # text, int, money, price, qty, pct, date
    width: float
    hidden: bool = False


def _cols(*specs: tuple[str, str, str, float]) -> tuple[_Column, ...]:
    return tuple(_Column(*spec) for spec in specs)


ACHIEVEMENT_COLUMNS = _cols(
    ("编码", "Code", "text", 9), ("业务员", "Salesperson", "text", 11),
    ("片区", "Region", "text", 9), ("销售目标", "Sales target", "money", 14),
    ("实际订单金额", "Actual orders", "money", 14), ("计划达成率", "Achievement", "pct", 10),
    ("待审批订单（未计入）", "Held orders (pending)", "money", 15),
    ("回款目标", "Collection target", "money", 14), ("回款金额", "Receipts", "money", 14),
    ("回款率", "Collection rate", "pct", 10), ("新客户目标", "New-customer target", "int", 10),
    ("新客户数", "New customers", "int", 10), ("新客户达成率", "New-customer rate", "pct", 11),
    ("计划拜访", "Visits planned", "int", 9), ("完成拜访", "Visits done", "int", 9),
    ("计划外拜访", "Unplanned visits", "int", 10), ("拜访完成率", "Visit completion", "pct", 11),
) + (_Column("目标线", "Target line", "pct", 8, hidden=True),)  # the chart's 100 % line
REGION_COLUMNS = _cols(
    ("片区", "Region", "text", 16), ("客户数", "Customers", "int", 10),
    ("订单数", "Orders", "int", 10), ("订单金额", "Amount", "money", 16),
    ("占比", "Share", "pct", 10))
PRODUCT_COLUMNS = _cols(
    ("产品编码", "Code", "text", 12), ("产品名称", "Product", "text", 24),
    ("规格", "Spec", "text", 14), ("单位", "Unit", "text", 7), ("数量", "Quantity", "qty", 12),
    ("金额", "Amount", "money", 16), ("占比", "Share", "pct", 9))
CUSTOMER_COLUMNS = _cols(
    ("排名", "Rank", "int", 6), ("客户编码", "Code", "text", 11),
    ("客户名称", "Customer", "text", 28), ("片区", "Region", "text", 10),
    ("业务员", "Salesperson", "text", 11), ("订单金额", "Amount", "money", 16),
    ("占比", "Share", "pct", 9), ("累计占比", "Cumulative share", "pct", 11),
    ("ABC分类", "ABC class", "text", 9))
TREND_COLUMNS = _cols(
    ("月份", "Month", "text", 10), ("订单金额", "Orders", "money", 16),
    ("回款金额", "Receipts", "money", 16))
AGING_COLUMNS = _cols(
    ("客户编码", "Code", "text", 11), ("客户名称", "Customer", "text", 26),
    ("业务员", "Salesperson", "text", 11), ("授信额度", "Credit limit", "money", 14),
    ("应收余额", "Balance", "money", 14), ("未到期", "Not yet due", "money", 13),
    ("逾期1–30天", "1–30 days", "money", 13), ("逾期31–60天", "31–60 days", "money", 13),
    ("逾期61–90天", "61–90 days", "money", 13), ("逾期90天以上", "Over 90 days", "money", 13),
    ("逾期合计", "Overdue", "money", 14), ("授信使用率", "Credit use", "pct", 10))
_AGING_BUCKETS = range(5, 10)  # not yet due .. over 90 days: the stacked bars
_AGING_OVERDUE = frozenset({10})  # the overdue total shows red where there is one
CONTRACT_COLUMNS = _cols(
    ("订单号", "Order No.", "text", 16), ("版本", "Version", "int", 6),
    ("订单日期", "Order date", "date", 11), ("客户编码", "Customer code", "text", 11),
    ("客户名称", "Customer", "text", 24), ("业务员", "Salesperson", "text", 10),
    ("订单金额", "Amount", "money", 14), ("状态", "Status", "text", 21),
    ("暂挂原因", "Hold reasons", "text", 22), ("审批号", "Approval", "text", 14),
    ("合同文件", "Contract file", "text", 30), ("已收款", "Received", "money", 14))
VISIT_COLUMNS = _cols(
    ("业务员", "Salesperson", "text", 11), ("周开始日期", "Week starting", "date", 12),
    ("计划拜访", "Planned", "int", 10), ("完成拜访", "Done", "int", 10),
    ("计划外拜访", "Unplanned", "int", 10), ("完成率", "Completion", "pct", 10))
DETAIL_COLUMNS = _cols(
    ("订单号", "Order No.", "text", 16), ("订单日期", "Order date", "date", 11),
    ("客户编码", "Customer code", "text", 11), ("客户名称", "Customer", "text", 24),
    ("业务员", "Salesperson", "text", 10), ("产品编码", "Product code", "text", 11),
    ("产品名称", "Product", "text", 20), ("规格", "Spec", "text", 12),
    ("单位", "Unit", "text", 7), ("数量", "Quantity", "qty", 10),
    ("单价", "Unit price", "price", 12), ("金额", "Amount", "money", 14))
_DETAIL_FIELDS = attrgetter(
    "order_no", "order_date", "customer_code", "customer_name", "salesperson", "product_code",
    "product_name", "spec", "unit", "quantity", "unit_price", "amount")
_NOTES_COLUMNS = _cols(("指标", "Item", "text", 24), ("定义", "Definition", "text", 100))

_NUM_FORMATS = {"money": "#,##0.00", "price": "#,##0.00##", "int": "#,##0", "pct": "0.0%",
                "date": "yyyy-mm-dd"}
_VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "total": {"bold": True, "bg_color": "#F2F2F2", "top": 2},
    "held": {"bg_color": "#FFF2CC"},
    "superseded": {"font_color": "#808080", "italic": True},
    "alert": {"font_color": "#C00000"},
}


def write_report(report: Report, path: Path, language: str = "zh", company: str = "") -> Path:
    """Write the summary workbook of `report` to `path` atomically and return the path.

    Args:
        report: the figures, as computed by kpis.py; `report.details()` is streamed once.
        path: the .xlsx to write; its folder is created, an existing file replaced.
        language: "zh" (default) or "en" for sheet titles, headings and words.
        company: the company name shown in every sheet's title row.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with ExitStack() as stack:
        writer = _Writer(report, language, company, stack)
        package = writer.build()
        try:
            _package(package, writer.fragments, partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path


def status_word(status: str, language: str) -> str:
    words = STATUS_WORDS.get(status)
    return words[1 if language == "en" else 0] if words else status


def hold_reason_words(reasons: str, language: str) -> str:
    """`price_below_list, customer_overdue` (or the ledger's JSON list) in words."""
    text = reasons.strip()
    codes: list[str] = []
    if text.startswith("["):
        try:
            codes = [str(code) for code in json.loads(text)]
        except ValueError:
            codes = []
    if not codes:
        codes = [code for code in re.split(r"[\s,;，；、]+", text) if code]
    i = 1 if language == "en" else 0
    words = [HOLD_REASON_WORDS[code][i] if code in HOLD_REASON_WORDS else code for code in codes]
    return ("; " if i else "、").join(words)


# -- the sheets ---------------------------------------------------------------------------


class _Writer:
    """One workbook being built: xlsxwriter for the layout, `_Rows` for the data rows."""

    def __init__(self, report: Report, language: str, company: str, stack: ExitStack) -> None:
        self.report = report
        self.language = language
        self.i = 1 if language == "en" else 0
        self.company = company.strip()
        self.stack = stack
        self.output = BytesIO()
        self.book = xlsxwriter.Workbook(self.output, _OPTIONS)
        self.styles = _Styles(self.book)
        self.fragments: dict[str, _Rows] = {}  # sheet name -> its data rows

    def word(self, key: str, **values: object) -> str:
        text = _WORDS[key][self.i]
        return text.format(**values) if values else text

    def name(self, key: str) -> str:
        return SHEETS[key][self.i]

    def build(self) -> BytesIO:
        period = self.report.period
        title = self.word("report")
        self.book.set_properties({"title": f"{title} {period.label}", "company": self.company,
                                  "created": datetime.combine(period.end, datetime.min.time())})
        for step in (_achievement, _regions, _products, _customers, _trend, _aging, _contracts,
                     _visits, _details, _notes):
            step(self)
        self.book.close()
        return self.output


class _Sheet:
    """A sheet laid out as title row, info row, header row (frozen), data rows, totals."""

    def __init__(self, w: _Writer, name: str, columns: Sequence[_Column], freeze: int,
                 note: str) -> None:
        self.w, self.columns = w, columns
        self.ws: Worksheet = w.book.add_worksheet(name)
        self.row = FIRST_ROW  # the next row to write
        self.last = HEAD_ROW  # the last data row written
        ws, styles = self.ws, w.styles
        period = w.report.period
        heading = " ".join(part for part in (w.company, w.word("report")) if part)
        ws.set_row(TITLE_ROW, 24)
        ws.write_string(TITLE_ROW, 0, f"{heading} · {name} · {period.title(w.language)}",
                        styles.title)
        info = w.word("period", start=period.start.isoformat(), end=period.end.isoformat())
        ws.write_string(INFO_ROW, 0, info + note, styles.info)
        heads = [column.en if w.i else column.zh for column in columns]
        self.widths = [_fitting_width(column.width, head) for column, head in
                       zip(columns, heads, strict=True)]
        self.head_height = max(_wrapped_height(head, width, 13.0, bold=True) for head, width in
                               zip(heads, self.widths, strict=True))
        ws.set_row(HEAD_ROW, self.head_height)
        for c, (column, head) in enumerate(zip(columns, heads, strict=True)):
            ws.set_column(c, c, self.widths[c], None, {"hidden": column.hidden})
            ws.write_string(HEAD_ROW, c, head, styles.head)
        ws.freeze_panes(FIRST_ROW, freeze)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(TITLE_ROW, HEAD_ROW)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(w.word("footer"))

    def data(self, rows: Iterable[tuple[Any, ...]], variant: Callable[[tuple[Any, ...]], str]
             | None = None, variant_columns: frozenset[int] | None = None,
             sums: Sequence[int] = ()) -> list[Decimal]:
        """Render the data rows (value tuples in column order); return the sums of `sums`."""
        fragment = _Rows(self.columns, self.w.styles, variant_columns)
        self.w.stack.enter_context(fragment)
        totals = fragment.write(rows, self.row, variant, sums)
        self.w.fragments[self.ws.name] = fragment
        self.row += fragment.count
        self.last = self.row - 1
        return totals

    def line(self, values: Sequence[Any], variant: str = "total") -> int:
        """Write one row through xlsxwriter (totals, small blocks); return its index."""
        for c, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            _write_cell(self.ws, self.row, c, column.kind, value,
                        self.w.styles.format(column.kind, variant))
        self.row += 1
        return self.row - 1

    def close(self) -> None:
        self.ws.autofilter(HEAD_ROW, 0, self.last, len(self.columns) - 1)

    def place(self, chart: Any, row: int, col: int, width: int, height: int) -> None:
        """Insert a chart below the table; on a new printed page unless it fits on the first."""
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(row, col, chart)
        pixels = [0 if column.hidden else _column_pixels(width) for column, width in
                  zip(self.columns, self.widths, strict=True)]
        scale = min(1.0, _PRINT_WIDTH / max(sum(pixels), sum(pixels[:col]) + width))
        page = _PRINT_HEIGHT / scale
        heading = (24 + 15 + self.head_height) * 4 / 3  # repeated on every page
        # Only the first page is predictable enough (Excel and LibreOffice scale differently):
        # a chart that does not fit on it starts a page of its own.
        if heading + (row - FIRST_ROW) * _ROW_PIXELS + height > page:
            self.ws.set_h_pagebreaks([row])

    def ref(self, column: int, first: int | None = None, last: int | None = None) -> list[Any]:
        """A chart reference to a column of the data rows (or of rows first..last)."""
        first = FIRST_ROW if first is None else first
        last = self.last if last is None else last
        return [self.ws.name, first, column, last, column]


def _achievement(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("achievement"), ACHIEVEMENT_COLUMNS, 2, w.word("note_achievement"))
    rows = w.report.salespeople
    sheet.data(_salesperson_values(row) for row in rows)
    sheet.line(_salesperson_totals(rows, w.word("total")))
    sheet.close()
    if rows:
        chart = w.book.add_chart({"type": "column"})
        chart.add_series({"name": w.word("chart_achievement"), "categories": sheet.ref(1),
                          "values": sheet.ref(5), "fill": {"color": "#4472C4"},
                          "data_labels": {"value": True, "num_format": "0%"}})
        target = w.book.add_chart({"type": "line"})
        target.add_series({"name": w.word("chart_target"), "categories": sheet.ref(1),
                           "values": sheet.ref(len(ACHIEVEMENT_COLUMNS) - 1),
                           "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
                           "marker": {"type": "none"}})
        chart.combine(target)
        chart.show_hidden_data()  # the 100 % line lives in a hidden column
        _chart_style(chart, w.word("chart_achievement"),
                     y_axis={"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
        sheet.place(chart, sheet.row + 1, 1, max(560, min(1400, 70 * len(rows) + 160)), 320)


def _salesperson_values(row: SalespersonRow) -> tuple[Any, ...]:
    return (row.code, row.name, row.region, row.sales_target, row.sales_actual, row.achievement,
            row.held_amount, row.collection_target, row.receipts, row.collection_rate,
            row.new_customer_target, row.new_customers, row.new_customer_rate,
            row.visits_planned, row.visits_done, row.visits_unplanned, row.visit_completion, _ONE)


def _salesperson_totals(rows: Sequence[SalespersonRow], label: str) -> tuple[Any, ...]:
    target = _sum_known(row.sales_target for row in rows)
    actual = _sum(row.sales_actual for row in rows)
    collection = _sum_known(row.collection_target for row in rows)
    receipts = _sum(row.receipts for row in rows)
    new_target = _sum_known(row.new_customer_target for row in rows)
    new = sum(row.new_customers for row in rows)
    planned = sum(row.visits_planned for row in rows)
    done = sum(row.visits_done for row in rows)
    return (label, None, None, target, actual, _ratio(actual, target),
            _sum(row.held_amount for row in rows), collection, receipts,
            _ratio(receipts, collection), new_target, new, _ratio(new, new_target), planned,
            done, sum(row.visits_unplanned for row in rows), _ratio(done, planned), None)


def _regions(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("regions"), REGION_COLUMNS, 1, "")
    rows = w.report.regions
    sheet.data((r.region, r.customers, r.orders, r.amount, r.share) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((w.word("total"), sum(r.customers for r in rows), sum(r.orders for r in rows),
                amount, _ratio(amount, amount)))
    sheet.close()


def _products(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("products"), PRODUCT_COLUMNS, 2, w.word("note_products"))
    rows = w.report.products
    sheet.data((r.code, r.name, r.spec, r.unit, r.quantity, r.amount, r.share) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((w.word("total"), None, None, None, None, amount, _ratio(amount, amount)))
    sheet.close()


def _customers(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("customers"), CUSTOMER_COLUMNS, 3, w.word("note_customers"))
    rows = w.report.customers
    sheet.data((r.rank, r.code, r.name, r.region, r.salesperson, r.amount, r.share,
                r.cumulative_share, r.abc) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((None, w.word("total"), None, None, None, amount, _ratio(amount, amount), None,
                None))
    sheet.close()


def _trend(w: _Writer) -> None:
    rows = w.report.trend
    note = w.word("note_trend", first=rows[0].month, last=rows[-1].month) if rows else ""
    sheet = _Sheet(w, w.name("trend"), TREND_COLUMNS, 1, note)
    sheet.data((r.month, r.orders, r.receipts) for r in rows)
    sheet.line((w.word("total"), _sum(r.orders for r in rows), _sum(r.receipts for r in rows)))
    sheet.close()
    if rows:
        chart = w.book.add_chart({"type": "line"})
        for c, color in ((1, "#4472C4"), (2, "#70AD47")):
            chart.add_series({"name": [sheet.ws.name, HEAD_ROW, c], "categories": sheet.ref(0),
                              "values": sheet.ref(c), "line": {"color": color, "width": 2.25},
                              "marker": {"type": "circle", "size": 5,
                                         "fill": {"color": color}, "border": {"color": color}}})
        _chart_style(chart, w.word("chart_trend"), y_axis={
            "num_format": "#,##0", "min": 0, "major_gridlines": {"visible": True}})
        chart.set_size({"width": 700, "height": 340})
        sheet.ws.insert_chart(HEAD_ROW, len(TREND_COLUMNS) + 1, chart)  # beside the table


def _aging(w: _Writer) -> None:
    note = w.word("note_aging", end=w.report.period.end.isoformat())
    sheet = _Sheet(w, w.name("aging"), AGING_COLUMNS, 2, note)
    rows = w.report.aging
    sheet.data((_aging_values(r) for r in rows), variant=_overdue_variant,
               variant_columns=_AGING_OVERDUE)
    sheet.line(_aging_totals(rows, w.word("total")))
    sheet.close()
    if not rows:
        return
    first, last, title = FIRST_ROW, sheet.last, w.word("chart_aging")
    if len(rows) > _TOP_AGING:  # chart the largest balances, from a block of their own
        top = sorted(rows, key=lambda r: r.balance, reverse=True)[:_TOP_AGING]
        sheet.row += 1
        sheet.ws.write_string(sheet.row, 0, w.word("top_balances", n=_TOP_AGING), w.styles.bold)
        sheet.row += 1
        first = sheet.row
        for row in top:
            last = sheet.line(_aging_values(row), "plain")
        title = w.word("chart_aging_top", n=_TOP_AGING)
    chart = w.book.add_chart({"type": "bar", "subtype": "stacked"})
    colors = ("#70AD47", "#FFC000", "#ED7D31", "#C55A11", "#C00000")
    for c, color in zip(_AGING_BUCKETS, colors, strict=True):
        chart.add_series({"name": [sheet.ws.name, HEAD_ROW, c],
                          "categories": sheet.ref(1, first, last),
                          "values": sheet.ref(c, first, last), "fill": {"color": color},
                          "gap": 60})
    # The first customer at the top, the amounts along the bottom.
    _chart_style(chart, title, x_axis={"num_format": "#,##0", "major_gridlines": {"visible": True}},
                 y_axis={"reverse": True, "crossing": "max"})
    sheet.place(chart, sheet.row + 1, 0, 820, max(300, 90 + 26 * (last - first + 1)))


def _aging_values(row: AgingRow) -> tuple[Any, ...]:
    return (row.code, row.name, row.salesperson, row.credit_limit, row.balance, row.not_due,
            row.overdue_1_30, row.overdue_31_60, row.overdue_61_90, row.overdue_over_90,
            row.overdue, row.credit_use)


def _overdue_variant(values: tuple[Any, ...]) -> str:
    return "alert" if values[10] > 0 else "plain"


def _aging_totals(rows: Sequence[AgingRow], label: str) -> tuple[Any, ...]:
    # Credit use from the totals only when every customer has a limit: otherwise the two
    # totals are not comparable.
    limits = [row.credit_limit for row in rows]
    limit = _sum_known(limits)
    balance = _sum(row.balance for row in rows)
    use = _ratio(balance, limit) if None not in limits else None
    return (label, None, None, limit, balance, _sum(r.not_due for r in rows),
            _sum(r.overdue_1_30 for r in rows), _sum(r.overdue_31_60 for r in rows),
            _sum(r.overdue_61_90 for r in rows), _sum(r.overdue_over_90 for r in rows),
            _sum(r.overdue for r in rows), use)


def _contracts(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("contracts"), CONTRACT_COLUMNS, 1, w.word("note_contracts"))
    rows = w.report.contracts
    variants = {status_word(status, w.language): status for status in ("held", "superseded")}
    sheet.data((_contract_values(r, w.language) for r in rows),
               variant=lambda values: variants.get(values[7], "plain"))
    accepted = [r for r in rows if r.status == "accepted"]
    held = [r for r in rows if r.status == "held"]
    sheet.line(_contract_total(w.word("accepted_total"), _sum(r.amount for r in accepted),
                               _sum(r.received for r in accepted)))
    sheet.line(_contract_total(w.word("held_total"), _sum(r.amount for r in held), None))
    sheet.close()


def _contract_total(label: str, amount: Decimal, received: Decimal | None) -> tuple[Any, ...]:
    return (label,) + (None,) * 5 + (amount,) + (None,) * 4 + (received,)


def _contract_values(row: ContractRow, language: str) -> tuple[Any, ...]:
    return (row.order_no, row.version, row.order_date, row.customer_code, row.customer_name,
            row.salesperson, row.amount, status_word(row.status, language),
            hold_reason_words(row.hold_reasons, language) if row.hold_reasons else "",
            row.approval, row.contract_file, row.received)


def _visits(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("visits"), VISIT_COLUMNS, 1, "")
    rows = w.report.visits
    sheet.data((r.salesperson, r.week_start, r.planned, r.done, r.unplanned,
                _ratio(r.done, r.planned)) for r in rows)
    planned, done = sum(r.planned for r in rows), sum(r.done for r in rows)
    sheet.line((w.word("total"), None, planned, done, sum(r.unplanned for r in rows),
                _ratio(done, planned)))
    sheet.close()


def _details(w: _Writer) -> None:
    """Stream the order lines; past Excel's row limit they continue on 明细 (2), (3), ..."""
    rows: Iterator[tuple[Any, ...]] = map(_DETAIL_FIELDS, w.report.details())
    part = 0
    while True:
        part += 1
        name = w.name("details") + (f" ({part})" if part > 1 else "")
        sheet = _Sheet(w, name, DETAIL_COLUMNS, 1, w.word("note_details"))
        (amount,) = sheet.data(islice(rows, DETAIL_ROWS_PER_SHEET), sums=(11,))
        following = next(rows, None)
        label = w.word("total" if part == 1 and following is None else "sheet_total")
        sheet.line((label,) + (None,) * 10 + (amount,))
        sheet.close()
        if following is None:
            return
        rows = chain((following,), rows)


def _notes(w: _Writer) -> None:
    sheet = _Sheet(w, w.name("notes"), _NOTES_COLUMNS, 0, w.word("note_notes"))
    wrap = w.styles.format("text", "wrap")
    for key, zh, en in KPI_DEFINITIONS:
        text = en if w.i else zh
        names = KPI_NAMES.get(key, (key, key))
        sheet.ws.set_row(sheet.row, _wrapped_height(text, _NOTES_COLUMNS[1].width))
        sheet.ws.write_string(sheet.row, 0, names[w.i], w.styles.format("text", "label"))
        sheet.ws.write_string(sheet.row, 1, text, wrap)
        sheet.row += 1
    sheet.last = sheet.row - 1


def _chart_style(chart: Any, title: str, x_axis: dict[str, Any] | None = None,
                 y_axis: dict[str, Any] | None = None) -> None:
    font = {"name": _FONT["font_name"], "size": 9}
    chart.set_title({"name": title, "name_font": {**font, "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_x_axis({"num_font": font, **(x_axis or {})})
    chart.set_y_axis({"num_font": font, **(y_axis or {})})


def _wrapped_height(text: str, width: float, line: float = 15.0, bold: bool = False) -> float:
    """Points for `text` wrapped in a column `width` wide: Excel does not grow rows itself."""
    units = sum(2 if ord(char) > 0x2E7F else 1 for char in text) * (1.1 if bold else 1.0)
    lines = max(1, -(-int(units) // max(1, int(width - 2))))
    return line * lines + 4


def _fitting_width(width: float, head: str) -> float:
    """The column width, widened so that the header's longest word needs no break."""
    longest = max((len(word) for word in head.split()), default=0)
    return max(width, longest * 1.15 + 2) if head.isascii() else width


def _column_pixels(width: float) -> int:
    return int(width * 7 + 5)  # xlsxwriter's conversion for the default font


# Printable A4 landscape at 96 dpi less the margins set in _Sheet, with 5 % to spare.
_PRINT_WIDTH = (11.69 - 0.8) * 96
_PRINT_HEIGHT = (8.27 - 1.1) * 96 * 0.95
_ROW_PIXELS = 20  # the default 15 pt row


# -- values ---------------------------------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _sum_known(values: Iterable[Any]) -> Any:
    """The sum of the values that are known (Decimals or ints); None when none is."""
    known = [value for value in values if value is not None]
    return sum(known[1:], known[0]) if known else None


def _ratio(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def _write_cell(ws: Worksheet, row: int, col: int, kind: str, value: Any, fmt: Format) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif kind == "text":
        ws.write_string(row, col, str(value), fmt)
    elif kind == "date":
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


class _Styles:
    """The workbook's formats, made once each; data cells need their style index."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self._formats: dict[tuple[str, str], Format] = {}
        self.title = book.add_format({**_FONT, "bold": True, "font_size": 14})
        self.info = book.add_format({**_FONT, "font_size": 9, "font_color": "#595959"})
        self.bold = book.add_format({**_FONT, "bold": True})
        self.head = book.add_format({**_FONT, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "align": "center",
                                     "valign": "vcenter"})

    def format(self, kind: str, variant: str = "plain") -> Format:
        key = (kind, variant)
        if key not in self._formats:
            properties: dict[str, Any] = {**_FONT, "border": 1, "border_color": "#A6A6A6",
                                          "valign": "top"}
            if kind in _NUM_FORMATS:
                properties["num_format"] = _NUM_FORMATS[kind]
            if kind == "date":
                properties["align"] = "center"
            if variant == "wrap":
                properties["text_wrap"] = True
            elif variant == "label":
                properties["bold"] = True
            else:
                properties.update(_VARIANTS[variant])
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]

    def index(self, kind: str, variant: str = "plain") -> int:
        # The number xlsxwriter itself puts in a cell's s="" for this format. It is handed out
        # on first use and kept; styles.xml lists every format that has one.
        return int(self.format(kind, variant)._get_xf_index())


# -- data rows as sheet XML ---------------------------------------------------------------

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)
_MAX_TEXT = 32767  # characters a cell can hold
# Rows whose text has none of these take the fast path: no escaping needed.
_UNSAFE = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]").search
_SEP = "\x7f"
_EDGE = ("", " ", _SEP)
# Escaping as xlsxwriter does it: a literal _xHHHH_ keeps its underscore as _x005F_, control
# characters become _xHHHH_ (tab and newline stay), and so do code points XML cannot hold.
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    text = text[:_MAX_TEXT]
    preserve = text != text.strip(" \t\r\n")
    text = _LITERAL_ESCAPE.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _CONTROL.sub(lambda match: f"_x{ord(match[0]):04X}_", text)
    return f'<t xml:space="preserve">{text}</t>' if preserve else f"<t>{text}</t>"


def _plain(texts: tuple[Any, ...]) -> bool:
    """True when these strings can go into the XML as they are: no escaping, no whitespace to
    preserve at either end, none empty (an empty string is written as a blank cell)."""
    if not texts:
        return True
    try:
        joined = _SEP.join(texts)
    except TypeError:  # not all strings
        return False
    return not (_UNSAFE(joined) or "_x" in joined or len(joined) > _MAX_TEXT
                or joined[:1] in _EDGE
                or joined[-1:] in _EDGE or f"{_SEP} " in joined or f" {_SEP}" in joined
                or _SEP * 2 in joined)


class _Rows:
    """The data rows of one sheet as `<row>` XML in a temporary file.

    A row whose values are all present and whose text needs no escaping is formatted with
    one template; any other row is built cell by cell.
    """

    def __init__(self, columns: Sequence[_Column], styles: _Styles,
                 variant_columns: frozenset[int] | None = None) -> None:
        self.columns = columns
        self.styles = styles
        self.variant_columns = variant_columns
        self.file: IO[bytes] = tempfile.TemporaryFile()
        self.size = 0
        self.count = 0
        self._letters = [xl_col_to_name(c) for c in range(len(columns))]
        self._text = tuple(c for c, column in enumerate(columns) if column.kind == "text")
        self._dates = tuple(c for c, column in enumerate(columns) if column.kind == "date")
        self._templates: dict[str, str] = {}
        self._xf: dict[str, list[int]] = {}

    def __enter__(self) -> _Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, rows: Iterable[tuple[Any, ...]], first: int,
              variant: Callable[[tuple[Any, ...]], str] | None = None,
              sums: Sequence[int] = ()) -> list[Decimal]:
        """Render `rows` from 0-based row `first` on; return the sums of columns `sums`."""
        totals = [Decimal(0)] * len(sums)
        texts = self._getter(self._text)
        dates, serials = self._dates, _Serials()
        plain = self._template("plain")
        buffer: list[str] = []
        number = first + 1  # the row number in the XML
        for values in rows:
            kind = variant(values) if variant else "plain"
            line = None
            if _plain(texts(values)):  # a None among the texts fails this too
                cells: Sequence[Any] = values
                if dates:
                    cells = list(values)
                    for c in dates:
                        cells[c] = serials[cells[c]]
                template = plain if kind == "plain" else self._template(kind)
                line = template.format(number, *cells)
                # A missing number or date shows as <v>None</v>: that row needs blank cells.
                # (Cheaper than looking for None first: Decimal == None goes through the ABCs.)
                if "None</v>" in line:
                    line = None
            buffer.append(line or self._row(number, values, kind))
            for k, c in enumerate(sums):
                if values[c] is not None:
                    totals[k] += values[c]
            number += 1
            if len(buffer) == 2000:
                self._flush(buffer)
        self._flush(buffer)
        self.count = number - first - 1
        if number - 1 > _EXCEL_ROWS:
            raise SalesSheetsError(f"{self.count} rows do not fit in one worksheet")
        return totals

    @staticmethod
    def _getter(columns: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
        """The values of `columns` as a tuple (itemgetter returns a bare value for one)."""
        if len(columns) == 1:
            return lambda values: (values[columns[0]],)
        if not columns:
            return lambda values: ()
        return itemgetter(*columns)

    def _flush(self, buffer: list[str]) -> None:
        data = "".join(buffer).encode("utf-8")
        self.file.write(data)
        self.size += len(data)
        buffer.clear()

    def _styles_of(self, variant: str) -> list[int]:
        if variant not in self._xf:
            self._xf[variant] = [
                self.styles.index(column.kind, variant if self.variant_columns is None
                                  or c in self.variant_columns else "plain")
                for c, column in enumerate(self.columns)]
        return self._xf[variant]

    def _template(self, variant: str) -> str:
        if variant not in self._templates:
            parts = ['<row r="{0}">']
            for c, (column, style) in enumerate(zip(self.columns, self._styles_of(variant),
                                                    strict=True)):
                ref = f'r="{self._letters[c]}{{0}}" s="{style}"'
                if column.kind == "text":
                    parts.append(f'<c {ref} t="inlineStr"><is><t>{{{c + 1}}}</t></is></c>')
                else:  # !s: str() is several times faster than Decimal.__format__
                    parts.append(f"<c {ref}><v>{{{c + 1}!s}}</v></c>")
            parts.append("</row>")
            self._templates[variant] = "".join(parts)
        return self._templates[variant]

    def _row(self, number: int, values: tuple[Any, ...], variant: str) -> str:
        parts = [f'<row r="{number}">']
        for c, (column, style, value) in enumerate(zip(self.columns, self._styles_of(variant),
                                                       values, strict=True)):
            ref = f'r="{self._letters[c]}{number}" s="{style}"'
            if value is None or value == "":
                parts.append(f"<c {ref}/>")
            elif column.kind == "text":
                parts.append(f'<c {ref} t="inlineStr"><is>{_xml_text(str(value))}</is></c>')
            elif column.kind == "date":
                parts.append(f"<c {ref}><v>{value.toordinal() - _EPOCH}</v></c>")
            else:
                parts.append(f"<c {ref}><v>{value}</v></c>")
        parts.append("</row>")
        return "".join(parts)


class _Serials(dict[date | None, str]):
    """Excel day numbers of dates, remembered: a ledger has few distinct dates."""

    def __init__(self) -> None:
        super().__init__({None: "None"})

    def __missing__(self, day: date | None) -> str:
        assert day is not None
        serial = self[day] = str(day.toordinal() - _EPOCH)
        return serial


# -- the package ----------------------------------------------------------------------------

_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # as xlsxwriter: the same figures give the same bytes
_BIG = 8 << 20  # parts larger than this are deflated at level 1: four times faster than 6


def _package(source: BytesIO, fragments: dict[str, _Rows], target: Path) -> None:
    """Copy xlsxwriter's package to `target`, splicing each sheet's data rows into it."""
    with zipfile.ZipFile(source) as src, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
        parts = _sheet_parts(src)
        by_part = {parts[name]: rows for name, rows in fragments.items()}
        for info in src.infolist():
            rows = by_part.get(info.filename)
            if rows is None:
                with src.open(info) as data, dst.open(_zip_info(info.filename, info.file_size),
                                                      "w") as out:
                    shutil.copyfileobj(data, out, 1 << 20)
                continue
            xml = src.read(info).decode("utf-8")
            at = _insertion_point(xml)
            head, tail = xml[:at].encode("utf-8"), xml[at:].encode("utf-8")
            with dst.open(_zip_info(info.filename, len(head) + rows.size + len(tail)),
                          "w") as out:
                out.write(head)
                rows.file.seek(0)
                shutil.copyfileobj(rows.file, out, 1 << 20)
                out.write(tail)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part, e.g. 明细 -> xl/worksheets/sheet9.xml."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PACKAGE_RELS}"
                                                                            "Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(_RELS)]
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") \
            else f"xl/{target}"
    return parts


def _insertion_point(xml: str) -> int:
    """Where the data rows go: before the first row below the header, or the end."""
    for match in re.finditer(r'<row r="(\d+)"', xml):
        if int(match[1]) > FIRST_ROW:
            return match.start()
    at = xml.find("</sheetData>")
    if at < 0:
        raise SalesSheetsError("unexpected worksheet XML from xlsxwriter")
    return at


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size  # lets zipfile decide on Zip64 before it writes the header
    # ZipFile.open(info, "w") takes the level from the ZipInfo: `_compresslevel` up to Python
    # 3.12, `compress_level` from 3.13 on.
    level = 1 if size > _BIG else 6
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
            level)
    return info
