"""What an xlsx package says about itself beyond cell values: defined names and tables.

calamine does not expose defined names, and its table API loads the table's cells. These few
small XML parts are read directly, through formats/package (which resolves relationships and
lists sheets the one way the editor reads them too). They are matched with regular expressions
rather than parsed: the safety check has already refused any part with a DTD, attributes are
unescaped, and a part that does not match simply yields nothing (the reader then finds fields by
their labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from .a1 import range_boundaries
from .package import WORKBOOK, PackageReader, attributes

_DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b([^>]*)>([^<]*)</", re.S)
_TABLE = re.compile(r"<(?:\w+:)?table\b([^>]*?)>", re.S)
_TABLE_COLUMN = re.compile(r"<(?:\w+:)?tableColumn\b([^>]*?)/?>", re.S)
_REFERENCE = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


@dataclass
class Package:
    # defined name -> (sheet, cell such as "B3")
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    # table name -> (sheet, header row index, first column index, column labels)
    tables: dict[str, tuple[str, int, int, list[str]]] = field(default_factory=dict)


def read_package(path: Path) -> Package:
    """The defined names and tables of the xlsx at `path`."""
    package = Package()
    with PackageReader(path) as archive:
        workbook = archive.text(WORKBOOK, "replace")
        for inside, text in _DEFINED_NAME.findall(workbook):
            attrs = attributes(inside)
            match = _REFERENCE.match(unescape(text).strip())
            if match and "localSheetId" not in attrs:
                sheet = match["sheet"].replace("''", "'")
                package.names[attrs.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
        for entry, rel in archive.sheets():
            if rel is None:
                continue
            for table in archive.relationships(rel.target).values():
                if table.target.startswith("xl/tables/") and archive.has(table.target):
                    _add_table(package, archive.text(table.target, "replace"), entry.name)
    return package


def _add_table(package: Package, table: str, sheet: str) -> None:
    head = _TABLE.search(table)
    if head is None:
        return
    attrs = attributes(head[1])
    name, ref = attrs.get("displayName") or attrs.get("name"), attrs.get("ref")
    if not name or not ref:
        return
    try:
        first_col, first_row, _, _ = range_boundaries(ref)
    except ValueError:
        return
    labels = [attributes(c).get("name", "") for c in _TABLE_COLUMN.findall(table)]
    package.tables[name] = (sheet, (first_row or 1) - 1, (first_col or 1) - 1, labels)


def sheet_parts(archive: PackageReader) -> dict[str, str]:
    """Each sheet's name -> the part that holds it, e.g. "xl/worksheets/sheet1.xml"."""
    return {entry.name: rel.target for entry, rel in archive.sheets()
            if rel is not None and archive.has(rel.target)}
