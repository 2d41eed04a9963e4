"""Invoice notices (开票通知单): written beside the contract of every accepted order, read back
with openpyxl."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.documents.invoice import invoice_path, line_nets
from sales_sheets.documents.orders import generate_order_files
from sales_sheets.intake.approvals import release_order
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import docx_text, drop, one, order_header, query

P001 = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}  # 13 %
P006 = {"product_code": "P006", "quantity": 1, "unit_price": "2000"}  # 6 % service
INVOICE = "outbox/invoices/C001/SO-1_开票通知单.xlsx"


def rows(path: Path) -> list[tuple[Any, ...]]:
    """The sheet's non-empty rows, each without its trailing empty cells."""
    book = openpyxl.load_workbook(path)
    found = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            found.append(tuple(values))
    return found


def labelled(path: Path, label: str) -> list[tuple[Any, ...]]:
    return [row for row in rows(path) if row[0] == label]


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_an_accepted_order_gets_its_invoice_notice(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1", remarks="请开专票"),
         [P001, P006])
    result = one(loaded)
    assert result.status == "accepted"
    assert result.outputs[1:] == ["outbox/contracts/C001/SO-1.docx", INVOICE]
    receipt = (loaded.root / result.outputs[0]).read_text(encoding="utf-8")
    assert INVOICE in receipt
    path = loaded.root / INVOICE
    assert path == invoice_path(loaded, "C001", "SO-1", 1)
    sheet = rows(path)
    assert sheet[0] == ("示例机械制造有限公司 开票通知单",)
    # The order, its customer and version: what the notice is for when finance returns it.
    assert labelled(path, "订单号") == [("订单号", None, "SO-1", None, None, None, "订单日期",
                                        datetime(2026, 11, 2), "客户编码", None, "C001")]
    assert labelled(path, "合同号")[0][2] == "HT-SO-1"
    assert labelled(path, "合同号")[0][8:] == ("订单版本", None, 1)
    # buyer in column C, seller in column I
    parties = {row[0]: (row[2], row[8]) for row in sheet[4:10]}
    assert parties == {
        "名称": ("杭州恒达机械有限公司", "示例机械制造有限公司"),
        "纳税人识别号": ("91330109MA27XK1234", "91330110MA2XXXXXX1"),
        "地址": ("杭州市萧山区经济技术开发区建设一路 88 号", "浙江省杭州市余杭区文一西路 1000 号"),
        "电话": ("0571-8765 4321", "0571-8888 0000"),
        "开户行": ("中国银行杭州萧山支行", "中国工商银行杭州余杭支行"),
        "账号": ("3567 0000 1234 5678", "1202 0000 0000 0000 000"),
    }
    lines = [row for row in sheet if isinstance(row[0], int)]
    assert [(r[1], r[2], r[3], r[4], r[5], money(r[6]), money(r[7]), Decimal(str(r[8])),
             money(r[9]), money(r[10])) for r in lines] == [
        ("P001", "齿轮减速机", "ZQ-250", "台", 2, Decimal("12800.00"), Decimal("25600.00"),
         Decimal("0.13"), Decimal("22654.87"), Decimal("2945.13")),
        ("P006", "安装调试服务", "", "次", 1, Decimal("2000.00"), Decimal("2000.00"),
         Decimal("0.06"), Decimal("1886.79"), Decimal("113.21")),
    ]
    # (total, rate, net, tax) per rate, lowest rate first, then the order's total
    subtotals = [(money(r[7]), Decimal(str(r[8])), money(r[9]), money(r[10]))
                 for r in labelled(path, "小计")]
    assert subtotals == [
        (Decimal("2000.00"), Decimal("0.06"), Decimal("1886.79"), Decimal("113.21")),
        (Decimal("25600.00"), Decimal("0.13"), Decimal("22654.87"), Decimal("2945.13")),
    ]
    (total_row,) = labelled(path, "合计")
    total = (money(total_row[7]), money(total_row[9]), money(total_row[10]))
    assert total == (Decimal("27600.00"), Decimal("24541.66"), Decimal("3058.34"))
    assert query(loaded, "SELECT total FROM orders") == [(int(total[0] * 100),)]  # in fen
    contract = docx_text(loaded.root / result.outputs[1])
    for figure in [*(f for s in subtotals for f in (s[0], s[2], s[3])), *total]:
        assert f"{figure:,}" in contract, figure
    assert labelled(path, "价税合计（大写）") == [("价税合计（大写）", None, "贰万柒仟陆佰元整")]
    assert labelled(path, "备注") == [("备注", None, "请开专票")]
    # The foot is for finance: the invoice's number, amount, remarks and date, blank.
    assert sheet[-4][0].startswith("财务填写：")
    assert sheet[-3:] == [("发票号码：", None, None, None, None, None, "开票金额："),
                          ("开票备注：",),
                          ("开票人：", None, None, None, None, None, "开票日期：")]


def test_the_lines_of_one_rate_add_up_to_its_net() -> None:
    rate = Decimal("0.13")
    # 12,800 splits into 11,327.43 net, but 25,600 into 22,654.87: the last line takes the fen.
    amounts = [(Decimal("12800.00"), rate), (Decimal("2000.00"), Decimal("0.06")),
               (Decimal("12800.00"), rate)]
    assert line_nets(amounts) == [Decimal("11327.43"), Decimal("1886.79"), Decimal("11327.44")]


