"""The figures a summary workbook aggregates in the database: sums and counts of a period's
accepted documents, grouped as the report's sheets want them, as plain values.

Only accepted documents count; held orders are asked for apart (`order_totals_by_salesperson`
with `Status.HELD`). What the report makes of these figures (ratios, targets that fall back to
monthly plans, ranking, ABC classes, ageing buckets) is reports/kpis.py's business; the order
lines of 明细 are streamed by detail_lines.py. reports/ asks for them through `Books` (books.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BigInteger,
    Connection,
    RowMapping,
    and_,
    case,
    distinct,
    func,
    select,
    type_coerce,
)

from ..config import Basis
from ..forms.kinds import Ref
from ..forms.periods import Period
from ..rules.balance import Position, opening_item, position
from ..status import Status
from .database import small_cache
from .decimals import Scaled
from .queries import hold_reasons, master_records
from .receivables import charges_by_day
from .schema import (
    customers,
    documents,
    order_lines,
    orders,
    plan_lines,
    plans,
    receipts,
    returns,
    visit_weeks,
    visits,
)

ZERO = Decimal("0.00")
_CENTS = -cast(Scaled, orders.c.total.type).places  # order_versions reads totals unscaled
# The figures of a plan line, summed per plan.
TARGET_FIELDS = ("target_amount", "target_collection", "target_new_customers")


def orders_in(period: Period, status: Status = Status.ACCEPTED) -> Any:
    """The join condition of `orders` to their `documents` of `status` dated in `period`."""
    return and_(documents.c.id == orders.c.document_id, documents.c.status == status,
                orders.c.order_date >= period.start, orders.c.order_date <= period.end)


def lines_in(period: Period) -> Any:
    """The lines of the accepted orders of `period`, joined to their order and document."""
    return (order_lines.join(orders, orders.c.document_id == order_lines.c.document_id)
            .join(documents, orders_in(period)))


# -- by salesperson ----------------------------------------------------------------------------


def order_totals_by_salesperson(conn: Connection, period: Period,
                                status: Status = Status.ACCEPTED) -> dict[str, Decimal]:
    """salesperson -> the total of their orders of `status` in `period`."""
    query = (select(orders.c.salesperson, func.sum(orders.c.total))
             .select_from(orders.join(documents, orders_in(period, status)))
             .group_by(orders.c.salesperson))
    return {k: v or ZERO for k, v in conn.execute(query)}


def plan_targets(conn: Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """salesperson -> plan period -> TARGET_FIELDS -> the sum over the accepted plan's lines,
    None where no line sets it."""
    query = (
        select(plans.c.salesperson, plans.c.period,
               *(func.sum(getattr(plan_lines.c, f)) for f in TARGET_FIELDS),
               *(func.count(getattr(plan_lines.c, f)) for f in TARGET_FIELDS))
        .join(documents, and_(documents.c.id == plans.c.document_id,
                              documents.c.status == Status.ACCEPTED))
        .join(plan_lines, plan_lines.c.document_id == plans.c.document_id)
        .group_by(plans.c.salesperson, plans.c.period)
    )
    by_person: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in conn.execute(query):
        sums, counts = row[2:5], row[5:8]
        by_person[row[0]][row[1]] = {f: (s if n else None) for f, s, n in zip(
            TARGET_FIELDS, sums, counts, strict=True)}
    return dict(by_person)


def receipts_by_salesperson(conn: Connection, period: Period) -> dict[str, Decimal]:
    """salesperson -> receipts of `period`, credited to the salesperson a receipt names, else
    to its customer's."""
    credited = func.coalesce(receipts.c.salesperson, customers.c.salesperson)
    query = (
        select(credited, func.sum(receipts.c.amount))
        .select_from(receipts.outerjoin(customers, customers.c.code == receipts.c.customer_code))
        .where(receipts.c.receipt_date >= period.start, receipts.c.receipt_date <= period.end)
        .group_by(credited)
    )
    return {k: v or ZERO for k, v in conn.execute(query)}


def new_customers_by_salesperson(conn: Connection, period: Period) -> dict[str, int]:
    """salesperson -> customers created in `period` with an accepted order in it."""
    ordered = (select(orders.c.customer_code).join(documents, orders_in(period))
               .where(orders.c.customer_code == customers.c.code).exists())
    query = (select(customers.c.salesperson, func.count())
             .where(customers.c.created >= period.start, customers.c.created <= period.end,
                    ordered)
             .group_by(customers.c.salesperson))
    return {k: int(v) for k, v in conn.execute(query)}


class VisitCounts(NamedTuple):
    planned: int
    done: int  # planned and visited
    unplanned: int  # visited without a plan


def _visit_totals(period: Period, *keys: Any) -> Any:
    """Planned, done and unplanned visits of accepted visit sheets in the period, grouped by
    `keys`."""
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


def visits_by_salesperson(conn: Connection, period: Period) -> dict[str, VisitCounts]:
    """salesperson -> their visits in `period`."""
    query = _visit_totals(period, visit_weeks.c.salesperson)
    return {k: VisitCounts(int(a or 0), int(b or 0), int(c or 0))
            for k, a, b, c in conn.execute(query)}


def visits_by_week(conn: Connection, period: Period) -> list[tuple[str, date, VisitCounts]]:
    """(salesperson, week start, visits) of `period`, by salesperson and week."""
    query = _visit_totals(period, visit_weeks.c.salesperson, visit_weeks.c.week_start)
    return [(s, w, VisitCounts(int(a or 0), int(b or 0), int(c or 0)))
            for s, w, a, b, c in conn.execute(query)]


# -- regions, products, customers, trend --------------------------------------------------------


