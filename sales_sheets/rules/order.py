"""Order rules: prices against the price list, overdue customers (unless a standing approval
of the month covers the order) and credit limits.

They read what `derive` filled in (line amounts, the order total) and set nothing; on a document
that was not derived, the checks that need those values find nothing to check.
"""

from __future__ import annotations

from ..forms.form import Document
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context, Row
from .quote import quoted_lines


def check_order(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, ("quantity", "unit_price"))
    customer = ctx.customer(doc.header["customer_code"])
    covered, quoted = quoted_lines(doc, ctx, customer) if customer else (set(), [])
    problems += _lines(doc, ctx, covered)
    problems += quoted
    salesperson = doc.header["salesperson"]
    if customer and salesperson and customer["salesperson"] != salesperson:
        problems.append(problem(
            "not_assigned_salesperson", Severity.WARNING, **doc.at_header("salesperson"),
            value=salesperson, customer=customer["code"], assigned=customer["salesperson"]))
    order_date = doc.header["order_date"]
    if customer and order_date and not any(p.severity is Severity.ERROR for p in problems):
        problems += _customer_holds(doc, ctx, customer)
    return problems


def _lines(doc: Document, ctx: Context, quoted: set[int]) -> list[Problem]:
    """Amounts, floor and list prices; a line its quotation covers (the rows `quoted`) was
    approved at its price with the quotation."""
    problems: list[Problem] = []
    approved = bool(doc.header.get("price_approval_no"))
    for line in doc.lines:
        values = line.values
        quantity, price = values["quantity"], values["unit_price"]
        if quantity is None or price is None:
            continue
        amount, entered = (line.derived or {}).get("amount"), values.get("amount")
        if entered is not None and amount is not None and entered != amount:
            problems.append(problem("amount_mismatch", Severity.WARNING,
                                    **doc.at_line("amount", line), value=entered, expected=amount))
        product = ctx.product(values["product_code"])
        if product is None or price <= 0:
            continue
        floor = product["floor_price"]
        if floor is not None and price < floor:
            problems.append(problem("price_below_floor", **doc.at_line("unit_price", line),
                                    value=price, floor_price=floor))
        elif price < product["list_price"] and not approved and line.row not in quoted:
            problems.append(problem("price_below_list", Severity.HOLD,
                                    **doc.at_line("unit_price", line), value=price,
                                    list_price=product["list_price"]))
    return problems


def _customer_holds(doc: Document, ctx: Context, customer: Row) -> list[Problem]:
    problems: list[Problem] = []
    as_of = doc.header["order_date"]
    position = ctx.position(customer, as_of, str(doc.header["order_no"]))
    limit, total = customer["credit_limit"], doc.derived.get("total")
    if position.overdue > 0 and not doc.header.get("overdue_approval_no"):
        standing = ctx.standing(customer["code"], f"{as_of:%Y-%m}", str(doc.header["order_no"]))
        if standing and total is not None and standing.used + total <= standing.cap:
            problems.append(problem("standing_approval_used", Severity.WARNING,
                                    **doc.at_header("customer_code"), value=customer["code"],
                                    overdue=position.overdue, approval=standing.approval_no,
                                    used=standing.used + total, cap=standing.cap))
        else:
            problems.append(problem("customer_overdue", Severity.HOLD,
                                    **doc.at_header("customer_code"), value=customer["code"],
                                    overdue=position.overdue, as_of=as_of))
    if limit is not None and total is not None and position.outstanding + total > limit:
        problems.append(problem("credit_limit_exceeded", Severity.HOLD,
                                **doc.at_header("customer_code"), value=customer["code"],
                                balance=position.outstanding, amount=total, limit=limit))
    return problems
