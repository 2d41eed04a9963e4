"""The cell formats of the summary workbook: one per kind of value and variant of row."""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.format import Format

FONT = {"font_name": "微软雅黑", "font_size": 10}
_NUM_FORMATS = {"money": "#,##0.00", "price": "#,##0.00##", "int": "#,##0", "pct": "0.0%",
                "date": "yyyy-mm-dd"}
_VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "total": {"bold": True, "bg_color": "#F2F2F2", "top": 2},
    "held": {"bg_color": "#FFF2CC"},
    "superseded": {"font_color": "#808080", "italic": True},
    "alert": {"font_color": "#C00000"},
}


VALUE_TYPES = ("text", "int", "money", "price", "qty", "pct", "date")  # see columns.py


class Styles:
    """The workbook's formats, made once each; data cells need their style index.

    The plain format of every kind is numbered first, in the order of VALUE_TYPES: so any two
    workbooks agree on those numbers, and rows rendered in another process (明细, see
    details.py) can use them without seeing this workbook."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self._formats: dict[tuple[str, str], Format] = {}
        for kind in VALUE_TYPES:
            self.index(kind)
        self.title = book.add_format({**FONT, "bold": True, "font_size": 14})
        self.info = book.add_format({**FONT, "font_size": 9, "font_color": "#595959"})
        self.bold = book.add_format({**FONT, "bold": True})
        self.head = book.add_format({**FONT, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "align": "center",
                                     "valign": "vcenter"})

    def format(self, kind: str, variant: str = "plain") -> Format:
        key = (kind, variant)
        if key not in self._formats:
            properties: dict[str, Any] = {**FONT, "border": 1, "border_color": "#A6A6A6",
                                          "valign": "top"}
            if kind in _NUM_FORMATS:
                properties["num_format"] = _NUM_FORMATS[kind]
            if kind == "date":
                properties["align"] = "center"
            if variant == "wrap":
                properties["text_wrap"] = True
            elif variant == "label":
                properties["bold"] = True
            else:
                properties.update(_VARIANTS[variant])
            self._formats[key] = self.book.add_format(properties)
        return self._formats[key]

    def index(self, kind: str, variant: str = "plain") -> int:
        # The number xlsxwriter itself puts in a cell's s="" for this format. It is handed out
        # on first use and kept; styles.xml lists every format that has one. xlsxwriter has no
        # public name for it: `_get_xf_index` is fenced by the upper bound on xlsxwriter in
        # pyproject.toml and checked by tests/test_private_apis.py.
        return int(self.format(kind, variant)._get_xf_index())
