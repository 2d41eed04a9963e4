"""The figures of a summary workbook, aggregated in the database wherever it pays.

Definitions (also in definitions.py, the workbook's 说明 sheet and the README): only accepted
orders count; held ones are pending and shown apart. A receipt counts for the salesperson it
names, else for the customer's. Targets of a quarter or year are the plan of that granularity,
or else the sum of the monthly plans inside it. A new customer was created in the period and has
an accepted order in it. Ageing applies credits to the oldest items first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple

from ..documents.contract import WrittenContracts
from ..forms.kinds import Ref
from ..forms.periods import Period, add_months, parse_period
from ..ledger import TARGET_FIELDS, Books, Ledger, ledger_at
from ..status import Status
from ..workspace import Workspace
from .complaint_sheet import complaint_figures
from .model import (
    AgingRow,
    ContractRow,
    CustomerRow,
    DetailRow,
    ExpenseRow,
    ProductRow,
    RegionRow,
    Report,
    SalespersonRow,
    TrackingRow,
    TrendRow,
    VisitRow,
    ratio,
    sum_known,
)
from .quote_sheet import quote_figures

ZERO = Decimal("0.00")
_BUCKETS = (30, 60, 90)


def build_report(workspace: Workspace, ledger: Ledger, period: Period) -> Report:
    """The figures of `period`, read from one snapshot of `ledger`; its order lines are read
    when the workbook asks for them, from a snapshot of their own."""
    with ledger.reading() as books:
        progress = _progress(books, period.end)
        people = _salespeople(books, period)
        customer_rows = _customers(books, period)
        return Report(
            period=period,
            salespeople=people,
            regions=_regions(books, period),
            products=_products(books, period),
            customers=customer_rows,
            trend=_trend(books, period),
            aging=_aging(books, period.end),
            contracts=partial(contracts, workspace, ledger, period, progress),
            visits=_visits(books, period),
            details=partial(details, ledger, period),
            pending=books.pending_approvals(datetime.combine(period.end, time())),
            replies=books.statement_standings(period.end,
                                              workspace.settings.statements.reply_by_day),
            tracking=partial(tracking, ledger, period, progress),
            expenses=_expenses(books, period),
            complaints=complaint_figures(books, period),
            quotes=quote_figures(books, period),
        )


# -- by salesperson ----------------------------------------------------------------------------


def _salespeople(books: Books, period: Period) -> list[SalespersonRow]:
    actual = books.order_totals_by_salesperson(period)
    held = books.order_totals_by_salesperson(period, Status.HELD)
    targets = _targets(books, period)
    collected = books.receipts_by_salesperson(period)
    new = books.new_customers_by_salesperson(period)
    seen = books.visits_by_salesperson(period)
    rows = []
    for person in books.master_records(Ref.SALESPERSON):
        code = person["code"]
        target = targets.get(code, {})
        sales, collection = target.get("target_amount"), target.get("target_collection")
        new_target = target.get("target_new_customers")
        planned, done, unplanned = seen.get(code, (0, 0, 0))
        rows.append(SalespersonRow(
            code=code, name=person["name"], region=person["region"],
            sales_target=sales, sales_actual=actual.get(code, ZERO),
            achievement=ratio(actual.get(code, ZERO), sales),
            held_amount=held.get(code, ZERO),
            collection_target=collection, receipts=collected.get(code, ZERO),
            collection_rate=ratio(collected.get(code, ZERO), collection),
            new_customer_target=int(new_target) if new_target is not None else None,
            new_customers=new.get(code, 0),
            new_customer_rate=ratio(new.get(code, 0), new_target),
            visits_planned=planned, visits_done=done, visits_unplanned=unplanned,
            visit_completion=ratio(done, planned),
        ))
    return rows


def _targets(books: Books, period: Period) -> dict[str, dict[str, Any]]:
    """The plan of the period itself, or else the sum of the monthly plans inside it."""
    months = set(period.months())
    targets: dict[str, dict[str, Any]] = {}
    for person, plans_of in books.plan_targets().items():
        if period.label in plans_of:
            targets[person] = plans_of[period.label]
            continue
        inside = [v for p, v in plans_of.items() if p in months]
        if not inside:
            continue
        targets[person] = {f: sum_known(v[f] for v in inside) for f in TARGET_FIELDS}
    return targets


def _expenses(books: Books, period: Period) -> list[ExpenseRow]:
    """费用 (see definitions.py): per salesperson each category and month they have a budget of
    their own for or spent in, then their subtotal with receipts and 费用率; then the regions'
    budgets with what all their salespeople spent; the total last."""
    budgets = books.expense_budgets(period)
    spent = books.expense_spent(period)
    collected = books.receipts_by_salesperson(period)
    people = list(books.master_records(Ref.SALESPERSON))
    codes = {person["code"] for person in people}
    rows: list[ExpenseRow] = []
    shown_budget, all_spent, all_receipts = ZERO, ZERO, ZERO
    for person in people:
        code, region = person["code"], person["region"] or ""
        own = {(c, m): v for (o, c, m), v in budgets.items() if o == code}
        theirs = {(c, m): v for (s, c, m), v in spent.items() if s == code}
        for category, month in sorted(own.keys() | theirs.keys()):
            used = theirs.get((category, month), ZERO)
            budget = own.get((category, month))
            owner = code if budget is not None else (
                region if (region, category, month) in budgets else "")
            rows.append(ExpenseRow(code, person["name"], owner, category, month, budget, used,
                                   None if budget is None else budget - used))
        total = sum(theirs.values(), ZERO)
        receipts = collected.get(code, ZERO)
        own_total = sum(own.values(), ZERO)
        rows.append(ExpenseRow(code, person["name"], "", "", "", own_total if own else None,
                               total, None, receipts, ratio(total, receipts)))
        shown_budget += own_total
        all_spent += total
        all_receipts += receipts
    members: dict[str, set[str]] = {}
    for person in people:
        members.setdefault(person["region"] or "", set()).add(person["code"])
    for (owner, category, month), budget in budgets.items():
        if owner in codes:
            continue
        used = sum((v for (s, c, m), v in spent.items()
                    if c == category and m == month and s in members.get(owner, ())), ZERO)
        rows.append(ExpenseRow("", "", owner, category, month, budget, used, budget - used))
        shown_budget += budget
    rows.append(ExpenseRow("", "", "", "", "", shown_budget, all_spent, None, all_receipts,
                           ratio(all_spent, all_receipts)))
    return rows


def appraisal_figures(ledger: Ledger, period: Period
                      ) -> tuple[list[SalespersonRow], dict[str, Decimal | None]]:
    """What the appraisal scores, from the functions that compute it for the summary workbook:
    its 业务员达成 rows and each salesperson's 费用率 of its 费用 sheet."""
    with ledger.reading() as books:
        people = _salespeople(books, period)
        rates = {row.code: row.rate for row in _expenses(books, period)
                 if row.code and not row.month}
    return people, rates


