"""Expense budgets and claims in the ledger (spec 4c): the current budgets of owners, what
accepted claims spent, and the allowance a claim is judged against. Budgets are spread over
months by the pure rules (rules/expenses.py), here only read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, func, select

from ..forms.periods import Period, parse_period
from ..kinds import KINDS
from ..rules.expenses import BudgetRow, Key, monthly_budgets
from ..rules.facts import Allowance
from ..status import Status
from .schema import documents, salespeople, tables_of

_budget_tables = tables_of(KINDS["budget"])
budgets, budget_lines = _budget_tables["budgets"], _budget_tables["budget_lines"]
_claim_tables = tables_of(KINDS["expense"])
expense_claims, expense_lines = _claim_tables["expense_claims"], _claim_tables["expense_lines"]


def budget_rows(conn: Connection, owners: Iterable[str], years: Iterable[str],
                periods: Iterable[str] | None = None) -> dict[str, list[BudgetRow]]:
    """owner -> (period, category, amount) of each line of the owner's accepted budgets for a
    period in one of `years` (YYYY), and among `periods` when they are given."""
    found: dict[str, list[BudgetRow]] = {}
    query = (
        select(budgets.c.owner, budgets.c.period, budget_lines.c.category,
               budget_lines.c.amount)
        .join(documents, documents.c.id == budgets.c.document_id)
        .join(budget_lines, budget_lines.c.document_id == budgets.c.document_id)
        .where(documents.c.kind == "budget", documents.c.status == Status.ACCEPTED,
               budgets.c.owner.in_(sorted(set(owners))),
               func.substr(budgets.c.period, 1, 4).in_(sorted(set(years))))
        .order_by(budgets.c.owner, budgets.c.period, budget_lines.c.line_no)
    )
    if periods is not None:
        query = query.where(budgets.c.period.in_(sorted(set(periods))))
    for row in conn.execute(query):
        found.setdefault(row.owner, []).append((row.period, row.category, row.amount))
    return found


def _spent_query(months: list[str], exclude_claim: str) -> Select[Any]:
    return (
        select(expense_claims.c.salesperson, expense_lines.c.category, expense_lines.c.month,
               func.sum(expense_lines.c.amount).label("spent"))
        .join(documents, documents.c.id == expense_claims.c.document_id)
        .join(expense_lines, expense_lines.c.document_id == expense_claims.c.document_id)
        .where(documents.c.kind == "expense", documents.c.status == Status.ACCEPTED,
               expense_lines.c.month.in_(months), expense_claims.c.claim_no != exclude_claim)
        .group_by(expense_claims.c.salesperson, expense_lines.c.category, expense_lines.c.month)
    )


def region_of(conn: Connection, salesperson: str) -> str | None:
    return conn.execute(select(salespeople.c.region)
                        .where(salespeople.c.code == salesperson)).scalar()


def budget_owner(conn: Connection, owner: str) -> str | None:
    """"salesperson" when `owner` is a salesperson's code, "region" when it is a region of
    the roster, else None."""
    if conn.execute(select(salespeople.c.code).where(salespeople.c.code == owner)).first():
        return "salesperson"
    if conn.execute(select(salespeople.c.code).where(salespeople.c.region == owner)).first():
        return "region"
    return None


def allowances(
    conn: Connection, salesperson: str, keys: Iterable[Key], exclude_claim: str
) -> dict[Key, Allowance]:
    """Per (category, month) of `keys`: the salesperson's own budget with what their accepted
    claims spent of it; where they have none, their region's with what the region's
    salespeople spent; else no budget (zero) and their own spending. Claims numbered
    `exclude_claim` (the one being judged, in any version) are left out."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    region = region_of(conn, salesperson) or ""
    years = {month[:4] for _category, month in wanted}
    # A month's budget comes from its own, its quarter's or its year's budget (monthly_budgets),
    # never from another month's: the owner's other budgets of the year are not read (a claim
    # spread over their twelve months cost more than the rest of its checks).
    covering = {p for _category, month in wanted for p in (month, *parse_period(month).parents())}
    rows = budget_rows(conn, [salesperson, region] if region else [salesperson], years, covering)
    own = monthly_budgets(rows.get(salesperson, []))
    pooled = monthly_budgets(rows.get(region, [])) if region else {}
    months = sorted({month for _category, month in wanted})
    # Only the claim's categories: the lines are found by their (month, category) index, and
    # a month of the whole department's claims is read in a part, not whole.
    query = _spent_query(months, exclude_claim).where(
        expense_lines.c.category.in_(sorted({category for category, _month in wanted})))
    if any(key not in own and key in pooled for key in wanted):  # the region's spending too
        members = conn.execute(select(salespeople.c.code)
                               .where(salespeople.c.region == region)).scalars()
        query = query.where(expense_claims.c.salesperson.in_({salesperson, *members}))
    else:
        query = query.where(expense_claims.c.salesperson == salesperson)
    spent: dict[tuple[str, str, str], Decimal] = {
        (r.salesperson, r.category, r.month): r.spent for r in conn.execute(query)}
    found: dict[Key, Allowance] = {}
    for key in wanted:
        category, month = key
        if key in own or key not in pooled:
            found[key] = Allowance(salesperson if key in own else "", own.get(key, Decimal(0)),
                                   spent.get((salesperson, category, month), Decimal(0)))
        else:
            total = sum((amount for (who, c, m), amount in spent.items()
                         if c == category and m == month), Decimal(0))
            found[key] = Allowance(region, pooled[key], total)
    return found


