"""Contract preview: the contract an order workbook would get, rendered before it is sent."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..documents.contract import CONTRACT, check_contract_template, contract_context
from ..documents.render import render_docx
from ..forms.kinds import Output
from ..intake.check import WorkbookCheck, check_workbook
from ..ledger import Ledger
from ..paths import safe_component
from ..status import Status
from ..text import Text
from ..workspace import Workspace
from .messages import AddinError

_DRAFT = Text("草稿", "draft")


@dataclass(frozen=True)
class Preview:
    check: WorkbookCheck
    docx: Path | None  # None when errors stopped it


def preview_contract(workspace: Workspace, path: Path, folder: str) -> Preview:
    """Render the contract of the order workbook at `path` with the workspace's template, as
    it would be written on acceptance (a revision of a stored order gets the next number).

    Args:
        workspace: the shared workspace: template, seller, customer records.
        path: the order workbook (a saved copy of the open one, for the add-in).
        folder: the inbox sub-folder it would go to (the salesperson's code).

    The draft goes to a new temporary folder: it is for reading, not for keeping.
    """
    check = check_workbook(workspace, path, folder)
    doc = check.document
    if doc is not None and Output.CONTRACT not in doc.kind.writes:
        raise AddinError("not_an_order", kind=doc.kind.title(workspace.language))
    if doc is None or check.status == Status.REJECTED:
        return Preview(check, None)
    check_contract_template(workspace)
    with Ledger.of(workspace).connect() as books:
        stored = books.current_document(doc.kind.name, doc.identity())
        order = {**doc.final_header(), "version": stored["version"] + 1 if stored else 1}
        context = contract_context(workspace, books, order,
                                   [line.final_values() for line in doc.lines])
    folder_path = Path(tempfile.mkdtemp(prefix="sales-sheets-"))
    name = f"{doc.header['order_no']}-{_DRAFT(workspace.language)}.docx"
    target = folder_path / safe_component(name)
    render_docx(CONTRACT.ensure(workspace), context, target)
    return Preview(check, target)
