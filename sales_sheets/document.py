"""A form after normalisation: typed values, each still knowing the cell it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .excel.reader import RawForm
from .kinds import Field, Kind
from .normalize import Invalid, converter_for, is_blank
from .problems import Problem, problem


@dataclass(slots=True)
class Line:
    row: int
    values: dict[str, object]


@dataclass
class Document:
    kind: Kind
    sheet: str
    header: dict[str, object]
    header_cells: dict[str, tuple[str, str]]  # key -> (sheet, cell)
    lines: list[Line]
    columns: dict[str, int]
    form: RawForm = field(repr=False)

    def identity(self) -> str:
        """The document's key: what a later version shares with it (empty: none)."""
        parts = [str(self.header.get(k) or "") for k in self.kind.identity]
        return "|".join(parts)

    def at_header(self, key: str) -> dict[str, object]:
        sheet, cell = self.header_cells.get(key, (self.sheet, ""))
        return {"sheet": sheet, "cell": cell, "field": self.kind.header_field(key)}

    def at_line(self, key: str, line: Line) -> dict[str, object]:
        return {"sheet": self.sheet, "cell": self.form.cell(key, line.row),
                "field": self.kind.column(key)}


def normalize_form(form: RawForm) -> tuple[Document, list[Problem]]:
    """Convert every value to its field's type; blanks become None, failures become problems."""
    problems: list[Problem] = []
    header: dict[str, object] = {}
    cells: dict[str, tuple[str, str]] = {}
    for f in form.kind.header:
        raw = form.header.get(f.key)
        cells[f.key] = (raw.sheet, raw.cell) if raw else (form.sheet, "")
        value = raw.value if raw else None
        header[f.key] = _convert(f, value, problems, cells[f.key][0], cells[f.key][1])
    keys = list(form.columns)
    fields = [form.kind.column(k) for k in keys]
    converters = [converter_for(f) for f in fields]
    missing = [f.key for f in form.kind.columns if f.key not in form.columns]
    lines: list[Line] = []
    for row, raw_values in form.rows:
        values: dict[str, object] = dict.fromkeys(missing)
        for key, f, convert, value in zip(keys, fields, converters, raw_values, strict=True):
            if value == "" or value is None or (isinstance(value, str) and is_blank(value)):
                values[key] = None
                if f.required:
                    problems.append(problem("required", sheet=form.sheet,
                                            cell=form.cell(key, row), field=f))
                continue
            try:
                values[key] = convert(value)
            except Invalid as exc:
                values[key] = None
                problems.append(_invalid(f, value, exc, form.sheet, form.cell(key, row)))
        lines.append(Line(row, values))
    if not lines and not form.problems:
        problems.append(problem("empty_form", sheet=form.sheet, cell=f"A{form.header_row + 1}"))
    document = Document(form.kind, form.sheet, header, cells, lines, form.columns, form)
    return document, problems


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
    if exc.expected == "choice":
        allowed = " / ".join(c.zh + "/" + c.en for c in f.choices)
        return problem("enum", sheet=sheet, cell=cell, field=f, value=value, allowed=allowed)
    return problem("type", sheet=sheet, cell=cell, field=f, value=value, expected=exc.expected)
