"""Reading and checking one workbook, shared by the watcher and the Excel add-in.

The watcher reads a claimed file with `read_document`, derives and validates it inside its
storing transaction; the add-in's Validate runs `check_workbook`, the same reading, deriving and
rules against the current ledger, and stores nothing. Both mark problems with the same
`AnnotationPlan`, so a person sees in Excel exactly what the watcher would send back.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Limits
from ..formats.formulas import uncalculated
from ..formats.safety import Format
from ..forms.form import Document, normalize_form
from ..forms.reader import ReadResult, read_form
from ..kinds import KINDS
from ..ledger import Ledger
from ..problems import SEVERITY_LABELS, Problem, Severity, problem, worst
from ..rules import derive, validate
from ..status import Status
from ..text import Text
from ..workspace import Workspace
from .annotate import AnnotationPlan, earlier_marks, plan_annotations

log = logging.getLogger(__name__)

_COUNT = Text("{n} 个{label}", "{n} {label}{s}")  # English says "1 error", "2 errors"
_LIST_SEPARATOR = Text("，", ", ")
_STATUS_BY_SEVERITY = {Severity.ERROR: Status.REJECTED, Severity.HOLD: Status.HELD}


@dataclass
class Reading:
    """A file as read and normalised: `document` is None when it could not be read as a form."""

    read: ReadResult | None
    document: Document | None
    problems: list[Problem]


def read_document(path: Path, limits: Limits) -> Reading:
    """Read and normalise one workbook; a failure is a problem, never an exception."""
    try:
        read = read_form(path, limits, KINDS)
        problems = list(read.problems)
        document = None
        if read.form is not None and not problems:
            document, problems = normalize_form(read.form)
            if read.format is Format.XLSX:
                problems = _explain_formulas(path, problems)
        return Reading(read, document, problems)
    except Exception as exc:  # a file must never stop the others
        log.exception("reading %s failed", path)
        return Reading(None, None, [problem("internal_error", detail=type(exc).__name__)])


def _explain_formulas(path: Path, problems: list[Problem]) -> list[Problem]:
    """A required value that reads as blank because it is a formula never calculated (a file
    written by a script) is not missing: say what is wrong, or the person looks for an empty
    cell that is not empty."""
    blanks = [(p.sheet, p.cell) for p in problems if p.code == "required" and p.cell]
    found = uncalculated(path, blanks) if blanks else set()
    return [replace(p, code="formula_without_value")
            if p.code == "required" and (p.sheet, p.cell) in found else p for p in problems]


def status_of(problems: list[Problem]) -> Status:
    """What intake does with a document with these problems: accepted, held or rejected."""
    level = worst(problems)
    return _STATUS_BY_SEVERITY.get(level, Status.ACCEPTED) if level else Status.ACCEPTED


@dataclass(frozen=True)
class WorkbookCheck:
    """What the watcher would decide about a workbook, and the marks that show why."""

    file: Path
    document: Document | None  # as derived: with amounts, tax rates and the total
    problems: tuple[Problem, ...]
    plan: AnnotationPlan

    @property
    def status(self) -> Status:
        return status_of(list(self.problems))

    def counts(self) -> dict[Severity, int]:
        found = Counter(p.severity for p in self.problems)
        return {level: found[level] for level in Severity}

    def summary(self, language: str) -> str:
        """One sentence with the count of each severity, e.g. `2 个错误，1 个待审批，0 个提示`."""
        parts = [_COUNT.format(language, n=n, label=SEVERITY_LABELS[level](language),
                               s="" if n == 1 else "s")
                 for level, n in self.counts().items()]
        return _LIST_SEPARATOR(language).join(parts)


def check_workbook(workspace: Workspace, path: Path, folder: str = "") -> WorkbookCheck:
    """Read and validate a workbook against the current ledger, as if it had been dropped into
    `inbox/<folder>/`; nothing is stored.

    Args:
        workspace: the workspace whose rules, access settings and ledger apply.
        path: the workbook file (a saved copy of the open workbook, for the add-in).
        folder: the inbox sub-folder it would be dropped into, usually the salesperson's code
            (the access rules depend on it); "" for the inbox itself.
    """
    reading = read_document(path, workspace.settings.limits)
    document, problems = reading.document, reading.problems
    if document is not None:
        with Ledger.of(workspace).connect() as books:
            ctx = books.context(folder, workspace.settings.access, document,
                                workspace.settings.approvals, workspace.settings.expenses,
                                workspace.settings.complaints, workspace.settings.quotes)
            document = derive(document, ctx)
            problems = validate(document, ctx, problems)
    grid = reading.read.workbook if reading.read else None
    plan = plan_annotations(problems, workspace.language, earlier_marks(grid))
    return WorkbookCheck(path, document, tuple(problems), plan)
