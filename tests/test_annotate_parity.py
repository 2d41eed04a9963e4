"""The two roads to an annotated copy agree: editing the package (xlsx_edit) and openpyxl
(`apply_plan`) give the same values, fills and comments, cell by cell, on a corpus of
workbooks written the ways workbooks reach us (openpyxl, xlsxwriter with shared strings, our
own order template), so a difference in the fast road cannot hide behind the slow one."""

from __future__ import annotations

import logging
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import Font, PatternFill

from sales_sheets.formats.safety import Format
from sales_sheets.forms.template import write_form
from sales_sheets.intake.annotate import (
    COMMENT_LIMIT,
    apply_plan,
    plan_annotations,
    write_annotated_copy,
)
from sales_sheets.kinds import KINDS
from sales_sheets.problems import Problem, Severity, problem

Cell = tuple[object, str, str]  # value, solid fill as RRGGBB ("" for none), comment text


def _openpyxl_book(path: Path) -> tuple[Path, list[tuple[str, str]]]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "R&D"  # written escaped in workbook.xml: name="R&amp;D"
    sheet["A1"], sheet["B2"], sheet["C3"] = "客户", 12800, "=B2*2"
    sheet["B2"].number_format = "#,##0.00"
    sheet["C3"].fill = PatternFill("solid", start_color="00B0F0")
    sheet["D4"].font = Font(bold=True)
    sheet.column_dimensions["E"].width = 30
    other = book.create_sheet("第二页")
    other["A1"] = "x"
    book.save(path)
    return path, [("R&D", "A1"), ("R&D", "C3"), ("R&D", "D4"), ("R&D", "E9"),
                  ("第二页", "A1"), ("第二页", "B20")]


def _xlsxwriter_book(path: Path) -> tuple[Path, list[tuple[str, str]]]:
    book = xlsxwriter.Workbook(str(path))  # a shared-string table, as Excel writes
    sheet = book.add_worksheet("订货单")
    yellow = book.add_format({"bg_color": "#FFFF00"})
    for row in range(40):
        sheet.write_string(row, 0, f"P{row:03d}")
        sheet.write_number(row, 1, row * 1.5, yellow if row % 3 == 0 else None)
    book.close()
    return path, [("订货单", f"{column}{row}") for row in range(1, 45, 2)
                  for column in ("A", "B", "C")]


def _order_form(path: Path) -> tuple[Path, list[tuple[str, str]]]:
    write_form(path, KINDS["order"])
    return path, [("订货单", "B5"), ("订货单", "D16"), ("订货单", "F17"), ("订货单", "A30")]


def _many_marks(path: Path) -> tuple[Path, list[tuple[str, str]]]:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    for row in range(1, COMMENT_LIMIT + 60):
        sheet.cell(row, 1, f"C{row}")
    book.save(path)
    # more marks than comments: the ones beyond the limit are coloured only
    return path, [("S", f"A{row}") for row in range(1, COMMENT_LIMIT + 60)]


CORPUS = {"openpyxl": _openpyxl_book, "xlsxwriter": _xlsxwriter_book,
          "order_template": _order_form, "many_marks": _many_marks}
SEVERITIES = [Severity.ERROR, Severity.HOLD, Severity.WARNING]


def _problems(cells: list[tuple[str, str]]) -> list[Problem]:
    found = []
    for n, (sheet, cell) in enumerate(cells):
        found.append(problem("required", SEVERITIES[n % 3], sheet=sheet, cell=cell))
        if n % 4 == 0:  # two problems in one cell: one mark, the worse colour
            found.append(problem("unknown_customer", sheet=sheet, cell=cell, value="C<&>"))
    return found


def _cells(path: Path) -> dict[str, dict[str, Cell]]:
    book = openpyxl.load_workbook(path)
    found = {}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                fill = cell.fill
                rgb = (str(fill.fgColor.rgb)[-6:] if fill.fill_type == "solid"
                       and fill.fgColor.type == "rgb" else "")
                comment = cell.comment.text if cell.comment else ""
                # An empty text reads back as "" from the source's own cells and is dropped
                # by openpyxl's save: both are an empty cell.
                value = None if cell.value == "" else cell.value
                if value is not None or rgb or comment:
                    cells[cell.coordinate] = (value, rgb, comment)
        found[sheet.title] = cells
    return found


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_package_edit_and_openpyxl_mark_every_cell_alike(
        name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    original, cells = CORPUS[name](tmp_path / f"{name}.xlsx")
    plan = plan_annotations(_problems(cells), "zh")
    fast = tmp_path / "fast.xlsx"
    with caplog.at_level(logging.WARNING, logger="sales_sheets.intake.annotate"):
        write_annotated_copy(original, Format.XLSX, None, plan, fast)
    assert caplog.records == []  # the package edit made it, not the openpyxl fallback

    book = openpyxl.load_workbook(original)
    apply_plan(book, plan)
    slow = tmp_path / "slow.xlsx"
    book.save(slow)

    fast_cells, slow_cells = _cells(fast), _cells(slow)
    assert list(fast_cells) == list(slow_cells)  # the same sheets in the same order
    for sheet, expected in slow_cells.items():
        assert fast_cells[sheet] == expected, sheet
    assert openpyxl.load_workbook(fast).active.title == plan.sheet_title


def test_a_workbook_the_editor_cannot_edit_falls_back_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    original, cells = _openpyxl_book(tmp_path / "noted.xlsx")
    book = openpyxl.load_workbook(original)
    book["R&D"]["A1"].comment = openpyxl.comments.Comment("mine", "someone")
    book.save(original)
    plan = plan_annotations(_problems(cells), "en")
    with caplog.at_level(logging.WARNING, logger="sales_sheets.intake.annotate"):
        write_annotated_copy(original, Format.XLSX, None, plan, tmp_path / "out.xlsx")
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "has notes" in caplog.records[0].getMessage()
    marked = openpyxl.load_workbook(tmp_path / "out.xlsx")["R&D"]
    assert marked["C3"].fill.fgColor.rgb.endswith("FFD966")  # the second cell: a hold
