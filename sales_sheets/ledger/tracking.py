"""What the 销售跟单 sheet asks of the ledger: the accepted orders it follows and the value of
their accepted returns. Delivered, invoiced and received values come from deliveries.py,
invoices.py and figures.py; what the report makes of them is reports/kpis.py's business."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple, cast

from sqlalchemy import BigInteger, Connection, and_, func, select, type_coerce

from ..status import Status
from .database import small_cache
from .decimals import Scaled
from .schema import customers, documents, orders, returns

_CENTS = -cast(Scaled, orders.c.total.type).places  # totals are read unscaled


class TrackedOrder(NamedTuple):
    order_no: str
    order_date: date
    customer_code: str
    customer_name: str | None
    salesperson: str
    delivery_date: date | None
    total: Decimal


def accepted_orders(conn: Connection, as_of: date) -> Iterator[TrackedOrder]:
    """The current version of every accepted order dated up to `as_of`, by salesperson and
    order number; streamed (a year holds hundreds of thousands), the totals read as the stored
    integers rather than through a type processor per row."""
    query = (
        select(orders.c.order_no, orders.c.order_date, orders.c.customer_code, customers.c.name,
               orders.c.salesperson, orders.c.delivery_date,
               type_coerce(orders.c.total, BigInteger))
        .join(documents, and_(documents.c.id == orders.c.document_id,
                              documents.c.status == Status.ACCEPTED))
        .outerjoin(customers, customers.c.code == orders.c.customer_code)
        .where(orders.c.order_date <= as_of)
        .order_by(orders.c.salesperson, orders.c.order_no)
    )
    with small_cache(conn):
        for no, day, code, name, person, due, total in conn.execute(query):
            yield TrackedOrder(no, day, code, name, person, due, Decimal(total).scaleb(_CENTS))


def returned_by_order(conn: Connection, as_of: date) -> dict[str, Decimal]:
    """order number -> the value of its accepted returns dated up to `as_of`."""
    query = (select(returns.c.order_no, func.sum(returns.c.total))
             .join(documents, and_(documents.c.id == returns.c.document_id,
                                   documents.c.status == Status.ACCEPTED))
             .where(returns.c.return_date <= as_of).group_by(returns.c.order_no))
    return {no: total for no, total in conn.execute(query)}
