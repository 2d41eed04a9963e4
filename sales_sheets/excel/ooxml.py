"""What an xlsx package says about itself beyond cell values: defined names and tables.

calamine does not expose defined names, and its table API loads the table's cells; these few
small XML parts are read directly (through defusedxml) instead.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from openpyxl.utils.cell import range_boundaries

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
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
        workbook = _parse(archive, "xl/workbook.xml")
        for node in workbook.iter(f"{_MAIN}definedName"):
            match = _REFERENCE.match((node.text or "").strip())
            if match and node.get("localSheetId") is None:
                sheet = match["sheet"].replace("''", "'")
                package.names[node.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
        targets = _relationships(archive, parts, "xl/workbook.xml")
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            sheet_part = targets.get(sheet.get(f"{_REL}id", ""))
            if sheet_part is None:
                continue
            for table_part in _relationships(archive, parts, sheet_part).values():
                if table_part.startswith("xl/tables/") and table_part in parts:
                    _add_table(package, _parse(archive, table_part), sheet.get("name", ""))
    return package


def _parse(archive: zipfile.ZipFile, part: str) -> Element:
    with archive.open(part) as handle:
        return ElementTree.parse(handle).getroot()


def _relationships(archive: zipfile.ZipFile, parts: set[str], part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in parts:
        return {}
    found: dict[str, str] = {}
    for rel in _parse(archive, rels).iter(f"{_PKG}Relationship"):
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found[rel.get("Id", "")] = resolved
    return found


def _add_table(package: Package, table: Element, sheet: str) -> None:
    name, ref = table.get("displayName") or table.get("name"), table.get("ref")
    if not name or not ref:
        return
    first_col, first_row, _, _ = range_boundaries(ref)
    labels = [c.get("name", "") for c in table.iter(f"{_MAIN}tableColumn")]
    package.tables[name] = (sheet, (first_row or 1) - 1, (first_col or 1) - 1, labels)
