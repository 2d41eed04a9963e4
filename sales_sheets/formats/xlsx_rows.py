"""Data rows rendered as sheet XML, and spliced into the package xlsxwriter wrote.

xlsxwriter lays out each sheet (title, header and totals rows, formats, charts, print set-up);
the data rows themselves are rendered by `Rows` as sheet XML into a temporary file and spliced
into xlsxwriter's sheet part when the package is zipped again (`write_package`). The reason is
speed: xlsxwriter spends several microseconds a cell, so the 明细 of a million order lines
(twelve million cells) took 97 s on a development machine; `Rows` renders a whole row in about
the time xlsxwriter needs for one cell (a million lines in about 10 s), with the same cell XML:
inline strings, escaped the same way.

Inline strings rather than a shared-string table, on purpose. Both are valid (ECMA-376
18.3.1.4, 18.4.9); Excel moves inline strings into a table of its own when it next saves the
file, which is not a repair. Measured with bench/report_large.py --lines 200000 (the year's
workbook, 1.88 million text cells, 55,465 distinct; 2 shared cores, load average 1.9): inline
20.6 MiB, written in 4.1 s; the same cells through a shared-string table 18.1 MiB (-12 %), its
lookups cost 0.15 s and the smaller parts deflate 0.24 s faster, so no faster overall. A table
is one per workbook, but 明细 is rendered in a helper process while this one writes the other
sheets (see reports/details.py), and xlsxwriter writes inline strings in constant_memory mode:
sharing one table would mean renumbering 明细 after the fact or giving up the helper, for a
file 12 % smaller.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from itertools import compress
from operator import itemgetter, not_
from pathlib import Path
from typing import IO, Any

from xlsxwriter.utility import xl_col_to_name

from ..errors import SalesSheetsError
from .package import Deflated, Deflating, PackageReader, PackageWriter, deflate

EXCEL_ROWS = 1_048_576
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)
_MAX_TEXT = 32767  # characters a cell can hold
# Rows whose text has none of these take the fast path: no escaping needed.
_UNSAFE = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]").search
# A row's XML from its number and values (see Rows._renderer).
_Render = Callable[[int, Sequence[Any]], str]
# Escaping as xlsxwriter does it: a literal _xHHHH_ keeps its underscore as _x005F_, control
# characters become _xHHHH_ (tab and newline stay), and so do code points XML cannot hold.
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    text = text[:_MAX_TEXT]
    preserve = text != text.strip(" \t\r\n")
    text = _LITERAL_ESCAPE.sub("_x005F_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _CONTROL.sub(lambda match: f"_x{ord(match[0]):04X}_", text)
    return f'<t xml:space="preserve">{text}</t>' if preserve else f"<t>{text}</t>"


def _plain(text: Any) -> bool:
    """True when `text` can go into the XML as it is: a string, not empty (an empty string is
    written as a blank cell), needing no escaping and no whitespace preserved at either end."""
    return (type(text) is str and text != "" and text[0] != " " and text[-1] != " "
            and len(text) <= _MAX_TEXT and "_x" not in text and not _UNSAFE(text))


class _PlainTexts(dict[Any, bool]):
    """`_plain` of text values, remembered while rows are written: a sheet's text columns
    repeat few values (customers, products, salespeople, an order's number on each of its
    lines), and looking a row's texts up costs a third of checking them. Past 10,000 values it
    starts afresh, so that a sheet of all different texts (an order number on every row of
    合同台账) holds no more than a megabyte."""

    def __missing__(self, text: Any) -> bool:
        if len(self) >= 10_000:
            self.clear()
        plain = self[text] = _plain(text)
        return plain

    def all(self, texts: Iterable[Any]) -> bool:
        try:
            return all(map(self.__getitem__, texts))
        except TypeError:  # a value that does not hash: not a string
            return False


class Rows:
    """The data rows of one sheet as `<row>` XML in a temporary file.

    A row whose numbers and dates are all present and whose text needs no escaping is
    rendered by a compiled template (one per variant of row and pattern of empty text
    cells); any other row is built cell by cell.

    Args:
        kinds: the kind of each column (text, date, or a number: int, money, ...).
        style: the style index (xlsxwriter's s="") of a kind of cell in a variant of row.
        first: the 0-based row the data rows start at, below the header.
        variant_columns: the columns a row's variant applies to; None for all of them.
        file: where the XML goes (closed with this); None for a temporary file.
        nullable: number or date columns that are often empty (None): a row with some of
            them empty still takes the fast path, by a renderer of its own for each pattern.
    """

    def __init__(self, kinds: Sequence[str], style: Callable[[str, str], int], first: int,
                 variant_columns: frozenset[int] | None = None,
                 file: IO[bytes] | None = None, nullable: Sequence[int] = ()) -> None:
        self.kinds = kinds
        self.style = style
        self.first = first
        self.variant_columns = variant_columns
        self.file: IO[bytes] = tempfile.TemporaryFile() if file is None else file
        self.size = 0
        self.count = 0
        self._letters = [xl_col_to_name(c) for c in range(len(kinds))]
        self._text = tuple(c for c, kind in enumerate(kinds) if kind == "text")
        self._nullable = tuple(c for c in nullable if kinds[c] != "text")
        self._renderers: dict[tuple[str, tuple[bool, ...], tuple[bool, ...]], _Render] = {}
        self._serials = _Serials()
        self._xf: dict[str, list[int]] = {}

    def __enter__(self) -> Rows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, rows: Iterable[tuple[Any, ...]],
              variant: Callable[[tuple[Any, ...]], str] | None = None,
              sums: Sequence[int] = ()) -> list[Decimal]:
        """Render `rows` from row `first` on; return the sums of columns `sums`."""
        totals = [Decimal(0)] * len(sums)
        texts_of = self._getter(self._text)
        nullable_of = self._getter(self._nullable) if self._nullable else None
        plain = self._renderer("plain")
        plain_texts = _PlainTexts()
        buffer: list[str] = []
        number = self.first + 1  # the row number in the XML
        for values in rows:
            kind = variant(values) if variant else "plain"
            texts = texts_of(values)
            nulls: tuple[bool, ...] = ()
            if nullable_of is not None and None in nullable_of(values):
                nulls = tuple(value is None for value in nullable_of(values))
            render = None
            if "" in texts or None in texts:
                # Empty text cells (a contract without hold reasons or approval) are blank
                # cells: a renderer of its own for each pattern of them keeps the row fast.
                blank = tuple(text is None or text == "" for text in texts)
                if plain_texts.all(compress(texts, map(not_, blank))):
                    render = self._renderer(kind, blank, nulls)
            elif plain_texts.all(texts):
                render = (plain if kind == "plain" and not nulls
                          else self._renderer(kind, (), nulls))
            line = None
            if render is not None:
                line = render(number, values)
                # A missing number or date shows as <v>None</v>: that row needs blank cells.
                # (Cheaper than looking for None first: Decimal == None goes through the ABCs.)
                if "None</v>" in line:
                    line = None
            buffer.append(line or self._row(number, values, kind))
            for k, c in enumerate(sums):
                if values[c] is not None:
                    totals[k] += values[c]
            number += 1
            if len(buffer) == 2000:
                self._flush(buffer)
        self._flush(buffer)
        self.count = number - self.first - 1
        if number - 1 > EXCEL_ROWS:
            raise SalesSheetsError(f"{self.count} rows do not fit in one worksheet")
        return totals

    @staticmethod
    def _getter(columns: tuple[int, ...]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
        """The values of `columns` as a tuple (itemgetter returns a bare value for one)."""
        if len(columns) == 1:
            return lambda values: (values[columns[0]],)
        if not columns:
            return lambda values: ()
        return itemgetter(*columns)

    def _flush(self, buffer: list[str]) -> None:
        data = "".join(buffer).encode("utf-8")
        self.file.write(data)
        self.size += len(data)
        buffer.clear()

    def _styles_of(self, variant: str) -> list[int]:
        if variant not in self._xf:
            self._xf[variant] = [
                self.style(kind, variant if self.variant_columns is None
                           or c in self.variant_columns else "plain")
                for c, kind in enumerate(self.kinds)]
        return self._xf[variant]

    def _renderer(self, variant: str, blank: tuple[bool, ...] = (),
                  nulls: tuple[bool, ...] = ()) -> _Render:
        """The function that renders a row of `variant` whose values need no escaping;
        blank[i] makes the i-th text column a blank cell (its value is not used), nulls[i]
        the i-th nullable column."""
        key = (variant, blank, nulls)
        if key not in self._renderers:
            empty = {self._text[i] for i, is_blank in enumerate(blank) if is_blank}
            empty |= {self._nullable[i] for i, is_null in enumerate(nulls) if is_null}
            parts = ['<row r="{n}">']
            for c, (kind, style) in enumerate(zip(self.kinds, self._styles_of(variant),
                                                  strict=True)):
                ref = f'r="{self._letters[c]}{{n}}" s="{style}"'
                if c in empty:
                    parts.append(f"<c {ref}/>")
                elif kind == "text":
                    parts.append(f'<c {ref} t="inlineStr"><is><t>{{v[{c}]}}</t></is></c>')
                elif kind == "date":
                    parts.append(f"<c {ref}><v>{{serials[v[{c}]]}}</v></c>")
                else:  # !s: str() is several times faster than Decimal.__format__
                    parts.append(f"<c {ref}><v>{{v[{c}]!s}}</v></c>")
            parts.append("</row>")
            self._renderers[key] = _compile("".join(parts), self._serials)
        return self._renderers[key]

    def _row(self, number: int, values: tuple[Any, ...], variant: str) -> str:
        parts = [f'<row r="{number}">']
        for c, (kind, style, value) in enumerate(zip(self.kinds, self._styles_of(variant),
                                                     values, strict=True)):
            ref = f'r="{self._letters[c]}{number}" s="{style}"'
            if value is None or value == "":
                parts.append(f"<c {ref}/>")
            elif kind == "text":
                parts.append(f'<c {ref} t="inlineStr"><is>{_xml_text(str(value))}</is></c>')
            elif kind == "date":
                parts.append(f"<c {ref}><v>{value.toordinal() - _EPOCH}</v></c>")
            else:
                parts.append(f"<c {ref}><v>{value}</v></c>")
        parts.append("</row>")
        return "".join(parts)


def _compile(template: str, serials: _Serials) -> _Render:
    """`template`, an f-string body over n (the row number), v (the row's values) and serials,
    as a function of n and v. An f-string is parsed once, when it is compiled; str.format
    parses its template on every call, which made a row take twice as long. The template is
    our own XML (tags, column letters, style numbers) and never holds a value, so compiling
    it is safe."""
    namespace: dict[str, Any] = {"serials": serials}
    exec(f"def render(n, v):\n    return f'{template}'\n", namespace)
    render: _Render = namespace["render"]
    return render


@dataclass(frozen=True)
class Rendered:
    """Data rows that `Rows` rendered into `file` elsewhere (in another process): `size`
    bytes, to go into a sheet from 0-based row `first` on."""

    first: int
    size: int
    file: IO[bytes]


class _Serials(dict[date | None, str]):
    """Excel day numbers of dates, remembered: a ledger has few distinct dates."""

    def __init__(self) -> None:
        super().__init__({None: "None"})

    def __missing__(self, day: date | None) -> str:
        assert day is not None
        serial = self[day] = str(day.toordinal() - _EPOCH)
        return serial


# -- the package ----------------------------------------------------------------------------

_BIG = 8 << 20  # parts larger than this are deflated at level 1: four times faster than 6


def write_package(source: BytesIO, fragments: dict[str, Rows | Rendered],
                  target: Path) -> None:
    """Copy xlsxwriter's package to `target`, splicing each sheet's data rows into it.

    Every part is deflated again (not copied as it is): at level 1 when larger than _BIG, and
    stamped at FIXED_TIME, as xlsxwriter stamps its own, so the same figures give the same bytes.
    The large sheets (a year's 明细, 合同台账 and 销售跟单: a gigabyte of XML at a million
    lines) are deflated in threads, one a core, while the small parts are written: a part's
    bytes do not depend on where it was deflated.

    Args:
        source: the .xlsx xlsxwriter wrote.
        fragments: sheet name -> its data rows.
        target: the .xlsx to write.
    """
    with PackageReader(source) as src, PackageWriter(target) as dst, ExitStack() as stack:
        parts = {entry.name: rel.target for entry, rel in src.sheets() if rel is not None}
        spliced = {}
        for name, rows in fragments.items():
            xml = src.read(parts[name]).decode("utf-8")
            at = _insertion_point(xml, rows.first)
            spliced[parts[name]] = _Spliced(xml[:at].encode("utf-8"), rows,
                                            xml[at:].encode("utf-8"))
        large = sorted((part for part, s in spliced.items() if s.size > _BIG),
                       key=lambda part: -spliced[part].size)
        pool = stack.enter_context(ThreadPoolExecutor(max(1, min(len(large),
                                                                 os.cpu_count() or 1))))
        ahead = {part: pool.submit(deflate, _level(spliced[part].size), spliced[part].write_to)
                 for part in large}
        stack.callback(_close_deflated, ahead)
        for info in src.members:
            part = spliced.get(info.filename)
            if part is None:
                with src.open(info) as data, \
                        dst.stream(info.filename, info.file_size,
                                   level=_level(info.file_size)) as out:
                    shutil.copyfileobj(data, out, 1 << 20)
            elif info.filename in ahead:
                dst.deflated(info.filename, part.size, ahead[info.filename].result())
            else:
                with dst.stream(info.filename, part.size, level=_level(part.size)) as out:
                    part.write_to(out)


@dataclass(frozen=True)
class _Spliced:
    """A sheet part with its data rows spliced in."""

    head: bytes
    rows: Rows | Rendered
    tail: bytes

    @property
    def size(self) -> int:
        return len(self.head) + self.rows.size + len(self.tail)

    def write_to(self, out: Deflating) -> None:
        out.write(self.head)
        self.rows.file.seek(0)
        shutil.copyfileobj(self.rows.file, out, 1 << 20)
        out.write(self.tail)


def _close_deflated(ahead: dict[str, Future[Deflated]]) -> None:
    for future in ahead.values():
        if not future.cancelled() and future.exception() is None:
            future.result().file.close()


def _level(size: int) -> int:
    """The deflate level of a part of `size` bytes: 1 for the large ones, four times faster."""
    return 1 if size > _BIG else 6


def _insertion_point(xml: str, first: int) -> int:
    """Where the data rows go: before the first row from 0-based row `first` on (the totals
    below the data), or the end."""
    for match in re.finditer(r'<row r="(\d+)"', xml):
        if int(match[1]) > first:
            return match.start()
    at = xml.find("</sheetData>")
    if at < 0:
        raise SalesSheetsError("unexpected worksheet XML from xlsxwriter")
    return at
