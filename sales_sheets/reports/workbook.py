"""The summary workbook of one period (销售汇总): sixteen sheets, three charts, print set-up.

xlsxwriter (in constant_memory mode, so every sheet is written top to bottom) lays out each
sheet in the frame of sheet.py: title, info and header rows, the data rows, totals, print
set-up; charts.py adds the charts. The data rows themselves are rendered as sheet XML and
spliced into xlsxwriter's package by formats/xlsx_rows.py, for speed (see there). This module
says what goes on each sheet.

Every figure is a stored value, never a formula; user text is always a string cell.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from ..files import atomic_path
from ..formats.xlsx_rows import EXCEL_ROWS, write_package
from ..kinds import KINDS
from ..ledger import reply_rate
from ..status import ReplyStatus, Status
from ..text import Text
from .charts import achievement_chart, aging_chart, trend_chart
from .columns import (
    ACHIEVEMENT_COLUMNS,
    AGING_COLUMNS,
    AGING_OVERDUE,
    CONTRACT_COLUMNS,
    CONTRACT_STATUS,
    CUSTOMER_COLUMNS,
    DETAIL_AMOUNT,
    DETAIL_COLUMNS,
    EXPENSE_COLUMNS,
    EXPENSE_NULLABLE,
    EXPENSE_REMAINING,
    NOTES_COLUMNS,
    PENDING_COLUMNS,
    PRODUCT_COLUMNS,
    REGION_COLUMNS,
    REPLY_COLUMNS,
    TRACKING_COLUMNS,
    TRACKING_LATE,
    TRACKING_NULLABLE,
    TREND_COLUMNS,
    VISIT_COLUMNS,
)
from .complaint_sheet import complaints_sheet
from .definitions import KPI_DEFINITIONS, KPI_NAMES
from .details import DetailPart, render_details
from .model import (
    AgingRow,
    ContractRow,
    ExpenseRow,
    Report,
    SalespersonRow,
    TrackingRow,
    ratio,
    sum_known,
)
from .quote_sheet import quotes_sheet
from .sheet import FIRST_ROW, Sheet, Writer, wrapped_height
from .words import hold_reason_words, status_word

__all__ = ["DETAIL_ROWS_PER_SHEET", "hold_reason_words", "status_word", "write_report"]

# Data rows a 明细 sheet takes before the lines continue on the next one (room for totals).
DETAIL_ROWS_PER_SHEET = EXCEL_ROWS - FIRST_ROW - 2
_TOP_AGING = 15
_ONE = Decimal(1)
# The amount columns of 销售跟单 (ordered, delivered, invoiced, received, returned,
# outstanding: TrackingRow[6:12]), summed on its total lines.
_TRACKING_SUMMED = range(6, 12)


def write_report(report: Report, path: Path, language: str = "zh", company: str = "",
                 rendered: Callable[[], list[DetailPart]] | None = None) -> Path:
    """Write the summary workbook of `report` to `path` atomically and return the path.

    Args:
        report: the figures, as computed by kpis.py; `report.details()` is streamed once,
            unless `rendered` is given.
        path: the .xlsx to write; its folder is created, an existing file replaced.
        language: "zh" (default) or "en" for sheet titles, headings and words.
        company: the company name shown in every sheet's title row.
        rendered: the 明细 rows already being rendered elsewhere: the function that waits for
            their parts (see details.rendered_elsewhere).
    """
    path = Path(path)
    with ExitStack() as stack:
        writer = Writer(report, language, company, stack, rendered)
        package = _build(writer)
        with atomic_path(path) as partial:
            write_package(package, writer.fragments, partial)
    return path


def _build(w: Writer) -> BytesIO:
    period = w.report.period
    title = w.word("report")
    w.book.set_properties({"title": f"{title} {period.label}", "company": w.company,
                           "created": datetime.combine(period.end, datetime.min.time())})
    for step in (_achievement, _regions, _products, _customers, _trend, _aging, _contracts,
                 _tracking, _pending, _replies, _expenses, quotes_sheet, complaints_sheet, _visits,
                 _details, _notes):
        step(w)
    w.book.close()
    return w.output


# -- the sheets ---------------------------------------------------------------------------


def _achievement(w: Writer) -> None:
    sheet = Sheet(w, w.name("achievement"), ACHIEVEMENT_COLUMNS, 2, w.word("note_achievement"))
    rows = w.report.salespeople
    sheet.data(_salesperson_values(row) for row in rows)
    sheet.line(_salesperson_totals(rows, w.word("total")))
    sheet.close()
    if rows:
        achievement_chart(sheet, len(rows))


def _salesperson_values(row: SalespersonRow) -> tuple[Any, ...]:
    return (row.code, row.name, row.region, row.sales_target, row.sales_actual, row.achievement,
            row.held_amount, row.collection_target, row.receipts, row.collection_rate,
            row.new_customer_target, row.new_customers, row.new_customer_rate,
            row.visits_planned, row.visits_done, row.visits_unplanned, row.visit_completion, _ONE)


def _salesperson_totals(rows: Sequence[SalespersonRow], label: str) -> tuple[Any, ...]:
    target = sum_known(row.sales_target for row in rows)
    actual = _sum(row.sales_actual for row in rows)
    collection = sum_known(row.collection_target for row in rows)
    receipts = _sum(row.receipts for row in rows)
    new_target = sum_known(row.new_customer_target for row in rows)
    new = sum(row.new_customers for row in rows)
    planned = sum(row.visits_planned for row in rows)
    done = sum(row.visits_done for row in rows)
    return (label, None, None, target, actual, ratio(actual, target),
            _sum(row.held_amount for row in rows), collection, receipts,
            ratio(receipts, collection), new_target, new, ratio(new, new_target), planned,
            done, sum(row.visits_unplanned for row in rows), ratio(done, planned), None)


def _regions(w: Writer) -> None:
    sheet = Sheet(w, w.name("regions"), REGION_COLUMNS, 1, "")
    rows = w.report.regions
    sheet.data((r.region, r.customers, r.orders, r.amount, r.share) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((w.word("total"), sum(r.customers for r in rows), sum(r.orders for r in rows),
                amount, ratio(amount, amount)))
    sheet.close()


def _products(w: Writer) -> None:
    sheet = Sheet(w, w.name("products"), PRODUCT_COLUMNS, 2, w.word("note_products"))
    rows = w.report.products
    sheet.data((r.code, r.name, r.spec, r.unit, r.quantity, r.amount, r.share) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((w.word("total"), None, None, None, None, amount, ratio(amount, amount)))
    sheet.close()


def _customers(w: Writer) -> None:
    sheet = Sheet(w, w.name("customers"), CUSTOMER_COLUMNS, 3, w.word("note_customers"))
    rows = w.report.customers
    sheet.data((r.rank, r.code, r.name, r.region, r.salesperson, r.amount, r.share,
                r.cumulative_share, r.abc) for r in rows)
    amount = _sum(r.amount for r in rows)
    sheet.line((None, w.word("total"), None, None, None, amount, ratio(amount, amount), None,
                None))
    sheet.close()


def _trend(w: Writer) -> None:
    rows = w.report.trend
    note = w.word("note_trend", first=rows[0].month, last=rows[-1].month) if rows else ""
    sheet = Sheet(w, w.name("trend"), TREND_COLUMNS, 1, note)
    sheet.data((r.month, r.orders, r.receipts) for r in rows)
    sheet.line((w.word("total"), _sum(r.orders for r in rows), _sum(r.receipts for r in rows)))
    sheet.close()
    if rows:
        trend_chart(sheet)


def _aging(w: Writer) -> None:
    note = w.word("note_aging", end=w.report.period.end.isoformat())
    sheet = Sheet(w, w.name("aging"), AGING_COLUMNS, 2, note)
    rows = w.report.aging
    sheet.data((_aging_values(r) for r in rows), variant=_overdue_variant,
               variant_columns=frozenset({AGING_OVERDUE}))
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
    aging_chart(sheet, title, first, last)


def _aging_values(row: AgingRow) -> tuple[Any, ...]:
    return (row.code, row.name, row.salesperson, row.credit_limit, row.balance, row.not_due,
            row.overdue_1_30, row.overdue_31_60, row.overdue_61_90, row.overdue_over_90,
            row.overdue, row.credit_use)


def _overdue_variant(values: tuple[Any, ...]) -> str:
    return "alert" if values[AGING_OVERDUE] > 0 else "plain"


def _aging_totals(rows: Sequence[AgingRow], label: str) -> tuple[Any, ...]:
    # Credit use from the totals only when every customer has a limit: otherwise the two
    # totals are not comparable.
    limits = [row.credit_limit for row in rows]
    limit = sum_known(limits)
    balance = _sum(row.balance for row in rows)
    use = ratio(balance, limit) if None not in limits else None
    return (label, None, None, limit, balance, _sum(r.not_due for r in rows),
            _sum(r.overdue_1_30 for r in rows), _sum(r.overdue_31_60 for r in rows),
            _sum(r.overdue_61_90 for r in rows), _sum(r.overdue_over_90 for r in rows),
            _sum(r.overdue for r in rows), use)


def _contracts(w: Writer) -> None:
    sheet = Sheet(w, w.name("contracts"), CONTRACT_COLUMNS, 1, w.word("note_contracts"))
    words = {status: status_word(status, w.language) for status in Status}
    variants = {words[status]: status for status in (Status.HELD, Status.SUPERSEDED)}
    # amount, delivered, invoiced, received of the accepted versions; amount of the held
    accepted = [Decimal(0)] * 4
    held = [Decimal(0)]
    sheet.data(_contract_rows(w.report.contracts(), words, w.language, accepted, held),
               variant=lambda values: variants.get(values[CONTRACT_STATUS], "plain"))
    sheet.line(_contract_total(w.word("accepted_total"), accepted[0], tuple(accepted[1:])))
    sheet.line(_contract_total(w.word("held_total"), held[0], (None, None, None)))
    sheet.close()


def _contract_rows(rows: Iterable[ContractRow], words: dict[Status, str], language: str,
                   accepted: list[Decimal], held: list[Decimal]) -> Iterator[tuple[Any, ...]]:
    """The rows' values in column order; the totals summed into `accepted` and `held`."""
    for row in rows:
        if row.status == Status.ACCEPTED:
            accepted[:] = (accepted[0] + row.amount, accepted[1] + row.delivered,
                           accepted[2] + row.invoiced, accepted[3] + row.received)
        elif row.status == Status.HELD:
            held[0] += row.amount
        yield (row.order_no, row.version, row.order_date, row.customer_code, row.customer_name,
               row.salesperson, row.amount, words[row.status],
               hold_reason_words(row.hold_reasons, language) if row.hold_reasons else "",
               row.approval, row.contract_file, row.delivered, row.invoiced, row.received)