def test_the_sheet_prints_on_a4_fitted_to_the_width(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    one(loaded)
    sheet = openpyxl.load_workbook(loaded.root / INVOICE).worksheets[0]
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (
        9, "landscape", None, 0)  # fitToWidth 1 is the default, so it is not written
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_invoice_notices_can_be_switched_off(loaded: Workspace) -> None:
    workspace = configure(loaded, documents={"invoices": False})
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    result = one(workspace)
    assert result.outputs[1:] == ["outbox/contracts/C001/SO-1.docx"]
    assert list((workspace.outbox / "invoices").rglob("*.xlsx")) == []
    assert [p.name for p in generate_order_files(workspace, "SO-1")] == ["SO-1.docx"]


def test_they_do_not_depend_on_contracts(loaded: Workspace) -> None:
    workspace = configure(loaded, documents={"contracts": False})
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    result = one(workspace)
    assert result.outputs[1:] == [INVOICE]
    assert (workspace.root / INVOICE).is_file()
    assert list((workspace.outbox / "contracts").rglob("*.docx")) == []


def test_a_released_order_gets_its_invoice_notice(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [dict(P001, unit_price="12000")])
    assert one(loaded).status == "held"
    assert list((loaded.outbox / "invoices").rglob("*.xlsx")) == []
    release = release_order(loaded, "SO-1", "SP-2026-9")
    assert release.invoice == loaded.root / INVOICE
    (total_row,) = labelled(release.invoice, "合计")
    assert (money(total_row[7]), money(total_row[9]), money(total_row[10])) == (
        Decimal("24000.00"), Decimal("21238.94"), Decimal("2761.06"))


def test_the_release_command_names_it(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [dict(P001, unit_price="12000")])
    one(loaded)
    result = CliRunner().invoke(main, ["release", "SO-1", "--approval", "SP-1",
                                       "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"开票通知单：{INVOICE}"


def test_a_revision_gets_its_own_file_and_the_old_one_stays(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    one(loaded)
    drop(loaded, "order", "S01/o2.xlsx", order_header(no="SO-1"), [dict(P001, quantity=3)])
    result = one(loaded)
    assert result.outputs[2] == "outbox/invoices/C001/SO-1-r2_开票通知单.xlsx"
    folder = loaded.outbox / "invoices" / "C001"
    assert sorted(p.name for p in folder.iterdir()) == ["SO-1-r2_开票通知单.xlsx",
                                                        "SO-1_开票通知单.xlsx"]
    assert labelled(folder / "SO-1-r2_开票通知单.xlsx", "合同号")[0][2] == "HT-SO-1-r2"
    assert money(labelled(folder / "SO-1-r2_开票通知单.xlsx", "合计")[0][7]) == Decimal("38400")
    assert money(labelled(folder / "SO-1_开票通知单.xlsx", "合计")[0][7]) == Decimal("25600")


def test_in_english(loaded: Workspace) -> None:
    workspace = configure(loaded, language="en")
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001, P006], language="en")
    result = one(workspace)
    assert result.outputs[2] == "outbox/invoices/C001/SO-1_invoice_notice.xlsx"
    path = workspace.root / result.outputs[2]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Invoice notice", "_meta"]  # the form's field map, hidden
    assert book["_meta"].sheet_state == "hidden"
    sheet = rows(path)
    assert sheet[0] == ("示例机械制造有限公司 Invoice notice",)
    assert [row[0] for row in sheet if isinstance(row[0], str)] == [
        "示例机械制造有限公司 Invoice notice", "Order no.", "Contract no.", "Buyer", "Name",
        "Tax id", "Address", "Phone", "Bank", "Account", "No.", "Subtotal", "Subtotal",
        "Total", "Total in words (RMB)", "Remarks", "For finance: once the VAT invoice is "
        "issued, fill in its number and date (and the amount of a partial invoice; empty: the "
        "rest of the order) and drop this file back into the inbox to register it.",
        "Invoice No.:", "Invoice remarks:", "Invoiced by:"]
    assert labelled(path, "Total in words (RMB)")[0][2] == "贰万柒仟陆佰元整"


def test_user_text_stays_text(loaded: Workspace) -> None:
    name = '=HYPERLINK("http://x","x")'
    drop(loaded, "customers", "c.xlsx", lines=[
        {"code": "C777", "name": name, "region": "华东", "salesperson": "S01",
         "bank": "=1+1", "created": "2026-01-01"}])
    drop(loaded, "order", "S01/o.xlsx",
         order_header(no="SO-7", customer="C777", remarks="=SUM(A1:A9)"), [P001])
    assert [r.status for r in process_inbox(loaded)] == ["accepted", "accepted"]
    path = loaded.outbox / "invoices" / "C777" / "SO-7_开票通知单.xlsx"
    sheet = openpyxl.load_workbook(path).worksheets[0]
    written = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, str) and cell.value.startswith("=")}
    assert written == {name: "s", "=1+1": "s", "=SUM(A1:A9)": "s"}


def test_rendering_twice_gives_the_same_bytes(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001, P006])
    one(loaded)
    before = (loaded.root / INVOICE).read_bytes()
    result = CliRunner().invoke(main, ["contract", "so-1", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == INVOICE
    assert (loaded.root / INVOICE).read_bytes() == before


def test_a_failing_invoice_notice_is_logged_not_fatal(
    loaded: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    (loaded.root / INVOICE).mkdir(parents=True)  # a folder where the file should go
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    with caplog.at_level(logging.ERROR):
        result = one(loaded)
    assert result.status == "accepted"
    assert result.outputs[1:] == ["outbox/contracts/C001/SO-1.docx"]
    assert (loaded.outbox / "contracts" / "C001" / "SO-1.docx").is_file()
    assert INVOICE not in (loaded.root / result.outputs[0]).read_text(encoding="utf-8")
    assert [r.levelname for r in caplog.records if "SO-1_开票通知单.xlsx" in r.getMessage()] == [
        "ERROR"]
    assert query(loaded, "SELECT status FROM documents WHERE kind = 'order'") == [("accepted",)]
