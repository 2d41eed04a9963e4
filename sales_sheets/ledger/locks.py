"""Serialising the transactions that judge the same customer or the same document.

Credit limits, overdue holds, approvals and revisions read what other documents stored and then
store one more. SQLite's BEGIN IMMEDIATE already runs one writer at a time. PostgreSQL runs
writers side by side under READ COMMITTED, where two orders of one customer would each see the
balance without the other; a transaction-scoped advisory lock per customer and per document
number makes the second wait for the first to commit, and then it reads what the first stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def expense_lock(owner: object) -> str:
    """An expense budget's owner (a salesperson or a region) and the claims against it."""
    return f"expenses:{owner}"


def locks_of(doc: Document) -> set[str]:
    """What storing `doc` must not do at the same time as another transaction: judge one of
    the customers it names or the expense budget it is or claims against (its kind's
    `serialised_by`), or store a version of (or decide) the document it is."""
    if doc.kind.master:
        return set()
    keys = {customer_lock(value) for f in doc.kind.header
            if f.ref is Ref.CUSTOMER and (value := doc.header.get(f.key))}
    for f in doc.kind.columns:
        if f.ref is Ref.CUSTOMER:  # distinct codes first: a receipt file may have 100,000 lines
            keys |= {customer_lock(v) for v in set(doc.column(f.key)) if v}
    keys |= {expense_lock(value) for key in doc.kind.serialised_by
             if (value := doc.header.get(key))}
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
        if salesperson := doc.header.get("salesperson"):  # approving a claim spends budget
            keys.add(expense_lock(salesperson))
    return keys


def decision_locks(conn: Connection, kind: Kind, number: str) -> set[str]:
    """What deciding the `kind` document `number` must not do at the same time as another
    transaction: store a version of it, or judge its customers (an approval adds to their
    balance) or the expense budget it claims against (its kind's `serialised_by`)."""
    # Its first table holds its header (a header-only kind has no other); a kind naming no
    # customer there (an expense claim) is serialised by what it names instead.
    table = tables_of(kind)[kind.tables[0]]
    keys = {document_lock(kind.name, number)}
    owners: list[tuple[str, Callable[[object], str]]] = (
        [("customer_code", customer_lock)] if "customer_code" in table.c else [])
    owners += [(key, expense_lock) for key in kind.serialised_by]
    for column, lock in owners:
        keys |= {lock(value) for value in conn.execute(
            select(table.c[column]).join(documents, documents.c.id == table.c.document_id)
            .where(documents.c.kind == kind.name, documents.c.doc_key == number)).scalars()
            if value}
    return keys


def serialise(conn: Connection, keys: Iterable[str]) -> None:
    """Wait, inside the caller's transaction, until no other transaction holds any of `keys`;
    they are held until this one ends. A no-op on SQLite, whose writers never overlap."""
    if conn.dialect.name != "postgresql":
        return
    # Always in the same order, so two transactions never each hold what the other waits for.
    # Two keys that hash alike only serialise a little more than needed.
    for key in sorted(set(keys)):
        conn.execute(_LOCK, {"key": key})
