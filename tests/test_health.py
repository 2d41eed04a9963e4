"""`sales-sheets status --check` for monitoring scripts: 0 when a watcher of the inbox is alive and
no file has waited longer than watch.max_wait_minutes, 4 when no watcher is alive, 5 when a file
waited too long. The rule with its clock passed in, then the command on real workspaces with
real heartbeats in the ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets.cli import EXIT_NO_WATCHER, EXIT_WAITED_TOO_LONG, main
from sales_sheets.ledger.leases import hold_claims
from sales_sheets.service.health import NO_WATCHER, WAITED_TOO_LONG, judge
from sales_sheets.workspace import Workspace, open_workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header

pytestmark = pytest.mark.ledgers

NOW = 1_800_000_000.0


def check(workspace: Workspace, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["status", "--check", *extra, "-w", str(workspace.root)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def an_order(workspace: Workspace, name: str = "S01/waiting.xlsx") -> None:
    drop(workspace, "order", name, header=order_header(no="SO-H"),
         lines=[{"product_code": "P003", "quantity": 1, "unit_price": "460"}])


@pytest.mark.parametrize(("watchers", "waits", "findings"), [
    (1, [], []),
    (1, [14.9], []),
    (1, [15.1, 3.0], [WAITED_TOO_LONG]),
    (0, [], [NO_WATCHER]),
    (0, [16.0], [NO_WATCHER, WAITED_TOO_LONG]),  # the missing watcher is named first
])
def test_the_rule(watchers: int, waits: list[float], findings: list[str]) -> None:
    health = judge(watchers, [NOW - minutes * 60 for minutes in waits], NOW, 15.0)
    assert health.findings == findings
    assert health.overdue == sum(1 for w in waits if w > 15.0)
    assert health.oldest_minutes == (max(waits) if waits else None)


def test_no_watcher_alive_exits_4(workspace: Workspace) -> None:
    code, output = check(workspace)
    assert code == EXIT_NO_WATCHER == 4
    assert f"没有监视程序在处理收件箱 {workspace.inbox}" in output


def test_a_live_watcher_and_a_fresh_file_is_healthy_until_it_waits_too_long(
    workspace: Workspace,
) -> None:
    ws = configure(workspace, language="en")
    an_order(ws)
    with hold_claims(ws, "watch"):  # a real heartbeat row, as a running watcher keeps it
        code, output = check(ws)
        assert (code, output) == (0, "healthy: 1 watchers alive, 1 files in the inbox.\n")
        configure(ws, watch={"max_wait_minutes": 0.001})  # 0.06 s
        time.sleep(0.1)
        code, output = check(ws)
        assert code == EXIT_WAITED_TOO_LONG == 5
        assert "1 files have waited in the inbox longer than 0.001 minutes" in output
        code, output = check(ws, "--json")
        assert code == 5
        report = json.loads(output)
        assert report["findings"] == [WAITED_TOO_LONG] and report["watchers"] == 1
        assert report["waiting"] == report["overdue"] == 1 and not report["healthy"]
    # Stopped: now nobody serves the inbox, which is said first.
    code, output = check(ws)
    assert code == 4
    assert output.index("No watcher of the inbox") < output.index("have waited")


def test_a_process_run_or_another_inboxs_watcher_does_not_count(
    workspace: Workspace, tmp_path: Path,
) -> None:
    ours = configure(workspace, language="en", database={"url": workspace.database_url})
    with hold_claims(ours, "process"):
        assert check(ours)[0] == 4
    (tmp_path / "other").mkdir()
    shutil.copy(ours.root / "config.toml", tmp_path / "other" / "config.toml")
    other = open_workspace(tmp_path / "other")  # another office on the same ledger
    with hold_claims(other, "watch"):
        assert check(ours)[0] == 4
        assert check(other)[0] == 0


def test_a_copied_file_counts_from_its_arrival_not_its_old_mtime(workspace: Workspace) -> None:
    ws = configure(workspace, language="en", watch={"max_wait_minutes": 1.0})
    an_order(ws)
    month_ago = time.time() - 30 * 24 * 3600
    os.utime(ws.inbox / "S01" / "waiting.xlsx", (month_ago, month_ago))  # as `cp -p` leaves it
    with hold_claims(ws, "watch"):
        assert check(ws)[0] == 0
