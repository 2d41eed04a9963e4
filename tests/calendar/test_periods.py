"""Each job's periods and due days: months and quarters after they end, ISO weeks on Friday
(week 53 included), working days, and the last working day of a month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sales_sheets.calendar import JOBS, Calendar, job_named
from sales_sheets.config import Schedule
from sales_sheets.forms.periods import parse_period

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at8(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI)


def test_the_jobs_and_their_order_are_stable() -> None:
    assert JOBS == ("monthly_report", "quarterly_statements", "appraisal", "visit_review",
                    "month_end_reminder", "approval_digest")
    assert {code: job_named(code).catch_up_all for code in JOBS} == {
        "monthly_report": True, "quarterly_statements": True, "appraisal": True,
        "visit_review": False, "month_end_reminder": False, "approval_digest": False,
    }


@pytest.mark.parametrize("job", ["quarterly_statements", "appraisal"])
@pytest.mark.parametrize(("now", "latest"), [
    (datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC), "2026-Q2"),  # 07:59:59 on Oct 1 there
    (datetime(2026, 10, 1, 0, 0, tzinfo=UTC), "2026-Q3"),
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-Q3"),
    (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), "2026-Q4"),
    (datetime(2027, 3, 31, 12, 0, tzinfo=UTC), "2026-Q4"),
    (datetime(2027, 4, 1, 0, 0, tzinfo=UTC), "2027-Q1"),
])
def test_a_quarter_falls_due_on_the_first_of_the_next(job: str, now: datetime,
                                                      latest: str) -> None:
    [run] = Calendar().runs_due(job, None, now)
    assert run.period == latest
    assert run.reporting_period == parse_period(latest)
    assert run.due == at8(run.end + timedelta(days=1))


@pytest.mark.parametrize(("label", "start", "end", "friday"), [
    ("2026-W49", date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 4)),
    ("2026-W53", date(2026, 12, 28), date(2027, 1, 3), date(2027, 1, 1)),
    ("2027-W01", date(2027, 1, 4), date(2027, 1, 10), date(2027, 1, 8)),
    ("2020-W53", date(2020, 12, 28), date(2021, 1, 3), date(2021, 1, 1)),
    ("2025-W01", date(2024, 12, 30), date(2025, 1, 5), date(2025, 1, 3)),
])
def test_visit_review_falls_due_on_the_friday_of_its_iso_week(
        label: str, start: date, end: date, friday: date) -> None:
    run = Calendar().run_for("visit_review", label)
    assert (run.period, run.start, run.end, run.due) == (label, start, end, at8(friday))
    assert run.reporting_period is None


@pytest.mark.parametrize(("now", "latest", "following"), [
    (at8(date(2027, 1, 1)) - timedelta(seconds=1), "2026-W52", "2026-W53"),
    (at8(date(2027, 1, 1)), "2026-W53", "2027-W01"),
    (at8(date(2027, 1, 7)), "2026-W53", "2027-W01"),
    (at8(date(2027, 1, 8)), "2027-W01", "2027-W02"),
])
def test_week_53_comes_between_week_52_and_the_next_years_first(
        now: datetime, latest: str, following: str) -> None:
    calendar = Calendar()
    assert [r.period for r in calendar.runs_due("visit_review", None, now)] == [latest]
    assert calendar.next_run("visit_review", now).period == following


@pytest.mark.parametrize(("month", "holidays", "workdays", "last"), [
    ("2026-12", (), (), date(2026, 12, 31)),  # a Thursday
    ("2026-10", (), (), date(2026, 10, 30)),  # ends on a Saturday
    ("2027-01", (), (), date(2027, 1, 29)),  # ends on a Sunday
    ("2026-12", ("2026-12-31",), (), date(2026, 12, 30)),  # on a listed holiday
    ("2026-09", ("2026-09-30", "2026-09-29"), (), date(2026, 9, 28)),
    ("2027-01", ("2027-01-29",), (), date(2027, 1, 28)),  # weekend, then a holiday
    ("2026-10", (), ("2026-10-31",), date(2026, 10, 31)),  # a Saturday worked (调休)
    ("2027-02", ("2027-02-26",), ("2027-02-27",), date(2027, 2, 27)),
])
def test_month_end_reminder_falls_on_the_last_working_day(
        month: str, holidays: tuple[str, ...], workdays: tuple[str, ...], last: date) -> None:
    calendar = Calendar(Schedule(holidays=holidays, workdays=workdays))
    run = calendar.run_for("month_end_reminder", month)
    assert (run.due, run.reporting_period) == (at8(last), parse_period(month))
    [latest] = calendar.runs_due("month_end_reminder", None, at8(last))
    assert latest == run
    [before] = calendar.runs_due("month_end_reminder", None, at8(last) - timedelta(minutes=1))
    assert before.period != month


def test_a_month_without_a_working_day_falls_due_on_its_last_day() -> None:
    february = [f"2027-02-{day:02d}" for day in range(1, 29)]
    calendar = Calendar(Schedule(holidays=tuple(february)))
    assert calendar.run_for("month_end_reminder", "2027-02").due == at8(date(2027, 2, 28))


@pytest.mark.parametrize(("now", "day"), [
    (at8(date(2026, 12, 7)), "2026-12-07"),  # Monday
    (at8(date(2026, 12, 7)) - timedelta(seconds=1), "2026-12-04"),  # before 8: last Friday
    (at8(date(2026, 12, 6)) + timedelta(hours=12), "2026-12-04"),  # Sunday
    (at8(date(2026, 10, 8)) - timedelta(seconds=1), "2026-09-30"),  # National Day week off
    (at8(date(2026, 10, 8)), "2026-10-08"),
    (at8(date(2026, 10, 10)), "2026-10-10"),  # a Saturday worked
])
def test_approval_digest_falls_due_every_working_day(now: datetime, day: str) -> None:
    golden_week = tuple(f"2026-10-0{d}" for d in range(1, 8) if date(2026, 10, d).weekday() < 5)
    calendar = Calendar(Schedule(holidays=golden_week, workdays=("2026-10-10",)))
    [run] = calendar.runs_due("approval_digest", None, now)
    assert (run.period, run.due) == (day, at8(date.fromisoformat(day)))


def test_next_run_skips_days_off() -> None:
    calendar = Calendar(Schedule(holidays=("2026-12-07",)))
    friday = at8(date(2026, 12, 4))
    assert calendar.next_run("approval_digest", friday).period == "2026-12-08"
    assert calendar.next_run("approval_digest", friday - timedelta(seconds=1)).period == (
        "2026-12-04")


@pytest.mark.parametrize("job", JOBS)
def test_run_for_gives_back_the_run_that_fell_due(job: str) -> None:
    calendar = Calendar()
    for now in (at8(date(2026, 12, 31)), at8(date(2027, 1, 4)) + timedelta(hours=3)):
        [run] = calendar.runs_due(job, None, now)
        assert calendar.run_for(job, run.period) == run
        assert calendar.run_for(job, run.period.lower()) == run
        following = calendar.next_run(job, now)
        assert calendar.run_for(job, following.period) == following
        assert run.due <= now < following.due
