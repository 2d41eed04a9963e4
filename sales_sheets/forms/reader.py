"""Find a form's fields in a loaded workbook.

Templates are read through their `_meta` field map, defined names and tables. Workbooks that lost
them (pasted into a blank book, saved by WPS or LibreOffice, .xls/.ods/.csv exports) are read by
their header labels. Line items run to the end of the sheet's data, not to the end of the table's
stored range, because people type below tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path

import python_calamine as calamine

from ..config import Limits
from ..formats.a1 import column_index_from_string, coordinate_from_string, get_column_letter
from ..formats.safety import Format, inspect_file
from ..problems import Problem, problem
from .grid import Workbook, open_workbook, short_error
from .kinds import Field, Kind
from .meta import MARKS_SHEET, META_SHEET, OWN_SHEETS, MetaMap, column_label, fold_label, parse_meta

_SCAN_ROWS = 60


@dataclass(frozen=True, slots=True)
class RawCell:
    value: object
    sheet: str
    cell: str  # "" when the field could not be found at all


@dataclass
class RawForm:
    """A form's values as found, before any normalisation, each with its position."""

    kind: Kind
    sheet: str
    header: dict[str, RawCell]
    # key -> 0-based column index of each line column that was found
    columns: dict[str, int]
    # the 1-based sheet row of each line that holds data
    rows: list[int]
    # per column of `columns`, in its order: the value of each line of `rows`
    values: list[list[object]]
    header_row: int  # 1-based row of the column labels
    version: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str:
        return f"{get_column_letter(self.columns[key] + 1)}{row}" if key in self.columns else ""


@dataclass
class ReadResult:
    format: Format | None
    workbook: Workbook | None
    form: RawForm | None
    problems: list[Problem]


def read_form(path: Path, limits: Limits, kinds: Mapping[str, Kind]) -> ReadResult:
    """Read one file into a RawForm of one of `kinds`, or say why it cannot be read."""
    fmt, problems = inspect_file(path, limits)
    if fmt is None:
        return ReadResult(None, None, None, problems)
    with open_workbook(path, fmt) as (workbook, problems):
        if workbook is None:
            return ReadResult(fmt, None, None, problems)
        try:  # sheets are parsed when first asked for: a damaged one fails here
            form, problems = locate_form(workbook, kinds)
            if fmt is not Format.XLSX:
                # The annotated copy of an .xls/.ods is rebuilt from its values: keep them all.
                workbook.sheets.load_all()
            elif MARKS_SHEET in workbook.sheets:
                workbook.sheets[MARKS_SHEET]  # the earlier marks, undone by the next annotation
        except calamine.CalamineError as exc:
            return ReadResult(fmt, None, None, [problem("corrupt_file",
                                                        detail=short_error(exc))])
    return ReadResult(fmt, workbook, form, problems)


def locate_form(
    workbook: Workbook, kinds: Mapping[str, Kind]
) -> tuple[RawForm | None, list[Problem]]:
    meta = (parse_meta(workbook.sheets[META_SHEET], kinds) if META_SHEET in workbook.sheets
            else None)
    if meta is not None and meta.kind_name:
        if meta.kind is None or meta.version is None or meta.version > meta.kind.version:
            detail = f"{meta.kind_name} v{meta.version}"
            return None, [problem("unknown_template", sheet=META_SHEET, detail=detail)]
        form = _from_meta(workbook, meta.kind, meta)
        if form is not None:
            return form, form.problems
    return _from_labels(workbook, kinds)


def _from_meta(workbook: Workbook, kind: Kind, meta: MetaMap) -> RawForm | None:
    if not kind.has_lines:
        return _header_only(workbook, kind, meta)
    table = workbook.tables.get(kind.table) if kind.table else None
    if table is None:
        found = _best_sheet_for(workbook, kind)
        if found is None:
            return None
        sheet, header_row = found
        columns = _columns_by_label(workbook.sheets[sheet][header_row], kind)
    else:
        sheet, header_row, first_col, labels = table
        columns = _columns_from_table(kind, meta, first_col, labels)
        # A column the table lost (renamed header, say) can still be found by its label; a
        # table whose stored range lies below the sheet's data has no header row to look in.
        grid = workbook.sheets[sheet]
        labelled = _columns_by_label(grid[header_row] if header_row < len(grid) else [], kind)
        columns.update({k: v for k, v in labelled.items() if k not in columns})
    grid = workbook.sheets[sheet]
    header = _header_by_label(grid, kind, sheet, header_row)
    for key, name in meta.names.items():
        target = workbook.names.get(name)
        if target and target[0] in workbook.sheets:
            header[key] = _cell_at(workbook.sheets[target[0]], target[0], target[1])
    return _assemble(kind, sheet, grid, header, columns, header_row, meta.version)


