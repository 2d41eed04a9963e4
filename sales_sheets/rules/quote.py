"""The rules of a 报价单 (quotation): for a customer or a prospect, valid from its date, every
price at or above the product's floor; with `[approvals] quote` every quotation waits for
that approval (the general manager signs every formal quotation), without it a price below list
waits for a price approval, as on an order: an order on the quotation is not held for price
again, so what it quotes below list must have been approved once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..forms.form import Document, Line
from ..problems import Problem, Severity, problem
from .common import check_positive
from .context import Context, Row
from .derive import line_amount

_FROM_PRODUCT = (("product_name", "name"), ("spec", "spec"), ("unit", "unit"),
                 ("list_price", "list_price"))


def derive_quote(doc: Document, ctx: Context) -> Document:
    """Each line with its product's name, spec, unit and list price, and its amount; the
    quotation's total."""
    lines: list[Line] = []
    total = Decimal("0.00")
    for line in doc.lines:
        product = ctx.product(line.values["product_code"])
        derived: dict[str, Any] = {}
        if product:
            derived.update((key, product[master]) for key, master in _FROM_PRODUCT)
        amount = line_amount(line.values["quantity"], line.values["unit_price"])
        if amount is not None:
            derived["amount"] = amount
            total += amount
        lines.append(Line(line.row, line.values, derived))
    return replace(doc, lines=lines, derived={"total": total})


def check_quote(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    problems = check_positive(doc, ("quantity", "unit_price"))
    if not header.get("customer_code") and not header.get("prospect_name"):
        problems.append(problem("quote_customer_or_prospect", **doc.at_header("customer_code")))
    quoted, valid = header.get("quote_date"), header.get("valid_until")
    if quoted is not None and valid is not None and valid < quoted:
        problems.append(problem("valid_before_quoted", **doc.at_header("valid_until"),
                                value=valid, quoted=quoted))
    for line in doc.lines:
        product, price = ctx.product(line.values["product_code"]), line.values["unit_price"]
        floor = product["floor_price"] if product else None
        if floor is not None and price is not None and 0 < price < floor:
            problems.append(problem("price_below_floor", **doc.at_line("unit_price", line),
                                    value=price, floor_price=floor))
    approvers = ctx.approvals.quote if ctx.approvals else ()
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    if approvers:
        problems.append(problem("quote_needs_approval", Severity.HOLD,
                                **doc.at_header("quote_no"), value=header.get("quote_no"),
                                approvers=", ".join(approvers)))
        return problems
    for line in doc.lines:
        product, price = ctx.product(line.values["product_code"]), line.values["unit_price"]
        if product and price is not None and price < product["list_price"]:
            problems.append(problem("price_below_list", Severity.HOLD,
                                    **doc.at_line("unit_price", line), value=price,
                                    list_price=product["list_price"]))
    return problems


def quoted_lines(doc: Document, ctx: Context, customer: Row) -> tuple[set[int], list[Problem]]:
    """The rows of the order's lines that its quotation covers (its product at no less than the
    quoted price, and with `[quotes] single_use` within the quantity not yet taken), and why the
    quotation serves none or not all of them."""
    number = doc.header.get("quote_no")
    day = doc.header.get("order_date")
    if not number or day is None:
        return set(), []
    terms = ctx.quote_terms(str(number), str(doc.header.get("order_no") or ""))
    at = doc.at_header("quote_no")
    if terms is None:
        return set(), [problem("unknown_quote", Severity.WARNING, **at, value=number)]
    refused = terms.refusal(customer, day)
    if refused:
        return set(), [problem(refused, Severity.WARNING, **at, value=number,
                               valid_until=terms.valid_until)]
    left = dict(terms.quantities)
    for product, quantity in terms.taken.items():
        left[product] = left.get(product, Decimal(0)) - quantity
    covered: set[int] = set()
    problems: list[Problem] = []
    for line in doc.lines:
        product, price = line.values["product_code"], line.values["unit_price"]
        quantity = line.values["quantity"]
        quoted = terms.prices.get(str(product))
        if quoted is None or price is None or quantity is None or price < quoted:
            continue
        if ctx.quotes.single_use:
            if quantity > left.get(str(product), Decimal(0)):
                problems.append(problem("quote_used_up", Severity.WARNING,
                                        **doc.at_line("quantity", line), value=quantity,
                                        left=max(left.get(str(product), Decimal(0)),
                                                 Decimal(0)), quote_no=number))
                continue
            left[str(product)] -= quantity
        covered.add(line.row)
    return covered, problems
