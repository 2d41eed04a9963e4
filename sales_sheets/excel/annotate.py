"""Mark problems on a copy of a workbook: coloured cells, a comment each, and a first sheet
listing every problem. The plan is plain data, so the watcher (openpyxl, here) and the Excel
add-in (xlwings) apply exactly the same marks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook import Workbook as OpenpyxlWorkbook

from ..problems import SEVERITY_LABELS, Problem, Severity
from .cells import printable, set_text, set_value
from .grid import Workbook
from .meta import LISTS_SHEET, META_SHEET
from .safety import Format

FILLS = {Severity.ERROR: "FFC7CE", Severity.HOLD: "FFD966", Severity.WARNING: "FFF2CC"}
PROBLEM_SHEET = {"zh": "问题清单", "en": "Problems"}
_HEADINGS = {
    "zh": ("严重程度", "位置", "字段", "代码", "说明"),
    "en": ("Severity", "Location", "Field", "Code", "Message"),
}


@dataclass(frozen=True)
class Mark:
    sheet: str
    cell: str
    severity: Severity
    text: str


@dataclass(frozen=True)
class AnnotationPlan:
    marks: tuple[Mark, ...]
    sheet_title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Severity, tuple[str, ...]], ...]


def plan_annotations(problems: list[Problem], language: str) -> AnnotationPlan:
    """One mark per problem cell (several problems in one cell share it, worst colour wins)."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet and p.cell:
            by_cell.setdefault((p.sheet, p.cell), []).append(p)
    index = 1 if language == "en" else 0
    marks = []
    for (sheet, cell), found in by_cell.items():
        severity = min((p.severity for p in found), key=list(Severity).index)
        text = "\n".join(f"[{SEVERITY_LABELS[p.severity][index]}] {p.message(language)}"
                         for p in found)
        marks.append(Mark(sheet, cell, severity, text))
    rows = tuple(
        (p.severity, (SEVERITY_LABELS[p.severity][index], p.location,
                      p.field_labels[index] or p.field, p.code, p.message(language)))
        for p in problems
    )
    lang = "en" if language == "en" else "zh"
    return AnnotationPlan(tuple(marks), PROBLEM_SHEET[lang], _HEADINGS[lang], rows)


def write_annotated_copy(
    original: Path, fmt: Format | None, grid: Workbook | None, plan: AnnotationPlan, dest: Path
) -> Path:
    """Write dest: the original (or its values, for non-xlsx) with the plan applied."""
    if fmt is Format.XLSX:
        book = openpyxl.load_workbook(original)
    elif grid is not None:
        book = _from_grid(grid)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
    apply_plan(book, plan)
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    book.save(partial)
    book.close()
    os.replace(partial, dest)
    return dest


def _from_grid(grid: Workbook) -> OpenpyxlWorkbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in grid.sheets.items():
        if name in (META_SHEET, LISTS_SHEET):
            continue
        sheet = book.create_sheet(name[:31])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    set_value(sheet.cell(r, c), value)
    return book


def apply_plan(book: OpenpyxlWorkbook, plan: AnnotationPlan) -> None:
    for mark in plan.marks:
        if mark.sheet not in book.sheetnames:
            continue
        cell = book[mark.sheet][mark.cell]
        cell.fill = PatternFill("solid", start_color=FILLS[mark.severity])
        comment = Comment(printable(mark.text), "sales-sheets")
        comment.width, comment.height = 320, 40 + 20 * mark.text.count("\n")
        cell.comment = comment
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
