"""Running the department's jobs once per period: whatever is due at a moment (the watcher's
minute tick, `sales-sheets schedule run --due [--at T]`), or one job for one period.

Each run is first taken in `scheduled_runs` (ledger/scheduled_runs.py), so two watchers on one
ledger never both run it; its messages are stored with the record that it finished. A run that
fails stays unfinished and is tried again at the next check after its lease. Runs missed while
nothing was watching are caught up (the calendar says which); a job never run before starts
from its latest due period *without* running it: a new install does not send last quarter's
statements on its first start (`schedule run JOB --period P` does that on purpose).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..calendar import Calendar, Run
from ..ledger import Ledger, RunRecord
from ..workspace import Workspace
from .jobs import JOBS

log = logging.getLogger(__name__)

# A run in progress is another process's to take over only after this: longer than any job.
_LEASE = timedelta(hours=1)
_BASELINE = "not run: the schedule started after this period was due"
_CHECK_SECONDS = 60.0


@dataclass(frozen=True)
class Ran:
    """One run's result, as `schedule run` prints it."""

    job: str
    period: str
    due: datetime
    status: str  # done, failed, taken (another process has it, or it is done already)
    outcome: str

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.job, "period": self.period, "due": self.due.isoformat(),
                "status": self.status, "outcome": self.outcome}


@dataclass(frozen=True)
class JobState:
    """A job as `sales-sheets schedule` lists it."""

    job: str
    last: RunRecord | None
    next: Run | None  # None when the job is switched off


def calendar_of(workspace: Workspace) -> Calendar:
    """The workspace's calendar. Raises ConfigError for a bad [schedule] section."""
    return Calendar(workspace.settings.schedule)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def run_due(workspace: Workspace, now: datetime) -> list[Ran]:
    """Run every job due at `now` (aware) and not yet run for its period, oldest first."""
    calendar = calendar_of(workspace)
    with Ledger.of(workspace).connect() as books:
        latest = books.latest_runs()
    done: list[Ran] = []
    for job in calendar.active:
        if job not in JOBS:
            continue
        record = latest.get(job)
        if record is None:
            done += [_baseline(workspace, run, now) for run in calendar.runs_due(job, None, now)]
            continue
        runs = calendar.runs_due(job, record.due.replace(tzinfo=UTC), now)
        if record.finished_at is None and record.outcome != _BASELINE:
            runs.insert(0, calendar.run_for(job, record.period))
        done += [run_one(workspace, run, now) for run in runs]
    return done


def run_job(workspace: Workspace, job: str, period: str, now: datetime) -> Ran:
    """Run `job` for `period` (`schedule run JOB --period P`): once, like a scheduled run; a
    period already done is not run again. Raises UsageError for an unknown job or a period of
    the wrong form."""
    return run_one(workspace, calendar_of(workspace).run_for(job, period), now)


def run_one(workspace: Workspace, run: Run, now: datetime) -> Ran:
    ledger = Ledger.of(workspace)
    moment = _utc(now)
    with ledger.transaction() as books:
        taken = books.take_run(run.job, run.period, _utc(run.due), moment, _LEASE)
    if not taken:
        return Ran(run.job, run.period, run.due, "taken", "")
    today = run.due.astimezone(calendar_of(workspace).timezone).date()
    try:
        result = JOBS[run.job](workspace, run.period, today)
    except Exception as exc:
        log.exception("the scheduled job %s for %s failed", run.job, run.period)
        outcome = f"{type(exc).__name__}: {exc}"
        with ledger.transaction() as books:
            books.fail_run(run.job, run.period, outcome)
        return Ran(run.job, run.period, run.due, "failed", outcome)
    with ledger.transaction() as books:
        books.finish_run(run.job, run.period, _utc(datetime.now(UTC)), result.outcome)
        books.enqueue(result.notices, moment)
    log.info("scheduled job %s for %s: %s", run.job, run.period, result.outcome)
    return Ran(run.job, run.period, run.due, "done", result.outcome)


def _baseline(workspace: Workspace, run: Run, now: datetime) -> Ran:
    """Record `run` as the job's starting point without running it."""
    moment = _utc(now)
    with Ledger.of(workspace).transaction() as books:
        if books.take_run(run.job, run.period, _utc(run.due), moment, _LEASE):
            books.finish_run(run.job, run.period, moment, _BASELINE)
    return Ran(run.job, run.period, run.due, "baseline", _BASELINE)


def job_states(workspace: Workspace, now: datetime) -> list[JobState]:
    """Every job with its last run and its next one (None when switched off)."""
    calendar = calendar_of(workspace)
    with Ledger.of(workspace).connect() as books:
        latest = books.latest_runs()
    return [JobState(job, latest.get(job),
                     calendar.next_run(job, now) if job in calendar.active else None)
            for job in JOBS]


class Scheduler:
    """The watcher's calendar: a thread that runs what is due at its start and every minute
    after, until `stop`; `after_run` is called after each check that ran something (the
    dispatcher is woken so the messages go out at once)."""

    def __init__(self, workspace: Workspace, after_run: Callable[[], None],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.workspace = workspace
        self.after_run = after_run
        self.clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedule", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if any(r.status == "done" for r in run_due(self.workspace, self.clock())):
                    self.after_run()
            except Exception:
                log.exception("checking the schedule failed; trying again in a minute")
            self._stop.wait(_CHECK_SECONDS)
