"""Writing user text safely with openpyxl: a string is always a string, never a formula."""

from __future__ import annotations

from openpyxl.cell.cell import Cell


def set_text(cell: Cell, text: str) -> None:
    # openpyxl turns any str starting with "=" into a formula; user text must stay text.
    cell.value = text
    cell.data_type = "s"


def set_value(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value  # type: ignore[assignment]
