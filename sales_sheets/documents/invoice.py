"""Invoice notices (开票通知单, .xlsx): what finance needs to issue the VAT invoice of one
accepted order version, with the same per-rate net and tax as its contract.

The notice is also the form of the kind `invoice` (开票登记): it carries that kind's hidden
`_meta` sheet and a defined name per field, so that finance fills in the invoice number and
date (and the amount of a partial invoice) at its foot and drops it back into the inbox. The
order number, its version and the customer are filled in here; to people it reads and prints
as before, with the block for finance at the bottom."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..files import write_bytes_atomic
from ..formats.printing import print_on_a4
from ..forms.meta import META_SHEET, meta_rows
from ..kinds.invoice import INVOICE
from ..ledger import Ledger
from ..paths import inside
from ..text import Text
from ..workspace import Workspace
from .contract import (
    OrderFacts,
    TaxGroup,
    accepted_version,
    order_facts,
    revision_stem,
    tax_split,
)

_FOLDER = "invoices"
# A fixed creation time: the same ledger always gives the same bytes.
_CREATED = datetime(2026, 1, 1)
_WORDS: dict[str, Text] = {
    "title": Text("开票通知单", "Invoice notice"),
    "file": Text("开票通知单", "invoice_notice"),
    "order_no": Text("订单号", "Order no."),
    "contract_no": Text("合同号", "Contract no."),
    "order_date": Text("订单日期", "Order date"),
    "salesperson": Text("业务员", "Salesperson"),
    "buyer": Text("购买方", "Buyer"),
    "seller": Text("销售方", "Seller"),
    "name": Text("名称", "Name"),
    "tax_id": Text("纳税人识别号", "Tax id"),
    "address": Text("地址", "Address"),
    "phone": Text("电话", "Phone"),
    "bank": Text("开户行", "Bank"),
    "bank_account": Text("账号", "Account"),
    "no": Text("序号", "No."),
    "product_code": Text("产品编码", "Product code"),
    "product_name": Text("产品名称", "Product"),
    "spec": Text("规格型号", "Spec"),
    "unit": Text("单位", "Unit"),
    "quantity": Text("数量", "Quantity"),
    "unit_price": Text("含税单价", "Unit price incl. tax"),
    "amount": Text("含税金额", "Amount incl. tax"),
    "tax_rate": Text("税率", "Tax rate"),
    "net": Text("不含税金额", "Net"),
    "tax": Text("税额", "Tax"),
    "subtotal": Text("小计", "Subtotal"),
    "total": Text("合计", "Total"),
    "capitals": Text("价税合计（大写）", "Total in words (RMB)"),
    "remarks": Text("备注", "Remarks"),
    "clerk": Text("开票人：", "Invoiced by:"),
    "colon": Text("{label}：", "{label}:"),
    "finance": Text("财务填写：开具发票后填写发票号码和开票日期（部分开票时填写开票金额，"
                    "不填即开具订单剩余金额），将本表放回收件箱即完成开票登记。",
                    "For finance: once the VAT invoice is issued, fill in its number and date (and "
                    "the amount of a partial invoice; empty: the rest of the order) and drop this "
                    "file back into the inbox to register it."),
}
# The foot of the notice, where finance fills in the invoice once it is issued: per row the
# field on the left (label in A, value under C:D) and on the right (label in G, value under
# H:I); "clerk" is the line for the clerk's signature, printed and never read.
_FINANCE_ROWS = (("invoice_no", "invoice_amount"), ("remarks", None), ("clerk", "invoiced_on"))
_COLUMNS = ("no", "product_code", "product_name", "spec", "unit", "quantity", "unit_price",
            "amount", "tax_rate", "net", "tax")
_WIDTHS = (6, 12, 22, 16, 6, 10, 14, 14, 8, 14, 12)
_PARTY_ROWS = ("name", "tax_id", "address", "phone", "bank", "bank_account")


def invoice_path(workspace: Workspace, customer_code: str, order_no: str, version: int) -> Path:
    """outbox/invoices/<customer>/<order_no>_开票通知单.xlsx (…_invoice_notice.xlsx in English);
    a later version adds -r<version> to the order number, as its contract does."""
    name = f"{revision_stem(order_no, version)}_{_WORDS['file'](workspace.language)}.xlsx"
    return inside(workspace.outbox, _FOLDER, customer_code, name)


def write_invoice_notice(workspace: Workspace, facts: OrderFacts) -> Path:
    """Write the invoice notice of one stored order version; returns the .xlsx path."""
    order, lines, context = facts.order, facts.lines, facts.context
    target = invoice_path(workspace, order["customer_code"], order["order_no"], order["version"])
    # Built in memory: xlsxwriter leaves its zip open when a write fails (a full disk), and the
    # zip then fails again, unhandled, when it is collected.
    buffer = io.BytesIO()
    _write_book(buffer, workspace.language, context, order, lines)
    write_bytes_atomic(target, buffer.getvalue())
    return target


def generate_invoice_notice(workspace: Workspace, order_no: str) -> Path:
    """(Re)write the invoice notice of an order's current accepted version."""
    with Ledger.of(workspace).connect() as books:
        return write_invoice_notice(
            workspace, order_facts(workspace, books, accepted_version(books, order_no)))


