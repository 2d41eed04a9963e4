"""The frame every sheet of the summary workbook shares, and the workbook being built.

A sheet is laid out as title row, info row, header row (frozen), data rows, totals, with
column widths, autofilter, and print set-up (formats/printing.py): A4 landscape, one page wide,
the rows down to the header repeated on every page, "page x of y" at the foot, charts below the
table on a page of their own unless they fit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack, suppress
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import TYPE_CHECKING, Any, NamedTuple

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..formats.printing import print_on_a4
from ..formats.xlsx_rows import Rendered, Rows
from .columns import Column
from .model import Report
from .styles import Styles
from .words import SHEETS, WORDS

if TYPE_CHECKING:  # details.py imports this module
    from .details import DetailPart

_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}
TITLE_ROW, INFO_ROW, HEAD_ROW, FIRST_ROW = 0, 1, 2, 3  # 0-based; data starts below the header
# Printable A4 landscape at 96 dpi less the margins `print_on_a4` sets, with 5 % to spare.
_PRINT_WIDTH = (11.69 - 0.8) * 96
_PRINT_HEIGHT = (8.27 - 1.1) * 96 * 0.95
_ROW_PIXELS = 20  # the default 15 pt row


class Writer:
    """One workbook being built: xlsxwriter for the layout, `Rows` for the data rows."""

    def __init__(self, report: Report, language: str, company: str, stack: ExitStack,
                 rendered: Callable[[], list[DetailPart]] | None = None) -> None:
        self.report = report
        self.rendered = rendered  # the 明细 rows rendered elsewhere (details.py), or None
        self.language = language
        self.company = company.strip()
        self.stack = stack
        self.output = BytesIO()
        self.book = xlsxwriter.Workbook(self.output, _OPTIONS)
        self.styles = Styles(self.book)
        self.fragments: dict[str, Rows | Rendered] = {}  # sheet name -> data rows
        stack.callback(self._discard)

    def _discard(self) -> None:
        """Close a workbook that failed half-way (a helper process failed, say): in
        constant_memory mode xlsxwriter holds a temporary file open for every sheet."""
        if not self.book.fileclosed:
            with suppress(Exception):  # the error that stopped the workbook is the one to see
                self.book.close()

    def word(self, key: str, **values: object) -> str:
        return WORDS[key].format_map(self.language, values) if values else WORDS[key](self.language)

    def name(self, key: str) -> str:
        return SHEETS[key](self.language)


class Sheet:
    """A sheet laid out as title row, info row, header row (frozen), data rows, totals."""

    def __init__(self, w: Writer, name: str, columns: Sequence[Column], freeze: int,
                 note: str) -> None:
        self.w, self.columns = w, columns
        self.ws: Worksheet = w.book.add_worksheet(name)
        self.row = FIRST_ROW  # the next row to write
        self.last = HEAD_ROW  # the last data row written
        ws, styles = self.ws, w.styles
        period = w.report.period
        heading = " ".join(part for part in (w.company, w.word("report")) if part)
        ws.set_row(TITLE_ROW, 24)
        ws.write_string(TITLE_ROW, 0, f"{heading} · {name} · {period.title(w.language)}",
                        styles.title)
        info = w.word("period", start=period.start.isoformat(), end=period.end.isoformat())
        ws.write_string(INFO_ROW, 0, info + note, styles.info)
        heads = [column.heading(w.language) for column in columns]
        self.widths = [_fitting_width(column.width, head) for column, head in
                       zip(columns, heads, strict=True)]
        self.head_height = max(wrapped_height(head, width, 13.0, bold=True) for head, width in
                               zip(heads, self.widths, strict=True))
        ws.set_row(HEAD_ROW, self.head_height)
        for c, (column, head) in enumerate(zip(columns, heads, strict=True)):
            ws.set_column(c, c, self.widths[c], None, {"hidden": column.hidden})
            ws.write_string(HEAD_ROW, c, head, styles.head)
        ws.freeze_panes(FIRST_ROW, freeze)
        print_on_a4(ws, w.language, titles=(TITLE_ROW, HEAD_ROW))

    def data(self, rows: Iterable[tuple[Any, ...]], variant: Callable[[tuple[Any, ...]], str]
             | None = None, variant_columns: frozenset[int] | None = None,
             sums: Sequence[int] = (), nullable: Sequence[int] = ()) -> list[Decimal]:
        """Render the data rows (value tuples in column order); return the sums of `sums`.
        `nullable`: number or date columns often empty (see `Rows`)."""
        fragment = Rows([column.kind for column in self.columns], self.w.styles.index,
                        self.row, variant_columns, nullable=nullable)
        self.w.stack.enter_context(fragment)
        totals = fragment.write(rows, variant, sums)
        self.w.fragments[self.ws.name] = fragment
        self.row += fragment.count
        self.last = self.row - 1
        return totals

    def splice(self, path: str, size: int, count: int) -> None:
        """Take `count` data rows that were rendered elsewhere into the file at `path`."""
        file = self.w.stack.enter_context(open(path, "rb"))
        self.w.fragments[self.ws.name] = Rendered(self.row, size, file)
        self.row += count
        self.last = self.row - 1

    def line(self, values: Sequence[Any], variant: str = "total") -> int:
        """Write one row through xlsxwriter (totals, small blocks); return its index."""
        for c, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            _write_cell(self.ws, self.row, c, column.kind, value,
                        self.w.styles.format(column.kind, variant))
        self.row += 1
        return self.row - 1

    def close(self) -> None:
        self.ws.autofilter(HEAD_ROW, 0, self.last, len(self.columns) - 1)

    def place(self, chart: Any, row: int, col: int, width: int, height: int) -> None:
        """Insert a chart below the table; on a new printed page unless it fits on the first."""
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(row, col, chart)
        pixels = [0 if column.hidden else _column_pixels(width) for column, width in
                  zip(self.columns, self.widths, strict=True)]
        scale = min(1.0, _PRINT_WIDTH / max(sum(pixels), sum(pixels[:col]) + width))
        page = _PRINT_HEIGHT / scale
        heading = (24 + 15 + self.head_height) * 4 / 3  # repeated on every page
        # Only the first page is predictable enough (Excel and LibreOffice scale differently):
        # a chart that does not fit on it starts a page of its own.
        if heading + (row - FIRST_ROW) * _ROW_PIXELS + height > page:
            self.ws.set_h_pagebreaks([row])

    def ref(self, column: int, first: int | None = None, last: int | None = None) -> list[Any]:
        """A chart reference to a column of the data rows (or of rows first..last)."""
        first = FIRST_ROW if first is None else first
        last = self.last if last is None else last
        return [self.ws.name, first, column, last, column]

    def head_ref(self, column: int) -> list[Any]:
        """A chart reference to a column's heading (a series' name)."""
        return [self.ws.name, HEAD_ROW, column]


class Formula(NamedTuple):
    """A cell that shows its arithmetic: the formula, and the value it gives stored beside it
    (openpyxl-written formulas have none, and readers of values would see a blank)."""

    text: str  # "=40*MIN(N(D4),1)+..."
    value: Decimal | int


def wrapped_height(text: str, width: float, line: float = 15.0, bold: bool = False) -> float:
    """Points for `text` wrapped in a column `width` wide: Excel does not grow rows itself."""
    units = sum(2 if ord(char) > 0x2E7F else 1 for char in text) * (1.1 if bold else 1.0)
    lines = max(1, -(-int(units) // max(1, int(width - 2))))
    return line * lines + 4


def _fitting_width(width: float, head: str) -> float:
    """The column width, widened so that the header's longest word needs no break."""
    longest = max((len(word) for word in head.split()), default=0)
    return max(width, longest * 1.15 + 2) if head.isascii() else width


def _column_pixels(width: float) -> int:
    return int(width * 7 + 5)  # xlsxwriter's conversion for the default font


def _write_cell(ws: Worksheet, row: int, col: int, kind: str, value: Any, fmt: Format) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(row, col, value.text, fmt, float(value.value))
    elif kind == "text":
        ws.write_string(row, col, str(value), fmt)
    elif kind == "date":
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_number(row, col, float(value), fmt)
