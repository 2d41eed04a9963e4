"""Mark problems on a workbook: coloured cells, a comment each, and (on the copy sent back) a
first sheet listing every problem. The plan is plain data, so the watcher (openpyxl, here) and
the Excel add-in (xlwings) apply exactly the same marks.

Every mark is remembered on a hidden `_marks` sheet with the cell's earlier fill and note, so
the next check undoes the earlier marks before it makes its own: a fixed cell loses its colour,
and a cell the person had coloured gets its colour back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import openpyxl
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook as OpenpyxlWorkbook

from ..files import atomic_path
from ..formats.cells import printable, set_text, set_value
from ..formats.safety import Format
from ..forms.grid import Workbook
from ..forms.meta import MARKS_SHEET, OWN_SHEETS
from ..problems import SEVERITY_LABELS, Problem, Severity
from ..text import Text

FILLS = {Severity.ERROR: "FFC7CE", Severity.HOLD: "FFD966", Severity.WARNING: "FFF2CC"}
PROBLEM_SHEET = Text("问题清单", "Problems")
MARKS_HEADER = ("sheet", "cell", "fill", "note", "mark")
_HEADINGS = (Text("严重程度", "Severity"), Text("位置", "Location"), Text("字段", "Field"),
             Text("代码", "Code"), Text("说明", "Message"))


@dataclass(frozen=True)
class Mark:
    sheet: str
    cell: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class Restore:
    """A cell as it was before it was marked: its solid fill as RRGGBB ("" for none) and its
    note ("" for none); `mark` is the note the mark put there."""

    sheet: str
    cell: str
    fill: str
    note: str
    mark: str

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.sheet, self.cell, self.fill, self.note, self.mark)


@dataclass(frozen=True)
class AnnotationPlan:
    marks: tuple[Mark, ...]
    restore: tuple[Restore, ...]  # earlier marks, undone before the new ones are made
    sheet_title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Severity, tuple[str, ...]], ...]

    @property
    def changes_cells(self) -> bool:
        """Whether applying the marks changes any cell: there are marks to make or to undo."""
        return bool(self.marks or self.restore)


def plan_annotations(
    problems: list[Problem], language: str, earlier: Sequence[Restore] = ()
) -> AnnotationPlan:
    """One mark per problem cell (several problems in one cell share it, worst colour wins),
    after undoing the `earlier` marks (see `earlier_marks`)."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    marks = []
    for (sheet, cell), found in by_cell.items():
        severity = min((p.severity for p in found), key=list(Severity).index)
        text = "\n".join(f"[{SEVERITY_LABELS[p.severity](language)}] {p.message(language)}"
                         for p in found)
        marks.append(Mark(sheet, cell, severity, text))
    rows = tuple(
        (p.severity, (SEVERITY_LABELS[p.severity](language), p.location,
                      p.field_label(language) or p.field, p.code, p.message(language)))
        for p in problems
    )
    headings = tuple(heading(language) for heading in _HEADINGS)
    return AnnotationPlan(tuple(marks), tuple(earlier), PROBLEM_SHEET(language), headings, rows)


def earlier_marks(grid: Workbook | None) -> tuple[Restore, ...]:
    """The marks an earlier check left in a workbook, from its `_marks` sheet."""
    if grid is None or MARKS_SHEET not in grid.sheets:
        return ()
    found = []
    for row in grid.sheets[MARKS_SHEET][1:]:
        cells = ["" if v is None else str(v) for v in (list(row) + [""] * 5)[:5]]
        if cells[0] and cells[1]:
            found.append(Restore(*cells))
    return tuple(found)


def write_annotated_copy(
    original: Path, fmt: Format | None, grid: Workbook | None, plan: AnnotationPlan, dest: Path
) -> Path:
    """Write dest: the original (or its values, for non-xlsx) with the plan applied."""
    if fmt is Format.XLSX:
        # Our own handle: openpyxl leaves the file open when it fails on a damaged part.
        with original.open("rb") as handle:
            book = openpyxl.load_workbook(handle)
    elif grid is not None:
        book = _from_grid(grid)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
    apply_plan(book, plan)
    with atomic_path(dest) as partial:
        book.save(partial)
        book.close()
    return dest


def _from_grid(grid: Workbook) -> OpenpyxlWorkbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in grid.sheets.items():
        if name in OWN_SHEETS:
            continue
        sheet = book.create_sheet(name[:31])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    set_value(sheet.cell(r, c), value)
    return book


