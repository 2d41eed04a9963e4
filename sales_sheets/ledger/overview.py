"""What the ledger holds and what happened lately."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..workspace import Workspace
from .database import open_ledger
from .pending import PendingApproval, pending_approvals
from .schema import KIND_TABLES, documents, intake


@dataclass
class LedgerStatus:
    documents: dict[str, dict[str, int]]  # kind -> status -> count
    master: dict[str, int]  # customers / products / salespeople -> rows
    files: dict[str, int]  # outcome -> count of processed files
    recent: list[dict[str, Any]]
    pending_approvals: list[PendingApproval]  # oldest first
    approvals_enforced: bool  # [approvals] in config.toml; without it anyone may approve

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "master": self.master, "files": self.files,
                "recent": self.recent,
                "pending_approvals": [p.as_dict() for p in self.pending_approvals],
                "approvals_enforced": self.approvals_enforced}


def ledger_status(workspace: Workspace, recent: int = 10,
                  now: datetime | None = None) -> LedgerStatus:
    """Counts, the latest `recent` files and the pending approvals with their age at `now`
    (default: the clock's now)."""
    engine = open_ledger(workspace.database_url)
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
    return LedgerStatus(counts, master, files, latest, pending,
                        workspace.settings.approvals is not None)
