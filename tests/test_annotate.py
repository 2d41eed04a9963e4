"""Rejected files come back as an annotated copy; the plan is plain data."""

from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl

from sales_sheets.forms.grid import Sheets, Workbook
from sales_sheets.forms.meta import MARKS_SHEET
from sales_sheets.intake.annotate import COMMENT_LIMIT, FILLS, earlier_marks, plan_annotations
from sales_sheets.problems import Severity, problem
from sales_sheets.workspace import Workspace

from .helpers.forms import codes, drop, one, order_header

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
    assert {row[1] for row in listing[1:]} == {"订货单!B5", "订货单!D17", "订货单!F18"}
    assert {row[3] for row in listing[1:]} == {"unknown_customer", "type", "price_below_floor"}
    sheet = book["订货单"]
    for ref in ("B5", "D17", "F18"):
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


def test_thousands_of_problems_colour_every_cell_but_comment_only_the_first(
    loaded: Workspace,
) -> None:
    lines = [{"receipt_date": date(2026, 11, 3), "customer_code": f"X{i:04d}",
              "amount": "100.50", "reference": f"BK{i:05d}"} for i in range(3000)]
    lines[7]["customer_code"] = None  # an empty required cell: marked though it is not there
    drop(loaded, "receipt", "S01/bad.xlsx", lines=lines)
    result = one(loaded)
    assert result.status == "rejected"
    assert Counter(p.code for p in result.problems) == {"unknown_customer": 2999, "required": 1}

    book = openpyxl.load_workbook(loaded.root / result.outputs[1])
    assert book.sheetnames[0] == "问题清单" and book.active.title == "问题清单"
    listing = list(book["问题清单"].iter_rows(values_only=True))
    assert len(listing) == 1 + 3000  # the whole list, not only the commented part
    assert {row[1] for row in listing[1:]} == {p.location for p in result.problems}
    sheet = book["回款登记"]
    cells = [sheet[p.cell] for p in result.problems]
    assert all(c.fill.start_color.rgb.endswith(FILLS[Severity.ERROR]) for c in cells)
    assert sum(c.comment is not None for c in cells) == COMMENT_LIMIT
    assert cells[0].number_format == "@"  # the cell keeps its own style under the colour
    assert sheet["A4"].fill.fill_type is None  # and nothing else was coloured
    assert book[MARKS_SHEET].sheet_state == "veryHidden"
    # Remembered compactly: the commented cells one by one, the rest as one run down column B.
    remembered = [list(row) for row in book[MARKS_SHEET].iter_rows(values_only=True)]
    assert len(remembered) == 1 + COMMENT_LIMIT + 1
    earlier = earlier_marks(Workbook(Sheets.of({MARKS_SHEET: remembered})))
    assert sorted((m.sheet, m.cell) for m in earlier) == sorted(
        (p.sheet, p.cell) for p in result.problems)

    receipt = (loaded.root / result.outputs[0]).read_text(encoding="utf-8")
    assert len(receipt.splitlines()) < 25
    assert "unknown_customer（错误）共 2999 处，前 3 处：" in receipt
    assert "required（错误）共 1 处，前 1 处：" in receipt
    assert "问题清单" in receipt


def test_a_resubmitted_copy_loses_the_marks_of_what_was_fixed(loaded: Workspace) -> None:
    lines = [dict(LINE, quantity="两台")]
    drop(loaded, "order", "S01/坏订单.xlsx", order_header(customer="C404"), lines)
    first = one(loaded)
    copy = openpyxl.load_workbook(loaded.root / first.outputs[1])
    copy["订货单"]["B5"] = "C001"  # fixed; the quantity is not
    copy.save(loaded.inbox / "S01" / "坏订单.xlsx")

    second = one(loaded)
    assert codes(second) == [("type", "error", "D17")]
    book = openpyxl.load_workbook(loaded.root / second.outputs[1])
    sheet = book["订货单"]
    assert sheet["B5"].fill.fill_type is None and sheet["B5"].comment is None
    assert sheet["D17"].fill.start_color.rgb.endswith(FILLS[Severity.ERROR])
    assert [row[1] for row in book["问题清单"].iter_rows(min_row=2, values_only=True)] == [
        "订货单!D17"]
