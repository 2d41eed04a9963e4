"""Pending approvals: documents whose current version is held, waiting for someone to approve
them. `status` and the summary workbook's 待审批 sheet both list them from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, String, bindparam, literal, select, union_all

from ..forms.kinds import Kind
from ..kinds import KINDS
from ..status import Status
from .queries import hold_reasons
from .schema import customers, documents, tables_of


@dataclass(frozen=True)
class PendingApproval:
    kind: str  # an approvable kind: order, return, expense
    document: str  # its number, the kind's `approvable` field: order_no, return_no
    version: int
    customer: str
    customer_name: str
    salesperson: str
    amount: Decimal  # the document's total
    reasons: tuple[str, ...]  # the codes of the problems it is held for
    stored_at: datetime
    age_days: int  # whole calendar days from the day it was stored to the as-of day
    folder: str  # the inbox folder it came from

    def as_dict(self) -> dict[str, Any]:
        """For `status --json`: the amount as exact text, the time as ISO 8601."""
        return {"kind": self.kind, "document": self.document, "version": self.version,
                "customer": self.customer, "customer_name": self.customer_name,
                "salesperson": self.salesperson, "amount": str(self.amount),
                "reasons": list(self.reasons), "stored_at": self.stored_at.isoformat(),
                "age_days": self.age_days, "folder": self.folder}


def _held(kind: Kind) -> Any:
    """The held documents of an approvable `kind`, by the number an approval form names them
    by; a kind whose header names no salesperson answers with its customer's."""
    table = tables_of(kind)[str(kind.header_table)]
    salesperson = (table.c.salesperson if "salesperson" in table.c
                   else customers.c.salesperson)
    # A kind whose header names no customer (an expense claim) lists none.
    customer = table.c.customer_code if "customer_code" in table.c else literal(None, String)
    return (
        select(documents.c.id, documents.c.kind, table.c[str(kind.approvable)].label("document"),
               documents.c.version, customer.label("customer_code"), customers.c.name,
               salesperson.label("salesperson"), table.c.total, documents.c.hold_reasons,
               documents.c.stored_at, documents.c.folder)
        .join(documents, documents.c.id == table.c.document_id)
        .outerjoin(customers, customers.c.code == customer)
        .where(documents.c.kind == kind.name, documents.c.status == Status.HELD,
               documents.c.stored_at < bindparam("before"))
    )


# Every kind an approval form can decide.
_PENDING = union_all(*(_held(kind) for kind in KINDS.values() if kind.approvable)).subquery()
_QUERY = select(_PENDING).order_by(_PENDING.c.stored_at, _PENDING.c.id)


def pending_approvals(conn: Connection, as_of: datetime) -> list[PendingApproval]:
    """The documents held now that were stored on `as_of`'s day or before, oldest first, with
    their age in days on that day.

    Only the day of `as_of` counts, so that a clock a little behind the one that stored a
    document does not hide it, and so that the summary workbook can ask as of a period's end.
    A document released since is not held, so it is not listed, whatever `as_of` says.
    """
    day = as_of.date()
    before = datetime.combine(day + timedelta(days=1), time())
    return [
        PendingApproval(r.kind, r.document, r.version, r.customer_code or "", r.name or "",
                        r.salesperson or "", r.total, hold_reasons(r.hold_reasons), r.stored_at,
                        (day - r.stored_at.date()).days, r.folder)
        for r in conn.execute(_QUERY, {"before": before})
    ]
