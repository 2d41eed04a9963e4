"""Is the department's inbox being served? What `sales-sheets status --check` answers for
monitoring scripts: a live watcher of this inbox, and no file waiting longer than
`watch.max_wait_minutes`.

`judge` is the rule, with the clock and the files' arrival times passed in; `check_health`
gathers them from the inbox and the ledger's heartbeats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..intake.inbox import candidates
from ..ledger import Ledger
from ..workspace import Workspace

NO_WATCHER = "no_watcher_alive"
WAITED_TOO_LONG = "waited_too_long"


@dataclass(frozen=True)
class Health:
    watchers: int  # live watchers of this inbox, on any machine sharing the ledger
    waiting: int  # files in the inbox
    overdue: int  # of them, waiting longer than max_wait_minutes
    oldest_minutes: float | None  # how long the oldest has waited; None when none waits
    max_wait_minutes: float

    @property
    def findings(self) -> list[str]:
        """What is wrong, most telling first; [] when healthy."""
        found = [NO_WATCHER] if not self.watchers else []
        return found + ([WAITED_TOO_LONG] if self.overdue else [])

    def as_dict(self) -> dict[str, Any]:
        oldest = round(self.oldest_minutes, 1) if self.oldest_minutes is not None else None
        return {"healthy": not self.findings, "findings": self.findings,
                "watchers": self.watchers, "waiting": self.waiting, "overdue": self.overdue,
                "oldest_minutes": oldest, "max_wait_minutes": self.max_wait_minutes}


def judge(watchers: int, arrivals: list[float], now: float, max_wait_minutes: float) -> Health:
    """Health from the number of live watchers and the arrival times (epoch seconds) of the
    files in the inbox, at `now`."""
    waits = [(now - arrived) / 60 for arrived in arrivals]
    return Health(watchers, len(waits), sum(1 for w in waits if w > max_wait_minutes),
                  max(waits, default=None), max_wait_minutes)


def arrival(path: Path) -> float:
    """When a file came into the inbox. Not its modification time alone: a copy keeps the
    original's (Windows Explorer, `cp -p`), so a file written last month would count as waiting
    since then. The status-change time (POSIX: the copy or move into the inbox) or the creation
    time (Windows) says when it arrived; the later of the two covers both."""
    stat = path.stat()
    return max(stat.st_mtime, stat.st_ctime)


def check_health(workspace: Workspace, now: float | None = None) -> Health:
    """The inbox's health now (or at `now`, epoch seconds)."""
    arrivals = []
    for path in candidates(workspace):
        try:
            arrivals.append(arrival(path))
        except FileNotFoundError:  # claimed meanwhile
            continue
    settings = workspace.settings.watch
    with Ledger.of(workspace).connect() as books:
        seen = books.watching(str(workspace.inbox), timedelta(seconds=settings.lease_seconds))
    return judge(seen.inbox_watchers, arrivals, time.time() if now is None else now,
                 settings.max_wait_minutes)


