"""The department's calendar run once per period: `schedule run --due --at`, catch-up after a
watcher was down, one job for one period, and two processes on one PostgreSQL ledger. Real
forms, a real ledger, the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from sales_sheets.api import run_schedule, run_scheduled_job
from sales_sheets.cli import main
from sales_sheets.errors import UsageError
from sales_sheets.workspace import Workspace

from ..helpers.config import configure
from ..helpers.forms import drop, one, order_header, query

pytestmark = pytest.mark.ledgers


def ran(ws: Workspace, at: str) -> list[tuple[str, str, str]]:
    return [(r.job, r.period, r.status) for r in run_schedule(ws, at)]


def told(ws: Workspace, event: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in query(
        ws, "SELECT key, recipient FROM notifications WHERE event = ? ORDER BY id", event)]


def test_a_new_ledger_starts_from_now_and_runs_each_period_once(loaded: Workspace) -> None:
    ws = configure(loaded, notify={"office": ["S01"]})
    first = ran(ws, "2026-12-07T09:00")
    # nothing old is replayed on the first start: each job's latest period is its baseline
    assert {status for _, _, status in first} == {"baseline"}
    assert ("monthly_report", "2026-11", "baseline") in first
    assert not (ws.outbox / "reports" / "2026-11").exists()
    assert ran(ws, "2026-12-07T10:00") == []
    # the 1st of the month, 08:00 Shanghai: the month just ended
    january = ran(ws, "2027-01-01T08:30")
    assert ("monthly_report", "2026-12", "done") in january
    assert ("quarterly_statements", "2026-Q4", "done") in january
    assert (ws.outbox / "reports" / "2026-12" / "销售汇总_2026-12.xlsx").exists()
    assert told(ws, "report_ready") == [("report_ready:2026-12:S01:console", "S01"),
                                        ("report_ready:appraisal:2026-Q4:S01:console", "S01")]
    assert (ws.outbox / "appraisal" / "2026-Q4" / "绩效考核_2026-Q4.xlsx").exists()
    assert [k for k, _ in told(ws, "statements_ready")] == [
        "statements_ready:2026-Q4:S01:console"]
    assert ("monthly_report", "2026-12", "done") not in ran(ws, "2027-01-01T09:00")


def test_the_schedule_runs_in_its_time_zone_whatever_the_servers_clock(
    loaded: Workspace,
) -> None:
    ran(loaded, "2026-12-07T09:00")
    # 23:30 UTC on the 31st is 07:30 on the 1st in Shanghai: not yet 08:00
    assert "monthly_report" not in [j for j, _, _ in ran(loaded, "2026-12-31T23:30+00:00")]
    assert ("monthly_report", "2026-12", "done") in ran(loaded, "2027-01-01T00:00+00:00")


def test_a_watcher_down_for_months_catches_up_each_month_once_and_the_digest_once(
    loaded: Workspace,
) -> None:
    ran(loaded, "2026-12-07T09:00")
    back = ran(loaded, "2027-03-10T09:00")
    months = [p for j, p, s in back if j == "monthly_report" and s == "done"]
    assert months == ["2026-12", "2027-01", "2027-02"]
    assert [p for j, p, _ in back if j == "approval_digest"] == ["2027-03-10"]
    assert ran(loaded, "2027-03-10T09:30") == []


def test_one_job_for_one_period_on_request_and_not_twice(loaded: Workspace) -> None:
    done = run_scheduled_job(loaded, "monthly_report", "2026-11")
    assert (done.status, done.outcome) == ("done", "outbox/reports/2026-11/销售汇总_2026-11.xlsx")
    assert run_scheduled_job(loaded, "monthly_report", "2026-11").status == "taken"
    with pytest.raises(UsageError, match="YYYY-MM"):
        run_scheduled_job(loaded, "monthly_report", "2026-Q4")
    result = CliRunner().invoke(main, ["schedule", "run", "visit_review", "--period", "2026-W49",
                                       "--json", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["status"] == "done"
    listing = CliRunner().invoke(main, ["schedule", "-w", str(loaded.root)])
    assert listing.exit_code == 0 and "monthly_report" in listing.output


def test_fridays_review_tells_only_those_without_a_visit_record(loaded: Workspace) -> None:
    drop(loaded, "visit", "S01/v.xlsx", {"salesperson": "S01", "week_start": date(2026, 11, 30)},
         [{"visit_date": date(2026, 12, 1), "customer_code": "C001", "purpose": "回访",
           "planned": "是", "visited": "是"}])
    assert one(loaded).status == "accepted"
    run_scheduled_job(loaded, "visit_review", "2026-W49")
    # S01 filed; S02 and S03 did not (the managers 李强 and 陈静 are not in the roster here)
    assert [r for _, r in told(loaded, "visit_record_missing")] == ["S02", "S03"]


def test_month_end_tells_the_salespeople_of_overdue_customers(loaded: Workspace) -> None:
    run_scheduled_job(loaded, "month_end_reminder", "2026-11")
    # the demo's C003 (S02) carries an opening balance overdue since August
    [(key, recipient)] = told(loaded, "standing_approval_due")
    assert recipient == "S02"
    [(payload,)] = query(loaded, "SELECT payload FROM notifications WHERE key = ?", key)
    assert "C003" in json.loads(payload)["customers"][0]


def test_the_daily_digest_goes_to_each_approver_with_what_waits(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/SO-1.xlsx", order_header(),
         [{"product_code": "P001", "quantity": 2, "unit_price": "12000"}])
    assert one(loaded).status == "held"
    # the digest of the day the order was held: one of an earlier day would not list it
    run_scheduled_job(loaded, "approval_digest", date.today().isoformat())
    [(payload,)] = query(loaded, "SELECT payload FROM notifications WHERE event = ?",
                         "approval_reminder")
    facts = json.loads(payload)
    assert facts["count"] == 1 and facts["documents"][0].startswith("SO-1 ")
    assert told(loaded, "approval_reminder")[0][1] == "李强"


@pytest.mark.ledgers("postgresql")
def test_two_processes_on_one_ledger_run_each_period_once(loaded: Workspace) -> None:
    ran(loaded, "2026-12-07T09:00")
    command = [sys.executable, "-m", "sales_sheets", "schedule", "run", "--due", "--at",
               "2027-01-01T09:00", "--json", "-w", str(loaded.root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [json.loads(p.communicate(timeout=300)[0]) for p in runs]
    done = sorted((r["job"], r["period"]) for out in outputs for r in out
                  if r["status"] == "done")
    assert done == sorted(set(done)) and ("monthly_report", "2026-12") in done
    assert query(loaded, "SELECT COUNT(*) FROM notifications WHERE event = ?",
                 "report_ready") == [(0,)]  # nobody in [notify] office
    assert query(loaded, "SELECT COUNT(*) FROM scheduled_runs WHERE period = ? AND "
                         "finished_at IS NOT NULL", "2026-12") == [(2,)]
