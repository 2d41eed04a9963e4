"""Quotations in the ledger (spec 4e): what an order naming one may take of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, func, select

from ..kinds import KINDS
from ..rules.facts import QuoteTerms
from ..status import CURRENT, Status
from .schema import documents, orders, tables_of

_tables = tables_of(KINDS["quote"])
quotes, quote_lines = _tables["quotes"], _tables["quote_lines"]
order_lines = tables_of(KINDS["order"])["order_lines"]


def quote_terms(conn: Connection, quote_no: str, order_no: str) -> QuoteTerms | None:
    """The newest version of the quotation `quote_no` with its prices and quantities, and
    what the current orders naming it (but `order_no`) ordered of its products."""
    newest = conn.execute(
        select(quotes, documents.c.status, documents.c.approval)
        .join(documents, documents.c.id == quotes.c.document_id)
        .where(documents.c.kind == "quote", documents.c.doc_key == quote_no)
        .order_by(documents.c.version.desc()).limit(1)).mappings().first()
    if newest is None:
        return None
    prices: dict[str, Decimal] = {}
    quantities: dict[str, Decimal] = {}
    for row in conn.execute(select(quote_lines.c.product_code, quote_lines.c.unit_price,
                                   quote_lines.c.quantity)
                            .where(quote_lines.c.document_id == newest["document_id"])
                            .order_by(quote_lines.c.line_no)):
        prices[row.product_code] = row.unit_price
        quantities[row.product_code] = quantities.get(row.product_code, Decimal(0)) + row.quantity
    taken = {row.product_code: row.quantity for row in conn.execute(
        select(order_lines.c.product_code, func.sum(order_lines.c.quantity).label("quantity"))
        .join(orders, orders.c.document_id == order_lines.c.document_id)
        .join(documents, documents.c.id == orders.c.document_id)
        .where(orders.c.quote_no == quote_no, orders.c.order_no != order_no,
               documents.c.status.in_(CURRENT),
               order_lines.c.product_code.in_(sorted(prices)))
        .group_by(order_lines.c.product_code))}
    return QuoteTerms(quote_no, newest["status"], newest["customer_code"] or "",
                      newest["prospect_name"] or "", newest["valid_until"],
                      newest["approval"] or "", prices, quantities, taken)


def quote_version(conn: Connection, document_id: int
                  ) -> tuple[RowMapping | None, Sequence[RowMapping]]:
    """One stored quotation version (its quotes row with `version`, `status` and `approval`)
    and its lines in order."""
    found = conn.execute(
        select(quotes, documents.c.version, documents.c.status, documents.c.approval)
        .join(documents, documents.c.id == quotes.c.document_id)
        .where(quotes.c.document_id == document_id)).mappings().first()
    lines = conn.execute(select(quote_lines).where(quote_lines.c.document_id == document_id)
                         .order_by(quote_lines.c.line_no)).mappings().all()
    return found, lines


@dataclass(frozen=True)
class QuoteRecord:
    """Where one quotation stands: its newest version, and the accepted orders naming it."""

    quote_no: str
    salesperson: str
    status: str  # accepted, held or declined
    total: Decimal
    valid_until: date
    orders: int
    ordered: Decimal  # their totals


def quotes_dated(conn: Connection, first: date, last: date) -> list[QuoteRecord]:
    """The quotations dated from `first` to `last` as their newest versions stand, with the
    accepted orders naming each; by salesperson and number."""
    found = conn.execute(
        select(quotes.c.quote_no, quotes.c.salesperson, documents.c.status, quotes.c.total,
               quotes.c.valid_until)
        .join(documents, documents.c.id == quotes.c.document_id)
        .where(documents.c.kind == "quote", documents.c.status != Status.SUPERSEDED,
               quotes.c.quote_date >= first, quotes.c.quote_date <= last)
        .order_by(quotes.c.salesperson, quotes.c.quote_no)).all()
    taken = {row.quote_no: (row.orders, row.ordered) for row in conn.execute(
        select(orders.c.quote_no, func.count().label("orders"),
               func.sum(orders.c.total).label("ordered"))
        .join(documents, documents.c.id == orders.c.document_id)
        .where(documents.c.status == Status.ACCEPTED,
               orders.c.quote_no.in_(sorted({r.quote_no for r in found})))
        .group_by(orders.c.quote_no))}
    return [QuoteRecord(r.quote_no, r.salesperson or "", r.status, r.total, r.valid_until,
                        *taken.get(r.quote_no, (0, Decimal("0.00"))))
            for r in found]
