"""Defined names and tables read from the package parts of a real template, and of a workbook
written by openpyxl with names of its own."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table

from sales_sheets.formats.ooxml import read_package
from sales_sheets.forms.template import write_form
from sales_sheets.kinds import KINDS


def test_names_and_tables_of_an_order_template(tmp_path: Path) -> None:
    path = write_form(tmp_path / "order.xlsx", KINDS["order"], "zh")
    package = read_package(path)
    order = KINDS["order"]
    header_keys = {f.key for f in order.header}
    assert header_keys <= set(package.names)
    assert {sheet for sheet, _ in package.names.values()} >= {"订货单"}
    [(table, (sheet, _row, _col, labels))] = [
        (name, spec) for name, spec in package.tables.items() if name == order.table]
    assert sheet == "订货单" and table == "order_lines"
    assert len(labels) == len(order.columns)


def test_quoted_sheet_names_local_names_and_a_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "O'Brien 表"
    sheet.append(["a", "b"])
    sheet.append([1, 2])
    sheet.add_table(Table(displayName="lines", ref="A1:B2"))
    book.defined_names["order_no"] = DefinedName("order_no", attr_text="'O''Brien 表'!$C$7")
    sheet.defined_names["local_only"] = DefinedName("local_only", attr_text="'O''Brien 表'!$A$1")
    book.save(tmp_path / "n.xlsx")
    package = read_package(tmp_path / "n.xlsx")
    assert package.names == {"order_no": ("O'Brien 表", "C7")}
    assert package.tables["lines"][0] == "O'Brien 表"
    assert package.tables["lines"][3] == ["a", "b"]
