"""Rejected files come back as an annotated copy; the plan is plain data."""

from pathlib import Path

import openpyxl

from sales_sheets.intake.annotate import FILLS, plan_annotations
from sales_sheets.problems import Severity, problem
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, one, order_header

LINE = {"product_code": "P001", "quantity": 1, "unit_price": "12800"}


def test_problem_cells_are_coloured_and_commented(loaded: Workspace) -> None:
    lines = [dict(LINE, quantity="两台"), dict(LINE, product_code="P003", unit_price="300")]
    drop(loaded, "order", "S01/坏订单.xlsx", order_header(customer="C404"), lines)
    result = one(loaded)
    assert result.status == "rejected"
    copy = loaded.root / result.outputs[1]
    assert copy.parent == loaded.outbox / "rejected" / "S01"
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[0] == "问题清单"
    listing = list(book["问题清单"].iter_rows(values_only=True))
    assert listing[0] == ("严重程度", "位置", "字段", "代码", "说明")
    assert {row[1] for row in listing[1:]} == {"订货单!B5", "订货单!D16", "订货单!F17"}
    assert {row[3] for row in listing[1:]} == {"unknown_customer", "type", "price_below_floor"}
    sheet = book["订货单"]
    for ref in ("B5", "D16", "F17"):
        assert sheet[ref].fill.start_color.rgb.endswith(FILLS[Severity.ERROR])
        assert sheet[ref].comment is not None and "[错误]" in sheet[ref].comment.text
    assert sheet["B5"].value == "C404"  # the person's input is kept as typed
    assert book["问题清单"]["B2"].hyperlink is not None


def test_several_problems_in_one_cell_share_one_mark() -> None:
    problems = [
        problem("range", sheet="S", cell="D7", detail="> 0", value="0"),
        problem("amount_mismatch", Severity.WARNING, sheet="S", cell="D7", value="1",
                expected="2"),
        problem("not_spreadsheet"),
    ]
    plan = plan_annotations(problems, "en")
    assert len(plan.marks) == 1
    assert plan.marks[0].severity is Severity.ERROR
    assert plan.marks[0].text.count("\n") == 1
    assert len(plan.rows) == 3 and plan.headings[0] == "Severity"


def test_user_text_in_the_problem_list_stays_text(loaded: Workspace, tmp_path: Path) -> None:
    drop(loaded, "order", "S01/x.xlsx", order_header(customer="=HYPERLINK(\"http://x\")"), [LINE])
    result = one(loaded)
    book = openpyxl.load_workbook(loaded.root / result.outputs[1])
    cells = [c for row in book["问题清单"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert any("HYPERLINK" in str(c.value) for c in cells)
