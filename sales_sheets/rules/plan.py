"""Plan rules: no negative targets; months that disagree with their quarter or year warn."""

from __future__ import annotations

from decimal import Decimal

from ..forms.form import Document
from ..forms.periods import parse_period
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context

_MONEY = ("target_amount", "target_collection", "target_new_customers", "planned_visits")


def check_plan(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, _MONEY, allow_zero=True)
    period, salesperson = doc.header["period"], doc.header["salesperson"]
    if not period or not salesperson or problems:
        return problems
    totals = ctx.plan_totals(str(salesperson))
    totals[str(period)] = sum(
        (line.values["target_amount"] or Decimal(0) for line in doc.lines), Decimal("0.00"))
    for parent in [str(period), *parse_period(str(period)).parents()]:
        covered = parse_period(parent).months()
        if parent not in totals or len(covered) == 1:
            continue
        months = [totals[m] for m in covered if m in totals]
        if not months:
            continue
        added = sum(months, Decimal("0.00"))
        complete = len(months) == len(covered)
        if added > totals[parent] or (complete and added != totals[parent]):
            problems.append(problem(
                "plan_mismatch", Severity.WARNING, **doc.at_header("period"), value=period,
                period=parent, months=added, parent_amount=totals[parent],
                parent="quarter" if "Q" in parent else "year"))
    return problems
