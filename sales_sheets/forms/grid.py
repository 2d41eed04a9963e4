"""Sheets of a workbook as grids of values, read with calamine (or csv for .csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import python_calamine as calamine

from ..formats.ooxml import read_package
from ..formats.safety import Format
from ..problems import Problem, problem

Grid = list[list[object]]
T = TypeVar("T")


class Sheets(Mapping[str, Grid]):
    """Sheets by name, each read only when first asked for: a template's instructions and
    drop-down lists are never parsed, and a large data sheet only once."""

    def __init__(self, names: list[str], load: Callable[[str], Grid] | None = None) -> None:
        self._names = names
        self._load = load
        self._cache: dict[str, Grid] = {}

    @classmethod
    def of(cls, grids: dict[str, Grid]) -> Sheets:
        sheets = cls(list(grids))
        sheets._cache.update(grids)
        return sheets

    def __getitem__(self, name: str) -> Grid:
        if name not in self._cache:
            if name not in self._names or self._load is None:
                raise KeyError(name)
            self._cache[name] = self._load(name)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def load_all(self) -> None:
        for name in self._names:
            self[name]

    def release(self) -> None:
        """Forget the source: from now on only the sheets already read exist."""
        self._load = None
        self._names = [n for n in self._names if n in self._cache]


@dataclass
class Workbook:
    """Sheets as rows of values anchored at A1, plus what xlsx carries beyond values."""

    sheets: Sheets
    # table name -> (sheet, header row index, first column index, column labels)
    tables: dict[str, tuple[str, int, int, list[str]]] = field(default_factory=dict)
    # defined name -> (sheet, cell such as "B3")
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


@contextmanager
def open_workbook(path: Path, fmt: Format) -> Iterator[tuple[Workbook | None, list[Problem]]]:
    """The workbook while the block runs; sheets not read by then are gone afterwards."""
    if fmt is Format.CSV:
        yield _load_csv(path)
        return
    handle = path.open("rb")
    try:
        # By content, not by name: an .xls or .ods saved under .xlsx is still read.
        book = _calamine(calamine.CalamineWorkbook.from_filelike, handle)
    except calamine.PasswordError:
        handle.close()
        yield None, [problem("encrypted_file")]
        return
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file, never a crash
        handle.close()
        yield None, [problem("corrupt_file", detail=short_error(exc))]
        return
    try:
        workbook = _read_calamine(book)
        if fmt is Format.XLSX:
            package = read_package(path)
            workbook.names, workbook.tables = package.names, package.tables
        yield workbook, []
        workbook.sheets.release()
    finally:
        book.close()
        handle.close()


def _calamine(call: Callable[..., T], *args: object) -> T:
    """Call calamine; a panic in its Rust code becomes a CalamineError. pyo3 raises panics as
    `pyo3_runtime.PanicException`, a BaseException that cannot be imported, so it is known by
    name; anything else that is not an Exception (KeyboardInterrupt, SystemExit) goes on."""
    try:
        return call(*args)
    except Exception:
        raise
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise calamine.CalamineError(f"reader panic: {short_error(exc)}") from exc


def short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _read_calamine(book: calamine.CalamineWorkbook) -> Workbook:
    names = [m.name for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]

    def load(name: str) -> Grid:
        sheet = _calamine(book.get_sheet_by_name, name)
        rows: Any = _calamine(lambda: sheet.to_python(skip_empty_area=False))
        return cast(Grid, rows)

    return Workbook(Sheets(names, load))


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
    rows: Grid = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return Workbook(Sheets.of({path.stem: rows})), []