def expense_budgets(conn: Connection, period: Period) -> dict[tuple[str, str, str], Decimal]:
    """(owner, category, month) -> the budget of every month of `period`, spread from the
    accepted budgets; an owner is a salesperson's code or a region."""
    years = {period.label[:4]}
    months = set(period.months())
    owners = conn.execute(select(budgets.c.owner).distinct()).scalars().all()
    found: dict[tuple[str, str, str], Decimal] = {}
    for owner, rows in budget_rows(conn, owners, years).items():
        for (category, month), amount in monthly_budgets(rows).items():
            if month in months:
                found[(owner, category, month)] = amount
    return dict(sorted(found.items()))


def expense_spent(conn: Connection, period: Period) -> dict[tuple[str, str, str], Decimal]:
    """(salesperson, category, month) -> what their accepted claims spent in each month of
    `period` (by the day each line was spent)."""
    query = _spent_query(period.months(), "")
    return {(r.salesperson, r.category, r.month): r.spent
            for r in conn.execute(query.order_by(expense_claims.c.salesperson,
                                                 expense_lines.c.category,
                                                 expense_lines.c.month))}


@dataclass(frozen=True)
class ClaimLine:
    """One line of an accepted expense claim, as finance pays it."""

    claim_no: str
    salesperson: str
    claim_date: date
    spent_on: date
    category: str
    amount: Decimal
    invoice_count: int | None
    customer_code: str
    description: str
    approval: str  # the approval number of a claim approved after a hold ("" if none)


def accepted_claim_lines(conn: Connection, period: Period) -> list[ClaimLine]:
    """The lines of accepted claims spent in `period`, by salesperson, claim and line."""
    query = (
        select(expense_claims.c.claim_no, expense_claims.c.salesperson,
               expense_claims.c.claim_date, expense_lines.c.spent_on, expense_lines.c.category,
               expense_lines.c.amount, expense_lines.c.invoice_count,
               expense_lines.c.customer_code, expense_lines.c.description, documents.c.approval)
        .join(documents, documents.c.id == expense_claims.c.document_id)
        .join(expense_lines, expense_lines.c.document_id == expense_claims.c.document_id)
        .where(documents.c.kind == "expense", documents.c.status == Status.ACCEPTED,
               expense_lines.c.month.in_(period.months()))
        .order_by(expense_claims.c.salesperson, expense_claims.c.claim_no,
                  expense_lines.c.line_no)
    )
    return [ClaimLine(r.claim_no, r.salesperson, r.claim_date, r.spent_on, r.category,
                      r.amount, r.invoice_count, r.customer_code or "", r.description,
                      r.approval or "") for r in conn.execute(query)]
