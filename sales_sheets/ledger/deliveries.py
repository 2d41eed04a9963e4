"""Deliveries in the ledger: what an order still lets a delivery ship, what was delivered of
each order line and what that is worth, and the open orders a delivery form offers.

Quantities count on current versions only (accepted or held; a delivery is never held): a
newer version of an order, a return or a delivery replaces its old one. Delivered value is
quantity × the unit price of the order's current version (rules/delivery.py, `allocate`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import Any, cast

from sqlalchemy import BigInteger, Connection, Select, and_, bindparam, func, select, type_coerce

from ..forms.kinds import Offer, Ref
from ..rules.delivery import allocate, delivered_value
from ..rules.facts import Deliverable, DeliveredLine, DeliveredValue, OrderLine
from ..status import CURRENT, Status
from .database import small_cache
from .decimals import Scaled
from .queries import current_order
from .schema import (
    deliveries,
    delivery_lines,
    documents,
    order_lines,
    orders,
    products,
    return_lines,
    returns,
)

_ZERO = Decimal(0)
_CENT = Decimal("0.01")


def _current(table: Any, kind: str) -> Any:
    return and_(documents.c.id == table.c.document_id, documents.c.kind == kind,
                documents.c.status.in_(CURRENT))


_ordered = (select(order_lines.c.product_code, func.sum(order_lines.c.quantity))
            .where(order_lines.c.document_id == bindparam("b_doc"))
            .group_by(order_lines.c.product_code))
_returned = (
    select(return_lines.c.product_code, func.sum(return_lines.c.quantity))
    .join(returns, returns.c.document_id == return_lines.c.document_id)
    .join(documents, _current(returns, "return"))
    .where(returns.c.order_no == bindparam("b_order"))
    .group_by(return_lines.c.product_code))
_delivered = (
    select(delivery_lines.c.product_code, func.sum(delivery_lines.c.quantity))
    .join(deliveries, deliveries.c.document_id == delivery_lines.c.document_id)
    .join(documents, _current(deliveries, "delivery"))
    .where(deliveries.c.order_no == bindparam("b_order"),
           deliveries.c.delivery_no != bindparam("b_delivery"))
    .group_by(delivery_lines.c.product_code))


def deliverable(conn: Connection, order_no: str, delivery_no: str) -> Deliverable | None:
    """What the current version of `order_no` still lets delivery `delivery_no` ship, per
    product; None when the order has no current version."""
    order = current_order(conn, order_no)
    if order is None:
        return None
    params = {"b_doc": order["document_id"], "b_order": order_no, "b_delivery": delivery_no}
    return Deliverable(
        customer_code=str(order["customer_code"]),
        salesperson=str(order["salesperson"] or ""),
        ordered={p: q for p, q in conn.execute(_ordered, params)},
        returned={p: q for p, q in conn.execute(_returned, params)},
        delivered={p: q for p, q in conn.execute(_delivered, params)},
    )


def _order_lines(order_nos: Sequence[str] | None, customer: str | None) -> Select[Any]:
    query = (select(orders.c.order_no, order_lines.c.line_no, order_lines.c.product_code,
                    order_lines.c.spec, order_lines.c.quantity, order_lines.c.unit_price)
             .join(documents, _current(orders, "order"))
             .join(order_lines, order_lines.c.document_id == orders.c.document_id)
             .order_by(orders.c.order_no, order_lines.c.line_no))
    if order_nos is not None:
        query = query.where(orders.c.order_no.in_(order_nos))
    if customer is not None:
        query = query.where(orders.c.customer_code == customer)
    return query


def _delivery_lines(order_nos: Sequence[str] | None, customer: str | None,
                    as_of: date | None) -> Select[Any]:
    query = (select(deliveries.c.order_no, deliveries.c.delivery_date, deliveries.c.document_id,
                    deliveries.c.delivery_no, deliveries.c.customer_code,
                    delivery_lines.c.product_code, delivery_lines.c.quantity)
             .join(documents, _current(deliveries, "delivery"))
             .join(delivery_lines, delivery_lines.c.document_id == deliveries.c.document_id)
             .order_by(deliveries.c.order_no, deliveries.c.delivery_date,
                       deliveries.c.document_id))
    if order_nos is not None:
        query = query.where(deliveries.c.order_no.in_(order_nos))
    if customer is not None:
        query = query.where(deliveries.c.customer_code == customer)
    if as_of is not None:
        query = query.where(deliveries.c.delivery_date <= as_of)
    return query


_ORDER_NO = attrgetter("order_no")


def _by_order(
    conn: Connection, order_nos: Iterable[str] | None, customer: str | None, as_of: date | None,
) -> Iterator[tuple[str, list[Any], list[Any]]]:
    """(order number, its current lines, its current deliveries' lines) per order that has
    either, by order number: both streams are read in that order and merged, so an order's
    rows are in memory only while it is valued."""
    wanted = sorted(set(order_nos)) if order_nos is not None else None
    lines = groupby(conn.execute(_order_lines(wanted, customer)), _ORDER_NO)
    shipped = groupby(conn.execute(_delivery_lines(wanted, customer, as_of)), _ORDER_NO)
    line_group = next(lines, None)
    ship_group = next(shipped, None)
    while line_group is not None or ship_group is not None:
        keys = [g[0] for g in (line_group, ship_group) if g is not None]
        key = min(keys)
        own_lines: list[Any] = []
        own_ships: list[Any] = []
        if line_group is not None and line_group[0] == key:
            own_lines = list(line_group[1])
            line_group = next(lines, None)
        if ship_group is not None and ship_group[0] == key:
            own_ships = list(ship_group[1])
            ship_group = next(shipped, None)
        yield key, own_lines, own_ships


def _valued(
    lines: list[Any], ships: list[Any]
) -> tuple[list[tuple[Any, dict[str, Decimal]]], list[Decimal], list[Decimal]]:
    """An order's deliveries (first row, quantity per product), the value of each and the
    quantity delivered of each of its lines."""
    order = [OrderLine(r.line_no, r.product_code, r.quantity, r.unit_price) for r in lines]
    grouped: list[tuple[Any, dict[str, Decimal]]] = []
    for _doc, group in groupby(ships, attrgetter("document_id")):
        rows = list(group)
        quantities: dict[str, Decimal] = {}
        for r in rows:
            quantities[r.product_code] = quantities.get(r.product_code, _ZERO) + r.quantity
        grouped.append((rows[0], quantities))
    values, taken = allocate(order, [q for _row, q in grouped])
    return grouped, values, taken


def delivered_lines(conn: Connection, order_nos: Iterable[str] | None = None,
                    as_of: date | None = None) -> Iterator[DeliveredLine]:
    """Every line of the current version of each order (of `order_nos`, or all) with the
    quantity its current deliveries (dated up to `as_of`, when given) delivered of it and that
    quantity's value at the line's price, by order number and line."""
    for order_no, lines, ships in _by_order(conn, order_nos, None, as_of):
        if not lines:
            continue  # deliveries of an order with no current version: nothing to value
        _grouped, _values, taken = _valued(lines, ships)
        for row, quantity in zip(lines, taken, strict=True):
            value = delivered_value(quantity, row.unit_price)
            yield DeliveredLine(order_no, row.line_no, row.product_code, row.spec or "",
                                row.quantity, row.unit_price, quantity, value)


def delivered_values(conn: Connection, customer: str | None = None,
                     as_of: date | None = None) -> Iterator[DeliveredValue]:
    """Every current delivery (of `customer`, dated up to `as_of`, when given) with the value
    of what it shipped at the prices of its order's current version, by order number and then
    date (see `rules.delivery.allocate`; an order with no current version any more prices
    nothing)."""
    for order_no, lines, ships in _by_order(conn, None, customer, as_of):
        if not ships:
            continue
        grouped, values, _taken = _valued(lines, ships)
        for (row, _quantities), value in zip(grouped, values, strict=True):
            yield DeliveredValue(row.delivery_no, row.delivery_date, order_no, row.customer_code,
                                 value)


def delivered_value_by_order(conn: Connection, as_of: date | None = None) -> dict[str, Decimal]:
    """order number -> the value of its current deliveries dated up to `as_of` (all, without);
    an order whose deliveries are worth nothing (none of it on its current version) may be
    absent.

    The same figures as summing `delivered_values` per order, in one streamed pass that a
    report of a year can afford: the database sums each order's deliveries per product and
    joins them to the order's lines; here each line takes what was delivered of its product in
    line order (the last line of a product takes any excess), as `allocate` does, and is
    valued in whole numbers of the stored units (quantities in 1/10,000, prices in fen), half
    up, with no Decimal made per line. A line's value does not depend on how its quantity was
    split into deliveries, so the sum per product gives what delivery by delivery does."""
    shipped = (
        select(deliveries.c.order_no.label("order_no"),
               delivery_lines.c.product_code.label("product_code"),
               func.sum(type_coerce(delivery_lines.c.quantity, BigInteger)).label("quantity"))
        .join(deliveries, deliveries.c.document_id == delivery_lines.c.document_id)
        .join(documents, _current(deliveries, "delivery"))
        .group_by(deliveries.c.order_no, delivery_lines.c.product_code))
    if as_of is not None:
        shipped = shipped.where(deliveries.c.delivery_date <= as_of)
    per_product = shipped.subquery()
    query = (
        select(orders.c.order_no, order_lines.c.product_code,
               type_coerce(order_lines.c.quantity, BigInteger),
               type_coerce(order_lines.c.unit_price, BigInteger), per_product.c.quantity)
        .join(documents, _current(orders, "order"))
        .join(order_lines, order_lines.c.document_id == orders.c.document_id)
        .join(per_product, and_(per_product.c.order_no == orders.c.order_no,
                                per_product.c.product_code == order_lines.c.product_code))
        .order_by(orders.c.order_no, order_lines.c.line_no))
    totals: dict[str, Decimal] = {}
    with small_cache(conn):
        for order_no, group in groupby(conn.execute(query), itemgetter(0)):
            rows = list(group)
            fen = 0
            if len({row[1] for row in rows}) == len(rows):  # each product on one line: all of it
                for _no, _product, _ordered, price, delivered in rows:
                    fen += _fen(int(delivered) * int(price))
            else:
                last = {row[1]: index for index, row in enumerate(rows)}
                left: dict[str, int] = {}
                for index, (_no, product, ordered, price, delivered) in enumerate(rows):
                    rest = left.get(product, int(delivered))
                    taken = rest if last[product] == index else max(0, min(rest, int(ordered)))
                    left[product] = rest - taken
                    fen += _fen(taken * int(price))
            totals[order_no] = Decimal(fen).scaleb(-2)
    return totals


# What a stored quantity counts (1/10,000: Scaled(4)); a price is stored in fen (Money).
_QUANTITY_UNITS = 10 ** cast(Scaled, order_lines.c.quantity.type).places
assert cast(Scaled, order_lines.c.unit_price.type).places == 2


def _fen(units: int) -> int:
    """quantity units × price in fen -> fen, half up (away from zero), as `delivered_value`."""
    rounded = (2 * abs(units) + _QUANTITY_UNITS) // (2 * _QUANTITY_UNITS)
    return int(rounded if units >= 0 else -rounded)


_open_ordered = (
    select(orders.c.order_no, orders.c.customer_code, order_lines.c.product_code,
           func.sum(order_lines.c.quantity))
    .join(documents, and_(documents.c.id == orders.c.document_id, documents.c.kind == "order",
                          documents.c.status == Status.ACCEPTED))
    .join(order_lines, order_lines.c.document_id == orders.c.document_id)
    .group_by(orders.c.order_no, orders.c.customer_code, order_lines.c.product_code))
_all_returned = (
    select(returns.c.order_no, return_lines.c.product_code, func.sum(return_lines.c.quantity))
    .join(return_lines, return_lines.c.document_id == returns.c.document_id)
    .join(documents, _current(returns, "return"))
    .group_by(returns.c.order_no, return_lines.c.product_code))
_all_delivered = (
    select(deliveries.c.order_no, delivery_lines.c.product_code,
           func.sum(delivery_lines.c.quantity))
    .join(delivery_lines, delivery_lines.c.document_id == deliveries.c.document_id)
    .join(documents, _current(deliveries, "delivery"))
    .group_by(deliveries.c.order_no, delivery_lines.c.product_code))


def open_order_lists(conn: Connection) -> dict[Ref | Offer, list[tuple[str, str]]]:
    """The drop-down lists of a delivery form: accepted orders with something left to
    deliver (number, customer code), and the products left on them (code, name)."""
    taken: dict[tuple[str, str], Decimal] = {}
    for query in (_all_returned, _all_delivered):
        for order_no, product, quantity in conn.execute(query):
            taken[(order_no, product)] = taken.get((order_no, product), _ZERO) + quantity
    open_orders: dict[str, str] = {}
    open_products: set[str] = set()
    for order_no, customer, product, quantity in conn.execute(_open_ordered):
        if quantity - taken.get((order_no, product), _ZERO) > 0:
            open_orders[order_no] = customer
            open_products.add(product)
    names: dict[str, str] = {}
    if open_products:
        names = {code: name for code, name in conn.execute(
            select(products.c.code, products.c.name)
            .where(products.c.code.in_(sorted(open_products))))}
    return {
        Offer.OPEN_ORDERS: sorted(open_orders.items()),
        Offer.OPEN_ORDER_PRODUCTS: [(code, names.get(code, "")) for code in sorted(open_products)],
    }