class RegionSales(NamedTuple):
    region: str
    customers: int  # with an accepted order in the period
    orders: int
    amount: Decimal


def sales_by_region(conn: Connection, period: Period) -> list[RegionSales]:
    """The accepted orders of `period` by their customer's region, the largest amount first."""
    query = (
        select(customers.c.region, func.count(distinct(orders.c.customer_code)), func.count(),
               func.sum(orders.c.total))
        .select_from(orders.join(documents, orders_in(period))
                     .join(customers, customers.c.code == orders.c.customer_code))
        .group_by(customers.c.region).order_by(func.sum(orders.c.total).desc())
    )
    return [RegionSales(r[0], int(r[1]), int(r[2]), r[3]) for r in conn.execute(query)]


def sales_by_product(conn: Connection, period: Period) -> list[tuple[str, Decimal, Decimal]]:
    """(product code, quantity, amount) of the accepted order lines of `period`, the largest
    amount first."""
    query = (
        select(order_lines.c.product_code, func.sum(order_lines.c.quantity),
               func.sum(order_lines.c.amount))
        .select_from(lines_in(period)).group_by(order_lines.c.product_code)
        .order_by(func.sum(order_lines.c.amount).desc(), order_lines.c.product_code)
    )
    return [(code, quantity, amount) for code, quantity, amount in conn.execute(query)]


class CustomerSales(NamedTuple):
    code: str
    name: str | None  # None for a code that is not (or no longer) a customer
    region: str | None
    salesperson: str | None
    amount: Decimal


def sales_by_customer(conn: Connection, period: Period) -> list[CustomerSales]:
    """The accepted orders of `period` by customer, the largest amount first."""
    amount = func.sum(orders.c.total)
    query = (
        select(orders.c.customer_code, customers.c.name, customers.c.region,
               customers.c.salesperson, amount)
        .select_from(orders.join(documents, orders_in(period))
                     .outerjoin(customers, customers.c.code == orders.c.customer_code))
        .group_by(orders.c.customer_code, customers.c.name, customers.c.region,
                  customers.c.salesperson)
        .order_by(amount.desc(), orders.c.customer_code)
    )
    return [CustomerSales(*r) for r in conn.execute(query)]


def orders_by_day(conn: Connection, period: Period) -> dict[date, Decimal]:
    """order date -> the total of the accepted orders of that day, in `period`."""
    query = (select(orders.c.order_date, func.sum(orders.c.total))
             .select_from(orders.join(documents, orders_in(period)))
             .group_by(orders.c.order_date))
    return {day: total for day, total in conn.execute(query)}


def receipts_by_day(conn: Connection, period: Period) -> dict[date, Decimal]:
    """receipt date -> the receipts of that day, in `period`."""
    query = (select(receipts.c.receipt_date, func.sum(receipts.c.amount))
             .where(receipts.c.receipt_date >= period.start,
                    receipts.c.receipt_date <= period.end)
             .group_by(receipts.c.receipt_date))
    return {day: total for day, total in conn.execute(query)}


# -- positions, contracts ----------------------------------------------------------------------


def customer_positions(
    conn: Connection, as_of: date, basis: str = Basis.ORDER
) -> Iterator[tuple[RowMapping, Position]]:
    """Every customer with a debit or a credit by `as_of`, by code, with their position then:
    customer_position for all of them in one pass (grouped queries, then FIFO)."""
    debits = charges_by_day(conn, basis, as_of)
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
    for customer in master_records(conn, Ref.CUSTOMER):
        code = customer["code"]
        items = list(debits.get(code, []))
        opening = opening_item(customer, as_of)
        if opening:
            items.append(opening)
        if not items and not credits.get(code):
            continue
        yield customer, position(items, credits.get(code, ZERO), customer["payment_days"] or 0,
                                 as_of)


def receipts_by_order(conn: Connection, as_of: date) -> dict[str, Decimal]:
    """order number -> the receipts naming it, up to `as_of`."""
    query = (select(receipts.c.order_no, func.sum(receipts.c.amount))
             .where(receipts.c.order_no.is_not(None), receipts.c.receipt_date <= as_of)
             .group_by(receipts.c.order_no))
    return {no: total for no, total in conn.execute(query)}


class OrderVersion(NamedTuple):
    order_no: str
    version: int
    order_date: date
    customer_code: str
    customer_name: str | None
    salesperson: str
    total: Decimal
    status: Status
    hold_reasons: tuple[str, ...]
    approval: str | None


def order_versions(conn: Connection, period: Period) -> Iterator[OrderVersion]:
    """Every stored version of every order dated in `period`, whatever its status, by date,
    number and version; streamed, as a year holds a quarter of a million. Totals come back as
    the stored integers and statuses from a dict, not through a type processor or the enum's
    constructor per row (a third of the time of the 合同台账 sheet)."""
    query = (
        select(orders.c.order_no, documents.c.version, orders.c.order_date,
               orders.c.customer_code, customers.c.name, orders.c.salesperson,
               type_coerce(orders.c.total, BigInteger), documents.c.status,
               documents.c.hold_reasons, documents.c.approval)
        .join(documents, documents.c.id == orders.c.document_id)
        .outerjoin(customers, customers.c.code == orders.c.customer_code)
        .where(orders.c.order_date >= period.start, orders.c.order_date <= period.end)
        .order_by(orders.c.order_date, orders.c.order_no, documents.c.version)
    )
    statuses = {str(status): status for status in Status}
    with small_cache(conn):
        for no, version, day, code, name, person, total, status, reasons, approval in \
                conn.execute(query):
            yield OrderVersion(no, version, day, code, name, person,
                               Decimal(total).scaleb(_CENTS), statuses[status],
                               hold_reasons(reasons), approval)
