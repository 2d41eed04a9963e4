"""The `sales-sheets` command: a thin layer that calls the library and picks an exit code.

Exit codes: 0 done; 1 an error that stopped the command (message on stderr); 2 wrong usage;
3 `process` finished but rejected at least one file; `status --check`: 4 no watcher of the inbox
is alive, 5 a file waited in the inbox longer than watch.max_wait_minutes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only what every command needs is imported here: `--help` and `status` must start quickly
# (SQLAlchemy, openpyxl and the renderers load when a command uses them; `api` is lazy).
from . import api
from .errors import SalesSheetsError
from .reports.words import hold_reason_words
from .service.log import log_event, log_file_of, log_result, writing_log
from .service.stopping import SignalStop
from .service.systemd import Scope
from .service.windows import current_account, drive_letter_warning
from .status import Status
from .text import Text

if TYPE_CHECKING:
    from .intake.ingest import IngestResult
    from .ledger import LedgerStatus, PendingApproval
    from .workspace import Workspace

EXIT_REJECTED = 3
_COLOURS = {Status.ACCEPTED: "green", Status.HELD: "yellow", Status.REJECTED: "red"}
_EMPTY_INBOX = Text("收件箱为空", "inbox is empty")
_STATUS_WORDS = {  # the headings of `status`
    "documents": Text("单据", "Documents"),
    "kind": Text("  {kind}：{counts}", "  {kind}: {counts}"),
    "master": Text("主数据：", "Master data: "),
    "files": Text("文件：", "Files: "),
    "and": Text("，", ", "),
    "recent": Text("最近处理", "Recent"),
    "pending": Text("待审批", "Pending approvals"),
    "no_pending": Text("  无", "  none"),
    "age": Text("{days} 天", "{days} days"),
    "anyone": Text("  config.toml 中没有 [approvals]：任何人都可以审批。",
                   "  No [approvals] in config.toml: anyone may approve."),
    "watchers": Text("监视程序", "Watchers"),
    "no_watchers": Text("  无", "  none"),
    "watcher": Text("  {command}  {host} pid {pid}  {workspace}  启动于 {started}  "
                    "最近心跳 {last_seen}  已处理 {files_done} 个文件",
                    "  {command}  {host} pid {pid}  {workspace}  started {started}  "
                    "last seen {last_seen}  {files_done} files done"),
    "no_watcher": Text("注意：收件箱里有 {waiting} 个文件在等待，"
                       "自 {last_seen} 起没有监视程序处理。",
                       "Warning: {waiting} files wait in the inbox and no watcher has been seen "
                       "since {last_seen}."),
    "replies": Text("对账回函", "Statement replies"),
    "no_replies": Text("  无已发出的对账函", "  no statements issued"),
    "reply": Text("  {customer} {name}  {number}  {status}  我方余额 {ours}",
                  "  {customer} {name}  {number}  {status}  our balance {ours}"),
    "reply_answer": Text("  客户余额 {theirs}  差额 {difference}",
                         "  theirs {theirs}  difference {difference}"),
    "reply_overdue": Text("  逾期 {days} 天（应于 {due} 前回函）",
                          "  {days} days overdue (due {due})"),
    "reply_rate": Text("  回函率 {rate}", "  reply rate {rate}"),
    "never_watched": Text("注意：收件箱里有 {waiting} 个文件在等待，从未有监视程序处理过。",
                          "Warning: {waiting} files wait in the inbox and no watcher has ever "
                          "been seen."),
}

_RELEASE_WORDS = {
    "released": Text("已放行 {order_no}（{reasons}），审批号 {approval}",
                     "released {order_no} ({reasons}) with {approval}"),
    "contract": Text("合同：{path}", "contract: {path}"),
    "invoice": Text("开票通知单：{path}", "invoice notice: {path}"),
}
_DEMO_WORDS = {
    "outbox": Text("回执、退回文件、合同和审批单：{outbox}",
                   "acknowledgements, annotated copies, contracts and approval forms: {outbox}"),
    "report": Text("汇总表：{path}", "summary workbook: {path}"),
    "statements": Text("对账单和对账函：{count} 个客户，{folder}",
                       "statements and letters: {count} customers, {folder}"),
    "appraisal": Text("绩效考核：{path}", "appraisal: {path}"),
}

_STOPPING = {
    False: Text("收到 {signal}：处理完手头的文件后停止（再按一次立即停止）",
                "{signal}: stopping once the file in hand is done (again to stop at once)"),
    True: Text("收到 {signal}：立即停止", "{signal}: stopping at once"),
}
# `status --check`: what each finding says, and the exit code it gives (the first one found).
EXIT_NO_WATCHER = 4
EXIT_WAITED_TOO_LONG = 5
_CHECK_EXITS = {"no_watcher_alive": EXIT_NO_WATCHER, "waited_too_long": EXIT_WAITED_TOO_LONG}
_CHECK_WORDS = {
    "healthy": Text("正常：{watchers} 个监视程序在运行，收件箱里有 {waiting} 个文件。",
                    "healthy: {watchers} watchers alive, {waiting} files in the inbox."),
    "no_watcher_alive": Text("没有监视程序在处理收件箱 {inbox}。",
                     "No watcher of the inbox {inbox} is alive."),
    "waited_too_long": Text("{overdue} 个文件在收件箱里等待超过 {max_wait_minutes} 分钟"
                          "（最久 {oldest_minutes} 分钟）。",
                          "{overdue} files have waited in the inbox longer than "
                          "{max_wait_minutes} minutes (the oldest {oldest_minutes} minutes)."),
}

workspace_option = click.option(
    "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The workspace folder (config.toml, inbox/, outbox/).")


class _KindChoice(click.Choice[str]):
    """The kinds, found when the argument is parsed or the help shown, not on import."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        from .kinds import KINDS

        return sorted(KINDS)

    @choices.setter
    def choices(self, _value: Sequence[str]) -> None:
        pass


