"""The ledger's answers to what a rule may ask (`rules.Context`), inside the transaction that
stores the file: the master records a document names are fetched once, for deriving and
validating alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, RowMapping

from ..config import Access, Approvals, Basis, Complaints, Expenses, Quotes
from ..forms.form import Document
from ..forms.kinds import Ref
from ..rules.balance import Position
from ..rules.context import Row
from ..rules.facts import Allowance, Deliverable, HoldFacts, QuoteTerms, Standing
from ..rules.order_state import OrderState
from . import expenses as _expenses
from .approvals import document_total, latest_document, standing_approval
from .deliveries import deliverable
from .hold_facts import hold_facts
from .invoices import invoice_order, invoiced, order_state
from .locks import expense_lock, serialise
from .queries import (
    current_document,
    document_versions,
    existing_references,
    lookup,
    orders_of,
    plan_totals,
    returnable,
)
from .quotes import quote_terms
from .receivables import customer_position
from .replies import issued_statement


@dataclass
class LedgerContext:
    conn: Connection
    folder: str
    access: Access | None
    masters: dict[Ref, dict[str, RowMapping]]  # code -> record, of the codes a document names
    approvals: Approvals | None = None
    expenses: Expenses = field(default_factory=Expenses)
    basis: str = Basis.ORDER  # [receivables] basis
    complaints: Complaints = field(default_factory=Complaints)
    quotes: Quotes = field(default_factory=Quotes)
    # (quotation, order) -> what the order may take of it: deriving and checking both ask
    quoted: dict[tuple[str, str], QuoteTerms | None] = field(default_factory=dict)
    # number -> the newest version of the approvable document a form names (see latest)
    named: dict[str, RowMapping | None] = field(default_factory=dict)
    # (order, delivery) -> what the order still lets it ship: deriving and checking both ask
    shippable: dict[tuple[str, str], Deliverable | None] = field(default_factory=dict)
    # number -> the issued statement (对账函) a reply names (see issued_statement)
    statements: dict[str, RowMapping | None] = field(default_factory=dict)

    def known(self, ref: Ref) -> Mapping[str, RowMapping]:
        return self.masters[ref]

    def customer(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.CUSTOMER, {}).get(str(code)) if code else None

    def product(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.PRODUCT, {}).get(str(code)) if code else None

    def latest(self, number: str) -> RowMapping | None:
        # Read once: deriving an approval form and checking it both need it.
        if number not in self.named:
            self.named[number] = latest_document(self.conn, number)
        return self.named[number]

    def current(self, kind: str, key: str) -> RowMapping | None:
        return current_document(self.conn, kind, key)

    def versions(self, kind: str, key: str) -> list[RowMapping]:
        return document_versions(self.conn, kind, key)

    def deliverable(self, order_no: str, delivery_no: str) -> Deliverable | None:
        key = (order_no, delivery_no)
        if key not in self.shippable:
            self.shippable[key] = deliverable(self.conn, order_no, delivery_no)
        return self.shippable[key]

    def position(self, customer: Row, as_of: date,
                 exclude_order: str) -> Position:
        return customer_position(self.conn, customer, as_of, exclude_order, self.basis)

    def standing(self, customer: str, month: str, exclude_order: str) -> Standing | None:
        return standing_approval(self.conn, customer, month, exclude_order)

    def document_total(self, document: Row) -> tuple[str, Decimal]:
        return document_total(self.conn, document)

    def hold_facts(self, document: Row) -> HoldFacts:
        return hold_facts(self.conn, document, "zh", self.basis)  # weighed, not shown: any language

    def taken_references(self, references: Iterable[str]) -> set[str]:
        return existing_references(self.conn, references)

    def orders_of(self, order_nos: Iterable[str]) -> dict[str, str]:
        return orders_of(self.conn, order_nos)

    def returnable(self, order_no: str) -> dict[str, Decimal]:
        return returnable(self.conn, order_no)

    def plan_totals(self, salesperson: str) -> dict[str, Decimal]:
        return plan_totals(self.conn, salesperson)

    def budget_owner(self, owner: str) -> str | None:
        return _expenses.budget_owner(self.conn, owner)

    def allowances(self, salesperson: str, keys: Iterable[tuple[str, str]],
                   exclude_claim: str) -> dict[tuple[str, str], Allowance]:
        # A claim judged against its region's budget must not pass beside another of the
        # region's: the salesperson's own lock is held already (locks_of), the region's now.
        region = _expenses.region_of(self.conn, salesperson)
        if region:
            serialise(self.conn, [expense_lock(region)])
        return _expenses.allowances(self.conn, salesperson, keys, exclude_claim)

    def order_state(self, order_no: str) -> OrderState | None:
        return order_state(self.conn, order_no)

    def invoiced(self, order_no: str, leaving_out: str = "") -> Decimal:
        return invoiced(self.conn, order_no, leaving_out)

    def invoice_order(self, invoice_no: str) -> str | None:
        return invoice_order(self.conn, invoice_no)

    def quote_terms(self, quote_no: str, order_no: str) -> QuoteTerms | None:
        key = (quote_no, order_no)
        if key not in self.quoted:
            self.quoted[key] = quote_terms(self.conn, quote_no, order_no)
        return self.quoted[key]

    def issued_statement(self, number: str) -> RowMapping | None:
        # Read once: deriving a reply and checking it both need it.
        if number not in self.statements:
            self.statements[number] = issued_statement(self.conn, number)
        return self.statements[number]


def context_for(
    conn: Connection, folder: str, access: Access | None, document: Document,
    approvals: Approvals | None = None, expenses: Expenses | None = None,
    basis: str = Basis.ORDER, complaints: Complaints | None = None,
    quotes: Quotes | None = None,
) -> LedgerContext:
    """The context of one document, with only the master records it mentions fetched, once:
    deriving and validating read the same ones (deriving never changes a code)."""
    wanted: dict[Ref, set[str]] = {ref: set() for ref in Ref}
    for f in document.kind.header:
        value = document.header.get(f.key)
        if f.ref and value:
            wanted[f.ref].add(str(value))
    # Orders need the customer's salesperson; receipts may credit it.
    for f in document.kind.columns:
        if f.ref:  # distinct values first: 100,000 lines name a few hundred customers
            distinct = set(document.column(f.key))
            wanted[f.ref].update(str(v) for v in distinct if v)
    masters = {ref: lookup(conn, ref, codes) for ref, codes in wanted.items()}
    return LedgerContext(conn, folder, access, masters, approvals, expenses or Expenses(),
                         basis, complaints or Complaints(), quotes or Quotes())
