"""The documents a stored file brings, beyond its acknowledgement: an accepted order's contract and
invoice notice, a held document's approval request, and for an approval form the approved
order's contract and invoice notice and the notice to its submitter. Planned inside the file's
transaction (their paths go into the intake record), written after the commit, and written
again after a crash."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..documents.approval_request import file_requests, request_path, write_request
from ..documents.orders import FactsReader, accepted_files, is_accepted_file, write_accepted_file
from ..files import write_text_atomic
from ..forms.form import Document
from ..kinds import KINDS
from ..ledger import Books, Decision, Ledger
from ..paths import inside
from ..status import Status
from ..workspace import Workspace
from .answers import decision_text
from .faults import OutputFault, writing

log = logging.getLogger(__name__)


def documents_to_write(
    workspace: Workspace, books: Books, doc: Document, status: Status, document_id: int,
    version: int, stamp: str, decision: Decision | None,
) -> list[Path]:
    """Where the documents the stored `doc` brings go: a held document's approval request, an
    accepted one's files, or for an approval form the files of the document its `decision`
    accepted and the notice to that document's submitter."""
    header = doc.final_header()
    if status == Status.HELD:
        stored = books.stored_document(document_id)
        return [request_path(workspace, books, stored, workspace.settings.approvals)]
    if not doc.kind.decides:
        return accepted_files(workspace, doc.kind, _party(header), doc.identity(), version)
    if decision is None:
        return []
    paths = []
    if decision.approve:
        paths += accepted_files(workspace, KINDS[decision.kind],
                                books.party_of(decision.kind, decision.target_id),
                                decision.number, decision.version)
    word = "approved" if decision.approve else "declined"
    paths.append(inside(workspace.outbox, "receipts", decision.folder or "_inbox",
                        f"{stamp}_{decision.number}.{word}.txt"))
    return paths


def _party(header: dict[str, object]) -> str:
    """Whom a document's files are filed under: its customer, else its prospect."""
    return str(header.get("customer_code") or header.get("prospect_name") or "")


def write_documents(
    workspace: Workspace, document_id: int, kind: str | None, outputs: list[str], file: str,
    decision: Decision | None,
) -> list[str]:
    """Write the planned documents (paths relative to the workspace) of the stored document
    `document_id`; those that could not be written are left out, and logged. Raises
    OutputFault when the outbox cannot take them: the file is then finished later, with all.
    An approval form's `decision` is read from the ledger when None (its documents written
    again after a crash)."""
    written = []
    with Ledger.of(workspace).connect() as books:
        if kind is not None and KINDS[kind].decides and decision is None:
            decision = books.decision_of(document_id)
        # The contract and the invoice notice show the same order: read once, when first asked.
        target = decision.target_id if decision else document_id
        facts = functools.cache(lambda reader: reader(workspace, books, target))
        for relative in outputs:
            path = workspace.root / relative
            try:
                with writing(path):
                    _write(workspace, books, path, document_id, decision, outputs, facts)
            except OutputFault:
                raise
            except Exception:  # stored already; the commands can redo it
                log.exception("writing %s for %s failed", relative, file)
                continue
            written.append(relative)
        stale = _stale_requests(books, document_id, kind, decision)
    if stale is not None:  # (files them in a transaction of its own, after this reading one)
        number, outcome = stale
        own = next((workspace.root / o for o in outputs if o.startswith("outbox/approvals/")),
                   None)
        file_requests(workspace, number, outcome, workspace.services.clock(), keep=own)
    return written


def _stale_requests(
    books: Books, document_id: int, kind: str | None, decision: Decision | None,
) -> tuple[str, str] | None:
    """The requests that no longer wait, as (document number, outcome): the decided
    document's, or an approvable document's older versions' (its new request, if it is held
    again, stays)."""
    if decision is not None:
        return decision.number, "approved" if decision.approve else "declined"
    if kind is not None and KINDS[kind].approvable:
        stored = books.stored_document(document_id)
        if stored["version"] > 1:
            return stored["doc_key"], "superseded"
    return None


def _write(
    workspace: Workspace, books: Books, path: Path, document_id: int,
    decision: Decision | None, outputs: list[str], facts: Callable[[FactsReader], Any],
) -> None:
    if is_accepted_file(workspace, path):
        write_accepted_file(workspace, facts, path)
    elif path.is_relative_to(workspace.outbox / "approvals"):
        write_request(workspace, books, document_id, path)
    elif decision is not None:
        others = [o for o in outputs if workspace.root / o != path]
        write_text_atomic(path, decision_text(
            approve=decision.approve, kind=decision.kind, number=decision.number,
            version=decision.version, approval_no=decision.approval_no,
            approver=decision.approver, approved_on=decision.approved_on,
            remarks=decision.remarks, source_file=decision.source_file, outputs=others,
            language=workspace.language))
