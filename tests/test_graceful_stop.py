"""Stopping a real `sales-sheets watch` process: SIGTERM (systemd, docker) and SIGINT (Ctrl-C)
let it finish the file in hand, start no other, free its claims, mark its heartbeat stopped
and exit 0 in a few seconds; a second signal ends it at once. The next start resumes whatever
either left claimed, and every dropped file is answered exactly once across the runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS
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
    """`count` orders written aside, then moved into inbox/S01 all at once (each arrives
    complete), so that the watcher takes them in one batch of ten and then the next."""
    staged = [write_form(staging / f"order-{n:02}.xlsx", KINDS["order"],
                         data=FormData(order_header(no=f"SO-G{n:02}"), [LINE]))
              for n in range(count)]
    (workspace.inbox / "S01").mkdir(exist_ok=True)
    for path in staged:
        os.replace(path, workspace.inbox / "S01" / path.name)
    return [f"S01/{path.name}" for path in staged]


def answered(workspace: Workspace) -> Counter[str]:
    return Counter(name for (name,) in query(workspace, "SELECT file_name FROM intake")
                   if name.startswith("S01/"))


def watchers_running(workspace: Workspace) -> int:
    return len(query(workspace, "SELECT owner FROM watchers WHERE command = 'watch' "
                                "AND stopped_at IS NULL"))


def claimed(workspace: Workspace) -> list[Path]:
    return [p for p in workspace.claimed.rglob("*") if p.is_file()]


def stop_and_time(process: subprocess.Popen[str], number: signal.Signals,
                  ) -> tuple[float, str, str]:
    """Send the signal; the seconds to the exit and what the process printed."""
    process.send_signal(number)
    began = time.monotonic()
    out, err = process.communicate(timeout=30)
    return time.monotonic() - began, out, err


def finish_with_a_second_run(workspace: Workspace, names: list[str]) -> str:
    """A new watcher answers the rest; its output."""
    again = start(workspace)
    try:
        wait_until(lambda: watchers_running(workspace) == 1, "the second watcher to start")
        wait_until(lambda: (sorted(answered(workspace)) == names and not claimed(workspace)
                            and not any((workspace.inbox / "S01").iterdir())),
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
    names = drop_orders(ws, tmp_path / "staging", 16)
    wait_until(lambda: len(answered(ws)) >= 1, "the first answer")
    seconds, out, err = stop_and_time(process, first)

    assert process.returncode == 0, err
    assert seconds < STOP_DEADLINE
    assert first.name in err and err.rstrip().endswith("stopped")
    # It answered the file in hand and started no other: each dropped file is answered, or
    # still claimed (not begun), or still in the inbox; what it left claimed is leased no more.
    left = [p.name for p in claimed(ws)] + [p.name for p in (ws.inbox / "S01").iterdir()]
    assert sorted([n.split("/")[1] for n in answered(ws)] + left) == [
        n.split("/")[1] for n in names]
    assert query(ws, "SELECT count(*) FROM claims") == [(0,)]
    [(stopped_at, files_done)] = query(
        ws, "SELECT stopped_at, files_done FROM watchers WHERE pid = ?", process.pid)
    assert stopped_at is not None and files_done == len(answered(ws))
    assert set(answered(ws).values()) == {1}
    assert len(answered(ws)) < len(names)  # it stopped before the whole burst

    out_again = finish_with_a_second_run(ws, names)
    assert answered(ws) == Counter(names)  # each answered once, across both runs
    assert claimed(ws) == []
    assert reported(out, out_again) == Counter(names)
    assert len(list((ws.outbox / "receipts" / "S01").iterdir())) == len(names)


def test_a_second_signal_stops_at_once_and_the_next_start_resumes_its_claim(
    loaded: Workspace, tmp_path: Path,
) -> None:
    ws = quick(loaded)
    # A file that takes a while to answer: 20,000 lines below the floor price, each marked in
    # its annotated copy, which is written after the file's outcome is stored (about 20 µs a
    # line: the copy of 2,000 lines took 40 ms, less than the two signals' round trip).
    slow = write_form(tmp_path / "slow.xlsx", KINDS["order"], data=FormData(
        order_header(no="SO-SLOW"),
        [{"product_code": "P003", "quantity": n + 1, "unit_price": "1"} for n in range(20_000)]))
    process = subprocess.Popen([sys.executable, "-m", "sales_sheets", "watch", "-w",
                                str(ws.root)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(process.stderr or []), daemon=True)
    reader.start()
    wait_until(lambda: watchers_running(ws) == 1, "the watcher to start")
    (ws.inbox / "S01").mkdir()
    os.replace(slow, ws.inbox / "S01" / "slow.xlsx")
    wait_until(lambda: answered(ws) == {"S01/slow.xlsx": 1}, "the slow file's outcome")
    process.send_signal(signal.SIGINT)
    wait_until(lambda: any("SIGINT" in line for line in said), "the first signal's notice")
    process.send_signal(signal.SIGINT)  # while the annotated copy is still being written
    began = time.monotonic()
    process.wait(timeout=30)
    seconds = time.monotonic() - began
    reader.join(timeout=5)
    if process.stderr is not None:
        process.stderr.close()

    assert process.returncode == 128 + signal.SIGINT, said
    assert seconds < 2.0
    assert not any(line.startswith("stopped") for line in said)
    assert [p.name for p in claimed(ws)] == ["slow.xlsx"]  # cut off while finishing it

    finish_with_a_second_run(ws, ["S01/slow.xlsx"])
    assert answered(ws) == {"S01/slow.xlsx": 1}  # only finished, not stored again
    assert claimed(ws) == []
    assert len(list((ws.outbox / "rejected" / "S01").iterdir())) == 1
    assert len(list((ws.outbox / "receipts" / "S01").iterdir())) == 1
