"""Mark an xlsx by editing its package: fill cells, add notes, add plain sheets.

openpyxl loads every cell of every sheet into objects and writes them all back with their
styles: a 100,000-line workbook cost it minutes, so a rejected file cost twenty times what an
accepted one did (issue 11). Here every part that does not change is copied as it is (not even
decompressed), and the few that do are edited as text: a marked cell's `s` attribute points to
a new style, its old one plus a solid fill; a missing cell is added with its row's or column's
style plus the fill; notes go into a comments part and its VML drawing; the texts of new sheets
go into the shared-string table, as Excel writes them, so that a problem list of 100,000 rows
names its few distinct messages once each and its rows are a few small numbers.

The package is read and written through formats/package: relationships and sheet lists are
read there as the reader reads them (prefixes, open tags, escaped names), and unchanged members
are copied with their compressed bytes. The parts edited here are matched with regular
expressions: the safety check has refused any part with a DTD, and what does not look as
expected raises `Unsupported` (a sheet that already has notes, a part written with prefixes
where an edit needs none, a damaged member), so that the caller can take the slow, general road
instead. Nothing else is caught on the way: any other exception is a bug here.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from .a1 import column_index_from_string, coordinate_from_string, get_column_letter
from .cells import printable
from .package import (
    REL,
    REL_STRINGS,
    REL_STYLES,
    REL_WORKSHEET,
    WORKBOOK,
    PackageReader,
    PackageWriter,
    Unsupported,
    add_default,
    add_override,
    add_relationships,
    attributes,
    free_id,
    relative,
    rels_part,
)
from .package.parts import sheet_entries

__all__ = ["NewSheet", "Style", "Unsupported", "XlsxEdit"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_COMMENTS = f"{REL}/comments"
_REL_VML = f"{REL}/vmlDrawing"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_CT_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_FILL = re.compile(r"<fill>.*?</fill>|<fill/>", re.S)
_FONT = re.compile(r"<font>.*?</font>|<font/>", re.S)
_SOLID_RGB = re.compile(r'patternType="solid".*?<fgColor\b[^>]*?rgb="([0-9A-Fa-f]{6,8})"', re.S)
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>.*?</c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_A1 = re.compile(r"([A-Z]{1,3})([1-9]\d*)")
_STYLE = re.compile(rb'\bs="(\d+)"')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_ROW_STYLE = re.compile(rb'\bcustomFormat="(?:1|true)"')
_COL = re.compile(rb"<col\b([^>]*?)/>")
_TAB_SELECTED = re.compile(rb'\stabSelected="(?:1|true)"')
_SST = re.compile(rb"<sst\b([^>]*?)(/?)>")
_SST_COUNTS = re.compile(rb'\s(?:count|uniqueCount)="[^"]*"')
_SST_COUNT = re.compile(rb'\scount="(\d+)"')
# Children of <worksheet> that come after <legacyDrawing> (ECMA-376 18.3.1.99, in order).
_AFTER_LEGACY = re.compile(rb"<(?:legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
                           rb"webPublishItems|tableParts|extLst)\b|</worksheet>")
# Text that needs escaping or control characters removed.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x1f]").search
_SHAPES_PER_BLOCK = 1024  # VML shape ids come in blocks of 1024 per drawing
# The parts written anew are deflated fast: a rejected copy is opened once or twice, and its
# new sheets are as large as the data. The problem sheet of 100,000 problems (46 MB of XML
# while its texts were inline, about 30 MB through the shared-string table): 0.54 s and 2.7 MB
# at level 1, 1.48 s and 2.3 MB at the default 6 (measured under load).
_FAST = 1


class _Strings(dict[str, int]):
    """The texts new sheets add to the shared-string table, each with its index there; looking
    up a text not yet in it adds it. The table held `first` strings before."""

    def __init__(self, first: int) -> None:
        super().__init__()
        self.first = first
        self.references = 0  # cells that refer to them: the table's `count` grows by as many

    def __missing__(self, text: str) -> int:
        index = self[text] = self.first + len(self)
        return index


@dataclass(frozen=True)
class Style:
    """What a new cell style changes on top of its base style."""

    fill: str = ""  # solid fill as RRGGBB
    bold: bool = False
    link: bool = False  # blue and underlined, as a hyperlink
    wrap: bool = False  # wrapped, aligned to the top


@dataclass
class NewSheet:
    """A sheet of text cells: `rows[r][c]` is (text, style index from `XlsxEdit.style`)."""

    title: str
    rows: Sequence[Sequence[tuple[str, int]]]
    widths: Sequence[float] = ()
    # cell -> where it leads inside the workbook, e.g. "'订货单'!D7"
    links: dict[str, str] = field(default_factory=dict)
    freeze_header: bool = False
    first: bool = False  # put it first and show it when the workbook opens
    hidden: bool = False  # veryHidden: not even listed under Unhide
    # The column (from 0) whose text differs from row to row while the others repeat, as a
    # problem list's location does: rows alike in every other column share one row template.
    varying: int | None = None


class XlsxEdit:
    """An xlsx being edited; `save` writes the result, the source is never changed."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._parts: dict[str, bytes] = {}  # parts replaced or added
        with PackageReader(source) as package:
            self._names = package.names
            self._workbook = package.text(WORKBOOK)
            self._workbook_rels = package.text(rels_part(WORKBOOK))
            self._types = package.text("[Content_Types].xml")
            self.sheets: dict[str, str] = {  # sheet title -> its part
                entry.name: rel.target for entry, rel in package.sheets()
                if rel is not None and rel.type == REL_WORKSHEET}
            targets = package.relationships(WORKBOOK).values()
            styles_part = next((rel.target for rel in targets if rel.type == REL_STYLES), None)
            if styles_part is None or not package.has(styles_part) or not self.sheets:
                raise Unsupported("no styles part or no worksheets (strict OOXML?)")
            self._styles_part = styles_part
            self._strings_part = next((rel.target for rel in targets
                                       if rel.type == REL_STRINGS), None)
            self._styles = package.text(styles_part)
        self._xfs = _XF.findall(_section(self._styles, "cellXfs"))
        self._fills = _FILL.findall(_section(self._styles, "fills"))
        self._fonts = _FONT.findall(_section(self._styles, "fonts"))
        if not self._xfs or not self._fonts:
            raise Unsupported("no cell styles")
        self._new_xfs: list[str] = []
        self._new_fills: dict[str, int] = {}
        self._new_fonts: dict[tuple[bool, bool], int] = {}
        self._styles_made: dict[tuple[int, Style], int] = {}
        self._filled_attributes: dict[tuple[int, str], tuple[bytes, str]] = {}
        self._old_sheets = set(self.sheets.values())
        self._shape_block = 1
        self._first_sheet = False
        self._strings: _Strings | None = None  # read when the first new sheet needs it

    # --- styles ----------------------------------------------------------------------------

    def style(self, style: Style, base: int = 0) -> int:
        """The index of a cell style: `base` with `style` applied."""
        key = (base, style)
        if key not in self._styles_made:
            xf = self._xfs[base] if base < len(self._xfs) else self._xfs[0]
            if style.fill:
                xf = _set_attributes(xf, fillId=self._fill(style.fill), applyFill="1")
            if style.bold or style.link:
                xf = _set_attributes(xf, fontId=self._font(style.bold, style.link),
                                     applyFont="1")
            if style.wrap:
                xf = re.sub(r"<alignment\b[^>]*/>", "", _set_attributes(xf, applyAlignment="1"))
                body = '<alignment vertical="top" wrapText="1"/>'
                xf = (xf[:-2] + f">{body}</xf>" if xf.endswith("/>")
                      else xf.replace("</xf>", f"{body}</xf>"))
            self._styles_made[key] = len(self._xfs) + len(self._new_xfs)
            self._new_xfs.append(xf)
        return self._styles_made[key]

    def _fill(self, rgb: str) -> int:
        if rgb not in self._new_fills:
            self._new_fills[rgb] = len(self._fills) + len(self._new_fills)
        return self._new_fills[rgb]

    def _font(self, bold: bool, link: bool) -> int:
        if (bold, link) not in self._new_fonts:
            self._new_fonts[(bold, link)] = len(self._fonts) + len(self._new_fonts)
        return self._new_fonts[(bold, link)]

    def _filled(self, base: int, rgb: str) -> tuple[bytes, str]:
        """The attribute s="…" of `base` filled with `rgb`, and the fill of `base`;
        remembered: cells in their thousands ask for the same few."""
        key = (base, rgb)
        if key not in self._filled_attributes:
            self._filled_attributes[key] = (b's="%d"' % self.style(Style(fill=rgb), base),
                                            self.fill_of(base))
        return self._filled_attributes[key]

    def fill_of(self, index: int) -> str:
        """The solid fill (RRGGBB, "" for none) of the cell style at `index`."""
        if index >= len(self._xfs):
            return ""
        found = re.search(r'\bfillId="(\d+)"', self._xfs[index])
        fill_id = int(found[1]) if found else 0
        if fill_id >= len(self._fills):
            return ""
        solid = _SOLID_RGB.search(self._fills[fill_id])
        return solid[1][-6:].upper() if solid else ""

    def _styles_xml(self) -> str:
        text = self._styles
        fills = [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
                 '<bgColor indexed="64"/></patternFill></fill>' for rgb in self._new_fills]
        # New fonts are the default font, bold or blue and underlined.
        base = self._fonts[0].replace("<font/>", "<font></font>")
        base = re.sub(r"<(?:b|u|color)\b[^>]*/>", "", base)
        fonts = [base.replace("<font>", "<font>" + ("<b/>" if bold else "")
                              + ('<u/><color rgb="FF0563C1"/>' if link else ""), 1)
                 for bold, link in self._new_fonts]
        text = _append(text, "fonts", len(self._fonts), fonts)
        text = _append(text, "fills", len(self._fills), fills)
        return _append(text, "cellXfs", len(self._xfs), self._new_xfs)

    # --- marking cells ---------------------------------------------------------------------

    def mark(self, sheet: str, fills: dict[str, str], notes: dict[str, str]) -> dict[str, str]:
        """Give each cell in `fills` (ref -> RRGGBB) that solid fill, and each in `notes` a
        note; return each filled cell's fill before (RRGGBB, "" for none)."""
        part = self.sheets[sheet]
        data = self._read(part)
        if part in self._parts:
            raise Unsupported(f"{sheet} is marked already")
        if b"<legacyDrawing" in data:
            # Notes of its own: merging ours into them, and remembering each marked cell's
            # note to give it back later, are openpyxl's to do.
            raise Unsupported(f"{sheet} has notes")
        cells = []  # in document order: (row, width and letters of the column, ref, fill)
        for ref, rgb in fills.items():
            found = _A1.fullmatch(ref)
            if found is None:
                raise Unsupported(f"cell {ref}")
            cells.append((int(found[2]), len(found[1]), found[1], ref, rgb))
        cells.sort()
        earlier: dict[str, str] = {}
        data = self._fill_cells(data, cells, earlier)
        if notes:
            data = self._add_notes(part, data, notes)
        self._parts[part] = data
        return earlier

    def _fill_cells(self, data: bytes, cells: list[tuple[int, int, str, str, str]],
                    earlier: dict[str, str]) -> bytes:
        start = data.find(b"<sheetData")
        if start < 0:
            raise Unsupported("no sheetData")
        head_end = _index(data, b">", start) + 1
        if data[head_end - 2:head_end] == b"/>":  # an empty sheet: <sheetData/>
            body, tail = b"", data[head_end:]
            head = data[:head_end - 2] + b">"
            tail = b"</sheetData>" + tail
        else:
            end = _index(data, b"</sheetData>", head_end)
            head, body, tail = data[:head_end], data[head_end:end], data[end:]
        quick = self._cells_in_place(body, cells, earlier)
        if quick is not None:
            return b"".join([head, *quick, tail])
        columns = _column_styles(data[:start])
        by_row: dict[int, dict[int, str]] = {}
        for row, _, letters, _, rgb in cells:
            by_row.setdefault(row, {})[column_index_from_string(letters)] = rgb
        waiting = deque(sorted(by_row))
        out = [head]
        position = 0
        for found in _ROW.finditer(body):
            if not waiting:
                break  # the rest is copied as it is
            number = _ROW_NUMBER.search(found[0], 0, found[0].find(b">"))
            if number is None:
                raise Unsupported("a row without its number")
            row = int(number[1])
            if waiting[0] > row:
                continue
            out.append(body[position:found.start()])
            position = found.start()
            while waiting and waiting[0] < row:
                missing = waiting.popleft()
                out.append(self._new_row(missing, by_row[missing], columns, earlier))
            if waiting and waiting[0] == row:
                waiting.popleft()
                out.append(self._restyled_row(found[0], row, by_row[row], columns, earlier))
                position = found.end()
        out.append(body[position:])
        out += [self._new_row(r, by_row[r], columns, earlier) for r in waiting]
        out.append(tail)
        return b"".join(out)

    def _cells_in_place(self, body: bytes, cells: list[tuple[int, int, str, str, str]],
                        earlier: dict[str, str]) -> list[bytes] | None:
        """The sheet data with the marked cells restyled, each found by its reference (in C,
        not by reading every row here), in document order; None when one is not there or not
        written reference first (as Excel, openpyxl and xlsxwriter write them)."""
        out, position = [], 0
        for _, _, _, ref, rgb in cells:
            start = body.find(b'<c r="' + ref.encode() + b'"', position)
            if start < 0:
                return None
            style = _STYLE.search(body, start, _index(body, b">", start))
            new, earlier[ref] = self._filled(int(style[1]) if style else 0, rgb)
            if style:
                out += [body[position:style.start()], new]
                position = style.end()
            else:
                out += [body[position:start + 2], b" ", new]
                position = start + 2
        out.append(body[position:])
        return out

    def _restyled_row(self, xml: bytes, row: int, fills: dict[int, str],
                      columns: dict[int, int], earlier: dict[str, str]) -> bytes:
        open_end = _index(xml, b">") + 1
        empty = xml.endswith(b"/>") and open_end == len(xml)
        tag = _SPANS.sub(b"", xml[:open_end - 2] + b">" if empty else xml[:open_end])
        inner = b"" if empty else xml[open_end:-len(b"</row>")]
        row_style = _row_style(tag)
        cells: list[tuple[int, bytes]] = []
        for cell in _CELL.finditer(inner):
            ref = _CELL_REF.search(cell[1])
            if ref is None:
                raise Unsupported("a cell without its reference")
            column = column_index_from_string(ref[1].decode())
            text = cell[0]
            rgb = fills.pop(column, None)
            if rgb is not None:
                style = _STYLE.search(cell[1])
                base = int(style[1]) if style else 0
                new, earlier[f"{ref[1].decode()}{row}"] = self._filled(base, rgb)
                text = (text[:style.start() + 2] + new + text[style.end() + 2:] if style
                        else b"<c " + new + text[2:])
            cells.append((column, text))
        for column, rgb in fills.items():
            cells.append((column, self._new_cell(column, row, rgb, row_style, columns, earlier)))
        cells.sort(key=lambda c: c[0])
        return tag + b"".join(text for _, text in cells) + b"</row>"

    def _new_row(self, row: int, fills: dict[int, str], columns: dict[int, int],
                 earlier: dict[str, str]) -> bytes:
        cells = [self._new_cell(c, row, fills[c], None, columns, earlier) for c in sorted(fills)]
        return b'<row r="%d">' % row + b"".join(cells) + b"</row>"

    def _new_cell(self, column: int, row: int, rgb: str, row_style: int | None,
                  columns: dict[int, int], earlier: dict[str, str]) -> bytes:
        # A cell that is not there shows its row's style, else its column's: keep it.
        base = row_style if row_style is not None else columns.get(column, 0)
        ref = f"{get_column_letter(column)}{row}"
        earlier[ref] = self.fill_of(base)
        return b'<c r="%s" s="%d"/>' % (ref.encode(), self.style(Style(fill=rgb), base))

    def _add_notes(self, part: str, data: bytes, notes: dict[str, str]) -> bytes:
        comments = self._free_part("xl/comments{}.xml")
        drawing = self._free_part("xl/drawings/vmlDrawingSs{}.vml")
        self._parts[comments] = _comments_xml(notes).encode()
        blocks = -(-(len(notes) + 1) // _SHAPES_PER_BLOCK)
        self._parts[drawing] = _vml_xml(notes, self._shape_block, blocks).encode()
        self._shape_block += blocks
        sheet_rels = rels_part(part)
        rels = (_decoded(sheet_rels, self._read(sheet_rels)) if sheet_rels in self._names
                else f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_REL}"></Relationships>')
        vml_id = free_id(rels, "rIdSsVml")
        rels = add_relationships(rels, [
            (free_id(rels, "rIdSsNotes"), _REL_COMMENTS, relative(part, comments)),
            (vml_id, _REL_VML, relative(part, drawing))])
        self._parts[sheet_rels] = rels.encode()
        self._types = add_default(add_override(self._types, comments, _CT_COMMENTS),
                                  "vml", _CT_VML)
        where = _AFTER_LEGACY.search(data, data.find(b"</sheetData>"))
        if where is None:
            raise Unsupported("no end of worksheet")
        tag = f'<legacyDrawing xmlns:r="{REL}" r:id="{vml_id}"/>'.encode()
        return data[:where.start()] + tag + data[where.start():]

    def _free_part(self, pattern: str) -> str:
        number = 1
        while (name := pattern.format(number)) in self._names or name in self._parts:
            number += 1
        return name

    def _read(self, part: str) -> bytes:
        with PackageReader(self.source) as package:
            return package.read(part)

    # --- new sheets ------------------------------------------------------------------------

    def add_sheet(self, sheet: NewSheet) -> None:
        """Add `sheet` to the workbook, first or last."""
        if sheet.title in self.sheets:
            raise Unsupported(f"{sheet.title} exists")
        part = self._free_part("xl/worksheets/sheet{}.xml")
        self._parts[part] = _sheet_xml(sheet, self._shared())
        self._types = add_override(self._types, part, _CT_WORKSHEET)
        rel_id = free_id(self._workbook_rels, "rIdSsSheet")
        self._workbook_rels = add_relationships(
            self._workbook_rels, [(rel_id, REL_WORKSHEET, relative(WORKBOOK, part))])
        ids = [int(number) for entry in sheet_entries(self._workbook)
               if (number := entry.attributes.get("sheetId", "0")).isdigit()]
        state = ' state="veryHidden"' if sheet.hidden else ""
        # The entry declares its own r: prefix; not every workbook declares it at the root.
        entry = (f'<sheet xmlns:r="{REL}" name={quoteattr(sheet.title)} '
                 f'sheetId="{max(ids, default=0) + 1}"{state} r:id="{rel_id}"/>')
        if "<sheets>" not in self._workbook:
            raise Unsupported("no sheet list")
        if sheet.first:
            self._workbook = self._workbook.replace("<sheets>", f"<sheets>{entry}", 1)
            # Sheet-local names count sheets by position; every existing one moved one on.
            self._workbook = re.sub(r'localSheetId="(\d+)"',
                                    lambda m: f'localSheetId="{int(m[1]) + 1}"', self._workbook)
            self._workbook = re.sub(r'\s(?:activeTab|firstSheet)="\d+"', "", self._workbook)
            self._first_sheet = True
        else:
            self._workbook = self._workbook.replace("</sheets>", f"{entry}</sheets>", 1)
        self.sheets[sheet.title] = part

    # --- shared strings --------------------------------------------------------------------

    def _shared(self) -> _Strings:
        if self._strings is None:
            first = 0
            if self._strings_part is not None:
                table = self._read_strings(self._strings_part)
                first = table.count(b"<si>") + table.count(b"<si ") + table.count(b"<si/>")
            self._strings = _Strings(first)
        return self._strings

    def _read_strings(self, part: str) -> bytes:
        if part not in self._names:
            raise Unsupported(f"{part} is named but missing")
        table = self._read(part)
        if _SST.search(table) is None:
            raise Unsupported(f"{part}: no <sst> without a prefix")
        return table

    def _add_strings(self) -> None:
        """Write the new texts into the shared-string table, making one if there is none."""
        strings = self._strings
        if not strings:
            return
        items = _strings_xml(list(strings))
        if self._strings_part is None:
            part = self._free_part("xl/sharedStrings{}.xml")
            table = (f'{_DECLARATION}<sst xmlns="{_MAIN}" count="{strings.references}" '
                     f'uniqueCount="{len(strings)}">').encode() + items + b"</sst>"
            self._workbook_rels = add_relationships(self._workbook_rels, [
                (free_id(self._workbook_rels, "rIdSsStrings"), REL_STRINGS,
                 relative(WORKBOOK, part))])
            self._types = add_override(self._types, part, _CT_STRINGS)
            self._parts[part] = table
            return
        self._parts[self._strings_part] = _extended(
            self._read_strings(self._strings_part), items, strings)

    # --- writing ---------------------------------------------------------------------------

    def save(self, dest: Path | IO[bytes]) -> None:
        """Write the edited workbook to `dest`, a file or a binary stream."""
        self._add_strings()
        parts = dict(self._parts)
        parts[WORKBOOK] = self._workbook.encode()
        parts[rels_part(WORKBOOK)] = self._workbook_rels.encode()
        parts["[Content_Types].xml"] = self._types.encode()
        parts[self._styles_part] = self._styles_xml().encode()
        with PackageReader(self.source) as package, PackageWriter(dest) as out:
            for info in package.members:
                data = parts.pop(info.filename, None)
                if self._first_sheet and info.filename in self._old_sheets:
                    # The new first sheet is the one shown: no other stays selected with it.
                    data = _unselected(package.read(info) if data is None else data)
                if data is None:
                    out.copy(package, info)  # as it is: not even decompressed
                else:
                    out.write(info.filename, data, level=_FAST, date_time=info.date_time)
            for name, data in parts.items():
                out.write(name, data, level=_FAST)



def _unselected(sheet: bytes) -> bytes:
    head = sheet[:max(sheet.find(b"<sheetData"), 0)]  # the sheet views come before the data
    return _TAB_SELECTED.sub(b"", head, count=1) + sheet[len(head):]


def _index(data: bytes, sub: bytes, start: int = 0) -> int:
    """Where `sub` is in `data` from `start`; a part without it is not one this editor knows."""
    found = data.find(sub, start)
    if found < 0:
        raise Unsupported(f"no {sub.decode()} where one was expected")
    return found


def _decoded(part: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported(f"{part}: {exc}") from exc


def _section(styles: str, name: str) -> str:
    found = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", styles, re.S)
    return found[1] if found else ""


def _append(styles: str, name: str, existing: int, items: list[str]) -> str:
    if not items:
        return styles
    found = re.search(rf"<{name}\b([^>]*)>(.*?)</{name}>", styles, re.S)
    if found is None:
        raise Unsupported(f"no {name} in styles")
    count = existing + len(items)
    attrs = re.sub(r'\s*count="\d+"', "", found[1])
    return (styles[:found.start()] + f'<{name} count="{count}"{attrs}>{found[2]}'
            + "".join(items) + f"</{name}>" + styles[found.end():])


def _set_attributes(xf: str, **values: object) -> str:
    for name, value in values.items():
        replaced, done = re.subn(rf'\b{name}="[^"]*"', f'{name}="{value}"', xf, count=1)
        xf = replaced if done else xf.replace("<xf ", f'<xf {name}="{value}" ', 1)
    return xf


def _row_style(tag: bytes) -> int | None:
    if not _ROW_STYLE.search(tag):
        return None
    found = _STYLE.search(tag)
    return int(found[1]) if found else None


def _column_styles(head: bytes) -> dict[int, int]:
    styles: dict[int, int] = {}
    for found in _COL.finditer(head):
        attrs = attributes(found[1].decode("utf-8", "replace"))
        numbers = (attrs.get("min", "1"), attrs.get("max", "1"), attrs.get("style", ""))
        if not all(n.isdigit() for n in numbers):
            continue  # no style, or not numbers: nothing a new cell could take from it
        first, last, style = map(int, numbers)
        for column in range(first, last + 1):
            styles[column] = style
    return styles


def _attribute(value: str) -> str:
    return f'"{value}"' if _NEEDS_CARE(value) is None and '"' not in value else quoteattr(value)


def _row_template(row: Sequence[tuple[str, int]], varying: int | None,
                  strings: _Strings) -> tuple[str, int]:
    """The XML of `row` with {0} for its number and {1} for the shared-string index of its
    `varying` cell, the other cells' indices written in; and how many cells it has."""
    cells = []
    for column, (text, style) in enumerate(row):
        if text:
            index = "{1}" if column == varying else strings[text]
            cells.append(f'<c r="{get_column_letter(column + 1)}{{0}}" s="{style}" t="s">'
                         f"<v>{index}</v></c>")
    return '<row r="{0}">' + "".join(cells) + "</row>", len(cells)


def _plain(texts: list[str]) -> bool:
    """Whether none of `texts` needs escaping, trimming or space kept: checked for all at once,
    not text by text."""
    joined = "\x7f".join(texts)
    return not (_NEEDS_CARE(joined) or joined[:1] == " " or joined[-1:] == " "
                or " \x7f" in joined or "\x7f " in joined
                or max(map(len, texts), default=0) > 32767)


def _text_xml(text: str) -> str:
    if not (_NEEDS_CARE(text) or text[0].isspace() or text[-1].isspace() or len(text) > 32767):
        return f"<t>{text}</t>"  # the usual text, as it is
    text = escape(printable(text)[:32767])
    preserve = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<t{preserve}>{text}</t>"


def _strings_xml(texts: list[str]) -> bytes:
    """Shared-string items (<si>) of `texts`; most need no escaping, which is checked once."""
    if _plain(texts):
        return "".join([f"<si><t>{text}</t></si>" for text in texts]).encode()
    return "".join([f"<si>{_text_xml(text)}</si>" for text in texts]).encode()


def _extended(table: bytes, items: bytes, strings: _Strings) -> bytes:
    """The shared-string table with `items` added at its end and its counts brought up to date
    (both optional; `count`, the cells referring to the table, is kept only if it was there)."""
    found = _SST.search(table)
    if found is None:
        raise Unsupported("no <sst> without a prefix")
    count = _SST_COUNT.search(found[1])
    attributes = _SST_COUNTS.sub(b"", found[1]) + b' uniqueCount="%d"' % (
        strings.first + len(strings))
    if count is not None:
        attributes += b' count="%d"' % (int(count[1]) + strings.references)
    head = table[:found.start()] + b"<sst" + attributes + b">"
    if found[2]:  # an empty table, <sst .../>
        return head + items + b"</sst>" + table[found.end():]
    end = table.rfind(b"</sst>")
    if end < 0:
        raise Unsupported("no </sst>")
    return head + table[found.end():end] + items + table[end:]


def _rows_xml(rows: Sequence[Sequence[tuple[str, int]]], varying: int | None,
              strings: _Strings) -> list[str]:
    """Each row's XML, its texts given by their index in the shared-string table. Rows alike
    in all but their `varying` cell are rendered from one template: a problem list of 100,000
    rows and a few hundred distinct messages is each row's number and location put into one
    of a few hundred templates."""
    templates: dict[tuple[object, ...], tuple[str, int]] = {}
    out = []
    for r, row in enumerate(rows, start=1):
        row = tuple(row)
        key: tuple[object, ...]
        if varying is None:
            key, text = row, ""
        else:
            text, style = row[varying]
            key = (row[:varying], style if text else -1, row[varying + 1:])
        found = templates.get(key)
        if found is None:
            found = templates[key] = _row_template(row, varying, strings)
        out.append(found[0].format(r, strings[text] if text else 0))
        strings.references += found[1]
    return out


def _sheet_xml(sheet: NewSheet, strings: _Strings) -> bytes:
    parts = [_DECLARATION, f'<worksheet xmlns="{_MAIN}" xmlns:r="{REL}">']
    selected = ' tabSelected="1"' if sheet.first else ""
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            if sheet.freeze_header else "")
    parts.append(f'<sheetViews><sheetView{selected} workbookViewId="0">{pane}</sheetView>'
                 '</sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        parts.append("<cols>" + "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(sheet.widths, start=1)) + "</cols>")
    parts.append("<sheetData>")
    # The rows are encoded apart from the rest: they are ASCII, one byte a character, while a
    # link to a sheet with a Chinese name would make the whole text two.
    rows = "".join(_rows_xml(sheet.rows, sheet.varying, strings)).encode()
    tail = ["</sheetData>"]
    if sheet.links:
        tail.append("<hyperlinks>" + "".join(
            f'<hyperlink ref="{ref}" location={_attribute(location)}/>'
            for ref, location in sheet.links.items()) + "</hyperlinks>")
    tail.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                'footer="0.3"/></worksheet>')
    return b"".join(["".join(parts).encode(), rows, "".join(tail).encode()])


def _comments_xml(notes: dict[str, str]) -> str:
    body = "".join(f'<comment ref="{ref}" authorId="0"><text>{_text_xml(text)}</text></comment>'
                   for ref, text in notes.items())
    return (f'{_DECLARATION}<comments xmlns="{_MAIN}"><authors><author>sales-sheets</author>'
            f"</authors><commentList>{body}</commentList></comments>")


def _vml_xml(notes: dict[str, str], first_block: int, blocks: int) -> str:
    """The drawing Excel shows notes with: one hidden text box per note, anchored by its cell."""
    shapes = []
    for k, (ref, text) in enumerate(notes.items()):
        letters, row = coordinate_from_string(ref)
        column = column_index_from_string(letters) - 1
        height = 3 + text.count("\n")
        shapes.append(
            f'<v:shape id="_x0000_s{first_block * _SHAPES_PER_BLOCK + k + 1}" '
            'type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            'margin-top:1.5pt;width:240pt;height:60pt;z-index:1;visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
            '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{column + 1}, 15, {row - 1}, 10, {column + 5}, 15, "
            f"{row - 1 + height}, 4</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{row - 1}</x:Row><x:Column>{column}</x:Column></x:ClientData></v:shape>")
    data = ",".join(str(b) for b in range(first_block, first_block + blocks))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>")
