"""The calendar itself: which runs of a job fall due between two moments, the next one, and
the run for a period someone names.

The time rule: every run falls due at `[schedule] hour` o'clock, local time in
`[schedule] timezone` (an IANA name, default Asia/Shanghai), on its due day. The machine's clock
may be set to anything (servers often run on UTC): callers pass timezone-aware datetimes, and a
naive one is refused with a ValueError rather than guessed at; a command line that reads a time
without an offset should attach `Calendar.timezone` to it. Moments are compared as instants, so
Europe/Berlin's summer time moves a run's UTC moment, never its local hour. (An hour that a
summer-time switch skips, e.g. 02:00 in Berlin on the last Sunday of March, falls due an hour
later by the clock; one it repeats falls due the first time.)
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ..config import Schedule
from ..errors import ConfigError, UsageError
from ..forms.periods import Period
from .jobs import JOBS, Job, did_you_mean, job_named
from .labels import FORMS, Span, parse_span, span_containing
from .workdays import WorkingDays


@dataclass(frozen=True)
class Run:
    """One run of a job: the job's code and the period's label are its key."""

    job: str
    period: str  # 2026-11, 2026-Q4, 2026-W49 or 2026-12-07, by the job's `every`
    due: datetime  # aware, in the schedule's time zone
    start: date  # the first day of the period
    end: date  # its last day (inclusive)
    reporting_period: Period | None  # the month or quarter as forms.periods has it; else None


class Calendar:
    """When the department's jobs fall due, from the `[schedule]` settings.

    Raises:
        ConfigError: an unknown time zone, an hour outside 0-23, a holiday or workday that is not
            a date, or an unknown job in `off`.
    """

    def __init__(self, schedule: Schedule | None = None) -> None:
        schedule = schedule if schedule is not None else Schedule()
        self.timezone = _zone(schedule.timezone)
        if not 0 <= schedule.hour <= 23:
            raise ConfigError(
                f"[schedule] hour = {schedule.hour!r} is not an hour of the day; use 0 to 23"
            )
        self.hour = schedule.hour
        self.working_days = WorkingDays.from_settings(schedule.holidays, schedule.workdays)
        for code in schedule.off:
            if code not in JOBS:
                raise ConfigError(f"[schedule] off: there is no job {code!r}{did_you_mean(code)}")
        self.off = frozenset(schedule.off)

    @property
    def active(self) -> tuple[str, ...]:
        """The jobs that run when due (all but those in `[schedule] off`), in `JOBS` order."""
        return tuple(code for code in JOBS if code not in self.off)

    def is_working_day(self, day: date) -> bool:
        return self.working_days.is_working(day)

    def runs_due(self, job: str, since: datetime | None, now: datetime) -> list[Run]:
        """The runs of `job` that fell due after `since`, up to and including `now`, oldest
        first; none for a job in `[schedule] off`.

        With `since=None` (nothing recorded yet: a new install) only the most recent run due, so
        that history is not replayed. A job with `catch_up_all=False` also gets only the latest
        of its missed runs. The caller passes the due moment of the last run it recorded as
        `since`, and so gets each missed run once.

        Raises:
            UsageError: no job has the code `job`.
            ValueError: `since` or `now` is naive.
        """
        declared = job_named(job)
        now = _instant(now, "now")
        after = None if since is None else _instant(since, "since")
        if job in self.off or (after is not None and after >= now):
            return []
        latest = self._latest(declared, now)
        if after is None or not declared.catch_up_all:
            return [latest] if after is None or _instant(latest.due) > after else []
        missed = []
        for run in self._runs(declared, span_containing(declared.every, latest.start), -1):
            if _instant(run.due) <= after:
                break
            missed.append(run)
        return missed[::-1]

    def next_run(self, job: str, now: datetime) -> Run:
        """The first run of `job` due after `now` (whether or not the job is `off`).

        Raises:
            UsageError: no job has the code `job`.
            ValueError: `now` is naive.
        """
        declared = job_named(job)
        now = _instant(now, "now")
        latest = self._latest(declared, now)
        start = span_containing(declared.every, latest.start).step(1)
        return next(run for run in self._runs(declared, start, 1) if _instant(run.due) > now)

    def run_for(self, job: str, period: str) -> Run:
        """The run of `job` for the period labelled `period` (past or future, `off` or not),
        for running one job for one period on request.

        Raises:
            UsageError: no job has the code `job`; `period` is not a label of the form the job
                runs for (the message says which); or a daily job's day is not a working day.
        """
        declared = job_named(job)
        try:
            span = parse_span(declared.every, period)
        except UsageError as exc:
            raise UsageError(f"{job} runs for {FORMS[declared.every]}: {exc}") from None
        run = self._run(declared, span)
        if run is None:
            raise UsageError(
                f"{job} runs on working days, and {span.label} is not one "
                "(see [schedule] holidays and workdays)"
            )
        return run

    def _latest(self, job: Job, now: datetime) -> Run:
        """The last run of `job` due at or before `now`."""
        today = now.astimezone(self.timezone).date()
        for run in self._runs(job, span_containing(job.every, today), -1):
            if _instant(run.due) <= now:
                return run
        raise AssertionError("unreachable: _runs does not end")  # pragma: no cover

    def _runs(self, job: Job, span: Span, direction: int) -> Iterator[Run]:
        """The runs of `job` from `span` on, forwards (1) or backwards (-1); a day that is not a
        working day has none. Due moments rise with the periods, so either way is in order."""
        while True:
            run = self._run(job, span)
            if run is not None:
                yield run
            span = span.step(direction)

    def _run(self, job: Job, span: Span) -> Run | None:
        day = self._due_day(job, span)
        if day is None:
            return None
        due = datetime.combine(day, time(self.hour), tzinfo=self.timezone)
        # Normalised through UTC: a skipped summer-time hour reads as the clock then shows.
        due = due.astimezone(UTC).astimezone(self.timezone)
        return Run(job.code, span.label, due, span.start, span.end, span.period())

    def _due_day(self, job: Job, span: Span) -> date | None:
        if job.falls_due == "after":
            return span.end + timedelta(days=1)
        if job.falls_due == "friday":
            return span.start + timedelta(days=4)
        if job.falls_due == "last_working_day":
            return self.working_days.last_in_month(span.start)
        return span.start if self.working_days.is_working(span.start) else None


def _instant(moment: datetime, name: str = "a moment") -> datetime:
    """`moment` in UTC, so that comparisons are between instants: two datetimes of one zoneinfo
    zone are otherwise compared by their wall clocks, wrong in a repeated summer-time hour."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime (e.g. datetime.now(UTC)), "
            f"not the naive {moment.isoformat()}"
        )
    return moment.astimezone(UTC)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        known = zoneinfo.available_timezones()
        if not known:
            hint = "; this machine has no time zone data: install the tzdata package"
        else:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ", e.g. \"Asia/Shanghai\""
        raise ConfigError(
            f"[schedule] timezone = {name!r} is not a known time zone; use an IANA name{hint}"
        ) from None