def line_nets(amounts: Sequence[tuple[Decimal, Decimal]]) -> list[Decimal]:
    """The net of each (tax-inclusive amount, rate) line. Each line is split like its rate's
    total, except the last line of a rate, which takes what is left of the rate's net: the lines
    of one rate then add up to exactly the net the contract shows."""
    rate_net = {group.rate: group.net for group in tax_split(amounts)}
    last = {rate: index for index, (_, rate) in enumerate(amounts)}
    so_far: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    nets = []
    for index, (amount, rate) in enumerate(amounts):
        if last[rate] == index:
            net = rate_net[rate] - so_far[rate]
        else:
            net = tax_split([(amount, rate)])[0].net
        so_far[rate] += net
        nets.append(net)
    return nets


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        font = {"font_name": "微软雅黑", "font_size": 10}
        self.title = book.add_format({**font, "bold": True, "font_size": 16})
        self.bold = book.add_format({**font, "bold": True})
        self.text = book.add_format(font)
        self.head = book.add_format({**font, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "text_wrap": True, "valign": "vcenter"})
        self.cell = book.add_format({**font, "border": 1})
        self.number = book.add_format({**font, "border": 1, "num_format": "#,##0.####"})
        self.money = book.add_format({**font, "border": 1, "num_format": "#,##0.00"})
        self.total = book.add_format({**font, "bold": True, "border": 1,
                                      "num_format": "#,##0.00"})
        self.whole_rate = book.add_format({**font, "border": 1, "num_format": "0%"})
        self.part_rate = book.add_format({**font, "border": 1, "num_format": "0.0##%"})
        self.day = book.add_format({**font, "num_format": "yyyy-mm-dd", "align": "left"})
        self.blank = book.add_format({**font, "bottom": 1})
        self.left = book.add_format({**font, "align": "left"})
        self.note = book.add_format({**font, "italic": True, "font_color": "#666666"})
        # The blanks finance fills in: underlined, each with its value's format.
        self.input_text = book.add_format({**font, "bottom": 1, "num_format": "@"})
        self.input_day = book.add_format({**font, "bottom": 1, "num_format": "yyyy-mm-dd",
                                          "align": "left"})
        self.input_money = book.add_format({**font, "bottom": 1, "num_format": "#,##0.00"})

    def rate(self, rate: Decimal) -> Format:
        """13 % reads as 13%, 1.5 % as 1.5%."""
        return self.whole_rate if (rate * 100) == (rate * 100).to_integral_value() else \
            self.part_rate


