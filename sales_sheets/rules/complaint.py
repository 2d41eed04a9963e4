"""The rules of a 客户投诉 (customer complaint): the order it names is the customer's, it is
resolved no earlier than it was received and with a resolution, and the 回访's satisfaction is
a score from 1 to 5. Its due date, where the form gives none, follows its severity."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ..forms.form import Document
from ..problems import Problem, problem
from .context import Context

SATISFACTION = range(1, 6)


def derive_complaint(doc: Document, ctx: Context) -> Document:
    """The complaint with its due date: the form's, else the day received plus the days of its
    severity (`[complaints.days]`)."""
    header = doc.header
    received = header.get("received_on")
    if header.get("due_on") is not None or received is None:
        return doc
    days = ctx.complaints.days_for(str(header.get("severity") or ""))
    return replace(doc, derived={**doc.derived, "due_on": received + timedelta(days=days)})


def check_complaint(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    problems: list[Problem] = []
    received, resolved = header.get("received_on"), header.get("resolved_on")
    if resolved is not None and not header.get("resolution"):
        problems.append(problem("resolution_required", **doc.at_header("resolution")))
    if resolved is not None and received is not None and resolved < received:
        problems.append(problem("resolved_before_received", **doc.at_header("resolved_on"),
                                value=resolved, received=received))
    due = header.get("due_on")
    if due is not None and received is not None and due < received:
        problems.append(problem("due_before_received", **doc.at_header("due_on"), value=due,
                                received=received))
    score = header.get("satisfaction")
    if score is not None and score not in SATISFACTION:
        problems.append(problem("satisfaction_out_of_range", **doc.at_header("satisfaction"),
                                value=score))
    order_no, customer = header.get("order_no"), header.get("customer_code")
    if order_no:
        owner = ctx.orders_of([str(order_no)]).get(str(order_no))
        if owner is None:
            problems.append(problem("unknown_order", **doc.at_header("order_no"),
                                    value=order_no))
        elif customer and owner != customer:
            problems.append(problem("order_customer_mismatch", **doc.at_header("order_no"),
                                    value=order_no, expected=owner))
    return problems