def _job_title(job: str, language: str) -> str:
    from .calendar import job_named

    return job_named(job).title(language)


def _open(path: Path) -> Workspace:
    """The command's workspace with services of its own (the entry point builds them), whose
    engine is closed when the command ends."""
    try:
        workspace = api.open_workspace(path, api.Services())
    except SalesSheetsError as exc:
        raise click.ClickException(str(exc)) from None
    click.get_current_context().call_on_close(workspace.services.close)
    return workspace


def _guard(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except SalesSheetsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sales-sheets")
@click.option("--verbose", "-v", is_flag=True, help="Log what happens to stderr.")
def main(verbose: bool) -> None:
    """Validate, consolidate and report on a sales department's Excel forms."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s")


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def init(path: Path) -> None:
    """Create a workspace at PATH (config.toml, inbox/, outbox/, templates/)."""
    ws = _guard(lambda: api.init_workspace(path))
    click.echo(f"workspace ready: {ws.root}")
    click.echo(f"  settings: {ws.root / 'config.toml'}")
    click.echo(f"  drop files into: {ws.inbox}")


@main.command()
@click.argument("kind", type=_KindChoice())
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: templates/<kind>.xlsx in the workspace).")
@workspace_option
def template(kind: str, output: Path | None, workspace: Path) -> None:
    """Write a blank KIND template with drop-downs from the current master data."""
    ws = _open(workspace)
    path = _guard(lambda: api.write_template(ws, kind, output))
    click.echo(str(path))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every file.")
@click.option("--all-problems", is_flag=True,
              help="Print every problem; by default a file with more than 30 gets them counted "
                   "by code with the first few of each (the annotated copy lists them all).")
@workspace_option
def process(as_json: bool, all_problems: bool, workspace: Path) -> None:
    """Process everything now in the inbox, then exit."""
    ws = _open(workspace)
    channels = _guard(lambda: api.notification_channels(ws))  # a missing secret stops it first
    # PDFs are made beside the intake; leaving the block waits for them (a warning names those
    # not done in time). The command owns its process: it pauses the garbage collector around
    # each file, which `process_inbox` called from another program does not.
    with api.pdf_worker(ws), _guard(lambda: api.hold_claims(ws, "process")) as holder:
        claims = _guard(lambda: api.claim_inbox(ws, holder))
        if as_json:
            results = _guard(lambda: api.process_claims(
                ws, claims, holder.counting(None), around_file=api.collector_paused))
            click.echo(json.dumps({"files": [r.as_dict(ws.language) for r in results]},
                                  ensure_ascii=False, indent=2))
        else:
            with click.progressbar(length=len(claims), label="processing", file=sys.stderr,
                                   show_pos=True) as bar:
                results = _guard(lambda: api.process_claims(
                    ws, claims, holder.counting(lambda _r: bar.update(1)),
                    around_file=api.collector_paused))
            for result in results:
                _echo_result(result, ws.language, all_problems)
            if not results:
                click.echo(_EMPTY_INBOX(ws.language))
    # The messages the outcomes stored go out now; those that fail wait for `notify send` or a
    # watcher (never in the way of the intake above).
    _guard(lambda: api.send_notifications(ws, channels))
    if any(r.status == Status.REJECTED for r in results):
        sys.exit(EXIT_REJECTED)


def _echo_result(result: IngestResult, language: str, all_problems: bool = False) -> None:
    label = Status(result.status).outcome(language)
    colour = _COLOURS.get(result.status)
    line = f"{click.style(label, fg=colour)}  {result.file}"
    if result.document:
        line += f"  [{result.document}]"
    click.echo(line)
    from .intake.answers import problem_line, problem_lines

    problems = list(result.problems)
    lines = ([f"  {problem_line(p, language)}" for p in problems] if all_problems
             else problem_lines(problems, language))
    if lines:
        # one write: a 100,000-line file's problems echoed line by line cost seconds
        click.echo("\n".join(f"  {line}" for line in lines))
    for output in result.outputs:
        click.echo(f"    -> {output}")


@main.command()
@click.option("--polling/--events", default=None,
              help="Poll the folder (network shares) instead of using change events.")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also log every file, warning and error to FILE, rotated by size "
                   "(default: watch.log_file in config.toml).")
@workspace_option
def watch(polling: bool | None, log_file: Path | None, workspace: Path) -> None:
    """Watch the inbox and process files as they arrive, until Ctrl-C or SIGTERM."""
    ws = _open(workspace)
    stop = threading.Event()
    signals = SignalStop(stop, lambda name, at_once: _STOPPING[at_once].format(
        ws.language, signal=name))
    mode = "polling" if (ws.settings.watch.polling if polling is None else polling) else "events"
    path = log_file_of(ws, log_file)
    settings = ws.settings.watch
    logging_to = (writing_log(path, settings.log_max_mb, settings.log_backups) if path
                  else contextlib.nullcontext())
    try:
        with logging_to, signals:
            log_event("started", workspace=ws.root, mode=mode, pid=os.getpid())
            click.echo(f"watching {ws.inbox} ({mode}); Ctrl-C to stop", err=True)

            def answered(result: IngestResult) -> None:
                _echo_result(result, ws.language)
                log_result(result)

            api.watch(ws, stop, answered, polling)
            log_event("stopped", signal=signals.received or "-")
    except SalesSheetsError as exc:  # the log file or the ledger cannot be reached
        raise click.ClickException(str(exc)) from None
    click.echo("stopped", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--recent", default=10, show_default=True, help="How many recent files to show.")
@click.option("--check", is_flag=True,
              help="Only check that the inbox is served, for monitoring: exit 4 when no watcher "
                   "of it is alive, 5 when a file waited longer than watch.max_wait_minutes, "
                   "0 when healthy.")
@workspace_option
def status(as_json: bool, recent: int, check: bool, workspace: Path) -> None:
    """Show what the ledger holds, what happened lately and what waits for approval."""
    ws = _open(workspace)
    if check:
        _check(ws, as_json)
        return
    state = _guard(lambda: api.ledger_status(ws, recent))
    jobs = _guard(lambda: api.schedule(ws))
    if as_json:
        click.echo(json.dumps({**state.as_dict(), "schedule": _schedule_dict(jobs),
                               "channels": api.notification_settings(ws)},
                              ensure_ascii=False, indent=2))
        return
    language = ws.language
    for warning in state.warnings:  # first, where it is seen
        word = "no_watcher" if warning["last_seen"] else "never_watched"
        click.echo(click.style(_STATUS_WORDS[word].format(language, **warning), fg="yellow"))
    click.echo(_STATUS_WORDS["documents"](language))
    for kind, counts in sorted(state.documents.items()):
        click.echo(_STATUS_WORDS["kind"].format(language, kind=_kind_title(kind, language),
                                                counts=_counts(counts, language)))
    click.echo(_STATUS_WORDS["master"](language) + _STATUS_WORDS["and"](language).join(
        f"{_kind_title(name, language)} {n}" for name, n in state.master.items()))
    click.echo(_STATUS_WORDS["files"](language) + _counts(state.files, language))
    click.echo(_STATUS_WORDS["watchers"](language))
    for seen in state.watchers:
        click.echo(_STATUS_WORDS["watcher"].format(language, **seen.as_dict()))
    if not state.watchers:
        click.echo(_STATUS_WORDS["no_watchers"](language))
    click.echo(_STATUS_WORDS["recent"](language))
    words = [Status(row["status"]).word(language) for row in state.recent]
    width = max(map(_width, words), default=0)
    for row, said in zip(state.recent, words, strict=True):
        click.echo(f"  {row['processed_at']}  {said}{' ' * (width - _width(said))}  {row['file']}"
                   + (f"  [{row['document']}]" if row["document"] else ""))
    click.echo(_STATUS_WORDS["pending"](language))
    for pending in state.pending_approvals:
        click.echo(_pending_line(pending, language))
    if not state.pending_approvals:
        click.echo(_STATUS_WORDS["no_pending"](language))
    if not state.approvals_enforced:
        click.echo(_STATUS_WORDS["anyone"](language))
    _echo_replies(state, language)
    _echo_notifications(ws, state.notifications)
    _echo_schedule(ws, jobs)


def _echo_replies(state: LedgerStatus, language: str) -> None:
    """The 对账回函 section: each customer's latest statement and where its reply stands."""
    click.echo(_STATUS_WORDS["replies"](language))
    for s in state.statement_replies:
        line = _STATUS_WORDS["reply"].format(
            language, customer=s.customer_code, name=s.customer_name, number=s.statement_no,
            status=s.status.word(language), ours=f"{s.our_balance:,.2f}")
        if s.their_balance is not None and s.difference is not None:
            line += _STATUS_WORDS["reply_answer"].format(
                language, theirs=f"{s.their_balance:,.2f}", difference=f"{s.difference:,.2f}")
        if s.days_overdue:
            line += _STATUS_WORDS["reply_overdue"].format(language, days=s.days_overdue,
                                                          due=s.reply_by.isoformat())
        click.echo(line)
    if not state.statement_replies:
        click.echo(_STATUS_WORDS["no_replies"](language))
    elif state.reply_rate is not None:
        click.echo(_STATUS_WORDS["reply_rate"].format(language, rate=f"{state.reply_rate:.0%}"))


def _kind_title(kind: str, language: str) -> str:
    from .kinds import KINDS

    return KINDS[kind].title(language) if kind in KINDS else kind


def _counts(counts: dict[str, int], language: str) -> str:
    """`accepted 3, held 1` in words, the statuses in `Status`'s order."""
    order = list(Status)
    return _STATUS_WORDS["and"](language).join(
        f"{Status(status).word(language)} {n}"
        for status, n in sorted(counts.items(), key=lambda item: order.index(Status(item[0]))))


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _padded(text: str, columns: int) -> str:
    """`text` filled with spaces to `columns` terminal columns."""
    return text + " " * max(0, columns - _width(text))


def _check(ws: Workspace, as_json: bool) -> None:
    health: api.Health = _guard(lambda: api.check_health(ws))
    facts = health.as_dict()
    if as_json:
        click.echo(json.dumps(facts, ensure_ascii=False, indent=2))
    else:
        for finding in health.findings or ["healthy"]:
            click.echo(_CHECK_WORDS[finding].format(ws.language, inbox=ws.inbox, **facts))
    if health.findings:
        sys.exit(_CHECK_EXITS[health.findings[0]])


def _pending_line(pending: PendingApproval, language: str) -> str:
    kind = _kind_title(pending.kind, language)
    age = _STATUS_WORDS["age"].format(language, days=pending.age_days)
    return (f"  {age:>7}  {kind} {pending.document} v{pending.version}  "
            f"{pending.customer} {pending.customer_name}  {pending.salesperson}  "
            f"{pending.amount:,}  {hold_reason_words(pending.reasons, language)}")


@main.command()
@click.argument("order_no")
@click.option("--approval", required=True, help="The approval reference (审批号).")
@workspace_option
def release(order_no: str, approval: str, workspace: Path) -> None:
    """Release a held order with a manager's approval."""
    ws = _open(workspace)
    done = _guard(lambda: api.release_order(ws, order_no, approval))
    language = ws.language
    click.echo(_RELEASE_WORDS["released"].format(
        language, order_no=done.order_no, approval=done.approval,
        reasons=hold_reason_words(done.reasons, language) or "-"))
    click.echo(_RELEASE_WORDS["contract"].format(language,
                                                 path=done.contract.relative_to(ws.root)))
    if done.invoice is not None:
        click.echo(_RELEASE_WORDS["invoice"].format(language,
                                                    path=done.invoice.relative_to(ws.root)))


@main.command()
@click.argument("order_no")
@workspace_option
def contract(order_no: str, workspace: Path) -> None:
    """Regenerate the sales contract and invoice notice of ORDER_NO."""
    ws = _open(workspace)
    for path in _guard(lambda: api.generate_order_files(ws, order_no)):
        click.echo(str(path.relative_to(ws.root)))


@main.command()
@click.option("--period", "-p", required=True, help="2026, 2026-Q4 or 2026-11.")
@workspace_option
def report(period: str, workspace: Path) -> None:
    """Write the summary workbook of a month, quarter or year."""
    ws = _open(workspace)
    path = _guard(lambda: api.write_report(ws, period))
    click.echo(str(path.relative_to(ws.root)))


@main.command()
@click.option("--period", "-p", required=True, help="2026-11, 2026-Q4 or 2026.")
@workspace_option
def expenses(period: str, workspace: Path) -> None:
    """Write the 报销汇总 (accepted expense claims for finance) of a period."""
    ws = _open(workspace)
    path = _guard(lambda: api.write_expense_summary(ws, period))
    click.echo(str(path.relative_to(ws.root)))


@main.command()
@click.option("--period", "-p", required=True, help="2026-Q4 or 2026.")
@workspace_option
def appraisal(period: str, workspace: Path) -> None:
    """Write the 绩效考核 (scores, rank, commission) of a quarter or year."""
    ws = _open(workspace)
    path = _guard(lambda: api.write_appraisal(ws, period))
    click.echo(str(path.relative_to(ws.root)))


@main.command()
@click.option("--period", "-p", help="2026, 2026-Q3 or 2026-09 (default: the last complete "
              "quarter).")
@click.option("--customer", "-c", help="Only this customer code.")
@click.option("--all", "include_all", is_flag=True,
              help="Also customers with no balance and no movement.")
@workspace_option
def statements(period: str | None, customer: str | None, include_all: bool,
               workspace: Path) -> None:
    """Write customer statements (.xlsx) and reconciliation letters (.docx)."""
    ws = _open(workspace)
    chosen, written = _guard(lambda: api.write_statements(ws, period, customer, include_all))
    click.echo(f"{chosen.title(ws.language)}: {len(written)}")
    for files in written:
        click.echo(f"  {files.customer}: {files.workbook.relative_to(ws.root)}, "
                   f"{files.letter.relative_to(ws.root)}")


@main.command()
@workspace_option
def demo(workspace: Path) -> None:
    """Write sample master data and forms into the inbox and process them."""
    ws = _open(workspace)
    done = _guard(lambda: api.run_demo(ws))
    for result in done.results:
        _echo_result(result, ws.language)
    counts: dict[str, int] = {}
    for r in done.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    language = ws.language
    click.echo("\n" + _counts(counts, language))
    click.echo(_DEMO_WORDS["outbox"].format(language, outbox=ws.outbox))
    click.echo(_DEMO_WORDS["report"].format(
        language, path=done.report.relative_to(ws.root).as_posix()))
    click.echo(_DEMO_WORDS["statements"].format(
        language, count=len(done.statements),
        folder=f"{ws.outbox.relative_to(ws.root).as_posix()}/statements/2026-11"))
    click.echo(_DEMO_WORDS["appraisal"].format(
        language, path=done.appraisal.relative_to(ws.root).as_posix()))
    sent = _guard(lambda: api.send_notifications(ws))
    click.echo(_NOTIFY_WORDS["told"].format(ws.language, count=len(sent.told)))
    for told in sent.told:
        click.echo(f"  [{told.channel}] {told.to}: {told.subject}")


_NOTIFY_WORDS = {
    "queue": Text("通知", "Notifications"),
    "counts": Text("  待发送 {pending}，今日已发送 {sent_today}，失败放弃 {dead}",
                   "  pending {pending}, sent today {sent_today}, dead {dead}"),
    "dead": Text("  放弃：{key} → {recipient}（{attempts} 次）：{last_error}",
                 "  dead: {key} -> {recipient} ({attempts} attempts): {last_error}"),
    "schedule": Text("定期任务", "Schedule"),
    "job": Text("  {job} 上次 {last} 下次 {next}", "  {job} last {last} next {next}"),
    "never": Text("从未运行", "never"),
    "off": Text("已关闭", "off"),
    "sent": Text("已发送 {sent}，待重试 {retried}，放弃 {dead}，顺延 {deferred}",
                 "sent {sent}, to retry {retried}, dead {dead}, deferred {deferred}"),
    "tried_ok": Text("{channel}：已发送", "{channel}: sent"),
    "tried_failed": Text("{channel}：失败：{error}", "{channel}: failed: {error}"),
    "ran": Text("{job} {period}：{status} {outcome}", "{job} {period}: {status} {outcome}"),
    "nothing_due": Text("没有到期的任务", "nothing is due"),
    "told": Text("通知（{count} 条；在 config.toml 的 [notify] 中设置邮件或群机器人后"
                 "即会真正发出）：",
                 "notifications ({count}; set up mail or a group robot in [notify] in "
                 "config.toml to really send them):"),
}


def _echo_notifications(ws: Workspace, queue: api.Queue) -> None:
    language = ws.language
    click.echo(_NOTIFY_WORDS["queue"](language))
    click.echo(_NOTIFY_WORDS["counts"].format(language, pending=queue.pending,
                                              sent_today=queue.sent_today, dead=len(queue.dead)))
    for line in api.notification_settings(ws):
        click.echo(f"  {line}")
    for dead in queue.dead:
        click.echo(_NOTIFY_WORDS["dead"].format(language, **vars(dead)))


def _echo_schedule(ws: Workspace, states: list[api.JobState]) -> None:
    language = ws.language
    click.echo(_NOTIFY_WORDS["schedule"](language))
    for state in states:
        last = (f"{state.last.period} ({state.last.outcome or '…'})" if state.last
                else _NOTIFY_WORDS["never"](language))
        upcoming = (f"{state.next.period} {state.next.due:%Y-%m-%d %H:%M %Z}" if state.next
                    else _NOTIFY_WORDS["off"](language))
        name = f"{_job_title(state.job, language)} ({state.job})"
        click.echo(_NOTIFY_WORDS["job"].format(language, job=_padded(name, 38),
                                               last=_padded(last[:24], 24), next=upcoming))


def _schedule_dict(states: list[api.JobState]) -> list[dict[str, Any]]:
    return [{"job": s.job,
             "last": ({"period": s.last.period, "finished_at": str(s.last.finished_at or ""),
                       "outcome": s.last.outcome} if s.last else None),
             "next": ({"period": s.next.period, "due": s.next.due.isoformat()} if s.next
                      else None)} for s in states]


@main.group()
def notify() -> None:
    """Send the stored messages, or check the settings with a test message."""


@notify.command("send")
@workspace_option
def notify_send(workspace: Path) -> None:
    """Send every stored message that is due now (a watcher does this by itself)."""
    ws = _open(workspace)
    done = _guard(lambda: api.send_notifications(ws))
    click.echo(_NOTIFY_WORDS["sent"].format(ws.language, **done.as_dict()))


@notify.command("test")
@click.option("--to", "to", required=True,
              help="An e-mail address, or a code or name from the salespeople master data.")
@workspace_option
def notify_test(to: str, workspace: Path) -> None:
    """Send a test message over every configured channel; exit 1 when one fails."""
    ws = _open(workspace)
    tried = _guard(lambda: api.test_notification(ws, to))
    for attempt in tried:
        word = "tried_failed" if attempt.error else "tried_ok"
        click.echo(_NOTIFY_WORDS[word].format(ws.language, channel=attempt.channel,
                                              error=attempt.error))
    if any(t.error for t in tried):
        sys.exit(1)


@main.group(invoke_without_command=True)
@workspace_option
@click.pass_context
def schedule(ctx: click.Context, workspace: Path) -> None:
    """List the department's scheduled jobs with their last and next runs."""
    if ctx.invoked_subcommand is None:
        ws = _open(workspace)
        _echo_schedule(ws, _guard(lambda: api.schedule(ws)))


@schedule.command("run")
@click.argument("job", required=False)
@click.option("--due", is_flag=True, help="Run every job due now (or at --at) not yet run.")
@click.option("--period", "-p", help="With JOB: the period to run it for (2026-11, 2026-Q4, "
                                     "2026-W49, 2026-12-07, as the job counts).")
@click.option("--at", "at", help="Run as of this time (ISO 8601; without a zone, in "
                                 "[schedule] timezone), e.g. 2027-01-01T09:00.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@workspace_option
def schedule_run(job: str | None, due: bool, period: str | None, at: str | None,
                 as_json: bool, workspace: Path) -> None:
    """Run what is due (for cron or Task Scheduler), or JOB for one --period."""
    if due == bool(job):
        raise click.UsageError("give either --due, or a JOB with --period")
    if job and not period:
        raise click.UsageError("JOB needs --period")
    ws = _open(workspace)
    if job:
        ran = [_guard(lambda: api.run_scheduled_job(ws, job, str(period), at))]
    else:
        ran = _guard(lambda: api.run_schedule(ws, at))
    _guard(lambda: api.send_notifications(ws))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in ran], ensure_ascii=False, indent=2))
    else:
        for r in ran:
            click.echo(_NOTIFY_WORDS["ran"].format(ws.language, **r.as_dict()))
        if not ran:
            click.echo(_NOTIFY_WORDS["nothing_due"](ws.language))
    if any(r.status == "failed" for r in ran):
        sys.exit(1)


