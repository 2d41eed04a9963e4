"""The department's jobs, declared once: the period each run covers, when it falls due, and
what happens to runs missed while nothing was watching.

Catch-up is the caller's: it asks `Calendar.runs_due(job, since=<the due moment it last
recorded>, now)` and gets every run it missed, once. A watcher that was down for three months
gets three `monthly_report` runs, one per month, oldest first (each month's report is still
wanted). A job whose run is only useful when fresh (`catch_up_all=False`) gets the latest missed
run alone: last Tuesday's approval digest, the review of a week long past, or last month's
month-end reminder would only add noise to the current one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError
from ..text import Text

#: The period one run covers, and so the form of its label.
Every = Literal["month", "quarter", "week", "day"]
#: When a run falls due: on the first day after its period ("after"), on the Friday of its ISO
#: week ("friday"), on the last working day of its month ("last_working_day"), or on its day
#: when that is a working day ("working_day"). Always at `[schedule] hour` o'clock.
FallsDue = Literal["after", "friday", "last_working_day", "working_day"]


@dataclass(frozen=True)
class Job:
    code: str  # stable: the key of `scheduled_runs` rows and of `[schedule] off`
    every: Every
    falls_due: FallsDue
    catch_up_all: bool  # after an outage: every missed run (True) or only the latest (False)
    title: Text  # what people read on screen


_DECLARED = (
    # 1st of each month, for the month just ended.
    Job("monthly_report", "month", "after", catch_up_all=True,
        title=Text("月度汇总", "Monthly report")),
    # 1st of each quarter, for the quarter just ended: statements, 对账函 and reply forms.
    Job("quarterly_statements", "quarter", "after", catch_up_all=True,
        title=Text("季度对账", "Quarterly statements")),
    # 1st of each quarter, for the quarter just ended.
    Job("appraisal", "quarter", "after", catch_up_all=True,
        title=Text("绩效考核", "Appraisal")),
    # Every Friday (holiday or not), for that ISO week.
    Job("visit_review", "week", "friday", catch_up_all=False,
        title=Text("周拜访检查", "Weekly visit review")),
    # The last working day of each month, for that month.
    Job("month_end_reminder", "month", "last_working_day", catch_up_all=False,
        title=Text("月末催款提醒", "Month-end reminder")),
    # Every working day, for that day.
    Job("approval_digest", "day", "working_day", catch_up_all=False,
        title=Text("待审批汇总", "Approval digest")),
)
_BY_CODE = {job.code: job for job in _DECLARED}

#: The job codes, in a stable order (the order `sales-sheets schedule` lists them in).
JOBS: tuple[str, ...] = tuple(job.code for job in _DECLARED)


def job_named(code: str) -> Job:
    """The job declared as `code`.

    Raises:
        UsageError: no job has that code; the message suggests the nearest one.
    """
    try:
        return _BY_CODE[code]
    except KeyError:
        raise UsageError(f"there is no job {code!r}{did_you_mean(code)}") from None


def did_you_mean(code: str) -> str:
    """A hint for an unknown job code: the nearest job, or the list of them."""
    near = difflib.get_close_matches(code, JOBS, n=1)
    return f" (did you mean {near[0]!r}?)" if near else f"; the jobs are {', '.join(JOBS)}"
