"""投诉售后 (spec 4e): the period's complaints counted by category, product and salesperson
(see definitions.py, "complaints"): the figures from the ledger's complaints, and the sheet of
the summary workbook that shows them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..forms.kinds import Ref
from ..forms.periods import Period
from ..kinds import KINDS
from ..ledger import Books, ComplaintRecord
from .columns import COMPLAINT_COLUMNS, COMPLAINT_NULLABLE, COMPLAINT_OVERDUE
from .model import ComplaintRow
from .sheet import Sheet, Writer

_TENTH = Decimal("0.1")
_CATEGORIES = KINDS["complaint"].header_field("category").choices


def complaint_figures(books: Books, period: Period) -> list[ComplaintRow]:
    """The rows of 投诉售后 for `period`, read from `books`."""
    records = books.complaints(period.end, period.start)
    products = {p["code"]: p["name"] for p in books.master_records(Ref.PRODUCT)}
    people = {p["code"]: p["name"] for p in books.master_records(Ref.SALESPERSON)}
    return complaint_rows(records, period.end, products, people)


def complaint_rows(records: list[ComplaintRecord], end: date, products: dict[str, str],
                   people: dict[str, str]) -> list[ComplaintRow]:
    """Per category (every one, in the form's order), per product named and per salesperson,
    then the total: counted as they stand on `end`."""
    rows = [_row("category", c.value, "", [r for r in records if r.category == c.value], end)
            for c in _CATEGORIES]
    for code in sorted({r.product_code for r in records if r.product_code}):
        rows.append(_row("product", code, products.get(code, ""),
                         [r for r in records if r.product_code == code], end))
    for code in sorted({r.salesperson for r in records}):
        rows.append(_row("salesperson", code, people.get(code, ""),
                         [r for r in records if r.salesperson == code], end))
    rows.append(_row("", "", "", records, end))
    return rows


def _row(by: str, item: str, name: str, records: list[ComplaintRecord], end: date
         ) -> ComplaintRow:
    resolved = [r for r in records if not r.open_on(end)]
    days = [Decimal((r.resolved_on - r.received_on).days) for r in resolved
            if r.resolved_on is not None]
    scores = [Decimal(r.satisfaction) for r in records if r.satisfaction is not None]
    return ComplaintRow(by, item, name, len(records), len(resolved),
                        len(records) - len(resolved), sum(r.overdue_on(end) for r in records),
                        _mean(days), _mean(scores))


def _mean(values: Iterable[Decimal]) -> Decimal | None:
    found = list(values)
    if not found:
        return None
    return (sum(found, Decimal(0)) / len(found)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def complaints_sheet(w: Writer) -> None:
    """投诉售后: the rows by category, product and salesperson, the total last."""
    end = w.report.period.end.isoformat()
    sheet = Sheet(w, w.name("complaints"), COMPLAINT_COLUMNS, 3,
                  w.word("note_complaints", end=end))
    *rows, total = w.report.complaints or [ComplaintRow("", "", "", 0, 0, 0, 0, None, None)]
    sheet.data((_values(r, w) for r in rows), variant=_variant, nullable=COMPLAINT_NULLABLE)
    sheet.line((w.word("total"), "", "", *total[3:]))
    sheet.close()


def _values(row: ComplaintRow, w: Writer) -> tuple[Any, ...]:
    item = row.item
    if row.by == "category":
        item = next(c.label(w.language) for c in _CATEGORIES if c.value == row.item)
    return (w.word(f"complaint_by_{row.by}"), item, *row[2:])


def _variant(values: tuple[Any, ...]) -> str:
    return "alert" if values[COMPLAINT_OVERDUE] else "plain"
