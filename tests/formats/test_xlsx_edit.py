"""Marking an xlsx by editing its package: what openpyxl reads back from the result."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from sales_sheets.formats.xlsx_edit import NewSheet, Style, Unsupported, XlsxEdit

RED = "FFC7CE"


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet["A1"], sheet["B3"], sheet["E1"] = 5, "x", "own colour"
    sheet["A1"].number_format = "0.00"
    sheet["E1"].fill = PatternFill("solid", start_color="00B0F0")
    sheet.column_dimensions["D"].number_format = "yyyy-mm-dd"
    sheet.print_area = "A1:E9"  # a sheet-local name: it counts sheets by position
    sheet.sheet_view.tabSelected = True  # as Excel saves the sheet that was showing
    book.save(path)
    return path


def test_cells_there_missing_or_in_missing_rows_are_filled_and_keep_their_style(
    tmp_path: Path,
) -> None:
    edit = XlsxEdit(workbook(tmp_path / "in.xlsx"))
    cells = ("A1", "C3", "B5", "D7", "E1")
    earlier = edit.mark("S", dict.fromkeys(cells, RED), {"A1": "a note\non two lines"})
    assert earlier == {"A1": "", "C3": "", "B5": "", "D7": "", "E1": "00B0F0"}
    edit.add_sheet(NewSheet("List", [[("<&> =1+2", edit.style(Style(bold=True))),
                                      (" spaced ", 0)], [("a\x03b", 0)]],
                            links={"A2": "'S'!A1"}, freeze_header=True, first=True))
    edit.add_sheet(NewSheet("hidden", [[("x", 0)]], hidden=True))
    edit.save(tmp_path / "out.xlsx")

    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book.sheetnames == ["List", "S", "hidden"] and book.active.title == "List"
    assert not book["S"].sheet_view.tabSelected  # only the new first sheet is selected
    assert book["hidden"].sheet_state == "veryHidden"
    sheet = book["S"]
    assert all(sheet[ref].fill.start_color.rgb == f"FF{RED}" for ref in cells)
    assert sheet["A1"].value == 5 and sheet["A1"].number_format == "0.00"
    assert sheet["D7"].number_format == "yyyy-mm-dd"  # its column's style, under the colour
    assert sheet["B3"].value == "x" and sheet["B3"].fill.fill_type is None
    assert sheet["A1"].comment is not None and sheet["A1"].comment.text == "a note\non two lines"
    assert sheet["C3"].comment is None
    assert sheet.print_area == "'S'!$A$1:$E$9"
    listing = book["List"]
    assert listing["A1"].value == "<&> =1+2" and listing["A1"].data_type == "s"
    assert listing["A1"].font.b and listing["B1"].value == " spaced "
    assert listing["A2"].value == "a\ufffdb"  # a control character cannot be stored
    assert listing["A2"].hyperlink.location == "'S'!A1"
    assert listing.freeze_panes == "A2"


def test_a_sheet_with_notes_of_its_own_is_left_to_openpyxl(tmp_path: Path) -> None:
    path = workbook(tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    book["S"]["B3"].comment = Comment("mine", "someone")
    book.save(path)
    for notes in ({"A1": "ours"}, {}):  # each marked cell's note must be remembered
        with pytest.raises(Unsupported):
            XlsxEdit(path).mark("S", {"A1": RED}, notes)
