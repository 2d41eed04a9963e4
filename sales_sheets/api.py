"""The library's public functions: everything the CLI, the watcher and the add-in call."""

from __future__ import annotations

from pathlib import Path

from .approvals import Release, release_order
from .demo import run_demo
from .excel.template import write_form
from .inbox import Claim, candidates, claim, pending_claims
from .ingest import IngestResult, process_claims, process_inbox, process_paths
from .kinds import get_kind
from .ledger.database import open_ledger
from .ledger.queries import master_lists
from .status import LedgerStatus, ledger_status
from .watch import watch
from .workspace import Workspace, init_workspace, open_workspace


def write_template(workspace: Workspace, kind: str, output: Path | None = None) -> Path:
    """A blank template of `kind` with drop-downs from the ledger's current master data."""
    form = get_kind(kind)
    with open_ledger(workspace.database_url).connect() as conn:
        lists = master_lists(conn)
    target = output or workspace.templates / f"{form.name}.xlsx"
    return write_form(target, form, workspace.language, lists)


def claim_inbox(workspace: Workspace) -> list[Claim]:
    """Unfinished claims first, then everything now in the inbox, taken out of it."""
    claims = pending_claims(workspace)
    return claims + [c for path in candidates(workspace) if (c := claim(workspace, path))]


__all__ = [
    "IngestResult", "LedgerStatus", "Release", "claim_inbox", "init_workspace", "ledger_status",
    "open_workspace", "process_claims", "process_inbox", "process_paths", "release_order",
    "run_demo", "watch", "write_template",
]