def _contract_total(label: str, amount: Decimal,
                    progress: tuple[Decimal | None, ...]) -> tuple[Any, ...]:
    return (label,) + (None,) * 5 + (amount,) + (None,) * 4 + progress


def _tracking(w: Writer) -> None:
    """销售跟单: the orders followed, by salesperson and order number, a subtotal line after
    each salesperson's and the grand total last; late rows in red."""
    end = w.report.period.end.isoformat()
    sheet = Sheet(w, w.name("tracking"), TRACKING_COLUMNS, 1, w.word("note_tracking", end=end))
    grand = [Decimal(0)] * len(_TRACKING_SUMMED)
    # A promised date, days open and days late are often blank: rows with them blank are
    # still rendered by the fast path.
    sheet.data(_with_subtotals(w.report.tracking(), w, grand), variant=_tracking_variant,
               nullable=TRACKING_NULLABLE)
    sheet.line((w.word("total"),) + (None,) * 5 + tuple(grand) + (None, None))
    sheet.close()


def _with_subtotals(rows: Iterable[TrackingRow], w: Writer,
                    grand: list[Decimal]) -> Iterator[tuple[Any, ...]]:
    """The rows, a subtotal line after each salesperson's; their sums added to `grand`."""
    for person, group in groupby(rows, attrgetter("salesperson")):
        # a salesperson's few thousand rows held, to sum column by column in C rather than
        # make a list of six running sums for every order
        taken = list(group)
        yield from taken
        sums = [sum(map(itemgetter(column), taken), Decimal(0)) for column in _TRACKING_SUMMED]
        label = w.word("salesperson_total", who=person)
        yield (label, None, None, None, person, None, *sums, None, None)
        grand[:] = [total + value for total, value in zip(grand, sums, strict=True)]


