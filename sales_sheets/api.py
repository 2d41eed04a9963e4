"""The library's public functions: everything the CLI, the watcher and the add-in call.

Importing this module is cheap: a name defined elsewhere is imported from its module the first
time it is used (PEP 562's module `__getattr__`), and the functions here import what they need
when called. `sales-sheets --help` or `status` thus never load the add-in builder, the
document renderers or the report writer.
"""

from __future__ import annotations

import importlib
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:  # the names as the type checker sees them; at run time see _HOMES
    from .addin.build import ADDIN_FILE_NAME, build_addin
    from .addin.install import Installation, install_addin
    from .channels import Channel
    from .demo import run_demo
    from .documents.contract import generate_contract
    from .documents.invoice import generate_invoice_notice
    from .documents.orders import generate_order_files
    from .documents.pdf import pdf_worker
    from .documents.statements import StatementFiles
    from .forms.periods import Period
    from .intake.approvals import Release, release_order
    from .intake.check import WorkbookCheck, check_workbook
    from .intake.collector import collector_paused
    from .intake.inbox import Claim
    from .intake.ingest import IngestResult, process_claims, process_inbox
    from .intake.watch import watch
    from .ledger import Holder, LedgerStatus, Queue, Revisions, Upgrade, hold_claims
    from .notify.dispatch import Dispatched, Tried
    from .schedule.runner import JobState, Ran
    from .service.health import Health, check_health
    from .service.systemd import Installed, Scope, install_unit, uninstall_unit
    from .service.windows import Task
    from .services import Services
    from .workspace import Workspace, open_workspace

# Each public name defined elsewhere, and the module (in this package) that defines it.
_HOMES = {
    "ADDIN_FILE_NAME": "addin.build", "build_addin": "addin.build",
    "Installation": "addin.install", "install_addin": "addin.install",
    "run_demo": "demo",
    "generate_contract": "documents.contract", "generate_invoice_notice": "documents.invoice",
    "generate_order_files": "documents.orders", "pdf_worker": "documents.pdf",
    "StatementFiles": "documents.statements",
    "Release": "intake.approvals", "release_order": "intake.approvals",
    "WorkbookCheck": "intake.check", "check_workbook": "intake.check",
    "collector_paused": "intake.collector",
    "IngestResult": "intake.ingest", "process_claims": "intake.ingest",
    "process_inbox": "intake.ingest", "watch": "intake.watch",
    "LedgerStatus": "ledger", "Queue": "ledger", "Revisions": "ledger", "Upgrade": "ledger",
    "hold_claims": "ledger",
    "Dispatched": "notify.dispatch", "Tried": "notify.dispatch",
    "JobState": "schedule.runner", "Ran": "schedule.runner",
    "Health": "service.health", "check_health": "service.health",
    "Installed": "service.systemd", "Scope": "service.systemd",
    "install_unit": "service.systemd", "uninstall_unit": "service.systemd",
    "Task": "service.windows",
    "Services": "services",
    "open_workspace": "workspace",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__package__}.{home}"), name)
    globals()[name] = value  # once: later uses find it without this function
    return value


def init_workspace(path: Path | str) -> Workspace:
    """A new workspace with config.toml, its folders and the default document templates."""
    from .documents.contract import CONTRACT
    from .documents.statements import LETTER
    from .workspace import init_workspace as create_workspace

    workspace = create_workspace(path)
    CONTRACT.ensure(workspace)
    LETTER.ensure(workspace)
    return workspace


def write_template(workspace: Workspace, kind: str, output: Path | None = None) -> Path:
    """A blank template of `kind` with drop-downs from the ledger's current master data and
    what its fields offer (a delivery's open orders and their products, a budget's owners, the
    expense categories of the workspace's settings)."""
    from .forms.template import write_form
    from .kinds import get_kind
    from .ledger import Ledger

    form = get_kind(kind)
    with Ledger.of(workspace).connect() as books:
        lists = books.drop_down_lists(form, workspace.settings)
    target = output or workspace.templates / f"{form.name}.xlsx"
    return write_form(target, form, workspace.language, lists)


def claim_inbox(workspace: Workspace, holder: Holder) -> list[Claim]:
    """Unfinished claims `holder` may resume first, then everything now in the inbox, taken out
    of it for `holder` (after the document templates are checked: a broken one stops everything
    before any file moves)."""
    from .intake.inbox import candidates, claim_files, pending_claims
    from .intake.ingest import check_templates

    check_templates(workspace)
    claims = pending_claims(workspace, holder)
    return claims + claim_files(workspace, candidates(workspace), holder)


def ledger_status(workspace: Workspace, recent: int = 10) -> LedgerStatus:
    """What the ledger holds, what happened lately, what waits for approval and who is
    watching; with a warning when files wait in the inbox and no watcher has been seen."""
    from .intake.inbox import candidates
    from .ledger import ledger_status as ledger_status_of

    return ledger_status_of(workspace, recent, waiting=len(candidates(workspace)))


def write_report(workspace: Workspace, period: str) -> Path:
    """The summary workbook of `period` (2026, 2026-Q4 or 2026-11)."""
    from .forms.periods import parse_period
    from .reports.summary import write_summary

    return write_summary(workspace, parse_period(period))


def write_expense_summary(workspace: Workspace, period: str) -> Path:
    """The 报销汇总 of `period` (2026-11, 2026-Q4 or 2026): the accepted expense claims for
    finance to pay, per salesperson, at outbox/expenses/<period>/."""
    from .forms.periods import parse_period
    from .reports.expense_summary import write_expense_summary as write

    return write(workspace, parse_period(period))


