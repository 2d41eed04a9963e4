"""Expense budgets and claims (费用预算、费用报销单, spec 4c): a year's or a quarter's budget
spread over its months, a claim's lines per category and month, and the rules of both kinds.

Spreading is exact to the fen: each month gets the amount divided by the months, rounded half
up to the fen, and the last month the remainder, so the months add up to the amount. A month
with a budget of its own keeps it; a month a quarter's budget covers takes the quarter's share
before the year's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..forms.form import Document, Line
from ..forms.kinds import Ref
from ..forms.normalize import CENT
from ..forms.periods import parse_period
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context

# (period, category, amount) of one owner's current budgets
BudgetRow = tuple[str, str, Decimal]
Key = tuple[str, str]  # (category, month YYYY-MM)
_RANK = {"month": 0, "quarter": 1, "year": 2}


def spread(amount: Decimal, months: int) -> list[Decimal]:
    """`amount` over `months` months: each the even share half up to the fen, the last the
    remainder, so that they add up to `amount` exactly."""
    share = (amount / months).quantize(CENT, rounding=ROUND_HALF_UP)
    return [share] * (months - 1) + [amount - share * (months - 1)]


def monthly_budgets(rows: Iterable[BudgetRow]) -> dict[Key, Decimal]:
    """One owner's budgets by category and month: a month's own budget, else its share of
    its quarter's, else of its year's."""
    found: dict[Key, tuple[int, Decimal]] = {}
    for period_label, category, amount in rows:
        period = parse_period(period_label)
        rank = _RANK[period.kind]
        months = period.months()
        for month, share in zip(months, spread(amount, len(months)), strict=True):
            key = (category, month)
            if key not in found or found[key][0] > rank:
                found[key] = (rank, share)
            elif found[key][0] == rank:  # two lines of one category in one budget
                found[key] = (rank, found[key][1] + share)
    return {key: amount for key, (_rank, amount) in found.items()}


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def claimed(lines: Iterable[Mapping[str, Any]]) -> dict[Key, Decimal]:
    """A claim's amounts by category and the month each was spent in."""
    totals: dict[Key, Decimal] = {}
    for values in lines:
        day, category, amount = values.get("spent_on"), values.get("category"), values.get("amount")
        if day is None or not category or amount is None:
            continue
        key = (str(category), month_of(day))
        totals[key] = totals.get(key, Decimal("0.00")) + amount
    return totals


def _cap(ctx: Context, category: object) -> Decimal | None:
    cap = ctx.expenses.caps.get(str(category)) if category else None
    return None if cap is None else Decimal(str(cap)).quantize(CENT)


def derive_expense(doc: Document, ctx: Context) -> Document:
    """A claim's total, and per line the month it was spent in and the cap of its category
    at the time it was judged (what its approver weighs)."""
    lines = []
    total = Decimal("0.00")
    for line in doc.lines:
        values = line.values
        day = values.get("spent_on")
        derived = {"month": month_of(day) if day else None,
                   "cap": _cap(ctx, values.get("category"))}
        if values.get("amount") is not None:
            total += values["amount"]
        lines.append(Line(line.row, values, derived))
    return replace(doc, lines=lines, derived={"total": total})


def _categories(doc: Document, ctx: Context) -> list[Problem]:
    known = ctx.expenses.categories
    return [problem("unknown_category", **doc.at_line("category", line), value=category,
                    categories="、".join(known))
            for line in doc.lines
            if (category := line.values.get("category")) and category not in known]


def check_budget(doc: Document, ctx: Context) -> list[Problem]:
    """A budget: its owner a salesperson or a region, known categories, no negative amount."""
    problems = check_positive(doc, ("amount",), allow_zero=True) + _categories(doc, ctx)
    owner = doc.header.get("owner")
    if owner and ctx.budget_owner(str(owner)) is None:
        problems.append(problem("unknown_budget_owner", **doc.at_header("owner"), value=owner))
    return problems


def check_expense(doc: Document, ctx: Context) -> list[Problem]:
    """A claim: known categories and amounts above zero; held when a line is above its
    category's cap, or when it takes the salesperson's month over budget in a category."""
    problems = check_positive(doc, ("amount",)) + _categories(doc, ctx)
    if problems:
        return problems
    for line in doc.lines:
        values = line.values
        cap = _cap(ctx, values.get("category"))
        if cap is not None and values.get("amount") is not None and values["amount"] > cap:
            problems.append(problem("over_cap", Severity.HOLD, **doc.at_line("amount", line),
                                    value=values["amount"], cap=cap,
                                    category=values["category"]))
    salesperson = doc.header.get("salesperson")
    if not salesperson or str(salesperson) not in ctx.known(Ref.SALESPERSON):
        return problems
    totals = claimed(line.values for line in doc.lines)
    allowances = ctx.allowances(str(salesperson), totals, str(doc.header.get("claim_no") or ""))
    for key in sorted(totals):
        allowance = allowances[key]
        excess = allowance.spent + totals[key] - allowance.budget
        if excess > 0:
            first = _first_line(doc, key)
            problems.append(problem(
                "over_budget", Severity.HOLD, **doc.at_line("amount", first),
                value=totals[key], category=key[0], month=key[1], budget=allowance.budget,
                spent=allowance.spent, claimed=totals[key], excess=excess))
    return problems


def _first_line(doc: Document, key: Key) -> Line:
    return next(line for line in doc.lines
                if line.values.get("spent_on") and line.values.get("category") == key[0]
                and month_of(line.values["spent_on"]) == key[1])
