"""What the ledger holds and what happened lately."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ..workspace import Workspace
from .database import ledger_of
from .leases import Seen, Watching, watching
from .notifications import Queue, queue
from .pending import PendingApproval, pending_approvals
from .replies import StatementStanding, reply_rate, statement_standings
from .schema import KIND_TABLES, documents, intake


@dataclass
class LedgerStatus:
    documents: dict[str, dict[str, int]]  # kind -> status -> count
    master: dict[str, int]  # customers / products / salespeople -> rows
    files: dict[str, int]  # outcome -> count of processed files
    recent: list[dict[str, Any]]
    pending_approvals: list[PendingApproval]  # oldest first
    approvals_enforced: bool  # [approvals] in config.toml; without it anyone may approve
    watchers: list[Seen]  # live watchers and `process` runs, on every machine, oldest first
    warnings: list[dict[str, Any]]  # each with a stable "code"
    notifications: Queue  # the outbox of messages
    # Each customer's latest 对账函 and where its reply stands (spec 4b), by customer.
    statement_replies: list[StatementStanding] = field(default_factory=list)

    @property
    def reply_rate(self) -> Decimal | None:
        """Replied ÷ issued among those statements."""
        return reply_rate(self.statement_replies)

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "master": self.master, "files": self.files,
                "recent": self.recent,
                "pending_approvals": [p.as_dict() for p in self.pending_approvals],
                "approvals_enforced": self.approvals_enforced,
                "watchers": [w.as_dict() for w in self.watchers], "warnings": self.warnings,
                "notifications": self.notifications.as_dict(),
                "statement_replies": {
                    "statements": [s.as_dict() for s in self.statement_replies],
                    "reply_rate": None if self.reply_rate is None else str(self.reply_rate)}}


# Files wait unattended when no holder of the inbox has been seen for this many leases.
QUIET_LEASES = 3


def watcher_warnings(seen: Watching, waiting: int, lease: timedelta) -> list[dict[str, Any]]:
    """`no_watcher` when `waiting` files sit in the inbox and nothing has processed it for
    QUIET_LEASES leases (or ever)."""
    quiet = seen.quiet_seconds
    if not waiting or (quiet is not None and quiet <= lease.total_seconds() * QUIET_LEASES):
        return []
    last = seen.inbox_last_seen.isoformat(sep=" ") if seen.inbox_last_seen else None
    return [{"code": "no_watcher", "waiting": waiting, "last_seen": last}]


def ledger_status(workspace: Workspace, recent: int = 10,
                  now: datetime | None = None, waiting: int = 0) -> LedgerStatus:
    """Counts, the latest `recent` files, the pending approvals with their age at `now`
    (default: the clock's now) and who is watching, with a warning when `waiting` files sit in
    the inbox while nobody is."""
    engine = ledger_of(workspace)
    with engine.connect() as conn:
        counts: dict[str, dict[str, int]] = {}
        query = select(documents.c.kind, documents.c.status, func.count()).group_by(
            documents.c.kind, documents.c.status)
        for kind, status, count in conn.execute(query):
            counts.setdefault(kind, {})[status] = count
        master = {
            name: conn.execute(select(func.count()).select_from(KIND_TABLES[name])).scalar_one()
            for name in ("salespeople", "products", "customers")
        }
        files: dict[str, int] = dict(conn.execute(
            select(intake.c.status, func.count()).group_by(intake.c.status)).all())
        rows = conn.execute(
            select(intake).order_by(intake.c.processed_at.desc(), intake.c.id.desc()).limit(recent)
        ).mappings()
        latest = [
            {"file": r["file_name"], "kind": r["kind"], "status": r["status"],
             "document": r["document"] or "",
             "problems": len(json.loads(r["problems"])),
             "processed_at": r["processed_at"].isoformat(sep=" ")}
            for r in rows
        ]
        pending = pending_approvals(conn, now or datetime.now())
        lease = timedelta(seconds=workspace.settings.watch.lease_seconds)
        seen = watching(conn, str(workspace.inbox), lease)
        outbox = queue(conn, _utc_day_start(now or datetime.now()))
        replies = statement_standings(conn, (now or datetime.now()).date(),
                                      workspace.settings.statements.reply_by_day)
    return LedgerStatus(counts, master, files, latest, pending,
                        workspace.settings.approvals is not None, seen.live,
                        watcher_warnings(seen, waiting, lease), outbox, replies)


def _utc_day_start(local: datetime) -> datetime:
    """The start of `local`'s day (this machine's time), as the outbox stores times."""
    start = datetime.combine(local.date(), time())
    return start.astimezone(UTC).replace(tzinfo=None)
