"""The figures of a summary workbook, aggregated in the database wherever it pays.

Definitions (also in definitions.py, the workbook's 说明 sheet and the README): only accepted
orders count; held ones are pending and shown apart. A receipt counts for the salesperson it
names, else for the customer's. Targets of a quarter or year are the plan of that granularity,
or else the sum of the monthly plans inside it. A new customer was created in the period and has
an accepted order in it. Ageing applies credits to the oldest items first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    String,
    and_,
    case,
    distinct,
    func,
    select,
    type_coerce,
)

from ..documents.contract import WrittenContracts
from ..forms.periods import Period, add_months, parse_period
from ..ledger.database import engine_of, reading
from ..ledger.pending import pending_approvals
from ..ledger.queries import hold_reasons
from ..ledger.schema import (
    customers,
    documents,
    order_lines,
    orders,
    plan_lines,
    plans,
    products,
    receipts,
    returns,
    salespeople,
    visit_weeks,
    visits,
)
from ..rules.balance import Item, opening_item, position
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


def _orders_in(period: Period, status: Status = Status.ACCEPTED) -> Any:
    return and_(documents.c.id == orders.c.document_id, documents.c.status == status,
                orders.c.order_date >= period.start, orders.c.order_date <= period.end)


def _lines_in(period: Period) -> Any:
    """The lines of the accepted orders of `period`, joined to their order and document."""
    return (order_lines.join(orders, orders.c.document_id == order_lines.c.document_id)
            .join(documents, _orders_in(period)))


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
    actual = _sum_by(conn, orders.c.salesperson, orders.c.total, _orders_in(period))
    held = _sum_by(conn, orders.c.salesperson, orders.c.total, _orders_in(period, Status.HELD))
    targets = _targets(conn, period)
    collected = _receipts_by_salesperson(conn, period)
    new = _new_customers(conn, period)
    seen = _visit_counts(conn, period)
    rows = []
    people = conn.execute(select(salespeople).order_by(salespeople.c.code)).mappings().all()
    for person in people:
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


def _sum_by(conn: Connection, key: Any, value: Any, where: Any) -> dict[str, Decimal]:
    query = select(key, func.sum(value)).select_from(orders.join(documents, where)).group_by(key)
    return {k: v or ZERO for k, v in conn.execute(query)}


def _targets(conn: Connection, period: Period) -> dict[str, dict[str, Any]]:
    """The plan of the period itself, or else the sum of the monthly plans inside it."""
    fields = ("target_amount", "target_collection", "target_new_customers")
    query = (
        select(plans.c.salesperson, plans.c.period,
               *(func.sum(getattr(plan_lines.c, f)) for f in fields),
               *(func.count(getattr(plan_lines.c, f)) for f in fields))
        .join(documents, and_(documents.c.id == plans.c.document_id,
                              documents.c.status == Status.ACCEPTED))
        .join(plan_lines, plan_lines.c.document_id == plans.c.document_id)
        .group_by(plans.c.salesperson, plans.c.period)
    )
    by_person: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in conn.execute(query):
        sums, counts = row[2:5], row[5:8]
        by_person[row[0]][row[1]] = {f: (s if n else None) for f, s, n in zip(fields, sums, counts,
                                                                               strict=True)}
    months = set(period.months())
    targets: dict[str, dict[str, Any]] = {}
    for person, plans_of in by_person.items():
        if period.label in plans_of:
            targets[person] = plans_of[period.label]
            continue
        inside = [v for p, v in plans_of.items() if p in months]
        if not inside:
            continue
        targets[person] = {f: sum_known(v[f] for v in inside) for f in fields}
    return targets


def _receipts_by_salesperson(conn: Connection, period: Period) -> dict[str, Decimal]:
    credited = func.coalesce(receipts.c.salesperson, customers.c.salesperson)
    query = (
        select(credited, func.sum(receipts.c.amount))
        .select_from(receipts.outerjoin(customers, customers.c.code == receipts.c.customer_code))
        .where(receipts.c.receipt_date >= period.start, receipts.c.receipt_date <= period.end)
        .group_by(credited)
    )
    return {k: v or ZERO for k, v in conn.execute(query)}


def _new_customers(conn: Connection, period: Period) -> dict[str, int]:
    ordered = (select(orders.c.customer_code).join(documents, _orders_in(period))
               .where(orders.c.customer_code == customers.c.code).exists())
    query = (select(customers.c.salesperson, func.count())
             .where(customers.c.created >= period.start, customers.c.created <= period.end,
                    ordered)
             .group_by(customers.c.salesperson))
    return {k: int(v) for k, v in conn.execute(query)}


def _visit_totals(period: Period, *keys: Any) -> Any:
    """Planned, done (planned and visited) and unplanned (visited without a plan) visits of
    accepted visit sheets in the period, grouped by `keys`."""
    planned = func.sum(case((visits.c.planned, 1), else_=0))
    done = func.sum(case((and_(visits.c.planned, visits.c.visited), 1), else_=0))
    unplanned = func.sum(case((and_(~visits.c.planned, visits.c.visited), 1), else_=0))
    return (
        select(*keys, planned, done, unplanned)
        .select_from(visits.join(visit_weeks, visit_weeks.c.document_id == visits.c.document_id)
                     .join(documents, and_(documents.c.id == visits.c.document_id,
                                           documents.c.status == Status.ACCEPTED)))
        .where(visits.c.visit_date >= period.start, visits.c.visit_date <= period.end)
        .group_by(*keys).order_by(*keys)
    )


def _visit_counts(conn: Connection, period: Period) -> dict[str, tuple[int, int, int]]:
    query = _visit_totals(period, visit_weeks.c.salesperson)
    return {k: (int(a or 0), int(b or 0), int(c or 0)) for k, a, b, c in conn.execute(query)}


# -- regions, products, customers, trend --------------------------------------------------------


def _regions(conn: Connection, period: Period) -> list[RegionRow]:
    query = (
        select(customers.c.region, func.count(distinct(orders.c.customer_code)), func.count(),
               func.sum(orders.c.total))
        .select_from(orders.join(documents, _orders_in(period))
                     .join(customers, customers.c.code == orders.c.customer_code))
        .group_by(customers.c.region).order_by(func.sum(orders.c.total).desc())
    )
    rows = conn.execute(query).all()
    total = sum((r[3] for r in rows), ZERO)
    return [RegionRow(r[0], int(r[1]), int(r[2]), r[3], ratio(r[3], total)) for r in rows]


def _products(conn: Connection, period: Period) -> list[ProductRow]:
    query = (
        select(order_lines.c.product_code, func.sum(order_lines.c.quantity),
               func.sum(order_lines.c.amount))
        .select_from(_lines_in(period)).group_by(order_lines.c.product_code)
        .order_by(func.sum(order_lines.c.amount).desc(), order_lines.c.product_code)
    )
    rows = conn.execute(query).all()
    names = {p.code: p for p in conn.execute(select(products.c.code, products.c.name,
                                                    products.c.spec, products.c.unit))}
    total = sum((r[2] for r in rows), ZERO)
    result = []
    for code, quantity, amount in rows:
        product = names.get(code)
        result.append(ProductRow(code, product.name if product else "",
                                 (product.spec or "") if product else "",
                                 product.unit if product else "", quantity, amount,
                                 ratio(amount, total)))
    return result


def _customers(conn: Connection, period: Period) -> list[CustomerRow]:
    amount = func.sum(orders.c.total)
    query = (
        select(orders.c.customer_code, customers.c.name, customers.c.region,
               customers.c.salesperson, amount)
        .select_from(orders.join(documents, _orders_in(period))
                     .outerjoin(customers, customers.c.code == orders.c.customer_code))
        .group_by(orders.c.customer_code, customers.c.name, customers.c.region,
                  customers.c.salesperson)
        .order_by(amount.desc(), orders.c.customer_code)
    )
    rows = conn.execute(query).all()
    total = sum((r[4] for r in rows), ZERO)
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
    start, end = parse_period(months[0]).start, last.end
    window = Period(f"{months[0]}..{months[-1]}", start, end)
    ordered = defaultdict(lambda: ZERO, {
        day: total for day, total in conn.execute(
            select(orders.c.order_date, func.sum(orders.c.total))
            .select_from(orders.join(documents, _orders_in(window)))
            .group_by(orders.c.order_date))})
    received = defaultdict(lambda: ZERO, {
        day: total for day, total in conn.execute(
            select(receipts.c.receipt_date, func.sum(receipts.c.amount))
            .where(receipts.c.receipt_date >= start, receipts.c.receipt_date <= end)
            .group_by(receipts.c.receipt_date))})
    by_month: dict[str, list[Decimal]] = {m: [ZERO, ZERO] for m in months}
    for day, total in ordered.items():
        by_month[f"{day:%Y-%m}"][0] += total
    for day, total in received.items():
        by_month[f"{day:%Y-%m}"][1] += total
    return [TrendRow(m, *by_month[m]) for m in months]


# -- ageing, contracts, visits, details --------------------------------------------------------


def _aging(conn: Connection, as_of: date) -> list[AgingRow]:
    """Every customer's open items at `as_of` in one pass: two grouped queries, then FIFO."""
    debits: dict[str, list[Item]] = defaultdict(list)
    for code, day, total in conn.execute(
        select(orders.c.customer_code, orders.c.order_date, func.sum(orders.c.total))
        .join(documents, and_(documents.c.id == orders.c.document_id,
                              documents.c.status == Status.ACCEPTED))
        .where(orders.c.order_date <= as_of)
        .group_by(orders.c.customer_code, orders.c.order_date)
    ):
        debits[code].append(Item(day, total, day.isoformat()))
    credits: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, total in conn.execute(
        select(receipts.c.customer_code, func.sum(receipts.c.amount))
        .where(receipts.c.receipt_date <= as_of).group_by(receipts.c.customer_code)
    ):
        credits[code] += total
    for code, total in conn.execute(
        select(returns.c.customer_code, func.sum(returns.c.total))
        .join(documents, and_(documents.c.id == returns.c.document_id,
                              documents.c.status == Status.ACCEPTED))
        .where(returns.c.return_date <= as_of).group_by(returns.c.customer_code)
    ):
        credits[code] += total
    rows = []
    for customer in conn.execute(select(customers).order_by(customers.c.code)).mappings():
        code = customer["code"]
        items = list(debits.get(code, []))
        opening = opening_item(customer, as_of)
        if opening:
            items.append(opening)
        if not items and not credits.get(code):
            continue
        state = position(items, credits.get(code, ZERO), customer["payment_days"] or 0, as_of)
        if not state.outstanding:
            continue
        buckets = [ZERO] * 5
        for item in state.items:
            late = (as_of - item.due).days
            index = 0 if late <= 0 else 1 + sum(late > edge for edge in _BUCKETS)
            buckets[index] += item.open
        limit = customer["credit_limit"]
        not_due, late_30, late_60, late_90, later = buckets
        rows.append(AgingRow(code, customer["name"], customer["salesperson"], limit,
                             state.outstanding, not_due, late_30, late_60, late_90, later,
                             ratio(state.outstanding, limit) if limit else None))
    rows.sort(key=lambda r: (r.overdue <= 0, -r.overdue, -r.balance, r.code))
    return rows