def write_appraisal(workspace: Workspace, period: str) -> Path:
    """The 绩效考核 of `period` (a quarter, 2026-Q4, or a year, 2026): each salesperson's
    metrics, score, rank and commission, at outbox/appraisal/<period>/."""
    from .forms.periods import parse_period
    from .reports.appraisal import write_appraisal as write

    return write(workspace, parse_period(period))


def write_statements(
    workspace: Workspace, period: str | None = None, customer: str | None = None,
    include_all: bool = False, today: date | None = None,
) -> tuple[Period, list[StatementFiles]]:
    """Statements and letters for `period` (default: the last complete quarter)."""
    from .documents.statements import statement_files
    from .forms.periods import last_complete_quarter, parse_period

    chosen = parse_period(period) if period else last_complete_quarter(today or date.today())
    return chosen, statement_files(workspace, chosen, customer, include_all)


def notification_channels(workspace: Workspace) -> dict[str, Channel]:
    """The configured channels (the console when none is). Raises ConfigError when a secret's
    environment variable is missing or a setting is wrong."""
    from .notify.dispatch import workspace_channels

    return workspace_channels(workspace)


def notification_settings(workspace: Workspace) -> list[str]:
    """One line per configured channel for `status`, every secret masked."""
    from .channels import describe as describe_channels

    return describe_channels(workspace.settings.notify, os.environ, workspace.language)


def send_notifications(workspace: Workspace,
                       channels: dict[str, Channel] | None = None) -> Dispatched:
    """Send every stored message that is due now (`sales-sheets notify send`)."""
    from .notify.dispatch import dispatch_due, workspace_channels

    return dispatch_due(workspace, channels or workspace_channels(workspace))


def test_notification(workspace: Workspace, to: str) -> list[Tried]:
    """Send a test message to `to` over every configured channel (`notify test --to`)."""
    from .notify.dispatch import send_test, workspace_channels

    return send_test(workspace, workspace_channels(workspace), to)


def schedule_moment(workspace: Workspace, at: str | None) -> datetime:
    """`at` (ISO 8601; without a zone, in `[schedule] timezone`) or now, as an aware time."""
    from .schedule.runner import calendar_of

    if not at:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise UsageError(f"--at {at!r} is not a time: use e.g. 2027-01-01T09:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar_of(workspace).timezone)
    return moment


def run_schedule(workspace: Workspace, at: str | None = None) -> list[Ran]:
    """Run every job due at `at` (default now) that has not run for its period."""
    from .schedule.runner import run_due

    return run_due(workspace, schedule_moment(workspace, at))


def run_scheduled_job(workspace: Workspace, job: str, period: str,
                      at: str | None = None) -> Ran:
    """Run `job` for `period` once (not again when that period's run is done)."""
    from .schedule.runner import run_job

    return run_job(workspace, job, period, schedule_moment(workspace, at))


def schedule(workspace: Workspace, at: str | None = None) -> list[JobState]:
    """Every job with its last run and its next one."""
    from .schedule.runner import job_states

    return job_states(workspace, schedule_moment(workspace, at))


def upgrade_ledger(workspace: Workspace) -> Upgrade:
    """Bring the workspace's ledger to this program's schema (`sales-sheets db upgrade`)."""
    from .ledger import upgrade_ledger as upgrade_ledger_at

    return upgrade_ledger_at(workspace.database_url)


def ledger_revisions(workspace: Workspace) -> Revisions:
    """The schema revision of the workspace's ledger beside this program's newest."""
    from .ledger import ledger_revisions as ledger_revisions_at

    return ledger_revisions_at(workspace.database_url)


def backup_ledger(workspace: Workspace, target: Path, force: bool = False) -> Path:
    """A consistent copy of the workspace's SQLite ledger at `target`, taken while it is in use."""
    from .ledger import backup_ledger as backup_ledger_at

    return backup_ledger_at(workspace.database_url, target, force)


def write_task(workspace: Workspace, account: str, output: Path) -> Task:
    """The Windows scheduled task that runs this Python's `watch` for `workspace` at boot as
    `account`, logging to its log file (watch.log_file, or logs/watch.log)."""
    from .service.log import service_log_file
    from .service.windows import write_task as write_task_at

    log = service_log_file(workspace)
    return write_task_at(sys.executable, str(workspace.root), str(log), account, output)


__all__ = [
    "Health", "Installed", "Scope", "Services", "Task", "check_health", "install_unit",
    "uninstall_unit",
    "write_task",
    "ADDIN_FILE_NAME", "IngestResult", "Installation", "LedgerStatus", "Release", "Revisions",
    "StatementFiles", "Upgrade", "WorkbookCheck", "backup_ledger", "build_addin",
    "check_workbook", "claim_inbox", "ledger_revisions", "upgrade_ledger",
    "install_addin",
    "generate_contract", "generate_invoice_notice", "generate_order_files", "hold_claims",
    "init_workspace",
    "ledger_status", "open_workspace", "pdf_worker", "process_claims",
    "process_inbox", "release_order", "write_report", "run_demo", "watch", "write_statements",
    "write_expense_summary",
    "write_appraisal",
    "write_template",
    "Dispatched", "JobState", "Queue", "Ran", "Tried", "notification_channels",
    "notification_settings", "run_schedule", "run_scheduled_job", "schedule",
    "send_notifications", "test_notification", "collector_paused",
]
