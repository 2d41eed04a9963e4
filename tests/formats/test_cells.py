"""User text written through openpyxl stays text: never a formula, never an illegal character."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import IllegalCharacterError
from python_calamine import CalamineWorkbook

from sales_sheets.formats.cells import printable, set_text, set_value


def test_text_that_looks_like_a_formula_is_stored_as_a_string(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    set_text(sheet["A1"], "=HYPERLINK(\"http://x\",\"点我\")")
    set_value(sheet["A2"], "=1+2")
    set_value(sheet["A3"], 3)
    book.save(tmp_path / "t.xlsx")
    again = openpyxl.load_workbook(tmp_path / "t.xlsx")
    cells = [again.active[ref] for ref in ("A1", "A2", "A3")]
    assert [c.data_type for c in cells] == ["s", "s", "n"]
    # calamine, which reads cached values only, sees the text itself: no formula to compute
    rows = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_index(0).to_python()
    assert [r[0] for r in rows] == ["=HYPERLINK(\"http://x\",\"点我\")", "=1+2", 3.0]


def test_control_characters_become_a_replacement_mark() -> None:
    assert printable("SO\x03-1\x00") == "SO\ufffd-1\ufffd"
    assert printable("订单\t备注\n第二行") == "订单\t备注\n第二行"


def test_the_characters_replaced_are_the_ones_openpyxl_refuses() -> None:
    every = "".join(map(chr, range(0x20000)))
    assert printable(every) == ILLEGAL_CHARACTERS_RE.sub("\ufffd", every)
    for illegal in map(chr, range(0x20)):
        if illegal not in "\t\n\r":
            sheet = openpyxl.Workbook().active
            with pytest.raises(IllegalCharacterError):
                sheet["A1"] = f"x{illegal}"
