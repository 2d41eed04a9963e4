"""The department's calendar: when each of its jobs falls due, and for which period (§4d).

Pure: no I/O, no ledger, no clock of its own. The caller passes `now` (and what it last
recorded) and runs what `Calendar.runs_due` returns; keeping each (job, period) run once is the
caller's `scheduled_runs` table. The jobs are declared once as data (jobs), working days come
from `[schedule] holidays` and `workdays` (workdays: an approximation until the year's holidays
are listed), the week and day labels live here (labels) and months and quarters are
`forms.periods.Period`s (runs).

May import: forms (its periods) and the foundation modules.
"""

from .jobs import JOBS, Job, job_named
from .runs import Calendar, Run
from .workdays import WorkingDays

__all__ = ["JOBS", "Calendar", "Job", "Run", "WorkingDays", "job_named"]