def _header_only(workbook: Workbook, kind: Kind, meta: MetaMap) -> RawForm | None:
    """A form without a line table, through its defined names: its sheet is the one they
    point at (a notice printed for people, its fields anywhere on it); fields whose name was
    lost are looked for by their labels on that sheet."""
    targets = [workbook.names.get(name) for name in meta.names.values()]
    sheets = [t[0] for t in targets if t and t[0] in workbook.sheets]
    sheet = sheets[0] if sheets else None
    if sheet is None:
        found = _header_sheet_for(workbook, kind)
        if found is None:
            return None
        sheet = found[0]
    grid = workbook.sheets[sheet]
    header = _header_by_label(grid, kind, sheet, len(grid))
    for key, name in meta.names.items():
        target = workbook.names.get(name)
        if key in header and target and target[0] in workbook.sheets:
            header[key] = _cell_at(workbook.sheets[target[0]], target[0], target[1])
    return _assemble(kind, sheet, grid, header, {}, len(grid), meta.version)


def _header_sheet_for(workbook: Workbook, kind: Kind) -> tuple[str, int] | None:
    """The sheet that labels every required header field of a header-only kind (it has no
    columns to be recognised by), and how many of its fields it labels."""
    required = {f.key for f in kind.header if f.required}
    best: tuple[str, int] | None = None
    for sheet, grid in workbook.sheets.items():
        if sheet in OWN_SHEETS:
            continue
        found = _header_by_label(grid[:_SCAN_ROWS], kind, sheet, _SCAN_ROWS, only_found=True)
        if required <= found.keys() and (best is None or len(found) > best[1]):
            best = (sheet, len(found))
    return best


def _columns_from_table(
    kind: Kind, meta: MetaMap, first_col: int, labels: list[str]
) -> dict[str, int]:
    folded = [fold_label(label) for label in labels]
    keys = {f.key for f in kind.columns}  # _meta is a sheet: a user may have changed its keys
    columns: dict[str, int] = {}
    for key, (table, label) in meta.columns.items():
        if key not in keys or table != kind.table or fold_label(label) not in folded:
            continue
        columns[key] = first_col + folded.index(fold_label(label))
    return columns


def _from_labels(
    workbook: Workbook, kinds: Mapping[str, Kind]
) -> tuple[RawForm | None, list[Problem]]:
    best: tuple[int, Kind, str, int] | None = None
    complete = False  # whether the best form with lines labels all its required header fields
    header_only: tuple[int, Kind, str, int] | None = None
    for kind in kinds.values():
        if not kind.has_lines:
            header_sheet = _header_sheet_for(workbook, kind)
            if header_sheet is not None:
                sheet, hits = header_sheet
                score = hits + (3 if _title_mentions(workbook.sheets[sheet], sheet, kind) else 0)
                if header_only is None or score > header_only[0]:
                    header_only = (score, kind, sheet, len(workbook.sheets[sheet]))
            continue
        found = _best_sheet_for(workbook, kind)
        if found is None:
            continue
        sheet, header_row = found
        grid = workbook.sheets[sheet]
        labelled = _columns_by_label(grid[header_row], kind)
        required = {f.key for f in kind.columns if f.required}
        score = len(labelled) * 2 + 2 * len(required & labelled.keys())
        header = _header_by_label(grid, kind, sheet, header_row, only_found=True)
        score += len(header)
        score += 3 if _title_mentions(grid, sheet, kind) else 0
        if best is None or score > best[0]:
            best = (score, kind, sheet, header_row)
            complete = {f.key for f in kind.header if f.required} <= header.keys()
    # A header-only form is found only when every required field of it is labelled (it has
    # no columns to be known by). It is the form unless the best form with lines labels all
    # of its own required header fields too, and then the better score wins: a printed
    # notice has a table of lines that fits an order form's columns, but not its header.
    if header_only is not None and (best is None or not complete or header_only[0] > best[0]):
        best = header_only
    if best is None:
        return None, [problem("unknown_kind")]
    _, kind, sheet, header_row = best
    grid = workbook.sheets[sheet]
    columns = _columns_by_label(grid[header_row], kind) if kind.has_lines else {}
    header = _header_by_label(grid, kind, sheet, header_row)
    form = _assemble(kind, sheet, grid, header, columns, header_row, None)
    return form, form.problems


