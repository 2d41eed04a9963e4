"""Approvals given outside a 审批单: an administrator accepts a held order with a manager's
approval given on paper (`sales-sheets release`), through the same decision as the form's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..documents.approval_request import file_requests
from ..documents.contract import check_contract_template, order_facts, write_contract
from ..documents.invoice import write_invoice_notice
from ..errors import UsageError
from ..forms.normalize import to_code
from ..kinds.order import ORDER
from ..ledger import Books, Decision, DecisionConflict, Ledger
from ..notify.dispatch import utc_now
from ..workspace import Workspace
from .telling import decision_notices


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
    reference = approval.strip()
    if not reference:
        raise UsageError("an approval reference is required")
    check_contract_template(workspace)
    number = to_code(order_no)
    ledger = Ledger.of(workspace)
    with ledger.transaction() as books:
        books.serialise(books.decision_locks(ORDER, number))
        doc = books.current_document(ORDER.name, number)
        if doc is None:
            raise UsageError(f"order {order_no} is not in the ledger")
        now = workspace.services.clock()
        try:
            decided = books.decide(doc["id"], True, reference, now)
        except DecisionConflict:
            raise UsageError(f"order {order_no} is {doc['status']}, not held") from None
        decision = Decision(
            approve=True, approval_no=reference, approver="", approved_on=now.date(),
            remarks="", target_id=doc["id"], kind=ORDER.name, number=number,
            version=decided["version"], folder=decided["folder"],
            source_file=decided["source_file"])
        books.enqueue(decision_notices(workspace, decision,
                                       books.salesperson_of(ORDER.name, doc["id"])), utc_now())
    with ledger.connect() as books:
        facts = order_facts(workspace, books, doc["id"])
        contract = write_contract(workspace, facts)
        invoice = (write_invoice_notice(workspace, facts)
                   if workspace.settings.documents.invoices else None)
    file_requests(workspace, number, "approved", now)
    return Release(order_no, doc["id"], reference, Books.hold_reasons(doc),
                   contract, invoice)
