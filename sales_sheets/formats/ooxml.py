"""What an xlsx package says about itself beyond cell values: defined names and tables.

calamine does not expose defined names, and its table API loads the table's cells. These few
small XML parts are read directly. They are matched with regular expressions rather than parsed:
the safety check has already refused any part with a DTD, attributes are unescaped, and a part
that does not match simply yields nothing (the reader then finds fields by their labels).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from openpyxl.utils.cell import range_boundaries

_DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>([^<]*)</", re.S)
_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*?)/?>", re.S)
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*?)/?>", re.S)
_TABLE = re.compile(r"<(?:\w+:)?table\b([^>]*?)>", re.S)
_TABLE_COLUMN = re.compile(r"<(?:\w+:)?tableColumn\b([^>]*?)/?>", re.S)
_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_REFERENCE = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


@dataclass
class Package:
    # defined name -> (sheet, cell such as "B3")
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    # table name -> (sheet, header row index, first column index, column labels)
    tables: dict[str, tuple[str, int, int, list[str]]] = field(default_factory=dict)


def read_package(path: Path) -> Package:
    package = Package()
    with zipfile.ZipFile(path) as archive:
        parts = set(archive.namelist())
        workbook = _text(archive, "xl/workbook.xml")
        for attributes, text in _DEFINED_NAME.findall(workbook):
            attrs = _attributes(attributes)
            match = _REFERENCE.match(unescape(text).strip())
            if match and "localSheetId" not in attrs:
                sheet = match["sheet"].replace("''", "'")
                package.names[attrs.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
        targets = _relationships(archive, parts, "xl/workbook.xml")
        for attributes in _SHEET.findall(workbook):
            attrs = _attributes(attributes)
            rel = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            sheet_part = targets.get(rel)
            if sheet_part is None:
                continue
            for table_part in _relationships(archive, parts, sheet_part).values():
                if table_part.startswith("xl/tables/") and table_part in parts:
                    _add_table(package, _text(archive, table_part), attrs.get("name", ""))
    return package


def _text(archive: zipfile.ZipFile, part: str) -> str:
    return archive.read(part).decode("utf-8", errors="replace")


def _attributes(text: str) -> dict[str, str]:
    return {key: unescape(value) for key, value in _ATTRIBUTE.findall(text)}


def _relationships(archive: zipfile.ZipFile, parts: set[str], part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in parts:
        return {}
    found: dict[str, str] = {}
    for attributes in _RELATIONSHIP.findall(_text(archive, rels)):
        attrs = _attributes(attributes)
        target = attrs.get("Target", "")
        found[attrs.get("Id", "")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join(folder, target)))
    return found


def _add_table(package: Package, table: str, sheet: str) -> None:
    head = _TABLE.search(table)
    if head is None:
        return
    attrs = _attributes(head[1])
    name, ref = attrs.get("displayName") or attrs.get("name"), attrs.get("ref")
    if not name or not ref:
        return
    try:
        first_col, first_row, _, _ = range_boundaries(ref)
    except ValueError:
        return
    labels = [_attributes(c).get("name", "") for c in _TABLE_COLUMN.findall(table)]
    package.tables[name] = (sheet, (first_row or 1) - 1, (first_col or 1) - 1, labels)


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name -> the part that holds it, e.g. "xl/worksheets/sheet1.xml"."""
    parts = set(archive.namelist())
    targets = _relationships(archive, parts, "xl/workbook.xml")
    found = {}
    for attributes in _SHEET.findall(_text(archive, "xl/workbook.xml")):
        attrs = _attributes(attributes)
        rel = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        if targets.get(rel) in parts:
            found[attrs.get("name", "")] = targets[rel]
    return found
