"""Releasing a held order: a manager's approval turns it into an accepted one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, select, update

from ..documents.contract import check_contract_template, order_facts, write_contract
from ..documents.invoice import write_invoice_notice
from ..errors import UsageError
from ..forms.normalize import to_code
from ..ledger.database import ledger_of
from ..ledger.locks import customer_lock, document_lock, serialise
from ..ledger.queries import current_document, hold_reasons
from ..ledger.schema import documents, orders
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
    engine = ledger_of(workspace)
    with engine.begin() as conn:
        serialise(conn, _locks(conn, to_code(order_no)))
        doc = current_document(conn, "order", to_code(order_no))
        if doc is None:
            raise UsageError(f"order {order_no} is not in the ledger")
        if doc["status"] != Status.HELD:
            raise UsageError(f"order {order_no} is {doc['status']}, not held")
        conn.execute(update(documents).where(documents.c.id == doc["id"]).values(
            status=Status.ACCEPTED, approval=approval.strip(), released_at=datetime.now()))
    with engine.connect() as conn:
        facts = order_facts(workspace, conn, doc["id"])
        contract = write_contract(workspace, facts)
        invoice = (write_invoice_notice(workspace, facts)
                   if workspace.settings.documents.invoices else None)
    return Release(order_no, doc["id"], approval.strip(), hold_reasons(doc["hold_reasons"]),
                   contract, invoice)


def _locks(conn: Connection, order_no: str) -> set[str]:
    """The order's own lock and its customers': a release adds to the customer's balance."""
    customers = conn.execute(
        select(orders.c.customer_code).join(documents, documents.c.id == orders.c.document_id)
        .where(documents.c.kind == "order", documents.c.doc_key == order_no)).scalars()
    return {document_lock("order", order_no)} | {customer_lock(code) for code in customers}
