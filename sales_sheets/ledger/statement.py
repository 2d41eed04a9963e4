"""A customer's account over a period: opening balance, movements, closing balance, ageing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, and_, select

from ..config import Basis
from ..forms.periods import Period
from ..rules.balance import opening_item
from ..status import Status
from .receivables import charges, customer_position
from .schema import documents, receipts, returns


@dataclass(frozen=True)
class Movement:
    day: date
    kind: str  # opening, order, delivery, invoice, receipt, return
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    customer: RowMapping
    period: Period
    opening: Decimal
    movements: tuple[Movement, ...]
    closing: Decimal
    not_due: Decimal
    overdue: Decimal

    @property
    def debits(self) -> Decimal:
        return sum((m.debit for m in self.movements), Decimal("0.00"))

    @property
    def credits(self) -> Decimal:
        return sum((m.credit for m in self.movements), Decimal("0.00"))

    @property
    def is_empty(self) -> bool:
        """No balance at either end and nothing happened: not worth a letter."""
        return not self.movements and not self.opening and not self.closing


_KIND_ORDER = {"opening": 0, "order": 1, "delivery": 1, "invoice": 1, "return": 2, "receipt": 3}


def customer_statement(
    conn: Connection, customer: RowMapping, period: Period, basis: str = Basis.ORDER
) -> Statement:
    """Everything up to the period's end, split at its start; same-day items in a fixed order.
    The debits are the charges of `basis` (see receivables.py)."""
    entries = _entries(conn, customer, period.end, basis)
    before = [e for e in entries if e[0] < period.start]
    opening = sum((debit - credit for _, _, _, debit, credit in before), Decimal("0.00"))
    balance = opening
    movements = []
    for day, kind, reference, debit, credit in entries:
        if day < period.start:
            continue
        balance += debit - credit
        movements.append(Movement(day, kind, reference, debit, credit, balance))
    # Due on the last day is not yet overdue at the end of that day.
    position = customer_position(conn, customer, period.end, basis=basis)
    return Statement(customer, period, opening, tuple(movements), balance,
                     position.outstanding - position.overdue, position.overdue)


def _entries(
    conn: Connection, customer: RowMapping, until: date, basis: str
) -> list[tuple[date, str, str, Decimal, Decimal]]:
    code = customer["code"]
    zero = Decimal("0.00")
    entries: list[tuple[date, str, str, Decimal, Decimal]] = []
    opening = opening_item(customer, until)
    if opening:
        entries.append((opening.day, "opening", "", opening.amount, zero))
    accepted = documents.c.status == Status.ACCEPTED
    entries += [(c.day, c.kind, c.reference, c.amount, zero)
                for c in charges(conn, basis, until, code)]
    for row in conn.execute(
        select(receipts.c.receipt_date, receipts.c.reference, receipts.c.amount)
        .where(receipts.c.customer_code == code, receipts.c.receipt_date <= until)
    ):
        entries.append((row.receipt_date, "receipt", row.reference, zero, row.amount))
    for row in conn.execute(
        select(returns.c.return_date, returns.c.return_no, returns.c.total)
        .join(documents, and_(documents.c.id == returns.c.document_id, accepted))
        .where(returns.c.customer_code == code, returns.c.return_date <= until)
    ):
        entries.append((row.return_date, "return", row.return_no, zero, row.total))
    return sorted(entries, key=lambda e: (e[0], _KIND_ORDER[e[1]], e[2]))
