"""The ledger's side of approvals: the latest version of a document an approval names, the
standing approvals of a customer's month, assigning approval numbers, and recording a decision
in the same transaction as the approval form that carries it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, bindparam, func, literal, select, update

from ..forms.form import Document
from ..kinds import KINDS
from ..rules.context import Row
from ..rules.facts import Standing
from ..status import CURRENT, Status
from .schema import APPROVAL_NUMBER_KEY, KIND_TABLES, approvals, documents, orders

# The kinds an approval form may decide: those that declare the field numbering them.
APPROVABLE = tuple(kind.name for kind in KINDS.values() if kind.approvable)

# The statements of an approval form's path, built once: building and keying a statement costs
# more than running it on an indexed row (as in store.py).
_latest = (
    select(documents)
    .where(documents.c.kind.in_(APPROVABLE), documents.c.doc_key == bindparam("b_number"))
    .order_by(documents.c.version.desc()).limit(1)
)
# A kind whose header names no customer (an expense claim) answers with "".
_total = {kind.name: select((table.c.customer_code if "customer_code" in table.c
                             else literal("")).label("customer_code"), table.c.total)
          .where(table.c.document_id == bindparam("b_id"))
          for kind in KINDS.values() if kind.approvable and kind.header_table
          for table in (KIND_TABLES[kind.header_table],)}
_decided = (
    update(documents)
    .where(documents.c.id == bindparam("b_id"), documents.c.status == Status.HELD)
    .values(status=bindparam("b_status"), approval=bindparam("b_approval"),
            decided_at=bindparam("b_now"))
    .returning(documents.c.kind, documents.c.doc_key, documents.c.version, documents.c.folder,
               documents.c.source_file)
)
# A day's approval numbers, largest first (see next_approval_no): a walk backwards through
# the day's range of ix_approvals_day_number, with no sort.
_day, _length, _digits = APPROVAL_NUMBER_KEY
_numbers = (select(approvals.c.approval_no).where(_day == bindparam("b_prefix"))
            .order_by(_length.desc(), _digits.desc()))


def latest_document(conn: Connection, number: str) -> RowMapping | None:
    """The newest stored version of the order or return numbered `number` (whatever its
    status), or None."""
    return conn.execute(_latest, {"b_number": number}).mappings().first()


def document_total(conn: Connection, document: Row) -> tuple[str, Decimal]:
    """The customer code ("" for a kind without one) and total of a stored approvable
    document."""
    row = conn.execute(_total[document["kind"]], {"b_id": document["id"]}).one()
    return row.customer_code, row.total


def standing_approval(
    conn: Connection, customer: str, month: str, exclude_order: str
) -> Standing | None:
    """The approved standing approval of `customer` for `month` (YYYY-MM) with the largest
    cap, with the month's orders already counted against it (current versions, accepted or
    held, except `exclude_order`, the order being judged)."""
    approved = (
        select(approvals.c.approval_no, approvals.c.amount_cap)
        .join(documents, documents.c.id == approvals.c.document_id)
        .where(documents.c.status == Status.ACCEPTED, approvals.c.approval_type == "standing",
               approvals.c.decision == "approve", approvals.c.customer_code == customer,
               approvals.c.period == month)
        .order_by(approvals.c.amount_cap.desc()).limit(1)
    )
    found = conn.execute(approved).first()
    if found is None:
        return None
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    last = date(year + number // 12, number % 12 + 1, 1)
    used = conn.execute(
        select(func.coalesce(func.sum(orders.c.total), 0))
        .join(documents, documents.c.id == orders.c.document_id)
        .where(documents.c.status.in_(CURRENT), orders.c.customer_code == customer,
               orders.c.order_date >= first, orders.c.order_date < last,
               orders.c.order_no != exclude_order)
    ).scalar_one()
    return Standing(found.approval_no, found.amount_cap, Decimal(used))


def next_approval_no(conn: Connection, day: date) -> str:
    """The next free number of the day, AP-<yyyymmdd>-<nnn>. The caller's transaction holds
    the ledger's write lock, so two approvals cannot be given the same one."""
    prefix = f"AP-{day:%Y%m%d}-"
    # Largest first, so the first all-digit number read is the largest and the rest of the
    # day's numbers are never fetched (reading or sorting them all made a busy day
    # quadratic). Numbers typed with other characters sort anywhere and are skipped.
    taken = conn.execute(_numbers, {"b_prefix": prefix}).scalars()
    largest = next((int(no[len(prefix):]) for no in taken if no[len(prefix):].isdigit()), 0)
    taken.close()
    return f"{prefix}{largest + 1:03d}"


def decide(
    conn: Connection, document_id: int, approve: bool, approval: str, now: datetime
) -> RowMapping:
    """Accept or decline the held document `document_id` with `approval` (a 审批单's number,
    or the reference of an approval given on paper), and return what the notice to its
    submitter names (kind, doc_key, version, folder, source_file). The one way a held document
    is decided: only a document still held changes, so a second decision finds it decided and
    fails, and the caller's transaction with it."""
    done = conn.execute(_decided, {
        "b_id": document_id, "b_status": Status.ACCEPTED if approve else Status.DECLINED,
        "b_approval": approval, "b_now": now}).mappings().first()
    if done is None:
        raise DecisionConflict(document_id)
    return done


class DecisionConflict(Exception):
    """The document is not held: another decision came first (after the rules saw it held),
    or it never was."""


@dataclass(frozen=True)
class Decision:
    """A stored approval form's decision on a held document, and that document."""

    approve: bool
    approval_no: str
    approver: str
    approved_on: date
    remarks: str
    target_id: int
    kind: str
    number: str
    version: int
    folder: str
    source_file: str


def settle(conn: Connection, doc: Document, now: datetime) -> Document:
    """An approval form with what it leaves to us: its number (the next of its day when
    blank) and its date (the day it is processed when blank). The document it decides was
    derived with the rules (`target_document_id`), which read it anyway."""
    header = doc.header
    day = header.get("approved_on") or now.date()
    derived = {**doc.derived, "approved_on": day}
    if not header.get("approval_no"):
        derived["approval_no"] = next_approval_no(conn, day)
    return replace(doc, derived=derived)


def decide_by_form(conn: Connection, doc: Document, now: datetime) -> Decision | None:
    """Record the decision of the stored approval form `doc` (settled) on its document; None
    for a standing approval, which decides no document. Built from the form and the row the
    decision changed: nothing is read back."""
    header = doc.final_header()
    target_id = header.get("target_document_id")
    if target_id is None:
        return None
    approve = header["decision"] == "approve"
    target = decide(conn, target_id, approve, header["approval_no"], now)
    return Decision(
        approve, header["approval_no"], header["approver"], header["approved_on"],
        header.get("remarks") or "", target_id, target["kind"], target["doc_key"],
        target["version"], target["folder"], target["source_file"])


def decision_of(conn: Connection, approval_document_id: int) -> Decision | None:
    """The decision the approval form stored as `approval_document_id` made, if it decided a
    document (read back when its documents are written again after a crash)."""
    form = conn.execute(select(approvals).where(
        approvals.c.document_id == approval_document_id)).mappings().first()
    if form is None or form["target_document_id"] is None:
        return None
    target = conn.execute(select(documents).where(
        documents.c.id == form["target_document_id"])).mappings().one()
    return Decision(
        form["decision"] == "approve", form["approval_no"], form["approver"],
        form["approved_on"], form["remarks"] or "", target["id"], target["kind"],
        target["doc_key"], target["version"], target["folder"], target["source_file"])
