"""Marking an xlsx by editing its package: what openpyxl reads back from the result."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
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


def test_new_sheets_add_their_texts_to_the_shared_strings_the_workbook_has(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.xlsx"
    book = xlsxwriter.Workbook(source)  # writes a shared-string table, as Excel does
    sheet = book.add_worksheet("S")
    sheet.write("A1", "one")
    sheet.write("A2", "two")
    sheet.write("B2", "one")
    book.close()
    edit = XlsxEdit(source)
    edit.mark("S", {"A2": RED}, {})
    rows = [[("two", 0), ("S!A2", 0), ("", 0), ("x & <y>", 0)]] * 3 + [[(" new ", 0)]]
    edit.add_sheet(NewSheet("List", rows, first=True))
    edit.save(tmp_path / "out.xlsx")

    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert [c.value for c in book["S"]["A1:B2"][1]] == ["two", "one"]
    assert book["S"]["A1"].value == "one" and book["S"]["A2"].fill.start_color.rgb == f"FF{RED}"
    listing = list(book["List"].iter_rows(values_only=True))
    assert listing == [("two", "S!A2", None, "x & <y>")] * 3 + [(" new ", None, None, None)]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        table = package.read("xl/sharedStrings.xml").decode()
    # "one", "two", then the new texts once each ("two" again: the old ones are not looked
    # up, only counted); 3 cells referred to the table, 10 more do now
    assert table.count("<si>") == 6 and 'uniqueCount="6"' in table and 'count="13"' in table


def test_a_workbook_without_shared_strings_gets_a_table_for_its_new_sheet(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.xlsx"
    book = xlsxwriter.Workbook(source)  # numbers only: no shared-string table
    book.add_worksheet("S").write("A1", 5)
    book.close()
    edit = XlsxEdit(source)
    edit.add_sheet(NewSheet("List", [[("a", 0), ("b", 0)], [("a", 0)]]))
    edit.save(tmp_path / "out.xlsx")

    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book["S"]["A1"].value == 5
    assert list(book["List"].iter_rows(values_only=True)) == [("a", "b"), ("a", None)]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as package:
        table = package.read("xl/sharedStrings1.xml").decode()
        types = package.read("[Content_Types].xml").decode()
    assert table.count("<si>") == 2 and 'uniqueCount="2"' in table and 'count="3"' in table
    assert 'PartName="/xl/sharedStrings1.xml"' in types