@main.group()
def db() -> None:
    """The ledger's schema: which revision it is at, and upgrading it."""


@db.command("upgrade")
@workspace_option
def db_upgrade(workspace: Path) -> None:
    """Upgrade the ledger to this program's schema (back it up first), or create it."""
    from .ledger import Standing

    ws = _open(workspace)
    done = _guard(lambda: api.upgrade_ledger(ws))
    before = done.before
    if before.standing is Standing.CURRENT:
        click.echo(f"the ledger is already at revision {done.after}")
    elif before.standing is Standing.EMPTY:
        click.echo(f"ledger created at revision {done.after}")
    else:
        click.echo(f"ledger upgraded from revision {before.found or before.standing} "
                   f"to {done.after}")


@db.command("current")
@workspace_option
def db_current(workspace: Path) -> None:
    """Show the ledger's schema revision and this program's newest."""
    ws = _open(workspace)
    revisions = _guard(lambda: api.ledger_revisions(ws))
    click.echo(f"ledger:  {revisions.found or '-'} ({revisions.standing})")
    click.echo(f"program: {revisions.head}")


@main.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write the copy to.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@workspace_option
def backup(output: Path, force: bool, workspace: Path) -> None:
    """Copy the SQLite ledger to a file while watchers go on working (PostgreSQL: pg_dump)."""
    ws = _open(workspace)
    click.echo(str(_guard(lambda: api.backup_ledger(ws, output, force))))


