"""A formula written by a script (openpyxl writing "=B2*C2") has no result in the file until
Excel or WPS saves it: a required cell holding one is told so, not that it is empty."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.formats.formulas import uncalculated
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import codes, drop, one, order_header

LINE = {"product_code": "P001", "quantity": 1, "unit_price": "12800"}
ADVICE = {"zh": "请用 Excel 或 WPS 打开此文件并保存",
          "en": "Open the file in Excel or WPS, save it"}


def with_formulas(path: Path, language: str, formulas: dict[str, str]) -> None:
    """Write formulas into the form's sheet with openpyxl, which stores no results; a key
    that is not a cell is a header field's defined name."""
    book = openpyxl.load_workbook(path)
    sheet = book[KINDS["order"].title(language)[:31]]
    for ref, formula in formulas.items():
        if ref in book.defined_names:
            [(_, ref)] = book.defined_names[ref].destinations
        sheet[ref.replace("$", "")] = formula
    book.save(path)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_required_formula_without_its_result_says_so(
    loaded: Workspace, language: str
) -> None:
    workspace = configure(loaded, language=language)
    path = drop(workspace, "order", "S01/script.xlsx", order_header(), [LINE], language=language)
    with_formulas(path, language,
                  {"D17": "=1+1", "F17": "=12800*1", "delivery_address": '="杭州"'})
    result = one(workspace)
    assert result.status == "rejected"
    assert [(p.code, p.field) for p in result.problems] == [
        ("formula_without_value", "delivery_address"), ("formula_without_value", "quantity"),
        ("formula_without_value", "unit_price")]
    assert codes(result)[1:] == [("formula_without_value", "error", "D17"),
                                 ("formula_without_value", "error", "F17")]
    quantity = KINDS["order"].column("quantity").text(language)
    message = result.problems[1].message(language)
    assert quantity in message and ADVICE[language] in message


def test_a_formula_in_a_column_that_is_worked_out_anyway_is_no_problem(
    loaded: Workspace,
) -> None:
    path = drop(loaded, "order", "S01/script.xlsx", order_header(), [LINE])
    with_formulas(path, "zh", {"G17": "=D17*F17"})  # the amount, recomputed by the rules
    assert one(loaded).status == "accepted"


def test_an_empty_cell_is_still_required(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/blank.xlsx", order_header(), [dict(LINE, quantity=None)])
    assert codes(one(loaded)) == [("required", "error", "D17")]


def test_a_formula_whose_result_is_empty_text_has_its_result(tmp_path: Path) -> None:
    source, saved = tmp_path / "script.xlsx", tmp_path / "saved.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "S"
    book.active["A1"], book.active["B1"] = "=1+1", '=""'
    book.save(source)
    # As Excel saves them: the result beside the formula, an empty text typed as a string.
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(saved, "w") as after:
        for info in before.infolist():
            data = before.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="B1"', b'<c r="B1" t="str"', data)
            after.writestr(info, data)
    cells = [("S", "A1"), ("S", "B1"), ("S", "C1"), ("elsewhere", "A1")]
    assert uncalculated(source, cells) == {("S", "A1"), ("S", "B1")}
    assert uncalculated(saved, cells) == {("S", "A1")}
