"""What each of the department's jobs does for one period: it writes what it writes (the
summary workbook, the statements) and returns a line for the record of its run and the messages
to store with that record (spec 4d). The calendar (sales_sheets.calendar) says when they run;
runner.py runs them once per period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ..documents.formatting import show_date
from ..forms.kinds import Ref
from ..forms.periods import parse_period, reply_by
from ..ledger import Ledger, Notice
from ..notify.events import notices
from ..status import ReplyStatus
from ..text import Text
from ..workspace import Workspace


@dataclass(frozen=True)
class Done:
    """What a job's run did (kept with the run), and the messages it brings."""

    outcome: str
    notices: list[Notice]


Job = Callable[[Workspace, str, date], Done]
_APPRAISAL = Text("绩效考核", "appraisal")


def _relative(workspace: Workspace, path: Path) -> str:
    return path.relative_to(workspace.root).as_posix()


def monthly_report(workspace: Workspace, period: str, _today: date) -> Done:
    """The summary workbook of the month just ended, and `report_ready` to the office."""
    from ..reports.summary import write_summary  # (a job's heavy parts load when it runs)

    path = write_summary(workspace, parse_period(period))
    relative = _relative(workspace, path)
    title = parse_period(period).title(workspace.language)
    return Done(relative, notices(workspace.settings.notify, "report_ready", period,
                                  workspace.settings.notify.office,
                                  {"period": title, "file": relative}))


def quarterly_statements(workspace: Workspace, period: str, _today: date) -> Done:
    """The statements and 对账函 of the quarter just ended, and `statements_ready`."""
    from ..documents.statements import statement_files

    quarter = parse_period(period)
    written = statement_files(workspace, quarter)
    folder = f"outbox/statements/{quarter.label}/"
    due = reply_by(quarter, workspace.settings.statements.reply_by_day)
    return Done(f"{len(written)} statements", notices(
        workspace.settings.notify, "statements_ready", period, workspace.settings.notify.office,
        {"period": quarter.title(workspace.language), "count": len(written), "folder": folder,
         "reply_by": show_date(due, workspace.language)}))


def appraisal(workspace: Workspace, period: str, _today: date) -> Done:
    """The 绩效考核 of the quarter just ended, and `report_ready` to the office (spec 4d has no
    event of its own for it: the office is told of it as of the month's report)."""
    from ..reports.appraisal import write_appraisal

    quarter = parse_period(period)
    relative = _relative(workspace, write_appraisal(workspace, quarter))
    return Done(relative, notices(workspace.settings.notify, "report_ready",
                                  f"appraisal:{period}", workspace.settings.notify.office,
                                  {"period": quarter.title(workspace.language), "file": relative,
                                   "report": _APPRAISAL(workspace.language)}))


def visit_review(workspace: Workspace, period: str, _today: date) -> Done:
    """Friday's review: `visit_record_missing` to each salesperson with no visit record for
    the week. Salespeople are the roster's people who neither manage anyone nor approve."""
    year, week = period.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    approvals = workspace.settings.approvals
    approvers = set()
    if approvals is not None:
        approvers = {*approvals.price, *approvals.overdue, *approvals.credit, *approvals.returns}
    with Ledger.of(workspace).connect() as books:
        roster = books.master_records(Ref.SALESPERSON)
        filed = books.visit_records_filed(monday)
    managers = {str(r["manager"]) for r in roster if r["manager"]}
    missing = [str(r["code"]) for r in roster
               if r["code"] not in filed and r["code"] not in approvers
               and r["name"] not in managers and r["name"] not in approvers]
    found = [n for code in missing for n in notices(
        workspace.settings.notify, "visit_record_missing", f"{period}:{code}", [code],
        {"week": period, "week_start": show_date(monday, workspace.language)})]
    return Done(f"{len(missing)} missing", found)


def month_end_reminder(workspace: Workspace, period: str, today: date) -> Done:
    """The last working day: `standing_approval_due` to the salespeople of customers with
    overdue receivables, each with their customers."""
    by_salesperson: dict[str, list[str]] = defaultdict(list)
    with Ledger.of(workspace).connect() as books:
        for customer, position in books.customer_positions(today):
            if position.overdue > 0:
                by_salesperson[str(customer["salesperson"] or "")].append(
                    f"{customer['code']} {customer['name']}：¥{position.overdue:,}")
    found = [n for person, customers in sorted(by_salesperson.items()) for n in notices(
        workspace.settings.notify, "standing_approval_due", f"{period}:{person}", [person],
        {"month": period, "customers": customers})]
    count = sum(len(c) for c in by_salesperson.values())
    return Done(f"{count} overdue customers", found)


