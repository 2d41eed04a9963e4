"""Bursts: many files dropped within seconds into a running watcher, under change events and under
polling. Every file is answered once (one intake record, one receipt, one archived original),
none is lost, and the watcher's memory does not grow with the burst. An inotify queue overflow
(forced for real with a tiny kernel queue) is followed by a rescan at once.

The burst is SALES_SHEETS_BURST_FILES files (1,000 by default; about 15-30 s a mode on two busy
cores). Contracts, invoice notices and PDFs are off: the answering is tested, not the documents.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest

from sales_sheets.workspace import Workspace

from .helpers.bursts import WatcherProcess, distinct_orders, small_inotify_queue
from .helpers.config import configure
from .helpers.forms import query
from .helpers.watching import fast, running, wait_until

BURST = int(os.environ.get("SALES_SHEETS_BURST_FILES", "1000"))
MASTER_FILES = ("sp.xlsx", "pr.xlsx", "cu.xlsx")
# What a watcher may add while it answers a burst: SQLAlchemy's statement cache, the allocator's
# arenas. A per-file leak of even 20 KB would show as 20 MB over 1,000 files.
MEMORY_BUDGET = 24 * 1024 * 1024


def answering_only(workspace: Workspace) -> Workspace:
    return configure(workspace, documents={"contracts": False, "invoices": False, "pdf": False})


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def intake_counts(workspace: Workspace) -> Counter[str]:
    rows = query(workspace, "SELECT file_name, status FROM intake")
    return Counter(f"{name} {status}" for name, status in rows if name not in MASTER_FILES)


def receipts(workspace: Workspace) -> Counter[str]:
    """Receipts per submitted file name: `<stamp>_<claim>_<stem>.<status>.txt`."""
    return Counter(p.name.split("_", 2)[2] for p in files(workspace.outbox / "receipts" / "S01"))


@pytest.mark.parametrize("polling", [pytest.param(False, id="events"),
                                     pytest.param(True, id="polling")])
def test_a_burst_is_answered_once_per_file_in_bounded_memory(
    loaded: Workspace, tmp_path: Path, polling: bool,
) -> None:
    ws = fast(answering_only(loaded))
    forms = distinct_orders(tmp_path, BURST + 1)
    staging = tmp_path / "staging"
    staging.mkdir()
    inbox = ws.inbox / "S01"
    inbox.mkdir()
    watcher = WatcherProcess(ws.root, tmp_path / "watch.log", polling)
    try:
        # One file first: once it is answered the watcher is up, its imports and ledger loaded.
        (inbox / "warm-up.xlsx").write_bytes(forms[0])
        wait_until(lambda: sum(receipts(ws).values()) == 1, "the warm-up file", 30)
        baseline = watcher.rss()
        started = time.monotonic()
        for n, data in enumerate(forms[1:]):
            name = f"b{n:05}.xlsx"
            if n % 2:  # written in place: created, written, closed
                (inbox / name).write_bytes(data)
            else:  # saved elsewhere and moved in, as Excel and copy tools do
                (staging / name).write_bytes(data)
                os.replace(staging / name, inbox / name)
        dropped = time.monotonic() - started
        wait_until(lambda: sum(receipts(ws).values()) >= BURST + 1,
                   lambda: f"{BURST + 1} receipts, have {sum(receipts(ws).values())}",
                   timeout=60 + BURST * 0.2)
        answered = time.monotonic() - started
        time.sleep(0.5)  # anything answered twice would show now
        peak = watcher.peak()
    finally:
        output = watcher.stop()
    names = ["warm-up.xlsx", *(f"b{n:05}.xlsx" for n in range(BURST))]
    assert dropped < 10, f"dropping {BURST} files took {dropped:.1f} s: not a burst"
    assert intake_counts(ws) == Counter(f"S01/{name} accepted" for name in names)
    assert receipts(ws) == Counter(f"{name[:-5]}.accepted.txt" for name in names)
    reported = Counter(line.split()[1] for line in output.splitlines()
                       if line.startswith("已接收"))
    assert reported == Counter(f"S01/{name}" for name in names)
    archived = Counter(p.name.split("_", 2)[2] for p in files(ws.archive)
                       if p.parent.name == "S01")
    assert archived == Counter(names)
    [(orders,)] = query(ws, "SELECT count(DISTINCT doc_key) FROM documents WHERE kind = 'order'")
    assert orders == BURST + 1
    assert files(ws.inbox) == [] and not any(ws.claimed.iterdir())
    assert "Traceback" not in output
    growth = peak - baseline
    print(f"\n{BURST} files ({'polling' if polling else 'events'}): dropped in {dropped:.1f} s, "
          f"answered in {answered:.1f} s; RSS {baseline / 2**20:.0f} MiB after the first file, "
          f"peak {peak / 2**20:.0f} MiB (+{growth / 2**20:.1f} MiB)")
    assert growth < MEMORY_BUDGET, f"memory grew by {growth / 2**20:.1f} MiB over the burst"


def test_an_inotify_queue_overflow_is_followed_by_a_rescan_at_once(
    loaded: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # No periodic rescan within the test: only the events, and the overflow's rescan, find files.
    ws = fast(answering_only(loaded), rescan_seconds=3600)
    count = 100
    forms = distinct_orders(tmp_path, count, prefix="SO-Q")
    inbox = ws.inbox / "S01"
    inbox.mkdir()
    with ExitStack() as stack, caplog.at_level(logging.WARNING):
        with small_inotify_queue(4):  # a burst overflows it many times over
            watcher = stack.enter_context(running(ws, polling=False))
        for n, data in enumerate(forms):
            (inbox / f"q{n:03}.xlsx").write_bytes(data)
        watcher.wait_for(count, timeout=60)
        time.sleep(0.3)  # anything answered twice would show now
    overflowed = [r for r in caplog.records if r.name.startswith("watchdog")
                  and "overflow" in r.getMessage()]
    rescans = [r for r in caplog.records if r.name == "sales_sheets.intake.watch"
               and "rescanning" in r.getMessage()]
    assert overflowed, "the kernel queue never overflowed: the test proves nothing"
    assert rescans
    assert sorted(r.file for r in watcher.results) == [f"S01/q{n:03}.xlsx" for n in range(count)]
    assert intake_counts(ws) == Counter(f"S01/q{n:03}.xlsx accepted" for n in range(count))
    assert files(ws.inbox) == []
