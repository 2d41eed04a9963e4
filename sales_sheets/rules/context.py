"""What a rule may know besides the document: the ledger and who submitted the file."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, RowMapping

from ..config import Access, Approvals
from ..forms.form import Document
from ..forms.kinds import Ref
from ..ledger.approvals import latest_document
from ..ledger.queries import lookup


@dataclass
class Context:
    conn: Connection
    folder: str  # the inbox sub-folder the file came from ("" for the inbox itself)
    access: Access | None
    masters: dict[Ref, dict[str, RowMapping]]  # code -> record, of the codes a document names
    approvals: Approvals | None = None  # who may approve what ([approvals] of config.toml)
    # number -> the newest version of the order or return an approval form names (see latest)
    named: dict[str, RowMapping | None] = field(default_factory=dict)

    @classmethod
    def for_document(
        cls, conn: Connection, folder: str, access: Access | None, document: Document,
        approvals: Approvals | None = None,
    ) -> Context:
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
        return cls(conn, folder, access, masters, approvals)

    def customer(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.CUSTOMER, {}).get(str(code)) if code else None

    def product(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.PRODUCT, {}).get(str(code)) if code else None

    def latest(self, number: str) -> RowMapping | None:
        """The newest stored version of the order or return numbered `number`, read once:
        deriving an approval form and checking it both need it."""
        if number not in self.named:
            self.named[number] = latest_document(self.conn, number)
        return self.named[number]