def _contracts(workspace: Workspace, conn: Connection, period: Period) -> list[ContractRow]:
    received = dict(conn.execute(
        select(receipts.c.order_no, func.sum(receipts.c.amount))
        .where(receipts.c.order_no.is_not(None), receipts.c.receipt_date <= period.end)
        .group_by(receipts.c.order_no)).all())
    query = (
        select(orders.c.order_no, documents.c.version, orders.c.order_date,
               orders.c.customer_code, customers.c.name, orders.c.salesperson, orders.c.total,
               documents.c.status, documents.c.hold_reasons, documents.c.approval)
        .join(documents, documents.c.id == orders.c.document_id)
        .outerjoin(customers, customers.c.code == orders.c.customer_code)
        .where(orders.c.order_date >= period.start, orders.c.order_date <= period.end)
        .order_by(orders.c.order_date, orders.c.order_no, documents.c.version)
    )
    written = WrittenContracts(workspace)
    rows = []
    for no, version, day, code, name, person, total, status, reasons, approval in conn.execute(
            query):
        rows.append(ContractRow(
            no, version, day, code, name or "", person, total, Status(status),
            hold_reasons(reasons), approval or "", written.path_of(code, no, version),
            received.get(no, ZERO)))
    return rows


def _visits(conn: Connection, period: Period) -> list[VisitRow]:
    query = _visit_totals(period, visit_weeks.c.salesperson, visit_weeks.c.week_start)
    return [VisitRow(s, w, int(a or 0), int(b or 0), int(c or 0))
            for s, w, a, b, c in conn.execute(query)]