def _tracking_variant(values: tuple[Any, ...]) -> str:
    if values[1] is None:  # a subtotal line has no order date
        return "total"
    return "alert" if values[TRACKING_LATE] is not None else "plain"


def _pending(w: Writer) -> None:
    end = w.report.period.end.isoformat()
    sheet = Sheet(w, w.name("pending"), PENDING_COLUMNS, 2, w.word("note_pending", end=end))
    rows = w.report.pending
    sheet.data((_kind_title(r.kind, w.language), r.document, r.version, r.customer,
                r.customer_name, r.salesperson, r.amount,
                hold_reason_words(r.reasons, w.language), r.stored_at.date(), r.age_days,
                r.folder) for r in rows)
    # A total per kind: an order's amount is owed to us, a return's is owed back.
    for kind in dict.fromkeys([r.kind for r in rows] or ["order"]):
        label = w.word("kind_total", kind=_kind_title(kind, w.language))
        amount = _sum(r.amount for r in rows if r.kind == kind)
        sheet.line((label,) + (None,) * 5 + (amount,) + (None,) * 4)
    sheet.close()


def _replies(w: Writer) -> None:
    """对账回函: per customer the latest statement, where its reply stands, both balances and
    their difference (theirs − ours), and the reply rate below."""
    end = w.report.period.end.isoformat()
    sheet = Sheet(w, w.name("replies"), REPLY_COLUMNS, 3, w.word("note_replies", end=end))
    rows = w.report.replies
    sheet.data((r.customer_code, r.customer_name, r.statement_no, r.period,
                r.status.word(w.language), r.our_balance, r.their_balance, r.difference,
                r.reply_by, r.replied_on, r.days_overdue, r.disputed_items) for r in rows)
    rate = reply_rate(rows)
    replied = sum(r.status in (ReplyStatus.AGREED, ReplyStatus.DISPUTED) for r in rows)
    said = w.word("reply_rate", rate="-" if rate is None else f"{rate:.0%}", replied=replied,
                  issued=len(rows))
    sheet.line((said,) + (None,) * (len(REPLY_COLUMNS) - 1))
    sheet.close()


