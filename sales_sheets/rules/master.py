"""Master data rules: sensible limits and prices."""

from __future__ import annotations

from ..forms.form import Document
from ..problems import Problem, problem
from .common import check_positive
from .context import Context


def check_customers(doc: Document, ctx: Context) -> list[Problem]:
    return check_positive(doc, ("credit_limit", "payment_days"), allow_zero=True)


def check_products(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, ("list_price",))
    problems += check_positive(doc, ("floor_price",), allow_zero=True)
    for line in doc.lines:
        values = line.values
        floor, price = values.get("floor_price"), values.get("list_price")
        if floor is not None and price is not None and floor > price:
            problems.append(problem("range", **doc.at_line("floor_price", line), value=floor,
                                    detail=f"≤ {price}"))
    return problems
