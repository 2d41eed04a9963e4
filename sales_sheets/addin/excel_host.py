"""The host inside Excel (xlwings): the only add-in code that needs Excel to run.

It reads the active workbook (`xw.books.active`: `Book.caller()` would return the add-in
itself), saves a copy when there are unsaved changes, and applies what the library returned.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlwings as xw

from ..forms.meta import LISTS_SHEET, MARKS_SHEET
from ..intake.annotate import MARKS_HEADER, AnnotationPlan, Restore, apply_marks
from .lists import ListRefresh
from .messages import AddinError


class ExcelHost:
    def __init__(self, app: Any) -> None:
        self.app = app

    @classmethod
    def active(cls) -> ExcelHost:
        return cls(xw.apps.active)

    @property
    def book(self) -> Any:
        # With no workbook open (or only one in Protected View) xlwings still hands out a Book
        # that wraps nothing; ask Excel itself.
        empty = (self.app.api.ActiveWorkbook is None if sys.platform == "win32"
                 else self.app.books.count == 0)
        if empty:
            raise AddinError("no_workbook")
        return self.app.books.active

    def workbook_copy(self) -> tuple[Path, str]:
        book = self.book
        saved = Path(book.fullname)
        if sys.platform == "win32":
            if saved.is_file() and book.api.Saved:
                return saved, book.name
            name = book.name if Path(book.name).suffix else f"{book.name}.xlsx"
            # One folder, one copy per workbook name: replaced at the next click, not piling up.
            folder = Path(tempfile.gettempdir()) / "sales-sheets"
            folder.mkdir(exist_ok=True)
            book.api.SaveCopyAs(str(folder / name))
            return folder / name, name
        # Excel for Mac has no scriptable save-a-copy: the workbook itself is saved.
        if not saved.is_file():
            raise AddinError("unsaved_new")
        book.save()
        return saved, book.name

    def apply_marks(self, plan: AnnotationPlan) -> None:
        if not plan.changes_cells:
            return
        active = self.book.sheets.active
        apply_marks(_ExcelMarks(self.book), plan)
        active.activate()

    def apply_lists(self, refresh: ListRefresh) -> None:
        sheet = self.book.sheets[LISTS_SHEET]
        for update in refresh.updates:
            column = update.column + 1
            if update.stale_rows:
                sheet.range((2, column), (update.stale_rows + 1, column)).clear_contents()
            if update.values:
                cells = sheet.range((2, column), (len(update.values) + 1, column))
                cells.number_format = "@"  # codes such as 001 stay text
                cells.value = [[value] for value in update.values]
            self.book.names.add(update.name, update.refers_to)

    def tell(self, message: str, title: str, problem: bool = False) -> None:
        self.app.alert(message, title, mode="critical" if problem else "info")

    def open(self, path: Path) -> None:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            xw.Book(str(path))
        elif sys.platform == "win32":
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        else:
            subprocess.run(["open", str(path)], check=False)


class _ExcelMarks:
    """MarkTarget over the open workbook."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.sheet_names = {sheet.name for sheet in book.sheets}

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.sheet_names

    def look(self, sheet: str, cell: str) -> tuple[str, str]:
        found = self.book.sheets[sheet][cell]
        color = found.color
        fill = "{:02X}{:02X}{:02X}".format(*color) if color else ""
        return fill, found.note.text if found.note else ""

    def mark(self, sheet: str, cell: str, fill: str, note: str) -> None:
        found = self.book.sheets[sheet][cell]
        found.color = f"#{fill}" if fill else None
        if found.note:
            found.note.delete()
        if note:
            found.add_note(note)

    def remember(self, marks: Sequence[Restore]) -> None:
        if MARKS_SHEET in self.sheet_names:
            self.book.sheets[MARKS_SHEET].delete()
        if not marks:
            return
        sheet = self.book.sheets.add(MARKS_SHEET, after=self.book.sheets[-1])
        rows = [MARKS_HEADER, *(m.row() for m in marks)]
        cells = sheet.range((1, 1), (len(rows), len(MARKS_HEADER)))
        cells.number_format = "@"  # a note starting with "=" stays text
        cells.value = [list(row) for row in rows]
        if sys.platform == "win32":
            sheet.api.Visible = 2  # xlSheetVeryHidden, as on the copies the watcher returns
        else:
            sheet.visible = False