# -- regions, products, customers, trend --------------------------------------------------------


def _regions(books: Books, period: Period) -> list[RegionRow]:
    rows = books.sales_by_region(period)
    total = sum((r.amount for r in rows), ZERO)
    return [RegionRow(r.region, r.customers, r.orders, r.amount, ratio(r.amount, total))
            for r in rows]


def _products(books: Books, period: Period) -> list[ProductRow]:
    rows = books.sales_by_product(period)
    names = {p["code"]: p for p in books.master_records(Ref.PRODUCT)}
    total = sum((r[2] for r in rows), ZERO)
    result = []
    for code, quantity, amount in rows:
        product = names.get(code)
        result.append(ProductRow(code, product["name"] if product else "",
                                 (product["spec"] or "") if product else "",
                                 product["unit"] if product else "", quantity, amount,
                                 ratio(amount, total)))
    return result


def _customers(books: Books, period: Period) -> list[CustomerRow]:
    rows = books.sales_by_customer(period)
    total = sum((r.amount for r in rows), ZERO)
    result, running = [], ZERO
    for rank, (code, name, region, person, value) in enumerate(rows, start=1):
        # A customer's class is decided by the cumulative share *before* it: the first
        # customer is always A, even when it alone is more than 80 %.
        before = ratio(running, total) or Decimal(0)
        running += value
        abc = "A" if before < Decimal("0.8") else "B" if before < Decimal("0.95") else "C"
        result.append(CustomerRow(rank, code, name or "", region or "", person or "", value,
                                  ratio(value, total), ratio(running, total), abc))
    return result


def _trend(books: Books, period: Period) -> list[TrendRow]:
    last = parse_period(period.months()[-1])
    months = [f"{add_months(last.start, n):%Y-%m}" for n in range(-11, 1)]
    window = Period(f"{months[0]}..{months[-1]}", parse_period(months[0]).start, last.end)
    by_month: dict[str, list[Decimal]] = {m: [ZERO, ZERO] for m in months}
    for day, total in books.orders_by_day(window).items():
        by_month[f"{day:%Y-%m}"][0] += total
    for day, total in books.receipts_by_day(window).items():
        by_month[f"{day:%Y-%m}"][1] += total
    return [TrendRow(m, *by_month[m]) for m in months]


# -- ageing, contracts, visits, details --------------------------------------------------------


