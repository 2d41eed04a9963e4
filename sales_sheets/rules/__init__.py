"""Deriving what a form leaves to us (`derive`), then validation (`validate`): the shared rules,
then the kind's own. Validation only reads the document, and never raises for bad data.

Every rule is a pure function of the document and a `Context`: what it may ask the ledger,
which answers it (ledger/context.py). A kind names its own derivation and rules in its
declaration (sales_sheets/kinds/); the functions here serve them.

May import: formats, forms and the foundation modules.
"""

from __future__ import annotations

import re

from ..forms.form import Document
from ..problems import Problem, Severity
from .access import check_access
from .common import check_line_keys, check_references
from .context import Context
from .derive import derive


def validate(doc: Document, ctx: Context, found: list[Problem]) -> list[Problem]:
    """All problems of a normalised document, `found` (reading and typing) included. Give it
    the document `derive` returned: the rules compare entered values with derived ones."""
    access = check_access(doc, ctx)
    if access:
        return found + access
    problems = found + check_references(doc, ctx) + check_line_keys(doc)
    if doc.kind.check is not None:
        problems += doc.kind.check(doc, ctx)
    return sorted(problems, key=_order)


_RANK = {Severity.ERROR: 0, Severity.HOLD: 1, Severity.WARNING: 2}


_ROW = re.compile(r"\d+")


def _order(p: Problem) -> tuple[int, str, int, str]:
    row = _ROW.search(p.cell)  # a file with 100,000 wrong lines sorts 100,000 of these
    return (_RANK[p.severity], p.sheet, int(row[0]) if row else 0, p.cell)


__all__ = ["Context", "derive", "validate"]
