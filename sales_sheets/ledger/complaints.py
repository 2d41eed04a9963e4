"""Customer complaints in the ledger (spec 4e): the current version of each complaint, as the
投诉售后 sheet counts them and the daily digest finds the overdue ones. A complaint's newest
accepted version is where it stands; its earlier versions (its progress) stay superseded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, or_, select

from ..kinds import KINDS
from ..status import Status
from .schema import documents, tables_of

complaints = tables_of(KINDS["complaint"])["complaints"]


@dataclass(frozen=True)
class ComplaintRecord:
    """Where one complaint stands: its current version."""

    complaint_no: str
    received_on: date
    customer_code: str
    salesperson: str
    order_no: str
    product_code: str
    category: str
    severity: str
    description: str
    due_on: date
    resolved_on: date | None
    satisfaction: int | None
    version: int

    def open_on(self, day: date) -> bool:
        """Received by `day` and not resolved by then."""
        return self.received_on <= day and (self.resolved_on is None or self.resolved_on > day)

    def overdue_on(self, day: date) -> bool:
        """Still open on `day`, after its due date."""
        return self.open_on(day) and self.due_on < day


def current_complaints(conn: Connection, received_by: date,
                       open_from: date | None = None) -> list[ComplaintRecord]:
    """The current complaints received by `received_by`; with `open_from`, only those received
    on or after it or still unresolved on it. By complaint number."""
    c = complaints.c
    query = (
        select(c.complaint_no, c.received_on, c.customer_code, c.salesperson, c.order_no,
               c.product_code, c.category, c.severity, c.description, c.due_on,
               c.resolved_on, c.satisfaction, documents.c.version)
        .join(documents, documents.c.id == c.document_id)
        .where(documents.c.kind == "complaint", documents.c.status == Status.ACCEPTED,
               c.received_on <= received_by)
        .order_by(c.complaint_no)
    )
    if open_from is not None:
        query = query.where(or_(c.received_on >= open_from, c.resolved_on.is_(None),
                                c.resolved_on >= open_from))
    return [ComplaintRecord(r.complaint_no, r.received_on, r.customer_code, r.salesperson,
                            r.order_no or "", r.product_code or "", r.category,
                            r.severity or "normal", r.description, r.due_on, r.resolved_on,
                            r.satisfaction, r.version)
            for r in conn.execute(query)]
