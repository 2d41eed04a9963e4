"""The add-in's buttons: one function per ribbon tag, each a thin step between the host (the
open workbook) and the library (which takes a path and returns data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..intake.check import WorkbookCheck, check_workbook
from ..problems import Severity
from ..status import Status
from .host import Host
from .lists import plan_list_refresh
from .messages import say
from .settings import Setup
from .submit import submit_workbook

_LISTED = 10  # problems spelled out in a dialog; the rest are in the cell notes
_CHECKED = {Status.ACCEPTED: "checked_ok", Status.HELD: "checked_holds",
            Status.REJECTED: "checked_errors"}


@dataclass(frozen=True)
class Action:
    run: Callable[[Host, Setup], None]
    needs_salesperson: bool = False


def validate(host: Host, setup: Setup) -> None:
    path, _name = host.workbook_copy()
    check = check_workbook(setup.workspace, path, setup.salesperson)
    host.apply_marks(check.plan)
    _tell_check(host, setup, _CHECKED[check.status], check)


def submit(host: Host, setup: Setup) -> None:
    path, name = host.workbook_copy()
    done = submit_workbook(setup.workspace, path, setup.salesperson, name)
    host.apply_marks(done.check.plan)
    if done.target is None:
        _tell_check(host, setup, "not_submitted", done.check)
        return
    where = done.target.relative_to(setup.workspace.root).as_posix()
    code = "submitted_held" if done.check.status == Status.HELD else "submitted"
    _tell_check(host, setup, code, done.check, target=where, folder=done.folder)


def preview(host: Host, setup: Setup) -> None:
    from .preview import preview_contract  # (the renderer loads for the button that needs it)

    path, _name = host.workbook_copy()
    result = preview_contract(setup.workspace, path, setup.salesperson)
    host.apply_marks(result.check.plan)
    if result.docx is None:
        # Not read as any form at all: say so as Validate would, not as an order's errors.
        code = "preview_errors" if result.check.document else "checked_errors"
        _tell_check(host, setup, code, result.check)
        return
    host.open(result.docx)


def refresh_lists(host: Host, setup: Setup) -> None:
    path, _name = host.workbook_copy()
    refresh = plan_list_refresh(setup.workspace, path)
    host.apply_lists(refresh)
    language = setup.language
    host.tell(say("lists_refreshed", language, counts=refresh.summary(language)),
              say("title", language))


def open_report(host: Host, setup: Setup) -> None:
    from ..reports.summary import latest_report

    report = latest_report(setup.workspace)
    if report is None:
        host.tell(say("no_report", setup.language), say("title", setup.language), problem=True)
        return
    host.open(report)


def _tell_check(host: Host, setup: Setup, code: str, check: WorkbookCheck,
                **params: object) -> None:
    language = setup.language
    lines = [say(code, language, counts=check.summary(language), **params)]
    listed = check.problems[:_LISTED]
    lines += [f"• {p.location + ' ' if p.location else ''}{p.message(language)}" for p in listed]
    if len(check.problems) > _LISTED:
        lines.append(say("more_problems", language, count=len(check.problems) - _LISTED))
    has_errors = any(p.severity is Severity.ERROR for p in check.problems)
    host.tell("\n".join(lines), say("title", language), problem=has_errors)
