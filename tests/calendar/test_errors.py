"""What a wrong setting or a wrong request is told: ConfigError for config.toml, UsageError for
a job or period named on the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sales_sheets.calendar import Calendar, job_named
from sales_sheets.config import Schedule
from sales_sheets.errors import ConfigError, UsageError


@pytest.mark.parametrize(("schedule", "words"), [
    (Schedule(timezone="Asia/Shangai"), ["timezone", "'Asia/Shangai'", "'Asia/Shanghai'"]),
    (Schedule(timezone="Mars/Olympus"), ["timezone", "'Mars/Olympus'", "IANA"]),
    (Schedule(timezone=""), ["timezone", "''"]),
    (Schedule(timezone="../etc/passwd"), ["timezone", "'../etc/passwd'"]),
    (Schedule(timezone="Asia"), ["timezone", "'Asia'"]),
    (Schedule(hour=24), ["hour", "24", "0 to 23"]),
    (Schedule(hour=-1), ["hour", "-1"]),
    (Schedule(holidays=("2027-02-30",)), ["[schedule] holidays", "'2027-02-30'", "YYYY-MM-DD"]),
    (Schedule(holidays=("2027/01/01",)), ["[schedule] holidays", "'2027/01/01'"]),
    (Schedule(holidays=("20270101",)), ["[schedule] holidays", "'20270101'"]),
    (Schedule(workdays=("next Saturday",)), ["[schedule] workdays", "'next Saturday'"]),
    (Schedule(holidays=("2027-02-07",), workdays=("2027-02-07",)),
     ["2027-02-07", "holidays", "workdays"]),
    (Schedule(off=("apraisal",)), ["[schedule] off", "'apraisal'", "'appraisal'"]),
    (Schedule(off=("everything",)), ["[schedule] off", "'everything'", "monthly_report"]),
])
def test_a_wrong_setting_says_which_and_what(schedule: Schedule, words: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        Calendar(schedule)
    for word in words:
        assert word in str(caught.value)


def test_the_defaults_and_good_settings_are_accepted() -> None:
    calendar = Calendar(Schedule(timezone="Europe/Berlin", hour=0, off=("appraisal",),
                                 holidays=(" 2027-01-01 ",), workdays=("2027-02-07",)))
    assert str(calendar.timezone) == "Europe/Berlin"
    assert str(Calendar().timezone) == "Asia/Shanghai"


@pytest.mark.parametrize(("job", "label", "expected"), [
    ("monthly_report", "2026-Q4", "YYYY-MM"),
    ("monthly_report", "2026", "YYYY-MM"),
    ("monthly_report", "2026-13", "YYYY-MM"),
    ("monthly_report", "2026-1", "YYYY-MM"),
    ("month_end_reminder", "2026-12-31", "YYYY-MM"),
    ("quarterly_statements", "2026-11", "YYYY-Qn"),
    ("appraisal", "2026-Q5", "YYYY-Qn"),
    ("visit_review", "2026-12-04", "YYYY-Www"),
    ("visit_review", "2026-W5", "YYYY-Www"),
    ("visit_review", "2027-W53", "YYYY-Www"),  # 2027 has 52 ISO weeks
    ("visit_review", "2026-W00", "YYYY-Www"),
    ("approval_digest", "2026-W49", "YYYY-MM-DD"),
    ("approval_digest", "2026-02-30", "YYYY-MM-DD"),
    ("approval_digest", "20261207", "YYYY-MM-DD"),
    ("approval_digest", "2026-12-06", "not one"),  # a Sunday
])
def test_a_period_of_the_wrong_form_says_which_form_the_job_takes(
        job: str, label: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        Calendar().run_for(job, label)
    assert expected in str(caught.value)
    assert job in str(caught.value)


@pytest.mark.parametrize("call", ["job_named", "runs_due", "next_run", "run_for"])
def test_an_unknown_job_is_a_usage_error_with_a_suggestion(call: str) -> None:
    calendar, now = Calendar(), datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="did you mean 'monthly_report'"):
        if call == "job_named":
            job_named("monthly_reports")
        elif call == "runs_due":
            calendar.runs_due("monthly_reports", None, now)
        elif call == "next_run":
            calendar.next_run("monthly_reports", now)
        else:
            calendar.run_for("monthly_reports", "2026-11")
