"""What a rule may know besides the document: who submitted the file, and what the ledger
holds. The ledger answers (`ledger/context.py`), inside the transaction that stores the file;
rules and derivations only ask, so they stay pure functions of the document and the answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from ..config import Access, Approvals, Complaints, Expenses, Quotes
from ..forms.kinds import Ref
from .balance import Position
from .facts import Allowance, Deliverable, HoldFacts, QuoteTerms, Standing
from .order_state import OrderState

Row = Mapping[Any, Any]  # a record as the ledger gives it (a RowMapping)


class Context(Protocol):
    """The questions a derivation or a rule may ask about one document."""

    @property
    def folder(self) -> str:
        """The inbox sub-folder the file came from ("" for the inbox itself)."""

    @property
    def access(self) -> Access | None:
        """Who may submit what ([access] of config.toml); None: anyone anything."""

    @property
    def approvals(self) -> Approvals | None:
        """Who may approve what ([approvals] of config.toml); None: anyone anything."""

    @property
    def expenses(self) -> Expenses:
        """The expense categories and caps ([expenses] of config.toml)."""

    @property
    def complaints(self) -> Complaints:
        """The days to resolve a complaint by severity ([complaints] of config.toml)."""

    @property
    def quotes(self) -> Quotes:
        """Whether a quotation serves one order's quantities only ([quotes] of config.toml)."""

    def customer(self, code: object) -> Row | None:
        """The customer record of `code`, among those the document names."""

    def product(self, code: object) -> Row | None:
        """The product record of `code`, among those the document names."""

    def known(self, ref: Ref) -> Mapping[str, Row]:
        """The records of `ref` that the document names and the ledger has, by code."""

    def latest(self, number: str) -> Row | None:
        """The newest stored version (whatever its status) of the approvable document
        numbered `number`."""

    def current(self, kind: str, key: str) -> Row | None:
        """The current (accepted or held) version of the `kind` document `key`."""

    def versions(self, kind: str, key: str) -> Sequence[Row]:
        """Every stored version (its `documents` row) of the `kind` document `key`, the newest
        first."""

    def position(self, customer: Row, as_of: date, exclude_order: str) -> Position:
        """The customer's receivables as of a day, leaving out the order being judged."""

    def standing(self, customer: str, month: str, exclude_order: str) -> Standing | None:
        """The approved standing approval of a customer's month, with its cap's use."""

    def document_total(self, document: Row) -> tuple[str, Decimal]:
        """The customer code and total of a stored approvable document."""

    def hold_facts(self, document: Row) -> HoldFacts:
        """What an approver weighs about the held document."""

    def taken_references(self, references: Iterable[str]) -> set[str]:
        """Those of `references` that a stored receipt already has."""

    def orders_of(self, order_nos: Iterable[str]) -> dict[str, str]:
        """The customer of each stored order among `order_nos`."""

    def returnable(self, order_no: str) -> dict[str, Decimal]:
        """Per product, the quantity of the order not yet returned."""

    def deliverable(self, order_no: str, delivery_no: str) -> Deliverable | None:
        """What the current version of order `order_no` still lets delivery `delivery_no`
        ship (its own earlier versions not counted); None when the order has no current
        version."""

    def plan_totals(self, salesperson: str) -> dict[str, Decimal]:
        """The salesperson's current plan totals by period."""

    def budget_owner(self, owner: str) -> str | None:
        """What a budget's owner is: "salesperson", "region", or None when neither."""

    def allowances(self, salesperson: str, keys: Iterable[tuple[str, str]],
                   exclude_claim: str) -> dict[tuple[str, str], Allowance]:
        """Per (category, month YYYY-MM) of `keys`, the budget a claim of `salesperson` is
        judged against and what accepted claims spent of it, the claim `exclude_claim`'s
        earlier versions left out."""

    def order_state(self, order_no: str) -> OrderState | None:
        """The newest stored version of the order `order_no` (whatever its status) with its
        value net of accepted returns; None when no order has that number."""

    def invoiced(self, order_no: str, leaving_out: str = "") -> Decimal:
        """What the current invoices of the order add up to, leaving out the invoice numbered
        `leaving_out` (the one a new version of it replaces)."""

    def invoice_order(self, invoice_no: str) -> str | None:
        """The order the current invoice numbered `invoice_no` registers, if there is one."""

    def quote_terms(self, quote_no: str, order_no: str) -> QuoteTerms | None:
        """The quotation numbered `quote_no` as an order may take it (its newest version),
        what the current orders naming it other than `order_no` took of it; None when there
        is no such quotation."""

    def issued_statement(self, number: str) -> Row | None:
        """The issued statement (对账函) numbered `number`: its `customer_code`, `period`,
        `closing` balance and `superseded_by` (the number that replaced it, or None)."""
