"""Writing user text safely with openpyxl: a string is always a string, never a formula."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

# openpyxl's ILLEGAL_CHARACTERS_RE (tests/formats/test_cells.py compares them), kept here so
# that marking a workbook through the package editor does not import openpyxl.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def printable(text: str) -> str:
    """Control characters (a barcode scanner's \x03, say) cannot be stored in xlsx."""
    return _ILLEGAL_CHARACTERS.sub("\ufffd", text)


def set_text(cell: Cell, text: str) -> None:
    # openpyxl turns any str starting with "=" into a formula; user text must stay text.
    cell.value = printable(text)
    cell.data_type = "s"


def set_value(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