def apply_plan(book: OpenpyxlWorkbook, plan: AnnotationPlan) -> None:
    """Apply the plan to an openpyxl workbook, problem sheet included."""
    apply_marks(OpenpyxlMarks(book), plan)
    if plan.sheet_title in book.sheetnames:
        del book[plan.sheet_title]
    sheet = book.create_sheet(plan.sheet_title, 0)
    for c, heading in enumerate(plan.headings, start=1):
        set_text(sheet.cell(1, c), heading)
        sheet.cell(1, c).font = Font(bold=True)
    for r, (severity, row) in enumerate(plan.rows, start=2):
        for c, text in enumerate(row, start=1):
            set_text(sheet.cell(r, c), text)
        sheet.cell(r, 1).fill = PatternFill("solid", start_color=FILLS[severity])
        sheet_name, _, ref = row[1].partition("!")
        if ref and sheet_name in book.sheetnames:
            sheet.cell(r, 2).hyperlink = f"#'{sheet_name}'!{ref}"
            sheet.cell(r, 2).font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDE", (10, 16, 16, 22, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.active = 0


class MarkTarget(Protocol):
    """A workbook that can be marked: an openpyxl one here, the open one in Excel (add-in)."""

    def has_sheet(self, sheet: str) -> bool: ...

    def look(self, sheet: str, cell: str) -> tuple[str, str]:
        """The cell's solid fill as RRGGBB and its note; "" for none."""
        ...

    def mark(self, sheet: str, cell: str, fill: str, note: str) -> None:
        """Set the fill ("" removes it) and the note ("" removes it)."""
        ...

    def remember(self, marks: Sequence[Restore]) -> None:
        """Replace the hidden `_marks` sheet with these rows (none: remove the sheet)."""
        ...


def apply_marks(target: MarkTarget, plan: AnnotationPlan) -> None:
    """Undo the earlier marks, then colour and comment each problem cell, remembering what it
    looked like before.

    An earlier mark is undone only where the cell still carries its note: after rows were
    inserted or deleted, another cell sits at that address, and its colour and note are the
    person's, not ours."""
    for earlier in plan.restore:
        if (target.has_sheet(earlier.sheet)
                and _same_text(target.look(earlier.sheet, earlier.cell)[1], earlier.mark)):
            target.mark(earlier.sheet, earlier.cell, earlier.fill, earlier.note)
    made = []
    for mark in plan.marks:
        if not target.has_sheet(mark.sheet):
            continue
        fill, note = target.look(mark.sheet, mark.cell)
        made.append(Restore(mark.sheet, mark.cell, fill, note, printable(mark.text)))
        target.mark(mark.sheet, mark.cell, FILLS[mark.severity], mark.text)
    target.remember(made)


def _same_text(a: str, b: str) -> bool:
    # Excel may hand a note back with other line breaks than it was given.
    return a.split() == b.split()


class OpenpyxlMarks:
    """MarkTarget over an openpyxl workbook."""

    def __init__(self, book: OpenpyxlWorkbook) -> None:
        self.book = book

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.book.sheetnames

    def look(self, sheet: str, cell: str) -> tuple[str, str]:
        found = self.book[sheet][cell]
        return _fill_of(found), found.comment.text if found.comment else ""

    def mark(self, sheet: str, cell: str, fill: str, note: str) -> None:
        found = self.book[sheet][cell]
        found.fill = PatternFill("solid", start_color=fill) if fill else PatternFill(None)
        if not note:
            found.comment = None
            return
        comment = Comment(printable(note), "sales-sheets")
        comment.width, comment.height = 320, 40 + 20 * note.count("\n")
        found.comment = comment

    def remember(self, marks: Sequence[Restore]) -> None:
        if MARKS_SHEET in self.book.sheetnames:
            del self.book[MARKS_SHEET]
        if not marks:
            return
        sheet = self.book.create_sheet(MARKS_SHEET)
        for r, row in enumerate((MARKS_HEADER, *(m.row() for m in marks)), start=1):
            for c, text in enumerate(row, start=1):
                set_text(sheet.cell(r, c), text)
        sheet.sheet_state = "veryHidden"


def _fill_of(cell: Cell) -> str:
    color = cell.fill.fgColor
    if cell.fill.fill_type == "solid" and color is not None and color.type == "rgb":
        return str(color.rgb)[-6:]
    return ""
