"""Plan rules: no negative targets; months that disagree with their quarter or year warn."""

from __future__ import annotations

from decimal import Decimal

from ..forms.form import Document
from ..ledger.queries import plan_totals
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context

_MONEY = ("target_amount", "target_collection", "target_new_customers", "planned_visits")


def months_of(period: str) -> list[str]:
    """The months a period covers: `2026` -> 12 months, `2026-Q4` -> 3, `2026-11` -> itself."""
    year, _, rest = period.partition("-")
    if not rest:
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if rest.startswith("Q"):
        first = (int(rest[1]) - 1) * 3 + 1
        return [f"{year}-{m:02d}" for m in range(first, first + 3)]
    return [period]


def parents_of(period: str) -> list[str]:
    year, _, rest = period.partition("-")
    if not rest:
        return []
    if rest.startswith("Q"):
        return [year]
    return [f"{year}-Q{(int(rest) - 1) // 3 + 1}", year]


def check_plan(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, _MONEY, allow_zero=True)
    period, salesperson = doc.header["period"], doc.header["salesperson"]
    if not period or not salesperson or problems:
        return problems
    totals = plan_totals(ctx.conn, str(salesperson))
    totals[str(period)] = sum(
        (line.values["target_amount"] or Decimal(0) for line in doc.lines), Decimal("0.00"))
    for parent in [str(period), *parents_of(str(period))]:
        if parent not in totals or len(months_of(parent)) == 1:
            continue
        months = [totals[m] for m in months_of(parent) if m in totals]
        if not months:
            continue
        added = sum(months, Decimal("0.00"))
        complete = len(months) == len(months_of(parent))
        if added > totals[parent] or (complete and added != totals[parent]):
            problems.append(problem(
                "plan_mismatch", Severity.WARNING, **doc.at_header("period"), value=period,
                period=parent, months=added, parent_amount=totals[parent],
                parent="quarter" if "Q" in parent else "year"))
    return problems