def details(ledger: Engine | str, period: Period) -> Iterator[DetailRow]:
    """The accepted order lines of `period` by date and order number, streamed from the ledger:
    its engine, or its URL in a helper process (which opens its own, see details.py).

    A year can hold a million lines: the scaled integers and date text come back raw and are
    converted here, in bulk, instead of through a type processor per value; customer names
    come from a dict of the few customers, not joined to every line (which made each row to
    sort wider and cost a lookup per line in the database)."""
    query = (
        select(orders.c.order_no, type_coerce(orders.c.order_date, String),
               orders.c.customer_code, orders.c.salesperson,
               order_lines.c.product_code, order_lines.c.product_name, order_lines.c.spec,
               order_lines.c.unit, type_coerce(order_lines.c.quantity, BigInteger),
               type_coerce(order_lines.c.unit_price, BigInteger),
               type_coerce(order_lines.c.amount, BigInteger))
        .select_from(_lines_in(period))
        .order_by(orders.c.order_date, orders.c.order_no, order_lines.c.line_no)
    )
    days: dict[Any, date] = {}
    quantities, prices, amounts = _Scaled(4), _Scaled(2), _Scaled(2)
    with engine_of(ledger) as engine, reading(engine) as conn:
        names = dict(conn.execute(select(customers.c.code, customers.c.name)).all())
        for no, day, code, person, product, product_name, spec, unit, quantity, price, \
                amount in conn.execution_options(yield_per=10_000).execute(query):
            if day not in days:  # text on SQLite, a date already on other databases
                days[day] = day if isinstance(day, date) else date.fromisoformat(day)
            yield DetailRow(no, days[day], code, names.get(code) or "", person, product,
                            product_name or "", spec or "", unit or "", quantities[quantity],
                            prices[price], amounts[amount])


class _Scaled(dict[int, Decimal]):
    """The Decimals of scaled integers with `places` decimal places, remembered: order lines
    repeat few quantities, prices and even amounts (the benchmark's million lines hold 27,000
    amounts), and looking one up takes a sixth of the time of making it. Past 100,000 values
    it starts afresh, so that a ledger of all different amounts costs no memory."""

    def __init__(self, places: int) -> None:
        super().__init__()
        self.exponent = -places

    def __missing__(self, scaled: int) -> Decimal:
        if len(self) >= 100_000:
            self.clear()
        value = self[scaled] = Decimal(scaled).scaleb(self.exponent)
        return value


def has_detail_lines(engine: Engine, period: Period, count: int) -> bool:
    """Whether `period` has at least `count` accepted order lines (counting no further)."""
    some = select(order_lines.c.id).select_from(_lines_in(period)).limit(count).subquery()
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(some)).scalar_one() >= count
