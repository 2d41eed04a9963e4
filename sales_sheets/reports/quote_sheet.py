"""报价转化 (spec 4e): per salesperson the period's quotations, how many were approved, turned
into orders or expired, their amounts and the conversion rate (see definitions.py, "quotes"):
the figures from the ledger's quotations, and the sheet of the summary workbook that shows
them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from ..forms.kinds import Ref
from ..forms.periods import Period
from ..ledger import Books, QuoteRecord
from ..status import Status
from .columns import QUOTE_COLUMNS, QUOTE_NULLABLE
from .model import QuoteRow, ratio
from .sheet import Sheet, Writer


def quote_figures(books: Books, period: Period) -> list[QuoteRow]:
    """The rows of 报价转化 for `period`, read from `books`."""
    people = {p["code"]: p["name"] for p in books.master_records(Ref.SALESPERSON)}
    return quote_rows(books.quotes_dated(period.start, period.end), period.end, people)


def quote_rows(records: list[QuoteRecord], end: date, people: dict[str, str]
               ) -> list[QuoteRow]:
    """A row per salesperson with quotations (by code), then the total."""
    rows = [_row(code, people.get(code, ""), list(group), end)
            for code, group in groupby(records, attrgetter("salesperson"))]
    rows.append(_row("", "", records, end))
    return rows


def _row(code: str, name: str, records: list[QuoteRecord], end: date) -> QuoteRow:
    approved = [r for r in records if r.status == Status.ACCEPTED]
    converted = [r for r in approved if r.orders]
    expired = [r for r in approved if not r.orders and r.valid_until < end]
    quoted = sum((r.total for r in approved), Decimal("0.00"))
    ordered = sum((r.ordered for r in converted), Decimal("0.00"))
    return QuoteRow(code, name, len(records), len(approved), len(converted), len(expired),
                    quoted, ordered, ratio(len(converted), len(approved)))


def quotes_sheet(w: Writer) -> None:
    """报价转化: a row per salesperson, the total last."""
    end = w.report.period.end.isoformat()
    sheet = Sheet(w, w.name("quotes"), QUOTE_COLUMNS, 2, w.word("note_quotes", end=end))
    *rows, total = w.report.quotes or [QuoteRow("", "", 0, 0, 0, 0, Decimal(0), Decimal(0),
                                                None)]
    sheet.data((tuple(r) for r in rows), nullable=QUOTE_NULLABLE)
    sheet.line((w.word("total"), "", *total[2:]))
    sheet.close()
