"""Where an action's workbook lives: the open one in Excel, or a workbook file.

An action asks its host for the workbook's current content as a file, gives the library the
path, and hands back what the library returned (marks, lists, a file to open, a message). The
Excel host (excel_host.py) is the only code that needs Excel; the file host is the same
contract over a real .xlsx with openpyxl, for a workbook that is not open anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..files import atomic_path
from ..intake.annotate import AnnotationPlan, OpenpyxlMarks, apply_marks
from .lists import ListRefresh, apply_list_refresh

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook as OpenpyxlWorkbook


class Host(Protocol):
    def workbook_copy(self) -> tuple[Path, str]:
        """A file holding the workbook as it is now (unsaved changes included), and the
        workbook's name."""
        ...

    def apply_marks(self, plan: AnnotationPlan) -> None: ...

    def apply_lists(self, refresh: ListRefresh) -> None: ...

    def tell(self, message: str, title: str, problem: bool = False) -> None: ...

    def open(self, path: Path) -> None: ...


@dataclass
class FileHost:
    """A host over a workbook file: marks and lists are saved into it; messages and files to
    open are collected for the caller."""

    path: Path
    messages: list[tuple[str, str, bool]] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def workbook_copy(self) -> tuple[Path, str]:
        return self.path, self.path.name

    def apply_marks(self, plan: AnnotationPlan) -> None:
        if plan.changes_cells:
            self._change(lambda book: apply_marks(OpenpyxlMarks(book), plan))

    def apply_lists(self, refresh: ListRefresh) -> None:
        self._change(lambda book: apply_list_refresh(book, refresh))

    def tell(self, message: str, title: str, problem: bool = False) -> None:
        self.messages.append((title, message, problem))

    def open(self, path: Path) -> None:
        self.opened.append(path)

    def _change(self, edit: Callable[[OpenpyxlWorkbook], None]) -> None:
        import openpyxl  # (only for a workbook that changes: a check alone does not load it)

        book = openpyxl.load_workbook(self.path, keep_vba=self.path.suffix.lower() == ".xlsm")
        edit(book)
        with atomic_path(self.path) as partial:
            book.save(partial)
            book.close()
