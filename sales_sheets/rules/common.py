"""Rules every kind shares: codes must exist, line keys must not repeat."""

from __future__ import annotations

from ..forms.form import Document
from ..forms.kinds import Ref
from ..problems import Problem, problem, problems_in_column
from .context import Context

UNKNOWN = {
    Ref.CUSTOMER: "unknown_customer",
    Ref.PRODUCT: "unknown_product",
    Ref.SALESPERSON: "unknown_salesperson",
}


def check_references(doc: Document, ctx: Context) -> list[Problem]:
    problems: list[Problem] = []
    for f in doc.kind.header:
        value = doc.header.get(f.key)
        if f.ref and value and str(value) not in ctx.known(f.ref):
            problems.append(problem(UNKNOWN[f.ref], **doc.at_header(f.key), value=value))
    for f in doc.kind.columns:
        if not f.ref or f.key not in doc.columns:
            continue
        known = ctx.known(f.ref)
        if set(doc.column(f.key)) - {None} <= known.keys():
            continue
        cell = doc.form.cell
        problems += problems_in_column(
            UNKNOWN[f.ref], sheet=doc.sheet, field=f,
            found=((cell(f.key, line.row), value) for line in doc.lines
                   if (value := line.values[f.key]) and value not in known))
    return problems


def check_line_keys(doc: Document) -> list[Problem]:
    keys = [k for k in doc.kind.line_key if k in doc.columns]
    if not keys:
        return []
    all_keys = list(zip(*map(doc.column, keys), strict=True))
    if len(set(all_keys)) == len(all_keys):
        return []
    seen: dict[tuple[object, ...], int] = {}
    problems: list[Problem] = []
    for line in doc.lines:
        key = tuple(line.values[k] for k in keys)
        if all(v is None for v in key):
            continue
        if key in seen:
            shown = " / ".join(str(v) for v in key if v is not None)
            problems.append(problem("duplicate_line", **doc.at_line(keys[0], line),
                                    value=shown, other_row=seen[key]))
        else:
            seen[key] = line.row
    return problems


def check_positive(doc: Document, keys: tuple[str, ...], allow_zero: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    detail = "≥ 0" if allow_zero else "> 0"
    present = [k for k in keys if k in doc.columns]
    lowest = min((min(values) for k in present
                  if (values := [v for v in doc.column(k) if v is not None])), default=None)
    if lowest is None or (lowest >= 0 if allow_zero else lowest > 0):
        return []
    for line in doc.lines:
        for key in keys:
            value = line.values.get(key)
            if value is not None and (value < 0 if allow_zero else value <= 0):
                problems.append(problem("range", **doc.at_line(key, line), value=value,
                                        detail=detail))
    return problems
