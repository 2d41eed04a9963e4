"""Deriving what a form leaves to us, before validation and apart from it.

An order's lines get the product's name, spec and unit where the form leaves them blank, the
product's tax rate and their amount recomputed as quantity × unit price; the order and a return
get their total; a product without a tax rate gets the default one; an approval form the id of
the document it decides. Derived values go into the document's `derived` fields, never over what
was entered: validation compares the two (an entered amount against the recomputed one) and
storing keeps the derived ones.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..forms.form import Document, Line
from ..forms.normalize import CENT
from .context import Context

DEFAULT_TAX_RATE = Decimal("0.13")

_FROM_PRODUCT = (("product_name", "name"), ("spec", "spec"), ("unit", "unit"))


def derive(doc: Document, ctx: Context) -> Document:
    """A copy of `doc` with what its kind derives; `doc` itself is left as it was read. Kinds
    that derive nothing come back as they are."""
    own = doc.kind.derive
    return own(doc, ctx) if own is not None else doc


def line_amount(quantity: Decimal | None, price: Decimal | None) -> Decimal | None:
    """Quantity × unit price in cents, half up; None when either is missing."""
    if quantity is None or price is None:
        return None
    return (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)


def derive_order(doc: Document, ctx: Context) -> Document:
    lines: list[Line] = []
    total = Decimal("0.00")
    for line in doc.lines:
        values = line.values
        product = ctx.product(values["product_code"])
        derived: dict[str, Any] = {"tax_rate": (
            product["tax_rate"] if product and product["tax_rate"] is not None
            else DEFAULT_TAX_RATE)}
        if product:
            derived.update((key, product[master]) for key, master in _FROM_PRODUCT
                           if not values.get(key))
        amount = line_amount(values["quantity"], values["unit_price"])
        if amount is not None:
            derived["amount"] = amount
            total += amount
        lines.append(Line(line.row, values, derived))
    return replace(doc, lines=lines, derived={"total": total, **_quote_approval(doc, ctx)})


def _quote_approval(doc: Document, ctx: Context) -> dict[str, str]:
    """The approval of the quotation an order follows (its number when it needed none), where
    the quotation serves the order; recorded on the order and printed on its contract."""
    number, day = doc.header.get("quote_no"), doc.header.get("order_date")
    customer = ctx.customer(doc.header.get("customer_code"))
    if not number or day is None or customer is None:
        return {}
    terms = ctx.quote_terms(str(number), str(doc.header.get("order_no") or ""))
    if terms is None or terms.refusal(customer, day):
        return {}
    return {"quote_approval": terms.approval or terms.quote_no}


def derive_return(doc: Document, ctx: Context) -> Document:
    amounts = (line_amount(line.values.get("quantity"), line.values.get("unit_price"))
               for line in doc.lines)
    total = sum((a for a in amounts if a is not None), Decimal("0.00"))
    return replace(doc, derived={"total": total})


def derive_approval(doc: Document, ctx: Context) -> Document:
    """The stored document a decision names: its newest version (the rules then check that it
    is the one the form was written for, and held)."""
    number = doc.header.get("document_no")
    if doc.header.get("approval_type") != "document" or not number:
        return doc
    latest = ctx.latest(str(number))
    if latest is None:
        return doc
    return replace(doc, derived={**doc.derived, "target_document_id": latest["id"]})


def derive_products(doc: Document, ctx: Context) -> Document:
    lines = [Line(line.row, line.values, {"tax_rate": DEFAULT_TAX_RATE})
             if line.values.get("tax_rate") is None else line for line in doc.lines]
    return replace(doc, lines=lines)



def derive_statement_reply(doc: Document, ctx: Context) -> Document:
    """A 对账回函 with the figures of the statement it answers: our closing balance, the
    customer's (ours when they agreed) and the difference, theirs − ours. Nothing when the
    statement is unknown: the rules reject the reply."""
    number = doc.header.get("statement_no")
    issued = ctx.issued_statement(str(number)) if number else None
    if issued is None:
        return doc
    ours: Decimal = issued["closing"]
    entered = doc.header.get("customer_balance")
    theirs = entered if doc.header.get("reply") == "disputed" and entered is not None else ours
    return replace(doc, derived={"our_balance": ours, "their_balance": theirs,
                                 "difference": theirs - ours})
