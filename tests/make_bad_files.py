"""Regenerate the committed fixtures in tests/data/ that need tools the tests do not depend on.

Run once from the repository root after `pip install msoffcrypto-tool xlwt odfpy`:

    python tests/make_bad_files.py

The tests themselves only read the files this writes; every other odd file (truncated, empty,
random, zip bombs, entity bombs, renamed documents, odd names) is made at test time in tmp_path.
See tests/data/README.md for what each file is.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
PASSWORD = "secret"

ORDER_HEADER: list[tuple[str, Any]] = [
    ("订单号", ""),  # filled per file
    ("订货日期", date(2026, 11, 2)),
    ("客户编码", "C001"),
    ("业务员", "S01"),
    ("送货地点", "杭州市萧山区经济技术开发区建设一路 88 号"),
    ("交货方式", "送货"),
]
ORDER_COLUMNS = ["产品编码", "产品名称", "规格型号", "数量", "单位", "单价", "金额"]
ORDER_LINES: list[list[Any]] = [
    ["P001", "齿轮减速机", "ZQ-250", 2, "台", 12800, 25600],
    ["P003", "弹性联轴器", "LX-3", 10, "个", 460, 4600],
]
CUSTOMER_COLUMNS = ["客户编码", "客户名称", "片区", "业务员", "客户等级", "授信额度", "账期天数",
                    "建档日期"]
CUSTOMER_LINES: list[list[Any]] = [
    ["C101", "苏州新纪元传动设备有限公司", "华东", "S01", "B", 150000, 30, date(2026, 10, 8)],
    ["C102", "东莞粤通精密机械厂", "华南", "S02", "C", 60000, 30, date(2026, 10, 15)],
]


def order_header(order_no: str) -> list[tuple[str, Any]]:
    return [(label, order_no if label == "订单号" else value) for label, value in ORDER_HEADER]


def write_encrypted_order(target: Path) -> None:
    """A real order template (as `sales-sheets template order` makes it), password-protected
    the way Excel does it: an OLE container holding EncryptionInfo + EncryptedPackage."""
    from msoffcrypto.format.ooxml import OOXMLFile

    from sales_sheets.forms.template import FormData, write_form
    from sales_sheets.kinds import KINDS

    with tempfile.TemporaryDirectory() as tmp:
        plain = write_form(
            Path(tmp) / "order.xlsx", KINDS["order"], "zh",
            data=FormData(
                {"order_no": "SO-ENC-1", "order_date": date(2026, 11, 2),
                 "customer_code": "C001", "salesperson": "S01", "delivery_address": "杭州市"},
                [{"product_code": "P001", "quantity": 1, "unit_price": 12800}],
            ),
        )
        encrypted = io.BytesIO()
        with plain.open("rb") as handle:
            OOXMLFile(handle).encrypt(PASSWORD, encrypted)
    target.write_bytes(encrypted.getvalue())


def write_order_xls(target: Path) -> None:
    """A BIFF8 .xls order laid out by hand with Chinese labels: no _meta, no names, no table."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("订货单")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(0, 0, "订货单")
    for r, (label, value) in enumerate(order_header("SO-XLS-1"), start=2):
        sheet.write(r, 0, label)
        sheet.write(r, 1, value, dates) if isinstance(value, date) else sheet.write(r, 1, value)
    top = 2 + len(ORDER_HEADER) + 1
    for c, label in enumerate(ORDER_COLUMNS):
        sheet.write(top, c, label)
    for r, line in enumerate(ORDER_LINES, start=top + 1):
        for c, value in enumerate(line):
            sheet.write(r, c, value)
    book.save(str(target))


def write_customers_xls(target: Path) -> None:
    """A BIFF8 .xls customer list, as an export from another system would look."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户档案")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, label in enumerate(CUSTOMER_COLUMNS):
        sheet.write(0, c, label)
    for r, line in enumerate(CUSTOMER_LINES, start=1):
        for c, value in enumerate(line):
            if isinstance(value, date):
                sheet.write(r, c, value, dates)
            else:
                sheet.write(r, c, value)
    book.save(str(target))


def write_order_ods(target: Path) -> None:
    """An OpenDocument spreadsheet order (as LibreOffice or WPS would save it), by labels."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def cell(value: Any) -> TableCell:
        if isinstance(value, date):
            node = TableCell(valuetype="date", datevalue=value.isoformat())
        elif isinstance(value, int | float):
            node = TableCell(valuetype="float", value=str(value))
        else:
            node = TableCell(valuetype="string")
        node.addElement(P(text=str(value)))
        return node

    def row(values: list[Any]) -> TableRow:
        node = TableRow()
        for value in values:
            node.addElement(cell(value))
        return node

    doc = OpenDocumentSpreadsheet()
    table = Table(name="订货单")
    table.addElement(row(["订货单"]))
    table.addElement(row([""]))
    for label, value in order_header("SO-ODS-1"):
        table.addElement(row([label, value]))
    table.addElement(row([""]))
    table.addElement(row(list(ORDER_COLUMNS)))
    for line in ORDER_LINES:
        table.addElement(row(line))
    doc.spreadsheet.addElement(table)
    doc.save(str(target))


def main() -> None:
    DATA.mkdir(exist_ok=True)
    write_encrypted_order(DATA / "encrypted_order.xlsx")
    write_order_xls(DATA / "order.xls")
    write_customers_xls(DATA / "customers.xls")
    write_order_ods(DATA / "order.ods")
    for path in sorted(DATA.iterdir()):
        print(f"{path.name:24} {path.stat().st_size:>7} bytes")


if __name__ == "__main__":
    main()
