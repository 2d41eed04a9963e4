"""Invoices registered against orders (开票登记): what the rules ask about an order being
invoiced, and what the receivables basis and the 销售跟单 sheet read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, bindparam, func, select

from ..rules.order_state import OrderState
from ..status import CURRENT, Status
from .schema import documents, invoices, orders, returns

_ZERO = Decimal("0.00")

# The newest version of an order, whatever its status (held, declined: the rules say why it
# cannot be invoiced), and the accepted returns against its number.
_newest_order = (
    select(orders.c.order_no, orders.c.document_id, orders.c.customer_code,
           orders.c.order_date, orders.c.total, documents.c.version, documents.c.status)
    .join(documents, documents.c.id == orders.c.document_id)
    .where(orders.c.order_no == bindparam("b_order"))
    .order_by(documents.c.version.desc()).limit(1)
)
_returned = (
    select(func.coalesce(func.sum(returns.c.total), 0))
    .join(documents, documents.c.id == returns.c.document_id)
    .where(returns.c.order_no == bindparam("b_order"), documents.c.status == Status.ACCEPTED)
)
# Invoices are never held: current is accepted. A corrected invoice (a new version of its
# number) supersedes the old one, which then no longer counts.
_invoiced = (
    select(func.coalesce(func.sum(invoices.c.amount), 0))
    .join(documents, documents.c.id == invoices.c.document_id)
    .where(documents.c.status.in_(CURRENT), invoices.c.order_no == bindparam("b_order"),
           invoices.c.invoice_no != bindparam("b_leave"))
)
_invoice_order = (
    select(invoices.c.order_no).join(documents, documents.c.id == invoices.c.document_id)
    .where(documents.c.status.in_(CURRENT), invoices.c.invoice_no == bindparam("b_invoice"))
    .limit(1)
)


@dataclass(frozen=True)
class InvoiceRecord:
    """One current invoice as registered: the VAT invoice's number and date, the order it is
    for, its amount, and the stored document (id, version) it came in."""

    invoice_no: str
    order_no: str
    customer_code: str
    invoiced_on: date
    amount: Decimal
    remarks: str
    document_id: int
    version: int


def order_state(conn: Connection, order_no: str) -> OrderState | None:
    """The newest stored version of `order_no` with the value of its accepted returns."""
    row = conn.execute(_newest_order, {"b_order": order_no}).first()
    if row is None:
        return None
    returned = conn.execute(_returned, {"b_order": order_no}).scalar_one()
    return OrderState(row.order_no, row.document_id, row.version, Status(row.status),
                      row.customer_code, row.order_date, row.total, Decimal(returned))


def invoiced(conn: Connection, order_no: str, leaving_out: str = "") -> Decimal:
    """The sum of the order's current invoices but the one numbered `leaving_out`."""
    found = conn.execute(_invoiced, {"b_order": order_no, "b_leave": leaving_out}).scalar_one()
    return Decimal(found) if found else _ZERO


def invoice_order(conn: Connection, invoice_no: str) -> str | None:
    """The order of the current invoice numbered `invoice_no`."""
    return conn.execute(_invoice_order, {"b_invoice": invoice_no}).scalar()


def invoiced_by_order(
    conn: Connection, order_nos: Iterable[str] | None = None, as_of: date | None = None
) -> dict[str, Decimal]:
    """order number -> the sum of its current invoices (dated up to `as_of`, when given), for
    `order_nos` or every invoiced order; an order without invoices is absent."""
    query = (select(invoices.c.order_no, func.sum(invoices.c.amount))
             .join(documents, documents.c.id == invoices.c.document_id)
             .where(documents.c.status.in_(CURRENT)).group_by(invoices.c.order_no))
    if as_of is not None:
        query = query.where(invoices.c.invoiced_on <= as_of)
    if order_nos is None:
        return {order_no: total for order_no, total in conn.execute(query)}
    wanted = sorted(set(order_nos))
    found: dict[str, Decimal] = {}
    for start in range(0, len(wanted), 5000):  # under both databases' parameter limits
        chunk = query.where(invoices.c.order_no.in_(wanted[start:start + 5000]))
        found.update({order_no: total for order_no, total in conn.execute(chunk)})
    return found


def customer_invoices(
    conn: Connection, customer_code: str, as_of: date | None = None
) -> list[InvoiceRecord]:
    """The customer's current invoices (dated up to `as_of`, when given), by date and number."""
    query = (select(invoices, documents.c.version)
             .join(documents, documents.c.id == invoices.c.document_id)
             .where(documents.c.status.in_(CURRENT), invoices.c.customer_code == customer_code)
             .order_by(invoices.c.invoiced_on, invoices.c.invoice_no))
    if as_of is not None:
        query = query.where(invoices.c.invoiced_on <= as_of)
    return [_record(row) for row in conn.execute(query).mappings()]


def _record(row: RowMapping) -> InvoiceRecord:
    return InvoiceRecord(row["invoice_no"], row["order_no"], row["customer_code"],
                         row["invoiced_on"], row["amount"], row["remarks"] or "",
                         row["document_id"], row["version"])
