"""Offices at work at the same moment: other workspaces on one shared ledger, each processing
its inbox in a real process of its own (the shared-ledger, delivery, invoice and expenses
tests)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sales_sheets.workspace import Workspace, init_workspace

from .config import configure
from .ledgers import commits_held

# Each worker opens the ledger, says it is ready and waits for the go, so that both processes
# reach their transactions together instead of one finishing while the other still imports.
WORKER = """
import json, pathlib, sys, time
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.database import ledger_of
from sales_sheets.workspace import open_workspace
workspace = open_workspace(sys.argv[1])
ledger_of(workspace)
pathlib.Path(sys.argv[2]).touch()
while not pathlib.Path(sys.argv[3]).exists():
    time.sleep(0.002)
print(json.dumps([r.as_dict("en") for r in process_inbox(workspace)]))
"""


def second_office(loaded: Workspace, root: Path) -> Workspace:
    """Another workspace (its own inbox and outbox) on the same ledger as `loaded`."""
    return configure(init_workspace(root), documents={"pdf": False},
                     database={"url": loaded.database_url})


def run_at_once(
    tmp_path: Path, *workspaces: Workspace, started: Callable[[], None] = lambda: None,
) -> list[list[dict[str, Any]]]:
    """Process each workspace's inbox in a process of its own, all starting together;
    `started` runs once they are under way."""
    go = tmp_path / "go"
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(ws.root), str(tmp_path / f"ready{n}"),
                          str(go)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, ws in enumerate(workspaces)]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready{n}").exists() for n in range(len(workers))):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers), [
            w.communicate() for w in workers if w.poll() is not None]
        time.sleep(0.01)
    go.touch()
    started()
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0] * len(workers), outputs
    assert all("Traceback" not in err for _, err in outputs), outputs
    return [json.loads(out) for out, _ in outputs]


def both_judged(loaded: Workspace) -> Any:
    """A context whose `started` lets the two workers commit once both wait for a lock."""
    return commits_held(loaded.database_url)
