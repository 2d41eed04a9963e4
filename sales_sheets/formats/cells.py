"""Writing user text safely with openpyxl: a string is always a string, never a formula."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell


def printable(text: str) -> str:
    """Control characters (a barcode scanner's \x03, say) cannot be stored in xlsx."""
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def set_text(cell: Cell, text: str) -> None:
    # openpyxl turns any str starting with "=" into a formula; user text must stay text.
    cell.value = printable(text)
    cell.data_type = "s"


def set_value(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
