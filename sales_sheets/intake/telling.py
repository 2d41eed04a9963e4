"""Who is told what about a file's outcome (spec 4d): the messages stored in the file's own
transaction, so that none is lost by a crash and none is stored twice.

- rejected: the submitter and the document's salesperson, the annotated copy attached;
- held: they are told it waits, and the approver gets the request attached;
- an approval form that decided a document: that document's submitter gets the decision.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..forms.form import Document
from ..kinds import KINDS
from ..ledger import Decision, Notice
from ..notify.events import notices
from ..problems import Severity
from ..status import Status
from ..workspace import Workspace

_PROBLEMS_LISTED = 10  # more are in the annotated copy


def outcome_notices(
    workspace: Workspace, folder: str, file: str, status: Status, outputs: list[str],
    problems: list[Any], doc: Document | None, decision: Decision | None,
    salesperson_of_target: str = "",
) -> list[Notice]:
    """The messages the outcome of `file` (dropped into inbox/`folder`/) brings."""
    notify = workspace.settings.notify
    language = workspace.language
    header = doc.final_header() if doc is not None else {}
    submitters = [folder, str(header.get("salesperson") or "")]
    kind = doc.kind.title(language) if doc is not None else ""
    if status == Status.REJECTED:
        annotated = outputs[1:2]
        listed = [f"{p.location} {p.message(language)}".strip() for p in problems
                  if p.severity is Severity.ERROR][:_PROBLEMS_LISTED]
        count = sum(1 for p in problems if p.severity is Severity.ERROR)
        return notices(notify, "file_rejected", outputs[0], submitters, {
            "file": file, "kind": kind, "problems": listed, "problem_count": count,
            "attachment": annotated[0] if annotated else "", "attachments": annotated})
    if status == Status.HELD and doc is not None:
        request = next((o for o in outputs if o.startswith("outbox/approvals/")), "")
        approver = PurePosixPath(request).parts[2] if request else ""
        about = f"{doc.kind.name}:{doc.identity()}:{outputs[0]}"
        reasons = "、".join(sorted({p.message(language) for p in problems
                                   if p.severity is Severity.HOLD}))
        facts = {"document": doc.kind.describe(header), "kind": kind, "reasons": reasons,
                 "approver": approver, "customer": str(header.get("customer_code") or ""),
                 "salesperson": str(header.get("salesperson") or ""),
                 "amount": f"{header['total']:,}" if header.get("total") is not None else "",
                 "attachment": request, "attachments": [request] if request else []}
        return (notices(notify, "file_held", about, submitters, {**facts, "attachments": []})
                + notices(notify, "approval_waiting", about, [approver], facts))
    if decision is not None:
        return decision_notices(workspace, decision, salesperson_of_target)
    return []


def decision_notices(workspace: Workspace, decision: Decision,
                     salesperson: str) -> list[Notice]:
    """The decision on a held document, to its submitter and its salesperson."""
    kind = KINDS[decision.kind].title(workspace.language)
    about = f"{decision.kind}:{decision.number}:v{decision.version}"
    return notices(workspace.settings.notify, "approval_decided", about,
                   [decision.folder, salesperson], {
                       "document": decision.number, "kind": kind, "approved": decision.approve,
                       "approver": decision.approver, "approval_no": decision.approval_no,
                       "remarks": decision.remarks})
