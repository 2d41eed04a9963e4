"""The hidden `_meta` sheet: kind, template version and the field map, one row per field.

Written by the template writer, read by the reader and the add-in; users editing the visible
sheets do not touch it. The names of the tool's other hidden sheets live here too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..formats.a1 import get_column_letter
from .kinds import Field, Kind

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
# Where annotations remember what a marked cell looked like before, so the next check can undo
# them: cell fill and note, one row per marked cell.
MARKS_SHEET = "_marks"
# Sheets the tool writes for itself; never read as a form.
OWN_SHEETS = (META_SHEET, LISTS_SHEET, MARKS_SHEET)
META_HEADER = ("key", "label", "location", "type", "required")
_COLUMN_LOCATION = re.compile(r"^(?P<table>[^\[]+)\[(?P<label>.+)\]$")


def list_name(key: str) -> str:
    """The defined name of a field's drop-down list on the `_lists` sheet; drop-downs refer to
    the name, so refreshing a list is new values plus a new extent for the name."""
    return f"list_{key}"


def list_range(column: int, count: int) -> str:
    """`_lists!$B$2:$B$<n>`: a list's values below its heading (one empty cell when none)."""
    letter = get_column_letter(column + 1)
    return f"{LISTS_SHEET}!${letter}$2:${letter}${max(count, 1) + 1}"


def locations(kind: Kind, language: str) -> list[tuple[Field, str]]:
    """Where each field lives in a template: a defined name, or `table[column label]` (none
    for a kind without a line table)."""
    rows = [(f, f.key) for f in kind.header]
    rows += [(f, f"{kind.table}[{column_label(f, language)}]") for f in kind.columns]
    return rows


def column_label(field: Field, language: str) -> str:
    return field.label(language) + ("*" if field.required else "")


def meta_rows(kind: Kind, language: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [META_HEADER]
    rows.append(("@kind", kind.title(language), kind.name, "", ""))
    rows.append(("@version", "", kind.version, "", ""))
    rows.append(("@language", "", language, "", ""))
    for field, where in locations(kind, language):
        rows.append((field.key, field.label(language), where, field.type.value,
                     "Y" if field.required else ""))
    return rows


@dataclass(frozen=True)
class MetaMap:
    kind: Kind | None
    kind_name: str
    version: int | None
    names: dict[str, str]  # header field key -> defined name
    columns: dict[str, tuple[str, str]]  # column key -> (table name, column label)


def parse_meta(rows: list[list[object]], kinds: Mapping[str, Kind]) -> MetaMap:
    """The field map on a `_meta` sheet, and which of `kinds` it names."""
    kind_name, version = "", None
    names: dict[str, str] = {}
    columns: dict[str, tuple[str, str]] = {}
    for row in rows[1:]:
        cells = [str(c).strip() if c is not None else "" for c in (list(row) + [""] * 3)[:3]]
        key, _label, where = cells
        if key == "@kind":
            kind_name = where
        elif key == "@version":
            try:
                version = int(float(where))
            except ValueError:
                version = None
        elif key and not key.startswith("@"):
            match = _COLUMN_LOCATION.match(where)
            if match:
                columns[key] = (match["table"], match["label"])
            elif where:
                names[key] = where
    return MetaMap(kinds.get(kind_name), kind_name, version, names, columns)


@lru_cache(maxsize=8192)
def fold_label(text: object) -> str:
    """Compare labels ignoring width, case, spaces, `*`, colons and a `(必填)` mark."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    folded = folded.replace("(必填)", "").replace("(required)", "")
    return re.sub(r"[\s*:：_]+", "", folded)
