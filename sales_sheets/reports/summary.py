"""The summary workbook of a period, from the ledger to outbox/reports/<P>/销售汇总_<P>.xlsx."""

from __future__ import annotations

from pathlib import Path

from ..ledger.database import open_ledger
from ..paths import inside
from ..periods import Period
from ..workspace import Workspace
from .kpis import build_report
from .workbook import write_report

_NAME = {"zh": "销售汇总", "en": "Sales summary"}


def report_path(workspace: Workspace, period: Period) -> Path:
    name = _NAME["en" if workspace.language == "en" else "zh"]
    return inside(workspace.outbox, "reports", period.label, f"{name}_{period.label}.xlsx")


def latest_report(workspace: Workspace) -> Path | None:
    """The summary workbook written last, of any period; None when there is none yet."""
    written = [p for p in (workspace.outbox / "reports").glob("*/*.xlsx")
               if not p.name.startswith((".", "~$"))]
    return max(written, key=lambda p: p.stat().st_mtime_ns, default=None)


def write_summary(workspace: Workspace, period: Period) -> Path:
    engine = open_ledger(workspace.database_url)
    report = build_report(workspace, engine, period)
    return write_report(report, report_path(workspace, period), workspace.language,
                        workspace.settings.company.name)
