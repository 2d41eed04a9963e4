"""The summary workbook of a period, from the ledger to outbox/reports/<P>/销售汇总_<P>.xlsx."""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from pathlib import Path

from ..forms.periods import Period
from ..ledger import Ledger
from ..paths import inside
from ..text import Text
from ..workspace import Workspace
from .details import can_start_helper, rendered_elsewhere
from .kpis import build_report, details, has_detail_lines
from .workbook import DETAIL_ROWS_PER_SHEET, write_report

_NAME = Text("销售汇总", "Sales summary")
# From this many order lines on, 明细 is rendered in a helper process while the other figures
# are computed here: below it, starting the process (about 0.7 s) would cost more than it saves.
HELPER_LINES = 100_000


def report_path(workspace: Workspace, period: Period) -> Path:
    name = _NAME(workspace.language)
    return inside(workspace.outbox, "reports", period.label, f"{name}_{period.label}.xlsx")


def latest_report(workspace: Workspace) -> Path | None:
    """The summary workbook written last, of any period; None when there is none yet."""
    written = [p for p in (workspace.outbox / "reports").glob("*/*.xlsx")
               if not p.name.startswith((".", "~$"))]
    return max(written, key=lambda p: p.stat().st_mtime_ns, default=None)


def write_summary(workspace: Workspace, period: Period) -> Path:
    """Write the summary workbook of `period` and return its path.

    A period of many order lines has its 明细 rendered in a helper process (see details.py):
    a script that calls this at its top level must guard it with `if __name__ == "__main__":`.
    """
    ledger = Ledger.of(workspace)
    with ExitStack() as stack:
        rendered = None
        if can_start_helper() and has_detail_lines(ledger, period, HELPER_LINES):
            lines = partial(details, workspace.database_url, period)
            rendered = stack.enter_context(rendered_elsewhere(lines, DETAIL_ROWS_PER_SHEET))
        report = build_report(workspace, ledger, period)
        return write_report(report, report_path(workspace, period), workspace.language,
                            workspace.settings.company.name, rendered)
