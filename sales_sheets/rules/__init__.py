"""Deriving what a form leaves to us (`derive`), then validation (`validate`): the shared rules,
then the kind's own. Validation only reads the document, and never raises for bad data.

May import: forms, ledger (to look up master data and balances) and the foundation modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..forms.form import Document
from ..problems import Problem, Severity
from .access import check_access
from .approval import check_approval
from .common import check_line_keys, check_references
from .context import Context
from .derive import derive
from .master import check_customers, check_products
from .order import check_order
from .payments import check_receipts, check_return
from .plan import check_plan
from .visit import check_visit

Rule = Callable[[Document, Context], list[Problem]]

KIND_RULES: dict[str, Rule] = {
    "order": check_order,
    "visit": check_visit,
    "plan": check_plan,
    "receipt": check_receipts,
    "return": check_return,
    "customers": check_customers,
    "products": check_products,
    "approval": check_approval,
}


def validate(doc: Document, ctx: Context, found: list[Problem]) -> list[Problem]:
    """All problems of a normalised document, `found` (reading and typing) included. Give it
    the document `derive` returned: the rules compare entered values with derived ones."""
    access = check_access(doc, ctx)
    if access:
        return found + access
    problems = found + check_references(doc, ctx) + check_line_keys(doc)
    rule = KIND_RULES.get(doc.kind.name)
    if rule is not None:
        problems += rule(doc, ctx)
    return sorted(problems, key=_order)


_RANK = {Severity.ERROR: 0, Severity.HOLD: 1, Severity.WARNING: 2}


_ROW = re.compile(r"\d+")


def _order(p: Problem) -> tuple[int, str, int, str]:
    row = _ROW.search(p.cell)  # a file with 100,000 wrong lines sorts 100,000 of these
    return (_RANK[p.severity], p.sheet, int(row[0]) if row else 0, p.cell)


__all__ = ["Context", "derive", "validate"]
