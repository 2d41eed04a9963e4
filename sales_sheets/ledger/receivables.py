"""What a customer is charged, on which day, on the receivables basis of `[receivables] basis`:
the debits that ageing, the overdue hold, credit use, statements and the 对账函 all count from.

Every basis charges the same accepted orders; they differ in when and in how many pieces.
Credits (receipts and accepted returns) are the same on every basis.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, select

from ..config import Basis
from ..rules.balance import Item, Position, opening_item, position
from ..rules.context import Row
from ..status import Status
from .deliveries import delivered_values
from .schema import documents, invoices, orders, receipts, returns


class Charge(NamedTuple):
    """One debit of a customer's account: an order, a delivery's value or an invoice."""

    customer_code: str
    day: date
    kind: str  # the basis it is charged on: order, delivery or invoice
    reference: str  # the document's number
    order_no: str
    amount: Decimal


def charges(
    conn: Connection, basis: str, until: date, customer: str | None = None
) -> list[Charge]:
    """The charges dated on or before `until`, of `customer` or of everyone."""
    return _CHARGES[Basis(basis)](conn, until, customer)


def charges_by_day(conn: Connection, basis: str, until: date) -> dict[str, list[Item]]:
    """customer code -> its charges up to `until` summed per day (one `Item` a day, named by
    the day): what a customer's position needs, in fewer rows than `charges` gives."""
    if basis == Basis.ORDER:
        # a year of a large ledger is mostly orders: summed in the database
        by_day: dict[str, list[Item]] = defaultdict(list)
        for code, day, total in conn.execute(
            select(orders.c.customer_code, orders.c.order_date, func.sum(orders.c.total))
            .join(documents, _accepted_order)
            .where(orders.c.order_date <= until)
            .group_by(orders.c.customer_code, orders.c.order_date)
        ):
            by_day[code].append(Item(day, total, day.isoformat()))
        return by_day
    sums: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for charge in charges(conn, basis, until):
        sums[charge.customer_code][charge.day] += charge.amount
    return {code: [Item(day, total, day.isoformat()) for day, total in sorted(days.items())]
            for code, days in sums.items()}


_received = select(func.coalesce(func.sum(receipts.c.amount), 0)).where(
    receipts.c.customer_code == bindparam("customer"),
    receipts.c.receipt_date <= bindparam("as_of"))
_returned = (
    select(func.coalesce(func.sum(returns.c.total), 0))
    .join(documents, documents.c.id == returns.c.document_id)
    .where(documents.c.status == Status.ACCEPTED,
           returns.c.customer_code == bindparam("customer"),
           returns.c.return_date <= bindparam("as_of"))
)


def customer_position(
    conn: Connection, customer: Row, as_of: date, exclude_order: str | None = None,
    basis: str = Basis.ORDER,
) -> Position:
    """Balance and overdue amount as of a date: opening balance plus the charges of `basis`
    (see receivables.py) less receipts and accepted returns, receipts paying the oldest items
    first. `exclude_order`'s charges are left out (the order being judged)."""
    params = {"customer": customer["code"], "as_of": as_of}
    opening = opening_item(customer, as_of)
    debits = [opening] if opening else []
    debits += [Item(c.day, c.amount, c.reference)
               for c in charges(conn, basis, as_of, customer["code"])
               if c.order_no != exclude_order]
    # the sums keep the Money type: exact Decimals
    credits = conn.execute(_received, params).scalar_one()
    credits += conn.execute(_returned, params).scalar_one()
    return position(debits, credits, customer["payment_days"] or 0, as_of)


_accepted_order = and_(documents.c.id == orders.c.document_id,
                       documents.c.status == Status.ACCEPTED)


def _order_charges(conn: Connection, until: date, customer: str | None) -> list[Charge]:
    query = (select(orders.c.customer_code, orders.c.order_date, orders.c.order_no,
                    orders.c.total)
             .join(documents, _accepted_order)
             .where(orders.c.order_date <= until))
    if customer is not None:
        query = query.where(orders.c.customer_code == customer)
    return [Charge(code, day, "order", number, number, total)
            for code, day, number, total in conn.execute(query)]


def _delivery_charges(conn: Connection, until: date, customer: str | None) -> list[Charge]:
    # each delivery for what it shipped, at its order's prices (deliveries.py)
    return [Charge(d.customer_code, d.delivery_date, "delivery", d.delivery_no, d.order_no,
                   d.value)
            for d in delivered_values(conn, customer, until) if d.value]


def _invoice_charges(conn: Connection, until: date, customer: str | None) -> list[Charge]:
    query = (select(invoices.c.customer_code, invoices.c.invoiced_on, invoices.c.invoice_no,
                    invoices.c.order_no, invoices.c.amount)
             .join(documents, and_(documents.c.id == invoices.c.document_id,
                                   documents.c.status == Status.ACCEPTED))
             .where(invoices.c.invoiced_on <= until))
    if customer is not None:
        query = query.where(invoices.c.customer_code == customer)
    return [Charge(code, day, "invoice", number, order_no, amount)
            for code, day, number, order_no, amount in conn.execute(query)]


_CHARGES = {
    Basis.ORDER: _order_charges,
    Basis.DELIVERY: _delivery_charges,
    Basis.INVOICE: _invoice_charges,
}