def approval_digest(workspace: Workspace, period: str, today: date) -> Done:
    """Each working day, `approval_reminder` to every approver with documents waiting: all of
    them, those older than `[notify] remind_after_days` marked; and the day's check of the
    对账回函 (see `overdue_replies`) and of the complaints (see `overdue_complaints`)."""
    from ..documents.approval_request import request_path

    remind_after = workspace.settings.notify.remind_after_days
    waiting: dict[str, list[str]] = defaultdict(list)
    with Ledger.of(workspace).connect() as books:
        for pending in books.pending_approvals(datetime.combine(today, time.max)):
            stored = books.current_document(pending.kind, pending.document)
            if stored is None:
                continue
            approver = request_path(workspace, books, stored,
                                    workspace.settings.approvals).parent.name
            late = "（已等待 {0} 天）" if workspace.language != "en" else " (waiting {0} days)"
            line = f"{pending.document} {pending.customer_name} ¥{pending.amount:,}"
            if pending.age_days >= remind_after:
                line += late.format(pending.age_days)
            waiting[approver].append(line)
    found = [n for approver, lines in sorted(waiting.items()) for n in notices(
        workspace.settings.notify, "approval_reminder", f"{period}:{approver}", [approver],
        {"count": len(lines), "documents": lines,
         "folder": f"outbox/approvals/{approver}/"})]
    overdue, told = overdue_replies(workspace, today)
    unresolved, complained = overdue_complaints(workspace, today)
    outcome = f"{sum(len(v) for v in waiting.values())} waiting"
    if overdue:
        outcome += f", {overdue} replies overdue"
    if unresolved:
        outcome += f", {unresolved} complaints overdue"
    return Done(outcome, found + told + complained)


def overdue_replies(workspace: Workspace, today: date) -> tuple[int, list[Notice]]:
    """`statement_reply_overdue` to the office for every current 对账函 with no reply after
    its reply-by day. Keyed by the statement number alone, so each overdue statement is told
    once however many days it stays overdue (a re-issued statement has a new number and is
    told anew once it is overdue)."""
    from ..documents.statements import reply_form_path

    settings = workspace.settings
    language = workspace.language
    with Ledger.of(workspace).connect() as books:
        standings = books.statement_standings(today, settings.statements.reply_by_day,
                                              latest_only=False)
    found: list[Notice] = []
    overdue = [s for s in standings if s.status is ReplyStatus.OVERDUE]
    for s in overdue:
        period = parse_period(s.period)
        form = reply_form_path(workspace, period, s.customer_code)
        found += notices(settings.notify, "statement_reply_overdue", s.statement_no,
                         settings.notify.office,
                         {"customer": s.customer_code, "customer_name": s.customer_name,
                          "statement_no": s.statement_no, "period": period.title(language),
                          "balance": f"¥{s.our_balance:,.2f}",
                          "reply_by": show_date(s.reply_by, language), "days": s.days_overdue,
                          "form": _relative(workspace, form)})
    return len(overdue), found


def overdue_complaints(workspace: Workspace, today: date) -> tuple[int, list[Notice]]:
    """`complaint_overdue` to the salesperson and their manager for every complaint still open
    after its due date. Keyed by the complaint and its due date, so each is told once however
    many days it stays overdue, and again only when a new version gives it a later due date
    that passes too."""
    from ..kinds import KINDS

    settings = workspace.settings
    language = workspace.language
    category = KINDS["complaint"].header_field("category")
    words = {c.value: c.label(language) for c in category.choices}
    with Ledger.of(workspace).connect() as books:
        late = [c for c in books.complaints(today) if c.overdue_on(today)]
        managers = {p["code"]: p["manager"] or "" for p in books.master_records(Ref.SALESPERSON)}
        customers = {c["code"]: c["name"] for c in books.master_records(Ref.CUSTOMER)}
    found: list[Notice] = []
    for c in late:
        found += notices(settings.notify, "complaint_overdue", f"{c.complaint_no}:{c.due_on}",
                         [c.salesperson, managers.get(c.salesperson, "")],
                         {"complaint_no": c.complaint_no, "customer": c.customer_code,
                          "customer_name": customers.get(c.customer_code, ""),
                          "category": words.get(c.category, c.category),
                          "description": c.description,
                          "received_on": show_date(c.received_on, language),
                          "due_on": show_date(c.due_on, language),
                          "days": (today - c.due_on).days})
    return len(late), found


JOBS: dict[str, Job] = {
    "monthly_report": monthly_report,
    "quarterly_statements": quarterly_statements,
    "appraisal": appraisal,
    "visit_review": visit_review,
    "month_end_reminder": month_end_reminder,
    "approval_digest": approval_digest,
}
