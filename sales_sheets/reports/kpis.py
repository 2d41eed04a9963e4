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
from typing import Any

from ..documents.contract import WrittenContracts
from ..forms.kinds import Ref
from ..forms.periods import Period, add_months, parse_period
from ..ledger.database import engine_of, reading
from ..ledger.detail_lines import detail_lines, has_order_lines
from ..ledger.figures import (
    TARGET_FIELDS,
    Connection,
    Engine,
    customer_positions,
    new_customers_by_salesperson,
    order_totals_by_salesperson,
    order_versions,
    orders_by_day,
    plan_targets,
    receipts_by_day,
    receipts_by_order,
    receipts_by_salesperson,
    sales_by_customer,
    sales_by_product,
    sales_by_region,
    visits_by_salesperson,
    visits_by_week,
)
from ..ledger.pending import pending_approvals
from ..ledger.queries import master_records
from ..status import Status
from ..workspace import Workspace
from .model import (
    AgingRow,
    ContractRow,
    CustomerRow,
    DetailRow,
    ProductRow,
    RegionRow,
    Report,
    SalespersonRow,
    TrendRow,
    VisitRow,
    ratio,
    sum_known,
)

ZERO = Decimal("0.00")
_BUCKETS = (30, 60, 90)


def build_report(workspace: Workspace, engine: Engine, period: Period) -> Report:
    with reading(engine) as conn:
        people = _salespeople(conn, period)
        customer_rows = _customers(conn, period)
        return Report(
            period=period,
            salespeople=people,
            regions=_regions(conn, period),
            products=_products(conn, period),
            customers=customer_rows,
            trend=_trend(conn, period),
            aging=_aging(conn, period.end),
            contracts=_contracts(workspace, conn, period),
            visits=_visits(conn, period),
            details=partial(details, engine, period),
            pending=pending_approvals(conn, datetime.combine(period.end, time())),
        )


# -- by salesperson ----------------------------------------------------------------------------


def _salespeople(conn: Connection, period: Period) -> list[SalespersonRow]:
    actual = order_totals_by_salesperson(conn, period)
    held = order_totals_by_salesperson(conn, period, Status.HELD)
    targets = _targets(conn, period)
    collected = receipts_by_salesperson(conn, period)
    new = new_customers_by_salesperson(conn, period)
    seen = visits_by_salesperson(conn, period)
    rows = []
    for person in master_records(conn, Ref.SALESPERSON):
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


def _targets(conn: Connection, period: Period) -> dict[str, dict[str, Any]]:
    """The plan of the period itself, or else the sum of the monthly plans inside it."""
    months = set(period.months())
    targets: dict[str, dict[str, Any]] = {}
    for person, plans_of in plan_targets(conn).items():
        if period.label in plans_of:
            targets[person] = plans_of[period.label]
            continue
        inside = [v for p, v in plans_of.items() if p in months]
        if not inside:
            continue
        targets[person] = {f: sum_known(v[f] for v in inside) for f in TARGET_FIELDS}
    return targets


# -- regions, products, customers, trend --------------------------------------------------------


def _regions(conn: Connection, period: Period) -> list[RegionRow]:
    rows = sales_by_region(conn, period)
    total = sum((r.amount for r in rows), ZERO)
    return [RegionRow(r.region, r.customers, r.orders, r.amount, ratio(r.amount, total))
            for r in rows]


def _products(conn: Connection, period: Period) -> list[ProductRow]:
    rows = sales_by_product(conn, period)
    names = {p["code"]: p for p in master_records(conn, Ref.PRODUCT)}
    total = sum((r[2] for r in rows), ZERO)
    result = []
    for code, quantity, amount in rows:
        product = names.get(code)
        result.append(ProductRow(code, product["name"] if product else "",
                                 (product["spec"] or "") if product else "",
                                 product["unit"] if product else "", quantity, amount,
                                 ratio(amount, total)))
    return result


def _customers(conn: Connection, period: Period) -> list[CustomerRow]:
    rows = sales_by_customer(conn, period)
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


def _trend(conn: Connection, period: Period) -> list[TrendRow]:
    last = parse_period(period.months()[-1])
    months = [f"{add_months(last.start, n):%Y-%m}" for n in range(-11, 1)]
    window = Period(f"{months[0]}..{months[-1]}", parse_period(months[0]).start, last.end)
    by_month: dict[str, list[Decimal]] = {m: [ZERO, ZERO] for m in months}
    for day, total in orders_by_day(conn, window).items():
        by_month[f"{day:%Y-%m}"][0] += total
    for day, total in receipts_by_day(conn, window).items():
        by_month[f"{day:%Y-%m}"][1] += total
    return [TrendRow(m, *by_month[m]) for m in months]


# -- ageing, contracts, visits, details --------------------------------------------------------


def _aging(conn: Connection, as_of: date) -> list[AgingRow]:
    """Every customer with an outstanding balance at `as_of`, its open items in buckets of
    days overdue."""
    rows = []
    for customer, state in customer_positions(conn, as_of):
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


def _contracts(workspace: Workspace, conn: Connection, period: Period) -> list[ContractRow]:
    received = receipts_by_order(conn, period.end)
    written = WrittenContracts(workspace)
    return [ContractRow(o.order_no, o.version, o.order_date, o.customer_code,
                        o.customer_name or "", o.salesperson, o.total, o.status,
                        o.hold_reasons, o.approval or "",
                        written.path_of(o.customer_code, o.order_no, o.version),
                        received.get(o.order_no, ZERO))
            for o in order_versions(conn, period)]


def _visits(conn: Connection, period: Period) -> list[VisitRow]:
    return [VisitRow(person, week, *counts) for person, week, counts
            in visits_by_week(conn, period)]


def details(ledger: Engine | str, period: Period) -> Iterator[DetailRow]:
    """The accepted order lines of `period` by date and order number, streamed from the ledger:
    its engine, or its URL in a helper process (which opens its own, see details.py)."""
    with engine_of(ledger) as engine, reading(engine) as conn:
        yield from detail_lines(conn, period, DetailRow)


def has_detail_lines(engine: Engine, period: Period, count: int) -> bool:
    """Whether `period` has at least `count` accepted order lines (counting no further)."""
    with reading(engine) as conn:
        return has_order_lines(conn, period, count)
