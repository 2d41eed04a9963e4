"""What an approver weighs about a held document: its kind's own hold facts
(`Kind.hold_facts`, pure rules in rules/hold_facts.py), answered from the ledger here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, func, select

from ..config import Basis
from ..forms.kinds import Ref
from ..kinds import KINDS
from ..rules.balance import Position
from ..rules.context import Row
from ..rules.facts import Allowance, HoldFacts
from ..status import Status
from . import expenses as _expenses
from .queries import hold_reasons, lookup
from .receivables import customer_position
from .schema import documents, order_lines, orders, receipts, tables_of


def hold_facts(
    conn: Connection, document: Row, language: str, basis: str = Basis.ORDER
) -> HoldFacts:
    """The facts of the stored, held `document` (a `documents` row), named in `language`;
    receivables counted on `basis`.

    Raises:
        ValueError: its kind declares no hold facts (it is never held for approval).
    """
    kind = KINDS[document["kind"]]
    if kind.hold_facts is None:
        raise ValueError(f"a {kind.name} is never held for approval")
    found: HoldFacts = kind.hold_facts(LedgerFacts(conn, basis), document, language)
    return found


class LedgerFacts:
    """The ledger's answers to a kind's hold facts (a `rules.hold_facts.FactsSource`)."""

    def __init__(self, conn: Connection, basis: str = Basis.ORDER) -> None:
        self.conn = conn
        self.basis = basis

    def hold_reasons(self, document: Row) -> tuple[str, ...]:
        return hold_reasons(document["hold_reasons"])

    def header(self, document: Row) -> Row:
        kind = KINDS[document["kind"]]
        table = tables_of(kind)[str(kind.header_table)]
        return self.conn.execute(
            select(table).where(table.c.document_id == document["id"])).mappings().one()

    def lines(self, document: Row) -> Sequence[Row]:
        kind = KINDS[document["kind"]]
        if kind.table is None:  # a header-only kind
            return []
        table = tables_of(kind)[kind.table]
        return self.conn.execute(select(table).where(table.c.document_id == document["id"])
                                 .order_by(table.c.line_no)).mappings().all()

    def customer(self, code: str) -> Row:
        return lookup(self.conn, Ref.CUSTOMER, [code])[code]

    def products(self, codes: Iterable[str]) -> Mapping[str, Row]:
        return lookup(self.conn, Ref.PRODUCT, codes)

    def position(self, customer: Row, as_of: date, exclude_order: str) -> Position:
        return customer_position(self.conn, customer, as_of, exclude_order, self.basis)

    def recent_receipts(self, customer: str, as_of: date, count: int) -> Sequence[Row]:
        return self.conn.execute(
            select(receipts.c.receipt_date, receipts.c.amount, receipts.c.reference)
            .where(receipts.c.customer_code == customer, receipts.c.receipt_date <= as_of)
            .order_by(receipts.c.receipt_date.desc(), receipts.c.id.desc()).limit(count)
        ).mappings().all()

    def shipped(self, customer: str, first: date, last: date) -> Decimal:
        return Decimal(self.conn.execute(
            select(func.coalesce(func.sum(orders.c.total), 0))
            .join(documents, documents.c.id == orders.c.document_id)
            .where(documents.c.status == Status.ACCEPTED, orders.c.customer_code == customer,
                   orders.c.order_date >= first, orders.c.order_date <= last)
        ).scalar_one())

    def ordered(self, order_no: str) -> dict[str, Decimal]:
        ordered: dict[str, Decimal] = {}
        for row in self.conn.execute(
                select(order_lines.c.product_code, order_lines.c.quantity)
                .join(orders, orders.c.document_id == order_lines.c.document_id)
                .join(documents, documents.c.id == orders.c.document_id)
                .where(orders.c.order_no == order_no, documents.c.status == Status.ACCEPTED)):
            ordered[row.product_code] = ordered.get(row.product_code, Decimal(0)) + row.quantity
        return ordered

    def allowances(self, salesperson: str, keys: Iterable[tuple[str, str]],
                   exclude_claim: str) -> dict[tuple[str, str], Allowance]:
        return _expenses.allowances(self.conn, salesperson, keys, exclude_claim)
