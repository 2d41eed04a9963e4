"""Load every sheet of a workbook as a grid of values with calamine (or csv for .csv)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine
from defusedxml import ElementTree

from ..problems import Problem, problem
from .safety import Format


@dataclass
class Workbook:
    """Sheets as rows of values anchored at A1, plus what xlsx carries beyond values."""

    sheets: dict[str, list[list[object]]]
    hidden: set[str] = field(default_factory=set)
    # table name -> (sheet, header row index, first column index, column labels)
    tables: dict[str, tuple[str, int, int, list[str]]] = field(default_factory=dict)
    # defined name -> (sheet, cell such as "B3")
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


def load_workbook(path: Path, fmt: Format) -> tuple[Workbook | None, list[Problem]]:
    if fmt is Format.CSV:
        return _load_csv(path)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path), load_tables=fmt is Format.XLSX)
        try:
            workbook = _read_calamine(book, fmt)
        finally:
            book.close()
        if fmt is Format.XLSX:
            workbook.names = _defined_names(path)
        return workbook, []
    except calamine.PasswordError:
        return None, [problem("encrypted_file")]
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, never a crash
        return None, [problem("corrupt_file", detail=_short(exc))]


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _read_calamine(book: calamine.CalamineWorkbook, fmt: Format) -> Workbook:
    sheets: dict[str, list[list[object]]] = {}
    hidden: set[str] = set()
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        sheets[meta.name] = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            hidden.add(meta.name)
    tables: dict[str, tuple[str, int, int, list[str]]] = {}
    if fmt is Format.XLSX:
        for name in book.table_names:
            table = book.get_table_by_name(name)
            row, col = table.start
            tables[name] = (table.sheet, row - 1, col, [str(c) for c in table.columns])
    return Workbook(sheets, hidden, tables)


def _load_csv(path: Path) -> tuple[Workbook | None, list[Problem]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None, [problem("not_spreadsheet")]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return Workbook({path.stem: rows}), []


_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REFERENCE = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def _defined_names(path: Path) -> dict[str, tuple[str, str]]:
    """Single-cell defined names of an xlsx (calamine does not expose them)."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as handle:
        root = ElementTree.parse(handle).getroot()
    names: dict[str, tuple[str, str]] = {}
    for node in root.iter(f"{_MAIN_NS}definedName"):
        match = _REFERENCE.match((node.text or "").strip())
        if match and node.get("localSheetId") is None:
            sheet = match["sheet"].replace("''", "'")
            names[node.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
    return names
