"""Receipt and return rules: unique references, orders that exist, no over-returning."""

from __future__ import annotations

from decimal import Decimal

from ..forms.form import Document
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context


def check_receipts(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, ("amount",))
    taken = ctx.taken_references(map(str, filter(None, doc.column("reference"))))
    named = list(map(str, filter(None, doc.column("order_no"))))
    if not taken and not named:  # nothing below could find a problem: skip the walk
        return problems
    owners = ctx.orders_of(named) if named else {}
    for line in doc.lines:
        values = line.values
        if values.get("reference") in taken:
            problems.append(problem("duplicate_reference", **doc.at_line("reference", line),
                                    value=values["reference"]))
        order_no = values.get("order_no")
        if not order_no:
            continue
        if order_no not in owners:
            problems.append(problem("unknown_order", **doc.at_line("order_no", line),
                                    value=order_no))
        elif values.get("customer_code") and owners[str(order_no)] != values["customer_code"]:
            problems.append(problem("order_customer_mismatch", **doc.at_line("order_no", line),
                                    value=order_no, expected=owners[str(order_no)]))
    return problems


def check_return(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, ("quantity", "unit_price"))
    header = doc.header
    if header.get("return_no") and ctx.current(doc.kind.name, str(header["return_no"])):
        problems.append(problem("duplicate_return", **doc.at_header("return_no"),
                                value=header["return_no"]))
    order_no = header.get("order_no")
    if not order_no:
        return problems
    owner = ctx.orders_of([str(order_no)]).get(str(order_no))
    if owner is None:
        return [*problems, problem("unknown_order", **doc.at_header("order_no"), value=order_no)]
    if header.get("customer_code") and owner != header["customer_code"]:
        problems.append(problem("order_customer_mismatch", **doc.at_header("order_no"),
                                value=order_no, expected=owner))
    left = ctx.returnable(str(order_no))
    for line in doc.lines:
        code, quantity = line.values.get("product_code"), line.values.get("quantity")
        if not code or quantity is None:
            continue
        if code not in left:
            problems.append(problem("product_not_on_order", **doc.at_line("product_code", line),
                                    value=code, order_no=order_no))
        elif quantity > left[str(code)]:
            problems.append(problem("return_exceeds_order", **doc.at_line("quantity", line),
                                    value=quantity, available=left[str(code)]))
            left[str(code)] = Decimal(0)
        else:
            left[str(code)] -= quantity
    approvers = ctx.approvals.returns if ctx.approvals else ()
    if approvers and not any(p.severity is Severity.ERROR for p in problems):
        problems.append(problem("return_needs_approval", Severity.HOLD,
                                **doc.at_header("return_no"), value=header.get("return_no"),
                                approvers=", ".join(approvers)))
    return problems
