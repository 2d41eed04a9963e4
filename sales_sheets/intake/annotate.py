"""Mark problems on a workbook: coloured cells, a comment on each of the first few hundred, and
(on the copy sent back) a first sheet listing every problem. The plan is plain data, so the
watcher (here) and the Excel add-in (xlwings) apply exactly the same marks.

The copy of an xlsx sent back is made by editing its package (formats/xlsx_edit.py), which costs
about what reading the file did; openpyxl, which loads and rewrites every cell, is kept for what
that editor does not do: undoing earlier marks, marking a sheet that has notes of its own,
non-xlsx files rebuilt from their values.

Every mark is remembered on a hidden `_marks` sheet with the cell's earlier fill and note, so
the next check undoes the earlier marks before it makes its own: a fixed cell loses its colour,
and a cell the person had coloured gets its colour back."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from ..files import write_bytes_atomic
from ..formats.cells import printable, set_text, set_value
from ..formats.safety import Format
from ..formats.xlsx_edit import NewSheet, Style, Unsupported, XlsxEdit
from ..forms.grid import Workbook
from ..forms.meta import MARKS_SHEET, OWN_SHEETS
from ..problems import SEVERITY_LABELS, Problem, Severity
from ..text import Text

# openpyxl is imported where a workbook is marked through it, not here: checking a workbook
# (the add-in's Validate) plans its marks without it, and importing it costs about 0.2 s.
if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.workbook import Workbook as OpenpyxlWorkbook

log = logging.getLogger(__name__)

FILLS = {Severity.ERROR: "FFC7CE", Severity.HOLD: "FFD966", Severity.WARNING: "FFF2CC"}
# Cells after the first this many are coloured without a comment: a comment is a drawn shape,
# thousands of them make a workbook slow to open, and the problem sheet lists them all anyway.
COMMENT_LIMIT = 300
PROBLEM_SHEET = Text("问题清单", "Problems")
MARKS_HEADER = ("sheet", "cell", "fill", "note", "mark")
_HEADINGS = (Text("严重程度", "Severity"), Text("位置", "Location"), Text("字段", "Field"),
             Text("代码", "Code"), Text("说明", "Message"))
_WIDTHS = (10, 16, 16, 22, 80)
_WORST_FIRST = list(Severity)


# Marks and restores are named tuples, not dataclasses: a file may bring 100,000 of each.
class Mark(NamedTuple):
    sheet: str
    cell: str
    severity: Severity
    text: str  # the comment; "" beyond COMMENT_LIMIT: colour only


class Restore(NamedTuple):
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
    with a comment on the first COMMENT_LIMIT of them, after undoing the `earlier` marks (see
    `earlier_marks`)."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    marks = []
    for count, ((sheet, cell), found) in enumerate(by_cell.items()):
        severity = (found[0].severity if len(found) == 1
                    else min((p.severity for p in found), key=_WORST_FIRST.index))
        text = "\n".join(f"[{SEVERITY_LABELS[p.severity](language)}] {p.message(language)}"
                          for p in found) if count < COMMENT_LIMIT else ""
        marks.append(Mark(sheet, cell, severity, text))
    labels = {severity: label(language) for severity, label in SEVERITY_LABELS.items()}
    # A wrong code is usually wrong on many lines: each distinct problem is worded once.
    words: dict[tuple[object, ...], tuple[str, str]] = {}
    rows = []
    for p in problems:
        key = (p.code, p.field, p.value, p.params)
        field, message = words.get(key) or words.setdefault(
            key, (p.field_label(language) or p.field, p.message(language)))
        rows.append((p.severity, (labels[p.severity], p.location, field, p.code, message)))
    headings = tuple(heading(language) for heading in _HEADINGS)
    return AnnotationPlan(tuple(marks), tuple(earlier), PROBLEM_SHEET(language), headings,
                          tuple(rows))


def earlier_marks(grid: Workbook | None) -> tuple[Restore, ...]:
    """The marks an earlier check left in a workbook, from its `_marks` sheet."""
    if grid is None or MARKS_SHEET not in grid.sheets:
        return ()
    found = []
    for row in grid.sheets[MARKS_SHEET][1:]:
        sheet, cell, fill, note, mark = ["" if v is None else str(v)
                                         for v in (list(row) + [""] * 5)[:5]]
        if not (sheet and cell):
            continue
        if ":" in cell:  # a run of cells marked alike (see `_runs`)
            column, first, last = _run_bounds(cell)
            found += [Restore(sheet, f"{column}{r}", fill, note, mark)
                      for r in range(first, last + 1)]
        else:
            found.append(Restore(sheet, cell, fill, note, mark))
    return tuple(found)


_CELL = re.compile(r"([A-Z]{1,3})(\d+)")


def _runs(made: Sequence[Restore]) -> list[Restore]:
    """The marks to remember, a run of cells down one column that looked alike before and were
    marked alike (coloured only, say) as one range such as B4:B9000: a file with 100,000 wrong
    lines is remembered in a few rows."""
    alike: dict[tuple[str, str, str, str, str], list[int]] = {}
    runs: list[Restore] = []
    for mark in made:
        found = _CELL.fullmatch(mark.cell)
        if found is None:
            runs.append(mark)
        else:
            key = (mark.sheet, found[1], mark.fill, mark.note, mark.mark)
            alike.setdefault(key, []).append(int(found[2]))
    for (sheet, column, fill, note, text), rows in alike.items():
        rows.sort()
        first = last = rows[0]
        for row in [*rows[1:], 0]:  # 0 ends the last run
            if row == last + 1:
                last = row
                continue
            cell = f"{column}{first}" if first == last else f"{column}{first}:{column}{last}"
            runs.append(Restore(sheet, cell, fill, note, text))
            first = last = row
    return runs


def _run_bounds(cells: str) -> tuple[str, int, int]:
    first, _, last = cells.partition(":")
    start, end = _CELL.fullmatch(first), _CELL.fullmatch(last)
    if start is None or end is None or start[1] != end[1]:
        return "", 1, 0  # not a run this module wrote: nothing to undo
    return start[1], int(start[2]), int(end[2])


def write_annotated_copy(
    original: Path, fmt: Format | None, grid: Workbook | None, plan: AnnotationPlan, dest: Path
) -> Path:
    """Write dest: the original (or its values, for non-xlsx) with the plan applied."""
    if fmt is Format.XLSX and not plan.restore:
        try:
            # Built in memory, then written at once: a process killed half-way through a
            # large copy leaves no partial file behind.
            buffer = io.BytesIO()
            _edit_package(original, plan, buffer)
            write_bytes_atomic(dest, buffer.getvalue())
            return dest
        except Unsupported as exc:
            # The editor's one "cannot edit this": anything else it raises is a bug, and is
            # not hidden behind a copy that costs twenty times as much. A warning, so that a
            # run of them shows where the editor needs to learn more.
            log.warning("%s: marking through openpyxl instead (%s)", original.name, exc)
    import openpyxl

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
    # Saved in memory first: openpyxl leaves its zip open when a write fails (a full disk), and
    # the zip then fails again, unhandled, when it is collected.
    buffer = io.BytesIO()
    book.save(buffer)
    book.close()
    write_bytes_atomic(dest, buffer.getvalue())
    return dest


def _edit_package(original: Path, plan: AnnotationPlan, dest: io.BytesIO) -> None:
    """The plan applied by editing the xlsx package: the same marks, problem sheet and
    remembered marks as `apply_plan` makes through openpyxl."""
    edit = XlsxEdit(original)
    if plan.sheet_title in edit.sheets or MARKS_SHEET in edit.sheets:
        raise Unsupported("marked before")
    by_sheet: dict[str, list[Mark]] = {}
    for mark in plan.marks:
        if mark.sheet in edit.sheets:
            by_sheet.setdefault(mark.sheet, []).append(mark)
    made: list[Restore] = []
    for sheet, marks in by_sheet.items():
        earlier = edit.mark(sheet, {m.cell: FILLS[m.severity] for m in marks},
                            {m.cell: m.text for m in marks if m.text})
        made += [Restore(sheet, m.cell, earlier[m.cell], "", printable(m.text) if m.text else "")
                 for m in marks]
    edit.add_sheet(_problem_sheet(edit, plan))
    if made:
        rows = (MARKS_HEADER, *(m.row() for m in _runs(made)))
        edit.add_sheet(NewSheet(MARKS_SHEET, [[(text, 0) for text in row] for row in rows],
                                hidden=True))
    edit.save(dest)


def _problem_sheet(edit: XlsxEdit, plan: AnnotationPlan) -> NewSheet:
    bold, link, wrap = (edit.style(Style(bold=True)), edit.style(Style(link=True)),
                        edit.style(Style(wrap=True)))
    fills = {severity: edit.style(Style(fill=rgb)) for severity, rgb in FILLS.items()}
    rows: list[tuple[tuple[str, int], ...]] = [tuple((h, bold) for h in plan.headings)]
    links: dict[str, str] = {}
    quoted = {name: "'" + name.replace("'", "''") + "'" for name in edit.sheets}
    for r, (severity, (label, location, field, code, message)) in enumerate(plan.rows, start=2):
        sheet_name, _, ref = location.partition("!")
        linked = bool(ref) and sheet_name in quoted
        if linked:
            links[f"B{r}"] = f"{quoted[sheet_name]}!{ref}"
        rows.append(((label, fills[severity]), (location, link if linked else 0), (field, 0),
                     (code, 0), (message, wrap)))
    return NewSheet(plan.sheet_title, rows, _WIDTHS, links, freeze_header=True, first=True,
                    varying=1)  # the location; the rest repeats for a wrong code on many lines


def _from_grid(grid: Workbook) -> OpenpyxlWorkbook:
    import openpyxl

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
    from openpyxl.styles import Alignment, Font, PatternFill

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
    for letter, width in zip("ABCDE", _WIDTHS, strict=True):
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
        text = mark.text or note  # colour only: a note the cell has stays
        made.append(Restore(mark.sheet, mark.cell, fill, note, printable(text)))
        target.mark(mark.sheet, mark.cell, FILLS[mark.severity], text)
    target.remember(_runs(made))


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
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill

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