def _write_book(
    output: io.BytesIO, language: str, context: Mapping[Any, Any], order: Mapping[Any, Any],
    lines: Sequence[Mapping[Any, Any]],
) -> None:
    def word(key: str) -> str:
        return _WORDS[key](language)

    # User text (names, remarks) must never become a formula or a link in our own output.
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    book.set_properties({"created": _CREATED, "title": word("title")})
    fmt = _Formats(book)
    sheet = book.add_worksheet(word("title"))
    facts = context["order"]
    sheet.write_string(0, 0, f"{context['seller']['name']} {word('title')}", fmt.title)
    sheet.write_string(3, 0, word("contract_no"), fmt.bold)
    sheet.write_string(3, 2, facts["contract_no"])
    sheet.write_string(2, 6, word("order_date"), fmt.bold)
    day: date = order["order_date"]
    sheet.write_datetime(2, 7, datetime(day.year, day.month, day.day), fmt.day)
    sheet.write_string(3, 6, word("salesperson"), fmt.bold)
    sheet.write_string(3, 7, f"{facts['salesperson_code']} {facts['salesperson_name']}")
    # What the returned notice says it is for: fields of the invoice form, read by their names.
    sheet.write_string(2, 0, word("order_no"), fmt.bold)
    _value(book, sheet, "order_no", 2, 2, facts["no"], fmt.text)
    _field(book, sheet, language, fmt, "customer_code", 2, 8, order["customer_code"], fmt.text)
    _field(book, sheet, language, fmt, "order_version", 3, 8, order["version"], fmt.left)
    _parties(sheet, fmt, word, context["buyer"], context["seller"], row=5)
    head = 6 + len(_PARTY_ROWS) + 1  # the line table's heading row
    row = _line_table(sheet, fmt, word, lines, row=head)
    row = _tax_table(sheet, fmt, word, lines, row)
    sheet.write_string(row + 1, 0, word("capitals"), fmt.bold)
    sheet.write_string(row + 1, 2, context["totals"]["total_capitals"])
    sheet.write_string(row + 2, 0, word("remarks"), fmt.bold)
    sheet.write_string(row + 2, 2, facts["remarks"])
    _finance_block(book, sheet, fmt, language, row + 4)
    for column, width in enumerate(_WIDTHS):
        sheet.set_column(column, column, width)
    print_on_a4(sheet, language, titles=(head, head))
    meta = book.add_worksheet(META_SHEET)
    for r, meta_row in enumerate(meta_rows(INVOICE, language)):
        for c, value in enumerate(meta_row):
            meta.write(r, c, value)
    meta.hide()
    sheet.activate()
    book.close()


def _field(
    book: xlsxwriter.Workbook, sheet: Worksheet, language: str, fmt: _Formats, key: str,
    row: int, column: int, value: object, style: Format,
) -> None:
    """One field of the invoice form: its label, and two columns on its value (see
    `_value`)."""
    sheet.write_string(row, column, INVOICE.header_field(key).label(language), fmt.bold)
    _value(book, sheet, key, row, column + 2, value, style)


def _value(
    book: xlsxwriter.Workbook, sheet: Worksheet, key: str, row: int, column: int,
    value: object, style: Format,
) -> None:
    """A field's value (blank: for finance to fill in), in the cell named after the field:
    the reader finds it by that name, or else by the label to its left."""
    if value is None:
        sheet.write_blank(row, column, None, style)
    elif isinstance(value, int):
        sheet.write_number(row, column, value, style)
    else:
        sheet.write_string(row, column, str(value), style)
    cell = xl_rowcol_to_cell(row, column, row_abs=True, col_abs=True)
    book.define_name(key, f"='{sheet.name}'!{cell}")


