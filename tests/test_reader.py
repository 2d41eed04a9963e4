"""Reading templates by their field map, and workbooks that lost it by their labels."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.config import Limits
from sales_sheets.forms.reader import read_form
from sales_sheets.forms.template import BLANK_LINES, FormData, write_form
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace

from .helpers.forms import Row, codes, drop, one, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_blank_template_is_recognised(tmp_path: Path, kind: str, language: str) -> None:
    path = write_form(tmp_path / f"{kind}.xlsx", KINDS[kind], language)
    result = read_form(path, Limits(), KINDS)
    assert result.problems == []
    assert result.form is not None and result.form.kind.name == kind
    assert result.form.version == KINDS[kind].version
    assert result.form.rows == []


def test_template_fields_are_read_through_defined_names(tmp_path: Path) -> None:
    path = write_form(tmp_path / "o.xlsx", KINDS["order"],
                      data=FormData(order_header(), [LINE]))
    form = read_form(path, Limits(), KINDS).form
    assert form is not None
    assert form.header["order_no"].value == "SO-1"
    assert form.header["order_no"].cell == "B3"
    assert form.header["order_date"].value == date(2026, 11, 2)
    assert form.rows == [17]


def test_lines_typed_below_the_table_are_read(loaded: Workspace) -> None:
    path = drop(loaded, "order", "S01/o.xlsx", order_header(), [LINE])
    book = openpyxl.load_workbook(path)
    sheet = book["订货单"]
    below = 17 + BLANK_LINES + 5  # well past the table's stored range
    sheet.cell(below, 1, "P003")
    sheet.cell(below, 4, 3)
    sheet.cell(below, 6, 460)
    book.save(path)
    result = one(loaded)
    assert result.status == "accepted", codes(result)
    rows = query(loaded,
                 "SELECT product_code, quantity, source_row FROM order_lines ORDER BY line_no")
    assert rows == [("P001", 20000, 17), ("P003", 30000, below)]


def test_a_form_pasted_into_a_blank_workbook_is_read_by_its_labels(loaded: Workspace) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    rows = [
        ["订货单"],
        ["订单号：", "SO-PASTE-1", None, "订货日期*", "2026年11月3日"],
        ["客户编码", "c001", None, "业务员", "S01"],
        ["送货地点", "杭州"],
        [],
        ["序号", "产品编码*", "数量", "单价（元）", "含税单价", "金额"],
        [1, "P001", "２", None, "12,800.00", "25600"],
        [2, "P003", 1, None, "￥460", None],
    ]
    for row in rows:
        sheet.append(row)
    path = loaded.inbox / "S01" / "粘贴的订单.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    result = one(loaded)
    assert result.status == "accepted", codes(result)
    assert result.document == "SO-PASTE-1"
    assert query(loaded, "SELECT customer_code, order_date, total FROM orders") == [
        ("C001", "2026-11-03", 2606000)]


def test_english_labels_are_read_too(loaded: Workspace) -> None:
    path = loaded.inbox / "receipts.csv"
    path.write_text(
        "Receipt date,Customer code,Amount,Reference\n"
        "2026-11-03,C001,\"1,000.00\",BK-1\n2026/11/4,C002,250,BK-2\n", encoding="utf-8")
    result = one(loaded)
    assert (result.kind, result.status) == ("receipt", "accepted")
    assert query(loaded, "SELECT SUM(amount) FROM receipts") == [(125000,)]


def test_gbk_csv_from_an_old_system(loaded: Workspace) -> None:
    path = loaded.inbox / "回款.csv"
    path.write_bytes("回款日期,客户编码,回款金额,凭证号\n2026-11-03,C001,100,GBK-1\n".encode("gbk"))
    assert one(loaded).status == "accepted"


def test_a_template_whose_names_and_table_were_lost_falls_back_to_labels(
    loaded: Workspace, tmp_path: Path
) -> None:
    source = write_form(tmp_path / "o.xlsx", KINDS["order"],
                        data=FormData(order_header(no="SO-COPY"), [LINE]))
    original = openpyxl.load_workbook(source)["订货单"]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in original.iter_rows(values_only=True):
        sheet.append(list(row))
    path = loaded.inbox / "S01" / "copy.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    result = one(loaded)
    assert (result.status, result.document) == ("accepted", "SO-COPY"), codes(result)


def test_exact_money_from_cell_to_ledger(loaded: Workspace) -> None:
    lines: list[Row] = [
        {"product_code": "P004", "quantity": "3", "unit_price": "185.55"},
        {"product_code": "P004", "quantity": 0.1, "unit_price": 185.55, "spec": "B"},
    ]
    drop(loaded, "order", "S01/o.xlsx", order_header(), lines)
    result = one(loaded)
    assert result.status == "accepted", codes(result)
    rows = query(loaded, "SELECT amount FROM order_lines ORDER BY line_no")
    assert rows == [(55665,), (1856,)]  # 556.65 and 18.555 -> 18.56 (half up)
    assert query(loaded, "SELECT total FROM orders") == [(55665 + 1856,)]
    assert Decimal("556.65") + Decimal("18.56") == Decimal("575.21")
