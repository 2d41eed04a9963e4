"""Catching up: each missed run once, all of them for the reports, only the latest for the
jobs whose runs go stale; nothing replayed on a new install; `off` jobs never due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sales_sheets.calendar import JOBS, Calendar, job_named
from sales_sheets.config import Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The last run recorded before the watcher went down: August's report, on 1 September.
SINCE = datetime(2026, 9, 1, 8, tzinfo=SHANGHAI)
# Back on 2 December at noon.
NOW = datetime(2026, 12, 2, 12, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("job", "periods"), [
    ("monthly_report", ["2026-09", "2026-10", "2026-11"]),
    ("quarterly_statements", ["2026-Q3"]),
    ("appraisal", ["2026-Q3"]),
    ("visit_review", ["2026-W48"]),
    ("month_end_reminder", ["2026-11"]),
    ("approval_digest", ["2026-12-02"]),
])
def test_after_three_months_down(job: str, periods: list[str]) -> None:
    calendar = Calendar()
    runs = calendar.runs_due(job, SINCE, NOW)
    assert [r.period for r in runs] == periods
    assert all(SINCE < r.due <= NOW for r in runs)
    # Recorded, they are not due again.
    assert calendar.runs_due(job, runs[-1].due, NOW) == []


def test_a_long_outage_brings_every_quarter_back() -> None:
    runs = Calendar().runs_due("quarterly_statements", datetime(2026, 6, 1, tzinfo=UTC),
                               datetime(2027, 1, 2, tzinfo=UTC))
    assert [r.period for r in runs] == ["2026-Q2", "2026-Q3", "2026-Q4"]


@pytest.mark.parametrize("job", [code for code in JOBS if job_named(code).catch_up_all])
def test_windows_one_after_another_give_each_run_once(job: str) -> None:
    calendar = Calendar()
    whole = calendar.runs_due(job, SINCE, NOW + timedelta(days=400))
    pieces = []
    since = SINCE
    for days in (1, 30, 31, 92, 200, 400):
        now = NOW + timedelta(days=days)
        pieces += calendar.runs_due(job, since, now)
        since = now
    assert pieces == whole
    assert len({r.period for r in whole}) == len(whole)
    assert [r.due for r in whole] == sorted(r.due for r in whole)


def test_a_run_due_exactly_at_since_is_not_due_again_and_one_due_at_now_is() -> None:
    calendar = Calendar()
    due = datetime(2026, 12, 1, 8, tzinfo=SHANGHAI)
    assert [r.period for r in calendar.runs_due("monthly_report", due, due)] == []
    assert [r.period for r in calendar.runs_due(
        "monthly_report", due - timedelta(microseconds=1), due)] == ["2026-11"]
    assert calendar.runs_due("monthly_report", NOW, SINCE) == []  # since after now


@pytest.mark.parametrize("job", JOBS)
def test_a_new_install_gets_only_the_latest_run(job: str) -> None:
    calendar = Calendar()
    runs = calendar.runs_due(job, None, NOW)
    assert len(runs) == 1
    assert runs[0].due <= NOW < calendar.next_run(job, NOW).due


def test_the_stale_jobs_get_nothing_when_their_latest_run_is_recorded() -> None:
    calendar = Calendar()
    [digest] = calendar.runs_due("approval_digest", None, NOW)
    assert calendar.runs_due("approval_digest", digest.due, NOW + timedelta(hours=1)) == []
    assert [r.period for r in calendar.runs_due(
        "approval_digest", digest.due, datetime.combine(
            date(2026, 12, 7), datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=9))] == [
        "2026-12-07"]


def test_jobs_that_are_off_are_never_due_but_can_still_be_named() -> None:
    calendar = Calendar(Schedule(off=("appraisal", "approval_digest")))
    assert calendar.active == ("monthly_report", "quarterly_statements", "visit_review",
                               "month_end_reminder")
    assert calendar.runs_due("appraisal", None, NOW) == []
    assert calendar.runs_due("approval_digest", SINCE, NOW) == []
    assert calendar.next_run("appraisal", NOW).period == "2026-Q4"
    assert calendar.run_for("approval_digest", "2026-12-02").period == "2026-12-02"
    assert len(calendar.runs_due("monthly_report", SINCE, NOW)) == 3
