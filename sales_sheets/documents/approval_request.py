"""The approval request (审批单): a filled approval form for a held document, in the folder of
the approver it is routed to, with what the approver weighs. The approver fills in the decision
and drops the same file into the inbox. Once the document is decided, or a new version makes
the request stale, the request leaves the approver's folder for its 已处理/ sub-folder: what
is left there is what waits for the approver."""

from __future__ import annotations

import glob
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import RowMapping

from ..config import Approvals
from ..forms.kinds import Ref
from ..forms.template import FormData, write_form
from ..kinds.approval import APPROVAL
from ..ledger import Books, Ledger
from ..paths import inside, safe_component
from ..rules.authority import route
from ..rules.facts import HoldFacts
from ..text import Text
from ..workspace import Workspace

_FILE = Text("{number}_审批单.xlsx", "{number}_approval.xlsx")
_DONE_FOLDER = Text("已处理", "done")
# What became of a request, stamped on its name when it is filed away.
_OUTCOMES = {
    "approved": Text("已批准", "approved"),
    "declined": Text("未批准", "declined"),
    "superseded": Text("已作废", "superseded"),
}
_REASONS = {
    "price": Text("优惠价格", "Price below list"),
    "overdue": Text("逾期客户发货", "Overdue customer"),
    "credit": Text("超授信额度", "Over credit limit"),
    "return": Text("退货", "Return"),
    "expense": Text("费用报销", "Expense claim"),
    "quote": Text("报价审批", "Quotation"),
}
_SEPARATOR = Text("；", "; ")
# On the request in place of its instructions sheet: the request prints as one page.
_NOTE = Text("填写审批结果、审批人（您的编码）和审批日期，放入收件箱；审批号可不填。"
             "带 * 的为必填项",
             "Fill in the decision, the approver (your code) and the date, then drop the form "
             "into the inbox. Fields marked * are required.")


def request_path(
    workspace: Workspace, books: Books, document: RowMapping, approvals: Approvals | None
) -> Path:
    """Where the request for the held `document` goes: outbox/approvals/<approver>/."""
    facts = books.hold_facts(document, workspace.language)
    folder = route(approvals, facts.reasons, facts.needs, _manager(books, facts.salesperson))
    name = _FILE.format(workspace.language, number=safe_component(facts.number))
    return inside(workspace.outbox, "approvals", folder, name)


def file_requests(
    workspace: Workspace, number: str, outcome: str, when: datetime, keep: Path | None = None
) -> list[Path]:
    """Move every request for the document `number` still waiting in an approver's folder into
    that folder's 已处理/, its name stamped with the time and `outcome` (approved, declined or
    superseded); the request `keep` (the new version's own) stays. Missing ones are no error:
    after a crash this runs again. Messages not sent yet that attach a request attach it
    where it was filed."""
    language = workspace.language
    name = _FILE.format(language, number=safe_component(number))
    waiting = (workspace.outbox / "approvals").glob(f"*/{glob.escape(name)}")
    moved: dict[str, str] = {}  # where each request was, where it is now
    for request in sorted(waiting):
        if request == keep:
            continue
        done = request.parent / _DONE_FOLDER(language)
        done.mkdir(exist_ok=True)
        target = done / f"{when:%Y%m%d-%H%M%S}_{request.stem}.{_OUTCOMES[outcome](language)}.xlsx"
        try:
            os.replace(request, target)
        except FileNotFoundError:  # filed by another process at the same moment
            continue
        moved[_relative(workspace, request)] = _relative(workspace, target)
    if moved:
        with Ledger.of(workspace).transaction() as books:
            books.attachments_moved(moved)
    return [workspace.root / target for target in moved.values()]


def _relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.root).as_posix()


def write_request(workspace: Workspace, books: Books, document_id: int, path: Path) -> Path:
    """Write the request of the held document `document_id` to `path` (see `request_path`)."""
    document = books.stored_document(document_id)
    data = request_data(books, document, workspace.language)
    return write_form(path, APPROVAL, workspace.language, data=data)


def request_data(books: Books, document: RowMapping, language: str) -> FormData:
    """The request's contents for the stored order, return or expense claim `document`: the
    form an approver fills in, with the names of its customer and salesperson beside their
    codes."""
    facts = books.hold_facts(document, language)
    data = _form_data(facts, language)
    for key, ref, code in (("customer_code", Ref.CUSTOMER, facts.customer),
                           ("salesperson", Ref.SALESPERSON, facts.salesperson)):
        record = books.master_record(ref, code) if code else None
        if record and record["name"]:
            data.asides[key] = str(record["name"])
    return data


def _form_data(facts: HoldFacts, language: str) -> FormData:
    reasons = _SEPARATOR(language).join(_REASONS[r](language) for r in facts.reasons)
    header: dict[str, object] = {
        "approval_type": APPROVAL.header_field("approval_type").choices[0].label(language),
        "document_no": facts.number, "document_version": facts.version, "reasons": reasons,
        "customer_code": facts.customer, "salesperson": facts.salesperson,
        "amount": facts.amount,
    }
    lines: list[dict[str, object]] = [{
        "reason": _REASONS[line.reason](language), "item": line.item,
        "list_price": line.list_price, "offered_price": line.offered_price,
        "discount": _percent(line.discount), "quantity": line.quantity, "amount": line.amount,
        "note": line.note,
    } for line in facts.lines]
    return FormData(header, lines, page_note=_NOTE(language))


def _percent(fraction: Decimal | None) -> str | None:
    return None if fraction is None else f"{fraction * 100:.2f}%"


def _manager(books: Books, salesperson: str) -> str | None:
    if not salesperson:
        return None
    record = books.master_record(Ref.SALESPERSON, salesperson)
    return str(record["manager"]) if record and record["manager"] else None
