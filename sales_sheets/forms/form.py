"""A form after normalisation: typed values, each still knowing the cell it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, TypedDict, cast

from ..problems import Problem, problem
from .kinds import Field, Kind
from .normalize import Invalid, OutOfRange, convert_whole_column, converter_for, is_blank

if TYPE_CHECKING:  # a Document is used where no workbook is read (the ledger, status)
    from .reader import RawForm


class At(TypedDict):
    """Where a problem is: the keyword arguments `problem()` takes for a position."""

    sheet: str
    cell: str
    field: Field


@dataclass(slots=True)
class Line:
    row: int
    values: dict[str, Any]  # as entered, typed per field: Decimal, date, str, bool or None
    # Set only by rules.derive: what the ledger keeps beyond the form (amounts, tax rates,
    # names from the price list). Apart from `values`, so validation still sees what was entered.
    # None until derived: a file of 100,000 lines need not make 100,000 empty dicts.
    derived: dict[str, Any] | None = None

    def final_values(self) -> dict[str, Any]:
        """The line as the ledger keeps it: the derived values over the entered ones."""
        return {**self.values, **self.derived} if self.derived else self.values


_VALUES = attrgetter("values")


@dataclass
class Document:
    kind: Kind
    sheet: str
    header: dict[str, Any]
    header_cells: dict[str, tuple[str, str]]  # key -> (sheet, cell)
    lines: list[Line]
    columns: dict[str, int]
    form: RawForm = field(repr=False)
    derived: dict[str, Any] = field(default_factory=dict)  # header values set by rules.derive

    def final_header(self) -> dict[str, Any]:
        """The header as the ledger keeps it: the derived values (a total) over the entered ones."""
        return {**self.header, **self.derived}

    def column(self, key: str) -> list[Any]:
        """Every line's entered value of the line field `key` (None where blank or absent),
        in one pass in C: the checks that look at a whole column of 100,000 lines start here."""
        try:
            return list(map(itemgetter(key), map(_VALUES, self.lines)))
        except KeyError:  # a line made by other means than reading a form may lack it
            return [line.values.get(key) for line in self.lines]

    def identity(self) -> str:
        """The document's key: what a later version shares with it (empty: none)."""
        parts = [str(self.header.get(k) or "") for k in self.kind.identity]
        return "|".join(parts)

    def at_header(self, key: str) -> At:
        sheet, cell = self.header_cells.get(key, (self.sheet, ""))
        return {"sheet": sheet, "cell": cell, "field": self.kind.header_field(key)}

    def at_line(self, key: str, line: Line) -> At:
        return {"sheet": self.sheet, "cell": self.form.cell(key, line.row),
                "field": self.kind.column(key)}


def normalize_form(form: RawForm) -> tuple[Document, list[Problem]]:
    """Convert every value to its field's type; blanks become None, failures become problems."""
    problems: list[Problem] = []
    header: dict[str, Any] = {}
    cells: dict[str, tuple[str, str]] = {}
    for f in form.kind.header:
        raw = form.header.get(f.key)
        cells[f.key] = (raw.sheet, raw.cell) if raw else (form.sheet, "")
        value = raw.value if raw else None
        header[f.key] = _convert(f, value, problems, cells[f.key][0], cells[f.key][1])
    keys = list(form.columns)
    rows = form.rows
    columns = [_convert_column(form, form.kind.column(key), key, raw, rows, problems)
               for key, raw in zip(keys, form.values, strict=True)]
    missing = [f.key for f in form.kind.columns if f.key not in form.columns]
    columns += [[None] * len(rows)] * len(missing)
    names = (*keys, *missing)
    lines = list(map(Line, rows, map(dict, map(partial(zip, names), zip(*columns, strict=True)))))
    if not lines and not form.problems and form.kind.has_lines and form.kind.lines_required:
        problems.append(problem("empty_form", sheet=form.sheet, cell=f"A{form.header_row + 1}"))
    document = Document(form.kind, form.sheet, header, cells, lines, form.columns, form)
    return document, problems


def _convert_column(
    form: RawForm, f: Field, key: str, raw: list[object], rows: list[int],
    problems: list[Problem],
) -> list[object]:
    """Convert one line column. Most columns have no blanks and no bad values: they go through
    the converter in one pass; any exception sends the column through the careful loop."""
    types = set(map(type, raw))
    whole = convert_whole_column(f, raw, types)
    if whole is not None:
        return whole
    if not f.required and _all_blank(raw, types):  # an optional column nobody filled in
        return [None] * len(raw)
    convert = converter_for(f)
    sample = raw[:1000]
    repeats = len(set(map(repr, sample))) * 2 < len(sample)
    if repeats:
        convert = _memoised(convert)
    if "" not in raw and None not in raw:
        try:
            converted = (_convert_distinct(convert, raw, types) if repeats
                         else list(map(convert, raw)))
        except (Invalid, TypeError, ValueError, ArithmeticError):
            pass
        else:
            if "" not in converted:  # a whitespace-only text is a blank, found below
                return converted
    out: list[object] = []
    for row, value in zip(rows, raw, strict=True):
        if value == "" or value is None or (type(value) is str and value.isspace()):
            out.append(None)
            if f.required:
                problems.append(problem("required", sheet=form.sheet, cell=form.cell(key, row),
                                        field=f))
            continue
        try:
            out.append(convert(value))
        except Invalid as exc:
            out.append(None)
            problems.append(_invalid(f, value, exc, form.sheet, form.cell(key, row)))
    return out


def _all_blank(raw: list[object], types: set[type]) -> bool:
    if not types <= {str, type(None)}:
        return False
    text = "".join(filter(None, cast(list[str | None], raw)))
    return not text or text.isspace()


def _convert_distinct(
    convert: Callable[[object], object], raw: list[object], types: set[type]
) -> list[object]:
    """Each distinct value converted once, then every cell looked up in C rather than through
    a Python call per cell. Only for a column of one type: across types equal keys would meet
    (True and 1.0); a mixed column goes through `convert`, memoised by type and value."""
    if len(types) > 1:
        return list(map(convert, raw))
    table = {value: convert(value) for value in set(raw)}
    return list(map(table.__getitem__, raw))


def _memoised(convert: Callable[[object], object]) -> Callable[[object], object]:
    """Many columns repeat themselves (customer codes, dates, salespeople): convert each
    distinct value once. Keyed with the type, so that True and 1.0 (equal in Python) stay
    apart. Columns of unique values (references, amounts) skip this: it would only cost."""
    cache: dict[tuple[type, object], object] = {}

    def memo(value: object) -> object:
        key = (type(value), value)
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = convert(value)
            return result

    return memo


def _convert(f: Field, value: object, problems: list[Problem], sheet: str, cell: str) -> object:
    if is_blank(value):
        if f.required:
            problems.append(problem("required", sheet=sheet, cell=cell, field=f))
        return None
    try:
        return converter_for(f)(value)
    except Invalid as exc:
        problems.append(_invalid(f, value, exc, sheet, cell))
        return None


def _invalid(f: Field, value: object, exc: Invalid, sheet: str, cell: str) -> Problem:
    if isinstance(exc, OutOfRange):
        return problem("range", sheet=sheet, cell=cell, field=f, value=value,
                       detail=f"< {exc.limit:,}")
    if exc.expected == "choice":
        allowed = " / ".join(c.zh + "/" + c.en for c in f.choices)
        return problem("enum", sheet=sheet, cell=cell, field=f, value=value, allowed=allowed)
    return problem("type", sheet=sheet, cell=cell, field=f, value=value, expected=exc.expected)