def _expenses(w: Writer) -> None:
    """费用: budget, spent and remaining per salesperson, category and month, each
    salesperson's subtotal with receipts and 费用率, the regions' budgets, the total."""
    sheet = Sheet(w, w.name("expenses"), EXPENSE_COLUMNS, 2, w.word("note_expenses"))
    # kpis.py puts the total last; a report made without expenses has none
    *rows, total = w.report.expenses or [ExpenseRow("", "", "", "", "", None, Decimal(0), None)]
    sheet.data((_expense_values(r, w) for r in rows), variant=_expense_variant,
               nullable=EXPENSE_NULLABLE)
    sheet.line((w.word("total"),) + tuple(total[1:]))
    sheet.close()


def _expense_values(row: Any, w: Writer) -> tuple[Any, ...]:
    if row.month:
        return tuple(row)
    return (row.code, w.word("salesperson_total", who=row.name), *row[2:])


def _expense_variant(values: tuple[Any, ...]) -> str:
    if not values[4]:  # a salesperson's subtotal has no month
        return "total"
    remaining = values[EXPENSE_REMAINING]
    return "alert" if remaining is not None and remaining < 0 else "plain"


def _kind_title(kind: str, language: str) -> str:
    return KINDS[kind].title(language) if kind in KINDS else kind


def _visits(w: Writer) -> None:
    sheet = Sheet(w, w.name("visits"), VISIT_COLUMNS, 1, "")
    rows = w.report.visits
    sheet.data((r.salesperson, r.week_start, r.planned, r.done, r.unplanned,
                ratio(r.done, r.planned)) for r in rows)
    planned, done = sum(r.planned for r in rows), sum(r.done for r in rows)
    sheet.line((w.word("total"), None, planned, done, sum(r.unplanned for r in rows),
                ratio(done, planned)))
    sheet.close()


def _details(w: Writer) -> None:
    """The order lines, rendered here or already elsewhere; past Excel's row limit they
    continue on 明细 (2), (3), ..."""
    if w.rendered is None:
        folder = w.stack.enter_context(tempfile.TemporaryDirectory(prefix="sales-sheets-"))
        parts = render_details(w.report.details, folder, DETAIL_ROWS_PER_SHEET)
    else:
        parts = w.rendered()
    for number, part in enumerate(parts, start=1):
        name = w.name("details") + (f" ({number})" if number > 1 else "")
        sheet = Sheet(w, name, DETAIL_COLUMNS, 1, w.word("note_details"))
        sheet.splice(part.path, part.size, part.count)
        label = w.word("total" if len(parts) == 1 else "sheet_total")
        sheet.line((label,) + (None,) * (DETAIL_AMOUNT - 1) + (part.amount,))
        sheet.close()


def _notes(w: Writer) -> None:
    sheet = Sheet(w, w.name("notes"), NOTES_COLUMNS, 0, w.word("note_notes"))
    wrap = w.styles.format("text", "wrap")
    for key, definition in KPI_DEFINITIONS:
        text = definition(w.language)
        name = KPI_NAMES.get(key, Text(key, key))(w.language)
        sheet.ws.set_row(sheet.row, wrapped_height(text, NOTES_COLUMNS[1].width))
        sheet.ws.write_string(sheet.row, 0, name, w.styles.format("text", "label"))
        sheet.ws.write_string(sheet.row, 1, text, wrap)
        sheet.row += 1
    sheet.last = sheet.row - 1


# -- values ---------------------------------------------------------------------------------


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))