def _best_sheet_for(workbook: Workbook, kind: Kind) -> tuple[str, int] | None:
    """The sheet and row that label most of a kind's columns. At least half of its required
    columns must be there: a form missing one column is still that form (and told so), not
    another kind whose labels happen to fit."""
    required = {f.key for f in kind.columns if f.required}
    enough = max(1, (len(required) + 1) // 2)
    best: tuple[int, str, int] | None = None
    for sheet, grid in workbook.sheets.items():
        if sheet in OWN_SHEETS:
            continue
        for index, row in enumerate(grid[:_SCAN_ROWS]):
            found = _columns_by_label(row, kind)
            hits = len(required & found.keys())
            if hits < enough or len(found) < 2:
                continue
            score = len(found) + 2 * hits
            if best is None or score > best[0]:
                best = (score, sheet, index)
    return (best[1], best[2]) if best else None


@lru_cache(maxsize=64)
def _labels(fields: tuple[Field, ...]) -> dict[str, str]:
    return {fold_label(label): f.key for f in fields for label in f.all_labels}


def _columns_by_label(row: list[object], kind: Kind) -> dict[str, int]:
    labels = _labels(kind.columns)
    columns: dict[str, int] = {}
    for index, value in enumerate(row):
        if isinstance(value, str) and value:
            key = labels.get(fold_label(value))
            if key and key not in columns:
                columns[key] = index
    return columns


def _header_by_label(
    grid: list[list[object]], kind: Kind, sheet: str, header_row: int, only_found: bool = False
) -> dict[str, RawCell]:
    """Header fields as `label | value` pairs above the line table."""
    labels = _labels(kind.header)
    header: dict[str, RawCell] = {}
    for r, row in enumerate(grid[:header_row]):
        for c, value in enumerate(row):
            key = labels.get(fold_label(value)) if isinstance(value, str) and value else None
            if key is None or key in header:
                continue
            header[key] = _value_right_of(row, r, c, sheet, labels)
    if not only_found:
        for f in kind.header:
            header.setdefault(f.key, RawCell(None, sheet, ""))
    return header


def _value_right_of(
    row: list[object], r: int, c: int, sheet: str, labels: dict[str, str]
) -> RawCell:
    for k in range(c + 1, min(len(row), c + 4)):
        value = row[k]
        if isinstance(value, str) and fold_label(value) in labels:
            break
        if value not in ("", None):
            return RawCell(value, sheet, f"{get_column_letter(k + 1)}{r + 1}")
    return RawCell(None, sheet, f"{get_column_letter(c + 2)}{r + 1}")


def _cell_at(grid: list[list[object]], sheet: str, ref: str) -> RawCell:
    letters, row = coordinate_from_string(ref)
    r, c = row - 1, column_index_from_string(letters) - 1
    value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
    return RawCell(None if value == "" else value, sheet, ref)


def _title_mentions(grid: list[list[object]], sheet: str, kind: Kind) -> bool:
    titles = {fold_label(kind.zh), fold_label(kind.en)}
    if any(t in fold_label(sheet) for t in titles):
        return True
    return any(
        isinstance(v, str) and any(t in fold_label(v) for t in titles)
        for row in grid[:3]
        for v in row
    )


def _has_data(values: Sequence[object]) -> bool:
    for v in values:
        if (v or v == 0) and not (type(v) is str and v.isspace()):
            return True
    return False


def _assemble(
    kind: Kind,
    sheet: str,
    grid: list[list[object]],
    header: dict[str, RawCell],
    columns: dict[str, int],
    header_row: int,
    version: int | None,
) -> RawForm:
    problems = [
        problem("missing_column", sheet=sheet, cell=f"A{header_row + 1}", field=f)
        for f in kind.columns
        if f.required and f.key not in columns
    ]
    indexes = list(columns.values())
    width = max(indexes, default=-1) + 1
    body = grid[header_row + 1:] if indexes else []
    if any(len(line) < width for line in body):  # csv rows can be ragged
        body = [line + [""] * (width - len(line)) for line in body]
    # Column by column (each one pass in C), keeping the lines that hold anything.
    picked = [list(map(itemgetter(index), body)) for index in indexes]
    keep = list(map(_has_data, zip(*picked, strict=True)))
    rows = list(compress(range(header_row + 2, header_row + 2 + len(body)), keep))
    values = picked if all(keep) else [list(compress(column, keep)) for column in picked]
    return RawForm(kind, sheet, header, columns, rows, values, header_row + 1, version,
                   problems)


__all__ = ["RawCell", "RawForm", "ReadResult", "column_label", "read_form", "locate_form"]
