"""What a rule may know besides the document: the ledger and who submitted the file."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, RowMapping

from ..config import Access
from ..forms.form import Document
from ..forms.kinds import Ref
from ..ledger.queries import lookup


@dataclass
class Context:
    conn: Connection
    folder: str  # the inbox sub-folder the file came from ("" for the inbox itself)
    access: Access | None
    masters: dict[Ref, dict[str, RowMapping]] = field(default_factory=dict)

    def load_masters(self, document: Document) -> None:
        """Fetch only the master records this document mentions."""
        wanted: dict[Ref, set[str]] = {ref: set() for ref in Ref}
        for f in document.kind.header:
            value = document.header.get(f.key)
            if f.ref and value:
                wanted[f.ref].add(str(value))
        # Orders need the customer's salesperson; receipts may credit it.
        for f in document.kind.columns:
            if f.ref:
                wanted[f.ref].update(
                    str(v) for line in document.lines if (v := line.values.get(f.key)))
        self.masters = {ref: lookup(self.conn, ref, codes) for ref, codes in wanted.items()}

    def customer(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.CUSTOMER, {}).get(str(code)) if code else None

    def product(self, code: object) -> RowMapping | None:
        return self.masters.get(Ref.PRODUCT, {}).get(str(code)) if code else None
