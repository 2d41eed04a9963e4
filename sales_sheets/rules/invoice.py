"""开票登记: an invoice registered from a returned 开票通知单 follows an accepted order, and all
its invoices together stay within the order's total less its returns."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..forms.form import Document
from ..problems import Problem, problem
from ..status import Status
from .context import Context
from .order_state import OrderState, order_standing_problem

_ZERO = Decimal("0.00")


def _followed(doc: Document, ctx: Context) -> OrderState | None:
    order_no = doc.header.get("order_no")
    return ctx.order_state(str(order_no)) if order_no else None


def _remaining(doc: Document, ctx: Context, state: OrderState) -> tuple[Decimal, Decimal]:
    """What the other invoices of the order add up to, and what is left to invoice. A new
    version of this invoice replaces the old one: the old one's amount is not counted."""
    invoiced = ctx.invoiced(state.order_no, leaving_out=str(doc.header.get("invoice_no") or ""))
    return invoiced, state.net - invoiced


def derive_invoice(doc: Document, ctx: Context) -> Document:
    """The amount registered (the amount entered, or else what is left to invoice on the
    order) and the order version invoiced; nothing when the order cannot be invoiced (the
    rules then say why, and nothing is stored)."""
    state = _followed(doc, ctx)
    if state is None or state.status is not Status.ACCEPTED:
        return doc
    entered = doc.header.get("invoice_amount")
    derived: dict[str, Any] = {"order_document_id": state.document_id}
    derived["amount"] = entered if entered is not None else _remaining(doc, ctx, state)[1]
    return replace(doc, derived={**doc.derived, **derived})


def check_invoice(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    order_no, invoice_no = header.get("order_no"), header.get("invoice_no")
    problems: list[Problem] = []
    if header.get("invoice_amount") is not None and header["invoice_amount"] <= 0:
        problems.append(problem("range", **doc.at_header("invoice_amount"),
                                value=header["invoice_amount"], detail="> 0"))
    if invoice_no:
        # One number is one VAT invoice: for the same order it is a correction (a new
        # version), for another order a number used twice.
        registered = ctx.invoice_order(str(invoice_no))
        if registered is not None and registered != order_no:
            problems.append(problem("duplicate_invoice", **doc.at_header("invoice_no"),
                                    value=invoice_no, order_no=registered))
    if not order_no:
        return problems
    state = ctx.order_state(str(order_no))
    if state is None:
        return [*problems, problem("unknown_order", **doc.at_header("order_no"),
                                   value=order_no)]
    standing = order_standing_problem(state, header.get("order_version"),
                                      doc.at_header("order_no"))
    if standing is not None:
        return [*problems, standing]
    if header.get("customer_code") and header["customer_code"] != state.customer_code:
        problems.append(problem("order_customer_mismatch", **doc.at_header("customer_code"),
                                value=order_no, expected=state.customer_code))
    invoiced_on = header.get("invoiced_on")
    if invoiced_on is not None and invoiced_on < state.order_date:
        problems.append(problem("invoice_before_order", **doc.at_header("invoiced_on"),
                                value=invoiced_on, order_date=state.order_date))
    problems += _over_invoiced(doc, ctx, state)
    return problems


def _over_invoiced(doc: Document, ctx: Context, state: OrderState) -> list[Problem]:
    invoiced, remaining = _remaining(doc, ctx, state)
    entered = doc.header.get("invoice_amount")
    amount = entered if entered is not None else remaining
    # Left empty, the invoice is for the rest: an order with nothing left has no rest.
    if amount <= remaining and amount > 0:
        return []
    if entered is not None and entered <= 0:
        return []  # said above: not a positive amount
    where = "invoice_amount" if entered is not None else "invoice_no"
    return [problem("over_invoiced", **doc.at_header(where), value=amount,
                    remaining=max(remaining, _ZERO), order_no=state.order_no, total=state.total,
                    returned=state.returned, invoiced=invoiced)]
