"""The record of the calendar's runs: one row per job and period, taken before the job runs,
so each period's run happens once however many watchers share the ledger. Times are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update

from .bulk import insert_or_skip
from .schema import scheduled_runs


@dataclass(frozen=True)
class RunRecord:
    job: str
    period: str
    due: datetime
    started_at: datetime
    finished_at: datetime | None
    outcome: str


def take_run(conn: Connection, job: str, period: str, due: datetime, now: datetime,
             lease: timedelta) -> bool:
    """Take the run of `job` for `period`: True when it is this caller's to do now, False when
    it is done or another process is doing it (its lease not yet over). A run that failed or
    whose runner died is taken again once its lease is over."""
    inserted = conn.execute(insert_or_skip(conn, scheduled_runs).values(
        job=job, period=period, due=due, started_at=now, claimed_until=now + lease,
    ).returning(scheduled_runs.c.job)).first()
    if inserted is not None:
        return True
    retaken = conn.execute(update(scheduled_runs).where(
        scheduled_runs.c.job == job, scheduled_runs.c.period == period,
        scheduled_runs.c.finished_at.is_(None), scheduled_runs.c.claimed_until < now,
    ).values(started_at=now, claimed_until=now + lease)).rowcount
    return bool(retaken)


def finish_run(conn: Connection, job: str, period: str, now: datetime, outcome: str) -> None:
    conn.execute(update(scheduled_runs).where(
        scheduled_runs.c.job == job, scheduled_runs.c.period == period,
    ).values(finished_at=now, outcome=outcome[:2000]))


def fail_run(conn: Connection, job: str, period: str, outcome: str) -> None:
    """Leave the run unfinished with why; it is taken again when its lease is over."""
    conn.execute(update(scheduled_runs).where(
        scheduled_runs.c.job == job, scheduled_runs.c.period == period,
    ).values(outcome=outcome[:2000]))


def latest_runs(conn: Connection) -> dict[str, RunRecord]:
    """Each job's run with the latest due time."""
    latest = (select(scheduled_runs.c.job, func.max(scheduled_runs.c.due).label("due"))
              .group_by(scheduled_runs.c.job).subquery())
    rows = conn.execute(select(scheduled_runs).join(
        latest, (latest.c.job == scheduled_runs.c.job) & (latest.c.due == scheduled_runs.c.due)
    )).mappings().all()
    return {r["job"]: RunRecord(r["job"], r["period"], r["due"], r["started_at"],
                                r["finished_at"], r["outcome"] or "") for r in rows}