@main.group()
def addin() -> None:
    """The Excel add-in: ribbon buttons that validate, submit and preview from Excel."""


@addin.command("build")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: sales_sheets.xlam in the workspace).")
@workspace_option
def addin_build(output: Path | None, workspace: Path) -> None:
    """Build the add-in (.xlam) in the workspace's language."""
    ws = _open(workspace)
    target = output or ws.root / api.ADDIN_FILE_NAME
    click.echo(str(_guard(lambda: api.build_addin(target, ws.language))))


@addin.command("install")
@click.option("--salesperson", "-s", required=True, help="Your salesperson code, e.g. S01.")
@click.option("--workspace", "-w", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The shared workspace, as this machine sees it (e.g. Z:\\销售部\\sales).")
def addin_install(salesperson: str, workspace: Path) -> None:
    """Install the add-in for you: the .xlam into Excel's startup folder, xlwings' interpreter
    setting, and the add-in settings (this workspace, your salesperson code)."""
    done = _guard(lambda: api.install_addin(workspace, salesperson))
    for step in done.steps:
        click.echo(step)


@main.group()
def service() -> None:
    """Run the watcher unattended: a systemd unit (Linux) or a scheduled task (Windows)."""


scope_option = click.option(
    "--user/--system", "user", default=True, show_default=True,
    help="A unit of your own systemd (runs while you are logged in, or always after "
         "`loginctl enable-linger`), or of the machine's (at boot; needs root).")


@service.command("install")
@scope_option
@click.option("--enable", is_flag=True, help="Also reload systemd, enable the unit and start it.")
@workspace_option
def service_install(user: bool, enable: bool, workspace: Path) -> None:
    """Write a systemd unit that runs `watch` for the workspace (Linux)."""
    ws = _open(workspace)
    scope = Scope.USER if user else Scope.SYSTEM
    done = _guard(lambda: api.install_unit(ws, scope, enable))
    click.echo(f"unit written: {done.path}")
    systemctl = "systemctl --user" if user else "systemctl"
    if done.enabled:
        click.echo(f"enabled and started: {systemctl} status {done.name}")
    else:
        click.echo(f"to start it now and at every boot: {systemctl} daemon-reload && "
                   f"{systemctl} enable --now {done.name}")
    if user:
        click.echo("to keep it running while you are logged out: loginctl enable-linger")


@service.command("uninstall")
@scope_option
@workspace_option
def service_uninstall(user: bool, workspace: Path) -> None:
    """Stop and disable the workspace's systemd unit and remove it."""
    path = _guard(lambda: api.uninstall_unit(workspace, Scope.USER if user else Scope.SYSTEM))
    click.echo(f"stopped, disabled and removed: {path}")


@service.command("task")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the task definition (default: sales-sheets-task.xml in the "
                   "workspace).")
@click.option("--run-as", default=current_account, show_default="you",
              help="The Windows account the task runs as (DOMAIN\\name); it must be able to "
                   "read and write the workspace's share.")
@workspace_option
def service_task(output: Path | None, run_as: str, workspace: Path) -> None:
    """Write a Windows scheduled task that runs `watch` at boot, and print how to register it.
    Give the workspace by its UNC path (\\\\server\\share\\sales): a task started at boot
    cannot see mapped drive letters."""
    ws = _open(workspace)
    warning = drive_letter_warning(str(workspace), ws.language)
    if warning:
        click.echo(click.style(warning, fg="yellow"), err=True)
    target = output or ws.root / "sales-sheets-task.xml"
    task = _guard(lambda: api.write_task(ws, run_as, target))
    click.echo(f"task definition written: {task.path}")
    click.echo("register it (as an administrator; it asks for the account's password):")
    click.echo("  " + subprocess.list2cmdline(task.command))
