"""The accepted order lines of a period, one by one, for a summary workbook's 明细: a year can
hold a million of them, so they are streamed, and made fast rather than through SQLAlchemy's
type processors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Connection, String, func, select, type_coerce

from ..forms.periods import Period
from .database import small_cache
from .figures import lines_in
from .schema import customers, order_lines, orders

T = TypeVar("T")


def detail_lines(conn: Connection, period: Period, row: Callable[..., T]) -> Iterator[T]:
    """The accepted order lines of `period` by date, order number and line, each made by
    `row(order_no, order_date, customer_code, customer_name, salesperson, product_code,
    product_name, spec, unit, quantity, unit_price, amount)`; text that is not set is "".

    `row` is called with the values, not handed a tuple to unpack, so that a million lines
    cost no more than one object each. The scaled integers and date text come back raw and are
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
        .select_from(lines_in(period))
        .order_by(orders.c.order_date, orders.c.order_no, order_lines.c.line_no)
    )
    days: dict[Any, date] = {}
    quantities, prices, amounts = Scaled(4), Scaled(2), Scaled(2)
    names = {code: name for code, name in conn.execute(select(customers.c.code, customers.c.name))}
    with small_cache(conn):
        for no, day, code, person, product, product_name, spec, unit, quantity, price, \
                amount in conn.execution_options(yield_per=10_000).execute(query):
            if day not in days:  # text on SQLite, a date already on other databases
                days[day] = day if isinstance(day, date) else date.fromisoformat(day)
            yield row(no, days[day], code, names.get(code) or "", person, product,
                      product_name or "", spec or "", unit or "", quantities[quantity],
                      prices[price], amounts[amount])


class Scaled(dict[int, Decimal]):
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


def has_order_lines(conn: Connection, period: Period, count: int) -> bool:
    """Whether `period` has at least `count` accepted order lines (counting no further)."""
    some = select(order_lines.c.id).select_from(lines_in(period)).limit(count).subquery()
    return conn.execute(select(func.count()).select_from(some)).scalar_one() >= count
