"""Stopping a real `sales-sheets watch` process: SIGTERM (systemd, docker) and SIGINT (Ctrl-C)
let it finish what it has in hand, free its claims, mark its heartbeat stopped and exit 0 in a
few seconds; a second signal ends it at once, and the next start resumes what it left claimed.
Every dropped file is answered exactly once across the runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from sales_sheets.forms.kinds import KINDS
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import order_header, query
from .helpers.watching import wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
# A clean stop has this long; the watcher needs well under a second once it is told.
STOP_DEADLINE = 8.0


def quick(workspace: Workspace) -> Workspace:
    """Short watcher settings; contracts stay on, so each file takes a moment to answer."""
    return configure(workspace, replace=True, watch={
        "stable_seconds": 0.2, "rescan_seconds": 0.5, "poll_interval": 0.1,
        "lease_seconds": 2.0})


def start(workspace: Workspace) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "sales_sheets", "watch", "-w",
                             str(workspace.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def drop_orders(workspace: Workspace, staging: Path, count: int) -> list[str]:
    """`count` orders moved into inbox/S01 at once (each arrives complete)."""
    (workspace.inbox / "S01").mkdir(exist_ok=True)
    names = []
    for n in range(count):
        staged = write_form(staging / f"order-{n:02}.xlsx", KINDS["order"],
                            data=FormData(order_header(no=f"SO-G{n:02}"), [LINE]))
        os.replace(staged, workspace.inbox / "S01" / staged.name)
        names.append(f"S01/{staged.name}")
    return names


def answered(workspace: Workspace) -> Counter[str]:
    return Counter(name for (name,) in query(workspace, "SELECT file_name FROM intake")
                   if name.startswith("S01/"))


def watchers_running(workspace: Workspace) -> int:
    return len(query(workspace, "SELECT owner FROM watchers WHERE command = 'watch' "
                                "AND stopped_at IS NULL"))


def claimed(workspace: Workspace) -> list[Path]:
    return [p for p in workspace.claimed.rglob("*") if p.is_file()]


def stop_and_time(process: subprocess.Popen[str], number: signal.Signals,
                  again: bool = False) -> tuple[float, str, str]:
    """Send the signal (with `again`, a second one a moment later, as a person presses Ctrl-C
    twice: two at the same instant are one to Python); the seconds from the last to the exit."""
    process.send_signal(number)
    if again:
        time.sleep(0.3)
        process.send_signal(number)
    began = time.monotonic()
    out, err = process.communicate(timeout=30)
    return time.monotonic() - began, out, err


def finish_with_a_second_run(workspace: Workspace, names: list[str]) -> str:
    """A new watcher answers the rest; its output."""
    again = start(workspace)
    try:
        wait_until(lambda: sorted(answered(workspace)) == names,
                   lambda: f"all answered, have {sorted(answered(workspace))}", timeout=60)
    finally:
        _, out, err = stop_and_time(again, signal.SIGTERM)
    assert again.returncode == 0, err
    return out


def reported(*outputs: str) -> Counter[str]:
    return Counter(line.split("  ")[1] for out in outputs for line in out.splitlines()
                   if "  S01/" in line and not line.startswith(" "))


@pytest.mark.parametrize("first", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_finishes_the_file_in_hand_and_exits_0(
    loaded: Workspace, tmp_path: Path, first: signal.Signals,
) -> None:
    ws = quick(loaded)
    process = start(ws)
    wait_until(lambda: watchers_running(ws) == 1, "the watcher to start")
    names = drop_orders(ws, tmp_path / "staging", 25)
    wait_until(lambda: len(answered(ws)) >= 1, "the first answer")
    seconds, out, err = stop_and_time(process, first)

    assert process.returncode == 0, err
    assert seconds < STOP_DEADLINE
    assert first.name in err and err.rstrip().endswith("stopped")
    # Whatever it took out of the inbox it answered: nothing is left claimed or leased.
    assert claimed(ws) == []
    assert query(ws, "SELECT count(*) FROM claims") == [(0,)]
    [(stopped_at, files_done)] = query(
        ws, "SELECT stopped_at, files_done FROM watchers WHERE pid = ?", process.pid)
    assert stopped_at is not None and files_done == len(answered(ws))
    assert set(answered(ws).values()) == {1}
    assert len(answered(ws)) < len(names)  # it stopped before the whole burst

    out_again = finish_with_a_second_run(ws, names)
    assert answered(ws) == Counter(names)  # each answered once, across both runs
    assert reported(out, out_again) == Counter(names)
    assert len(list((ws.outbox / "receipts" / "S01").iterdir())) == len(names)


def test_a_second_signal_stops_at_once_and_the_next_start_resumes_its_claims(
    loaded: Workspace, tmp_path: Path,
) -> None:
    ws = quick(loaded)
    process = start(ws)
    wait_until(lambda: watchers_running(ws) == 1, "the watcher to start")
    names = drop_orders(ws, tmp_path / "staging", 25)
    wait_until(lambda: len(answered(ws)) >= 1, "the first answer")
    seconds, _, err = stop_and_time(process, signal.SIGINT, again=True)

    assert process.returncode == 128 + signal.SIGINT, err
    assert seconds < 2.0
    assert "SIGINT" in err and not err.rstrip().endswith("stopped")
    left = claimed(ws)
    assert left  # killed in the middle of a batch: its claims are where it left them

    finish_with_a_second_run(ws, names)
    assert answered(ws) == Counter(names)  # nothing lost, nothing stored twice
    orders = query(ws, "SELECT doc_key, count(*) FROM documents WHERE kind = 'order' "
                       "GROUP BY doc_key")
    assert sorted(orders) == [(f"SO-G{n:02}", 1) for n in range(len(names))]
    assert claimed(ws) == []