def _finance_block(
    book: xlsxwriter.Workbook, sheet: Worksheet, fmt: _Formats, language: str, row: int
) -> None:
    """The foot of the notice, for finance: a line saying what to do, then the invoice's
    number, amount, remarks and date as underlined blanks (the value in the first cell of
    each, which carries the field's name), and the clerk's signature line."""
    inputs = {"invoice_no": fmt.input_text, "invoiced_on": fmt.input_day,
              "invoice_amount": fmt.input_money, "remarks": fmt.input_text,
              "clerk": fmt.blank}
    sheet.write_string(row, 0, _WORDS["finance"](language), fmt.note)
    for offset, pair in enumerate(_FINANCE_ROWS, start=1):
        for key, (label_at, value_at) in zip(pair, ((0, 2), (6, 7)), strict=True):
            if key is None:
                continue
            label = (_WORDS["clerk"](language) if key == "clerk" else _WORDS["colon"].format(
                language, label=INVOICE.header_field(key).label(language)))
            sheet.write_string(row + offset, label_at, label, fmt.bold)
            if key == "clerk":
                sheet.write_blank(row + offset, value_at, None, inputs[key])
            else:
                _value(book, sheet, key, row + offset, value_at, None, inputs[key])
            sheet.write_blank(row + offset, value_at + 1, None, inputs[key])


def _parties(
    sheet: Worksheet, fmt: _Formats, word: Callable[[str], str], buyer: Mapping[str, str],
    seller: Mapping[str, str], row: int,
) -> None:
    """The buyer on the left, the seller on the right, one field a row."""
    for column, heading, party in ((0, "buyer", buyer), (6, "seller", seller)):
        sheet.write_string(row, column, word(heading), fmt.bold)
        for offset, key in enumerate(_PARTY_ROWS, start=1):
            sheet.write_string(row + offset, column, word(key))
            sheet.write_string(row + offset, column + 2, party.get(key, ""))


def _line_table(
    sheet: Worksheet, fmt: _Formats, word: Callable[[str], str],
    lines: Sequence[Mapping[Any, Any]], row: int,
) -> int:
    """The order lines with their net and tax; returns the row after the table."""
    for column, key in enumerate(_COLUMNS):
        sheet.write_string(row, column, word(key), fmt.head)
    nets = line_nets([(line["amount"], line["tax_rate"]) for line in lines])
    for number, (line, net) in enumerate(zip(lines, nets, strict=True), start=1):
        row += 1
        sheet.write_number(row, 0, number, fmt.cell)
        for column, key in ((1, "product_code"), (2, "product_name"), (3, "spec"), (4, "unit")):
            sheet.write_string(row, column, line[key] or "", fmt.cell)
        sheet.write_number(row, 5, float(line["quantity"]), fmt.number)
        sheet.write_number(row, 6, float(line["unit_price"]), fmt.money)
        sheet.write_number(row, 7, float(line["amount"]), fmt.money)
        sheet.write_number(row, 8, float(line["tax_rate"]), fmt.rate(line["tax_rate"]))
        sheet.write_number(row, 9, float(net), fmt.money)
        sheet.write_number(row, 10, float(line["amount"] - net), fmt.money)
    return row + 1


def _tax_table(
    sheet: Worksheet, fmt: _Formats, word: Callable[[str], str],
    lines: Sequence[Mapping[Any, Any]], row: int,
) -> int:
    """A subtotal row per tax rate, then the total, in the line table's columns (amount, rate,
    net, tax); returns the last row written."""
    groups = tax_split([(line["amount"], line["tax_rate"]) for line in lines])
    for group in groups:
        sheet.write_string(row, 0, word("subtotal"), fmt.bold)
        _figures(sheet, fmt.total, row, group)
        sheet.write_number(row, 8, float(group.rate), fmt.rate(group.rate))
        row += 1
    zero = Decimal("0.00")
    net = sum((g.net for g in groups), zero)
    tax = sum((g.tax for g in groups), zero)
    sheet.write_string(row, 0, word("total"), fmt.bold)
    _figures(sheet, fmt.total, row, TaxGroup(zero, net, tax, net + tax))
    return row


def _figures(sheet: Worksheet, money: Format, row: int, group: TaxGroup) -> None:
    sheet.write_number(row, 7, float(group.total), money)
    sheet.write_number(row, 9, float(group.net), money)
    sheet.write_number(row, 10, float(group.tax), money)
