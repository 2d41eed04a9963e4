"""Write a form template, optionally filled, with xlsxwriter.

A template carries its kind, version and field map on the hidden `_meta` sheet, defined names
for header fields, an Excel table for the lines, drop-downs fed from a hidden `_lists` sheet
(not inline lists, which break beyond 255 characters), formats, a frozen header, an
instructions sheet and its print set-up (formats/printing.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Format as CellFormat
from xlsxwriter.worksheet import Worksheet

from ..files import atomic_path
from ..formats.printing import print_on_a4
from ..text import Text
from .kinds import Field, FieldType, Kind, Offer, Ref
from .meta import LISTS_SHEET, META_SHEET, column_label, list_name, list_range, meta_rows

BLANK_LINES = 20
# Drop-downs reach this far below the table too: people keep typing past its end.
VALIDATION_ROWS = 2000
_INSTRUCTIONS = Text("填写说明", "Instructions")
_INSTRUCTION_HEADS = (Text("字段", "Field"), Text("必填", "Required"), Text("说明", "Notes"))
_INSTRUCTION_WIDTHS = (22, 10, 70)
_REQUIRED_NOTE = Text("带 * 的为必填项", "Fields marked * are required")
_YES, _NO = Text("是", "Yes"), Text("否", "No")
_SIGN_OFF_HEIGHT = 30  # points: room for a hand-written signature

# What drop-downs pick from, as (code, name): master data by `Ref`, the other lists a field
# offers (the ledger's open orders, the budget owners, the expense categories of the settings)
# by `Offer`; a field's `list_source` names its own.
MasterLists = dict[Ref | Offer, list[tuple[str, str]]]
_CREATED = datetime(2026, 1, 1)


@dataclass
class FormData:
    header: dict[str, object] = field(default_factory=dict)
    lines: list[dict[str, object]] = field(default_factory=list)
    # Shown beside a header field in place of its hint: the name behind a code, say.
    asides: dict[str, str] = field(default_factory=dict)
    # A form that is one printed page (an approval request): this line on it says what to do,
    # in place of the instructions sheet; its table has no blank lines, and the workbook prints
    # as that one A4 page, upright.
    page_note: str | None = None


def write_form(
    path: Path,
    kind: Kind,
    language: str = "zh",
    lists: MasterLists | None = None,
    data: FormData | None = None,
) -> Path:
    """Write a blank (or, with `data`, filled) form of `kind` to `path`, atomically."""
    with atomic_path(path) as partial:
        _write_book(partial, kind, language, lists, data or FormData())
    return path


def _write_book(
    partial: Path, kind: Kind, language: str, lists: MasterLists | None, data: FormData
) -> None:
    book = xlsxwriter.Workbook(str(partial), {"strings_to_formulas": False})
    # A fixed creation time makes the same form the same bytes, so a resubmission of an
    # unchanged form is recognised as a duplicate by its content hash.
    book.set_properties({"created": _CREATED, "title": kind.title(language)})
    styles = _Styles(book)
    sheet = book.add_worksheet(kind.title(language)[:31])
    list_ranges = _write_lists(book, kind, language, lists or {})
    header_row = _write_header(book, sheet, kind, language, styles, data, list_ranges)
    one_page = data.page_note is not None
    if kind.table is not None:
        width = _write_table(sheet, kind, kind.table, language, styles, data, header_row,
                             list_ranges)
        print_on_a4(sheet, language, landscape=not one_page, titles=(header_row, header_row),
                    one_page=one_page, width=width)
    else:  # a header-only form: its fields are all there is
        sheet.set_column(0, 0, max((len(column_label(f, language)) for f in kind.header),
                                   default=10) * 2 + 2)
        sheet.set_column(1, 1, max((f.width for f in kind.header), default=14))
        print_on_a4(sheet, language, landscape=False, one_page=one_page)
    if not one_page:
        _write_instructions(book, kind, language, styles)
    meta = book.add_worksheet(META_SHEET)
    for r, row in enumerate(meta_rows(kind, language)):
        for c, value in enumerate(row):
            meta.write(r, c, value)
    meta.hide()
    sheet.activate()
    book.close()


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        font = {"font_name": "微软雅黑", "font_size": 10}
        self.title = book.add_format({**font, "bold": True, "font_size": 16})
        self.note = book.add_format({**font, "italic": True, "font_color": "#666666"})
        self.label = book.add_format({**font, "bold": True, "align": "right"})
        self.head = book.add_format({**font, "bold": True})
        self.required = book.add_format({**font, "bold": True, "align": "right",
                                         "font_color": "#C00000"})
        self.input = book.add_format({**font, "bottom": 1, "num_format": "@"})
        self.wrap = book.add_format({**font, "text_wrap": True, "valign": "top"})
        self.by_type = {
            FieldType.MONEY: book.add_format({**font, "num_format": "#,##0.00"}),
            FieldType.QUANTITY: book.add_format({**font, "num_format": "#,##0.####"}),
            FieldType.INTEGER: book.add_format({**font, "num_format": "0"}),
            FieldType.DATE: book.add_format({**font, "num_format": "yyyy-mm-dd"}),
            FieldType.RATE: book.add_format({**font, "num_format": "0%"}),
        }
        self.text = book.add_format({**font, "num_format": "@"})
        self.header_input = {
            t: book.add_format({**font, "bottom": 1, "num_format": f.num_format})
            for t, f in self.by_type.items()
        }

    def cell(self, f: Field) -> CellFormat:
        return self.by_type.get(f.type, self.text)


def _write_lists(
    book: xlsxwriter.Workbook, kind: Kind, language: str, lists: MasterLists
) -> dict[str, str]:
    """Codes and choices on a hidden sheet, each list under a defined name (see `list_name`);
    returns field key -> the name, for the drop-downs. Master-data lists (and what a field
    offers: the ledger's open orders, the budget owners, the settings' expense categories) get
    their name even when empty, so that the add-in can fill them later."""
    sheet = book.add_worksheet(LISTS_SHEET)
    names: dict[str, str] = {}
    column = 0
    for f in kind.fields:
        if (source := f.list_source) is not None:
            values = [code for code, _name in lists.get(source, [])]
        elif f.choices:
            values = [c.label(language) for c in f.choices]
        else:
            continue
        sheet.write_string(0, column, f.key)
        for r, value in enumerate(values, start=1):
            sheet.write_string(r, column, value)
        book.define_name(list_name(f.key), f"={list_range(column, len(values))}")
        names[f.key] = f"={list_name(f.key)}"
        column += 1
    sheet.hide()
    return names


def _validate(sheet: Worksheet, r1: int, c: int, r2: int, f: Field, ranges: dict[str, str]) -> None:
    if f.key in ranges:
        # A code not in the list is still allowed to be typed: the rules explain it better.
        sheet.data_validation(r1, c, r2, c, {
            "validate": "list", "source": ranges[f.key], "error_type": "warning",
        })


def _write_header(
    book: xlsxwriter.Workbook,
    sheet: Worksheet,
    kind: Kind,
    language: str,
    styles: _Styles,
    data: FormData,
    ranges: dict[str, str],
) -> int:
    sheet.write_string(0, 0, kind.title(language), styles.title)
    sheet.write_string(1, 0, data.page_note or _REQUIRED_NOTE(language), styles.note)
    row = 2
    for f in kind.header:
        sheet.write_string(row, 0, column_label(f, language),
                           styles.required if f.required else styles.label)
        style = styles.header_input.get(f.type, styles.input)
        _write_value(sheet, row, 1, f, data.header.get(f.key), style, language)
        if aside := data.asides.get(f.key):
            sheet.write_string(row, 2, aside, styles.text)
        elif f.hint(language):
            sheet.write_string(row, 2, f.hint(language), styles.note)
        _validate(sheet, row, 1, row, f, ranges)
        name = f"'{sheet.name}'!{xl_rowcol_to_cell(row, 1, row_abs=True, col_abs=True)}"
        book.define_name(f.key, f"={name}")
        row += 1
    if kind.sign_off:
        _write_sign_off(sheet, kind, language, styles, row)
        row += 1
    return row + 1 if kind.header else row


def _write_sign_off(sheet: Worksheet, kind: Kind, language: str, styles: _Styles, row: int) -> None:
    """Each sign-off label with two underlined blank cells after it, on one row tall enough
    to sign on."""
    sheet.set_row(row, _SIGN_OFF_HEIGHT)
    for n, label in enumerate(kind.sign_off):
        sheet.write_string(row, 3 * n, label(language), styles.label)
        for column in (3 * n + 1, 3 * n + 2):
            sheet.write_blank(row, column, None, styles.input)


def _write_table(
    sheet: Worksheet,
    kind: Kind,
    table: str,
    language: str,
    styles: _Styles,
    data: FormData,
    header_row: int,
    ranges: dict[str, str],
) -> int:
    """Write the line table; return its width in pixels (as xlsxwriter counts them)."""
    count = max(len(data.lines), 1 if data.page_note is not None else BLANK_LINES)
    last_col = len(kind.columns) - 1
    sheet.add_table(header_row, 0, header_row + count, last_col, {
        "name": table,
        "style": "Table Style Medium 2",
        "columns": [{"header": column_label(f, language)} for f in kind.columns],
    })
    pixels = 0
    for c, f in enumerate(kind.columns):
        width = max(f.width, len(column_label(f, language)) * 2 + 2)
        sheet.set_column(c, c, width, styles.cell(f))
        pixels += int(width * 7 + 5)
        _validate(sheet, header_row + 1, c, header_row + VALIDATION_ROWS, f, ranges)
    for r, line in enumerate(data.lines, start=header_row + 1):
        for c, f in enumerate(kind.columns):
            _write_value(sheet, r, c, f, line.get(f.key), styles.cell(f), language)
    sheet.freeze_panes(header_row + 1, 0)
    return pixels


def _write_value(
    sheet: Worksheet, r: int, c: int, f: Field, value: object, style: CellFormat, language: str
) -> None:
    if value is None or value == "":
        sheet.write_blank(r, c, None, style)
    elif isinstance(value, bool):
        sheet.write_string(r, c, (_YES if value else _NO)(language), style)
    elif f.type in _NUMERIC and _is_number(value):
        sheet.write_number(r, c, float(Decimal(str(value).replace(",", ""))), style)
    elif isinstance(value, (date, datetime)):
        sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), style)
    else:
        sheet.write_string(r, c, str(value), style)


_NUMERIC = {FieldType.MONEY, FieldType.QUANTITY, FieldType.INTEGER}


def _is_number(value: object) -> bool:
    if isinstance(value, (Decimal, int, float)):
        return True
    try:
        return Decimal(str(value).replace(",", "")).is_finite()
    except ArithmeticError:
        return False


def _write_instructions(
    book: xlsxwriter.Workbook, kind: Kind, language: str, styles: _Styles
) -> None:
    sheet = book.add_worksheet(_INSTRUCTIONS(language))
    for c, width in enumerate(_INSTRUCTION_WIDTHS):
        sheet.set_column(c, c, width)
    sheet.write_string(0, 0, kind.title(language), styles.title)
    row = 2
    for text in kind.instructions(language):
        # Across the three columns, and as tall as its lines: neither Excel nor LibreOffice
        # grows a row for wrapped text in a file that does not say how tall it is.
        sheet.merge_range(row, 0, row, 2, "• " + text, styles.wrap)
        sheet.set_row(row, _wrapped_height("• " + text, sum(_INSTRUCTION_WIDTHS)))
        row += 1
    row += 1
    for c, head in enumerate(_INSTRUCTION_HEADS):
        sheet.write_string(row, c, head(language), styles.head)
    print_on_a4(sheet, language, landscape=False, titles=(row, row))
    for f in kind.fields:
        row += 1
        description = _describe(f, language)
        sheet.write_string(row, 0, f.label(language), styles.wrap)
        sheet.write_string(row, 1, _YES(language) if f.required else "", styles.wrap)
        sheet.write_string(row, 2, description, styles.wrap)
        sheet.set_row(row, _wrapped_height(description, _INSTRUCTION_WIDTHS[2]))


def _wrapped_height(text: str, width: int) -> float:
    """Points for `text` wrapped in columns `width` characters wide (a CJK character takes
    two)."""
    units = sum(2 if ord(char) > 0x2E7F else 1 for char in text)
    return 14.0 * -(-units // (width - 2)) + 2


_TYPE_WORDS = {
    FieldType.TEXT: Text("文字", "text"),
    FieldType.CODE: Text("编码，从下拉列表选择", "code, pick from the list"),
    FieldType.MONEY: Text("金额，元，两位小数", "amount in RMB, 2 decimals"),
    FieldType.QUANTITY: Text("数量", "quantity"),
    FieldType.INTEGER: Text("整数", "whole number"),
    FieldType.DATE: Text("日期，如 2026-11-03", "date, e.g. 2026-11-03"),
    FieldType.YESNO: Text("是 / 否", "Yes / No"),
    FieldType.ENUM: Text("从下拉列表选择", "pick from the list"),
    FieldType.PERIOD: Text("2026、2026-Q4 或 2026-11", "2026, 2026-Q4 or 2026-11"),
    FieldType.RATE: Text("百分比，如 13%", "percentage, e.g. 13%"),
}
_FREE_CODE = Text("编码", "code")  # a code with no list to pick from
_WITH_HINT = Text("{text}（{hint}）", "{text} ({hint})")


def _describe(f: Field, language: str) -> str:
    if f.offers is not None and f.ref is None:  # a list to pick from, though not master data
        words = _TYPE_WORDS[FieldType.ENUM]
    elif f.type is FieldType.CODE and f.list_source is None:
        words = _FREE_CODE
    else:
        words = _TYPE_WORDS[f.type]
    hint = f.hint(language)
    text = words(language)
    return _WITH_HINT.format(language, text=text, hint=hint) if hint else text
