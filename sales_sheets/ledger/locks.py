"""Serialising the transactions that judge the same customer or the same document.

Credit limits, overdue holds, approvals and revisions read what other documents stored and then
store one more. SQLite's BEGIN IMMEDIATE already runs one writer at a time. PostgreSQL runs
writers side by side under READ COMMITTED, where two orders of one customer would each see the
balance without the other; a transaction-scoped advisory lock per customer and per document
number makes the second wait for the first to commit, and then it reads what the first stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select, text

from ..forms.form import Document
from ..forms.kinds import Kind, Ref
from .approvals import APPROVABLE
from .schema import documents, tables_of

# Approval numbers are the next free one of the day: two approvals must not both take it.
APPROVAL_NUMBERS = "approval-numbers"
_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def customer_lock(code: object) -> str:
    return f"customer:{code}"


def document_lock(kind: str, number: object) -> str:
    return f"document:{kind}:{number}"


def locks_of(doc: Document) -> set[str]:
    """What storing `doc` must not do at the same time as another transaction: judge one of
    the customers it names, or store a version of (or decide) the document it is."""
    if doc.kind.master:
        return set()
    keys = {customer_lock(value) for f in doc.kind.header
            if f.ref is Ref.CUSTOMER and (value := doc.header.get(f.key))}
    for f in doc.kind.columns:
        if f.ref is Ref.CUSTOMER:  # distinct codes first: a receipt file may have 100,000 lines
            keys |= {customer_lock(v) for v in set(doc.column(f.key)) if v}
    # A document it refers to (a delivery's order): what it may do depends on that one, which
    # a new version or a decision of it, or another document referring to it, may change.
    keys |= {document_lock(f.refers_to, value) for f in doc.kind.header
             if f.refers_to and (value := doc.header.get(f.key))}
    if doc.kind.identity:
        keys.add(document_lock(doc.kind.name, doc.identity()))
    if doc.kind.decides:
        keys.add(APPROVAL_NUMBERS)
        if number := doc.header.get("document_no"):
            keys |= {document_lock(kind, number) for kind in APPROVABLE}
    return keys


def decision_locks(conn: Connection, kind: Kind, number: str) -> set[str]:
    """What deciding the `kind` document `number` must not do at the same time as another
    transaction: store a version of it, or judge its customers (an approval adds to their
    balance)."""
    table = tables_of(kind)[kind.tables[0]]
    customers = conn.execute(
        select(table.c.customer_code).join(documents, documents.c.id == table.c.document_id)
        .where(documents.c.kind == kind.name, documents.c.doc_key == number)).scalars()
    return {document_lock(kind.name, number)} | {customer_lock(code) for code in customers}


def serialise(conn: Connection, keys: Iterable[str]) -> None:
    """Wait, inside the caller's transaction, until no other transaction holds any of `keys`;
    they are held until this one ends. A no-op on SQLite, whose writers never overlap."""
    if conn.dialect.name != "postgresql":
        return
    # Always in the same order, so two transactions never each hold what the other waits for.
    # Two keys that hash alike only serialise a little more than needed.
    for key in sorted(set(keys)):
        conn.execute(_LOCK, {"key": key})
