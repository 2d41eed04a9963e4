"""报销汇总: the accepted expense claims of a period for finance to pay, per salesperson with a
subtotal each and the grand total, written to
outbox/expenses/<P>/报销汇总_<P>.xlsx in the summary workbook's frame (sheet.py: A4
landscape, one page wide, headings repeated) and its stable writing: the same ledger gives the
same bytes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from ..files import atomic_path
from ..formats.xlsx_rows import write_package
from ..forms.kinds import Ref
from ..forms.periods import Period
from ..ledger import ClaimLine, Ledger
from ..paths import inside
from ..text import Text
from ..workspace import Workspace
from .columns import CLAIM_COLUMNS
from .model import Report
from .sheet import Sheet, Writer

_NAME = Text("报销汇总", "Expense summary")
_NOTE = Text("已接收的费用报销单（按费用日期计入期间），按业务员、报销单号；"
             "审批号为超预算或超标准经审批的报销单。",
             "Accepted expense claims (in the period by the day spent), by salesperson and "
             "claim number; an approval number marks a claim approved over budget or cap.")
_NULLABLE = (2, 3, 6)  # dates and invoice count: blank on subtotal lines


def expense_summary_path(workspace: Workspace, period: Period) -> Path:
    name = _NAME(workspace.language)
    return inside(workspace.outbox, "expenses", period.label, f"{name}_{period.label}.xlsx")


def write_expense_summary(workspace: Workspace, period: Period) -> Path:
    """Write the 报销汇总 of `period` and return its path."""
    with Ledger.of(workspace).reading() as books:
        claims = books.expense_claim_lines(period)
        names = {p["code"]: p["name"] for p in books.master_records(Ref.SALESPERSON)}
    return write_claims(claims, names, period, expense_summary_path(workspace, period),
                        workspace.language, workspace.settings.company.name)


class _ClaimWriter(Writer):
    def word(self, key: str, **values: object) -> str:
        if key == "report":
            return _NAME(self.language)
        return super().word(key, **values)


def write_claims(claims: list[ClaimLine], names: dict[str, str], period: Period, path: Path,
                 language: str = "zh", company: str = "") -> Path:
    """Write the claim lines (by salesperson and claim) to `path` atomically."""
    empty = Report(period, [], [], [], [], [], [], lambda: iter(()), [], details=lambda: iter(()))
    with ExitStack() as stack:
        w = _ClaimWriter(empty, language, company, stack)
        title = _NAME(language)
        w.book.set_properties({"title": f"{title} {period.label}", "company": w.company,
                               "created": datetime.combine(period.end, datetime.min.time())})
        sheet = Sheet(w, title, CLAIM_COLUMNS, 2, _NOTE(language))
        grand: list[Decimal] = []
        sheet.data(_with_subtotals(claims, names, w, grand), variant=_variant,
                   nullable=_NULLABLE)
        total, invoices = grand
        sheet.line((w.word("total"), None, None, None, None, total, int(invoices), None, None,
                    None))
        sheet.close()
        w.book.close()
        with atomic_path(Path(path)) as partial:
            write_package(w.output, w.fragments, partial)
    return Path(path)


def _who(code: str, names: dict[str, str]) -> str:
    name = names.get(code, "")
    return f"{code} {name}" if name else code


def _with_subtotals(claims: Iterable[ClaimLine], names: dict[str, str], w: Writer,
                    grand: list[Decimal]) -> Iterator[tuple[Any, ...]]:
    total, invoices = Decimal(0), 0
    for person, group in groupby(claims, attrgetter("salesperson")):
        amount, count = Decimal(0), 0
        who = _who(person, names)
        for line in group:
            yield (who, line.claim_no, line.claim_date, line.spent_on, line.category,
                   line.amount, line.invoice_count, line.customer_code, line.description,
                   line.approval)
            amount += line.amount
            count += line.invoice_count or 0
        yield (w.word("salesperson_total", who=who), "", None, None, "", amount, count, "", "",
               "")
        total += amount
        invoices += count
    grand[:] = [total, Decimal(invoices)]


def _variant(values: tuple[Any, ...]) -> str:
    return "total" if values[2] is None else "plain"
