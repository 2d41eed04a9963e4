"""Formulas whose result is not in the file.

Excel stores every formula's last result beside it, and readers of values (calamine, pandas,
openpyxl with data_only) see only that. A workbook written by a script (openpyxl writing
"=B2*C2") and never saved by Excel or WPS has the formula alone, so those readers see a blank
where the person sees a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .ooxml import sheet_parts
from .package import PackageReader

# A cell whose content starts with a formula (<f>…</f> or a shared <f …/>), and its cached
# value if any (ECMA-376 18.3.1.4: f, then v).
_FORMULA_CELL = re.compile(
    rb"<c\b([^>]*?)>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(<v\s*/>|<v>([^<]*)</v>)?")
_REF = re.compile(rb'\br="([A-Z]{1,3}\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')


def uncalculated(path: Path, cells: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of `cells` ((sheet, ref) pairs, in an xlsx) that hold a formula with no result.

    A formula whose result is an empty text (`=""`, saved by Excel with t="str") has its
    result, an empty one: it is not counted."""
    wanted: dict[str, set[str]] = {}
    for sheet, ref in cells:
        wanted.setdefault(sheet, set()).add(ref)
    found: set[tuple[str, str]] = set()
    with PackageReader(path) as archive:
        parts = sheet_parts(archive)
        for sheet, refs in wanted.items():
            if sheet not in parts:
                continue
            for cell in _FORMULA_CELL.finditer(archive.read(parts[sheet])):
                reference = _REF.search(cell[1])
                if reference is None or reference[1].decode() not in refs:
                    continue
                kind = _TYPE.search(cell[1])
                empty_text = kind is not None and kind[1] == b"str" and cell[3] is not None
                if not cell[3] and not empty_text:
                    found.add((sheet, reference[1].decode()))
    return found
