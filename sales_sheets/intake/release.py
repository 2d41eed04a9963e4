"""Releasing a held order: a manager's approval turns it into an accepted one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import update

from ..documents.contract import check_contract_template, write_contract
from ..documents.invoice import write_invoice_notice
from ..errors import UsageError
from ..forms.normalize import to_code
from ..ledger.database import open_ledger
from ..ledger.queries import current_document, hold_reasons
from ..ledger.schema import documents
from ..status import Status
from ..workspace import Workspace


@dataclass(frozen=True)
class Release:
    order_no: str
    document_id: int
    approval: str
    reasons: tuple[str, ...]
    contract: Path
    invoice: Path | None  # None when `documents.invoices` is off


def release_order(workspace: Workspace, order_no: str, approval: str) -> Release:
    """Accept the held current version of `order_no`, recording the approval reference, and
    write its contract and invoice notice."""
    if not approval.strip():
        raise UsageError("an approval reference is required")
    check_contract_template(workspace)
    engine = open_ledger(workspace.database_url)
    with engine.begin() as conn:
        doc = current_document(conn, "order", to_code(order_no))
        if doc is None:
            raise UsageError(f"order {order_no} is not in the ledger")
        if doc["status"] != Status.HELD:
            raise UsageError(f"order {order_no} is {doc['status']}, not held")
        conn.execute(update(documents).where(documents.c.id == doc["id"]).values(
            status=Status.ACCEPTED, approval=approval.strip(), released_at=datetime.now()))
    with engine.connect() as conn:
        contract = write_contract(workspace, conn, doc["id"])
        invoice = (write_invoice_notice(workspace, conn, doc["id"])
                   if workspace.settings.documents.invoices else None)
    return Release(order_no, doc["id"], approval.strip(), hold_reasons(doc["hold_reasons"]),
                   contract, invoice)
