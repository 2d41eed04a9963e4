"""The formal 报价单 (quotation) for the customer: one per accepted quotation version (once the
general manager approved it, where `[approvals] quote` asks for that), rendered from the ledger
through `templates/quote.docx`, sandboxed like the contract, and a PDF beside it when
`[documents] pdf` is on. The same ledger gives the same bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..forms.kinds import Ref
from ..ledger import Books
from ..paths import inside
from ..workspace import Workspace
from .capitals import format_money, rmb_capitals
from .default_templates import QUOTE_VARIABLES, write_quote_template
from .formatting import show_date, show_quantity
from .parties import seller_fields
from .pdf import request_pdf
from .render import WorkspaceTemplate, render_docx

QUOTE_TEMPLATE = WorkspaceTemplate("quote.docx", QUOTE_VARIABLES, write_quote_template)


@dataclass(frozen=True)
class QuoteFacts:
    """One stored quotation version and the template's variables for it."""

    quote: Mapping[Any, Any]
    context: dict[str, Any]


def quote_path(workspace: Workspace, party: str, quote_no: str, version: int) -> Path:
    """outbox/quotes/<customer code or prospect>/<quote_no>.docx; a later version adds
    -r<version>."""
    name = quote_no if version == 1 else f"{quote_no}-r{version}"
    return inside(workspace.outbox, "quotes", party, f"{name}.docx")


def quote_facts(workspace: Workspace, books: Books, document_id: int) -> QuoteFacts:
    """The stored quotation `document_id` with its lines, and what its template shows."""
    quote, lines = books.quote_version(document_id)
    if quote is None:
        raise UsageError(f"no quotation is stored under document {document_id}")
    return QuoteFacts(quote, quote_context(workspace, books, quote, lines))


def quote_context(workspace: Workspace, books: Books, quote: Mapping[Any, Any],
                  lines: Sequence[Mapping[Any, Any]]) -> dict[str, Any]:
    language = workspace.language
    customer = (books.master_record(Ref.CUSTOMER, quote["customer_code"])
                if quote["customer_code"] else None)
    person = books.master_record(Ref.SALESPERSON, quote["salesperson"])
    seller = seller_fields(workspace.settings.company)
    buyer = {"name": customer["name"] if customer else quote["prospect_name"] or "",
             "code": quote["customer_code"] or "",
             "contact": (customer["contact"] or "") if customer else "",
             "phone": (customer["phone"] or "") if customer else ""}
    return {
        "seller": seller,
        "buyer": buyer,
        "quote": {
            "no": quote["quote_no"], "date": show_date(quote["quote_date"], language),
            "valid_until": show_date(quote["valid_until"], language),
            "delivery_terms": quote["delivery_terms"] or "",
            "payment_terms": quote["payment_terms"] or "", "remarks": quote["remarks"] or "",
            "salesperson_name": person["name"] if person else quote["salesperson"],
            "approval": quote["approval"] or "",
        },
        "lines": [{"no": n, "product_code": line["product_code"],
                   "product_name": line["product_name"] or "", "spec": line["spec"] or "",
                   "unit": line["unit"] or "", "quantity": show_quantity(line["quantity"]),
                   "unit_price": format_money(line["unit_price"]),
                   "amount": format_money(line["amount"]), "remark": line["remark"] or ""}
                  for n, line in enumerate(lines, start=1)],
        "totals": {"total": format_money(quote["total"]),
                   "total_capitals": rmb_capitals(quote["total"])},
    }


def write_quote(workspace: Workspace, facts: QuoteFacts) -> Path:
    """Render the formal quotation of one stored version; returns the .docx path."""
    quote = facts.quote
    target = quote_path(workspace, quote["customer_code"] or quote["prospect_name"] or "",
                        quote["quote_no"], quote["version"])
    render_docx(QUOTE_TEMPLATE.ensure(workspace), facts.context, target)
    request_pdf(workspace, target)
    return target