def _aging(books: Books, as_of: date) -> list[AgingRow]:
    """Every customer with an outstanding balance at `as_of`, its open items in buckets of
    days overdue."""
    rows = []
    for customer, state in books.customer_positions(as_of):
        if not state.outstanding:
            continue
        buckets = [ZERO] * 5
        for item in state.items:
            late = (as_of - item.due).days
            index = 0 if late <= 0 else 1 + sum(late > edge for edge in _BUCKETS)
            buckets[index] += item.open
        limit = customer["credit_limit"]
        not_due, late_30, late_60, late_90, later = buckets
        rows.append(AgingRow(customer["code"], customer["name"], customer["salesperson"],
                             limit, state.outstanding, not_due, late_30, late_60, late_90,
                             later, ratio(state.outstanding, limit) if limit else None))
    rows.sort(key=lambda r: (r.overdue <= 0, -r.overdue, -r.balance, r.code))
    return rows


class _Progress(NamedTuple):
    """Per order number, what happened to it by the period's end: each an order number ->
    value map, absent where nothing did."""

    delivered: dict[str, Decimal]
    invoiced: dict[str, Decimal]
    received: dict[str, Decimal]
    returned: dict[str, Decimal]


def _progress(books: Books, as_of: date) -> _Progress:
    # Each summed per order in one pass over the ledger (deliveries valued order by order as
    # they stream, the rest grouped in SQL), not asked order by order.
    return _Progress(books.delivered_value_by_order(as_of), books.invoiced_by_order(None, as_of),
                     books.receipts_by_order(as_of), books.returned_by_order(as_of))


def contracts(workspace: Workspace, ledger: Ledger, period: Period,
              progress: _Progress) -> Iterator[ContractRow]:
    """合同台账: every stored version of every order dated in `period`, with what was delivered,
    invoiced and received of it by the period's end; streamed, from a snapshot of its own (as
    销售跟单's orders are), as a year holds a quarter of a million versions."""
    written = WrittenContracts(workspace)
    received, delivered, invoiced = progress.received, progress.delivered, progress.invoiced
    with ledger.reading() as books:
        for o in books.order_versions(period):
            yield ContractRow(o.order_no, o.version, o.order_date, o.customer_code,
                              o.customer_name or "", o.salesperson, o.total, o.status,
                              o.hold_reasons, o.approval or "",
                              written.path_of(o.customer_code, o.order_no, o.version),
                              received.get(o.order_no, ZERO), delivered.get(o.order_no, ZERO),
                              invoiced.get(o.order_no, ZERO))


def tracking(ledger: Ledger, period: Period, progress: _Progress) -> Iterator[TrackingRow]:
    """销售跟单: every accepted order dated in `period`, and every earlier one still open at its
    end (not fully delivered, invoiced or paid), as of the period's end, by salesperson and
    order number (see definitions.py); streamed, from a snapshot of its own (as 明细's lines
    are), as a year holds hundreds of thousands of orders. `progress` was read with the rest
    of the report's figures."""
    end, start = period.end, period.start
    delivered, invoiced = progress.delivered, progress.invoiced
    received, returned = progress.received, progress.returned
    with ledger.reading() as books:
        for order in books.accepted_orders(end):
            no, total = order.order_no, order.total
            sent = delivered.get(no, ZERO)
            billed = invoiced.get(no, ZERO)
            paid = received.get(no, ZERO)
            back = returned.get(no, ZERO)
            outstanding = total - back - paid
            shipped = sent + back >= total
            settled = shipped and billed + back >= total and outstanding <= 0
            if settled and order.order_date < start:
                continue
            due = order.delivery_date
            late = (end - due).days if due is not None and due < end and not shipped else None
            yield TrackingRow(
                no, order.order_date, order.customer_code, order.customer_name or "",
                order.salesperson, due, total, sent, billed, paid, back, outstanding,
                None if settled else (end - order.order_date).days, late)


def _visits(books: Books, period: Period) -> list[VisitRow]:
    return [VisitRow(person, week, *counts) for person, week, counts
            in books.visits_by_week(period)]


def details(ledger: Ledger | str, period: Period) -> Iterator[DetailRow]:
    """The accepted order lines of `period` by date and order number, streamed from the ledger:
    `ledger`, or its URL in a helper process (which opens its own, see details.py)."""
    with ledger_at(ledger) as opened, opened.reading() as books:
        yield from books.detail_lines(period, DetailRow)


def has_detail_lines(ledger: Ledger, period: Period, count: int) -> bool:
    """Whether `period` has at least `count` accepted order lines (counting no further)."""
    with ledger.reading() as books:
        return books.has_order_lines(period, count)
