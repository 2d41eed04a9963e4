"""Runs fall due at `[schedule] hour` local time in `[schedule] timezone`, whatever the clock of
the machine asking; summer time moves the UTC moment, never the local hour."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sales_sheets.calendar import Calendar
from sales_sheets.config import Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
        second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(("timezone", "now", "latest", "next_due"), [
    # 23:30 UTC on New Year's Eve is already 07:30 on Jan 1 in Shanghai: not yet 8 o'clock.
    ("Asia/Shanghai", utc(2026, 12, 31, 23, 30), "2026-11", utc(2027, 1, 1, 0, 0)),
    ("Asia/Shanghai", utc(2027, 1, 1, 0, 0), "2026-12", utc(2027, 2, 1, 0, 0)),
    ("Asia/Shanghai", utc(2026, 12, 31, 23, 59, 59), "2026-11", utc(2027, 1, 1, 0, 0)),
    # A schedule kept in UTC: the same moments are still December there.
    ("UTC", utc(2026, 12, 31, 23, 30), "2026-11", utc(2027, 1, 1, 8, 0)),
    ("UTC", utc(2027, 1, 1, 7, 59), "2026-11", utc(2027, 1, 1, 8, 0)),
    ("UTC", utc(2027, 1, 1, 8, 0), "2026-12", utc(2027, 2, 1, 8, 0)),
    # Berlin: 08:00 CET is 07:00 UTC in winter, 08:00 CEST is 06:00 UTC in summer.
    ("Europe/Berlin", utc(2026, 11, 1, 6, 59), "2026-09", utc(2026, 11, 1, 7, 0)),
    ("Europe/Berlin", utc(2026, 11, 1, 7, 0), "2026-10", utc(2026, 12, 1, 7, 0)),
    ("Europe/Berlin", utc(2026, 3, 31, 12, 0), "2026-02", utc(2026, 4, 1, 6, 0)),
    ("Europe/Berlin", utc(2026, 4, 1, 6, 0), "2026-03", utc(2026, 5, 1, 6, 0)),
])
def test_a_monthly_report_falls_due_at_the_hour_of_the_schedules_zone(
        timezone: str, now: datetime, latest: str, next_due: datetime) -> None:
    calendar = Calendar(Schedule(timezone=timezone))
    [run] = calendar.runs_due("monthly_report", None, now)
    assert run.period == latest
    following = calendar.next_run("monthly_report", now)
    assert following.due == next_due
    assert following.due.tzinfo == ZoneInfo(timezone)
    assert (following.due.hour, following.due.minute) == (8, 0)


@pytest.mark.parametrize("now", [
    utc(2026, 12, 31, 23, 30),
    datetime(2027, 1, 1, 7, 30, tzinfo=SHANGHAI),
    datetime(2027, 1, 1, 0, 30, tzinfo=BERLIN),
])
def test_the_zone_of_the_moment_passed_in_does_not_matter(now: datetime) -> None:
    assert [r.period for r in Calendar().runs_due("monthly_report", None, now)] == ["2026-11"]


@pytest.mark.parametrize(("hour", "now", "latest"), [
    (0, utc(2026, 11, 30, 16, 0), "2026-11"),  # midnight in Shanghai
    (0, utc(2026, 11, 30, 15, 59), "2026-10"),
    (23, utc(2026, 12, 1, 14, 59), "2026-10"),
    (23, utc(2026, 12, 1, 15, 0), "2026-11"),
])
def test_the_hour_is_the_schedules(hour: int, now: datetime, latest: str) -> None:
    [run] = Calendar(Schedule(hour=hour)).runs_due("monthly_report", None, now)
    assert run.period == latest


@pytest.mark.parametrize(("now", "day", "due"), [
    # The Friday before Berlin's clocks go forward (Sunday 2026-03-29), and the Monday after.
    (utc(2026, 3, 30, 5, 59), "2026-03-27", utc(2026, 3, 27, 7, 0)),
    (utc(2026, 3, 30, 6, 0), "2026-03-30", utc(2026, 3, 30, 6, 0)),
    # And back (Sunday 2026-10-25).
    (utc(2026, 10, 26, 6, 59), "2026-10-23", utc(2026, 10, 23, 6, 0)),
    (utc(2026, 10, 26, 7, 0), "2026-10-26", utc(2026, 10, 26, 7, 0)),
])
def test_summer_time_keeps_the_local_hour(now: datetime, day: str, due: datetime) -> None:
    [run] = Calendar(Schedule(timezone="Europe/Berlin")).runs_due("approval_digest", None, now)
    assert (run.period, run.due) == (day, due)
    assert run.due.astimezone(BERLIN).hour == 8


def test_an_hour_skipped_by_summer_time_falls_due_as_the_clock_then_reads() -> None:
    # 2026-03-29 02:00 does not exist in Berlin; the run for 2026-03-28 falls due at 03:00 CEST.
    calendar = Calendar(Schedule(timezone="Europe/Berlin", hour=2))
    run = calendar.run_for("visit_review", "2026-W13")  # Friday 2026-03-27: an ordinary day
    assert run.due == utc(2026, 3, 27, 1, 0)
    march = Calendar(Schedule(timezone="Europe/Berlin", hour=2, workdays=("2026-03-29",)))
    run = march.run_for("approval_digest", "2026-03-29")
    assert run.due == utc(2026, 3, 29, 1, 0)
    assert run.due.hour == 3


@pytest.mark.parametrize("call", ["runs_due_now", "runs_due_since", "next_run"])
def test_a_naive_moment_is_refused(call: str) -> None:
    calendar, naive = Calendar(), datetime(2026, 12, 1, 8, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        if call == "runs_due_now":
            calendar.runs_due("monthly_report", None, naive)
        elif call == "runs_due_since":
            calendar.runs_due("monthly_report", naive, utc(2026, 12, 2))
        else:
            calendar.next_run("monthly_report", naive)


def test_a_naive_moment_from_a_command_line_takes_the_schedules_zone() -> None:
    calendar = Calendar()
    at = datetime.fromisoformat("2026-12-01T08:00").replace(tzinfo=calendar.timezone)
    assert [r.period for r in calendar.runs_due("monthly_report", None, at)] == ["2026-11"]
