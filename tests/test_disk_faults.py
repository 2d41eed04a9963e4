"""Faults on the way out: the outbox or the archive full or read-only while the watcher works, for
real (a small tmpfs filled up, a read-only bind mount). The file is stored once, stays claimed
while its answer cannot be written, the watcher goes on and says which folder is full or
read-only, and once space or write access is back the file is finished and answered once.
"""

from __future__ import annotations

import logging
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any

import pytest

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header, query
from .helpers.mounts import Fault, full_disk, read_only
from .helpers.watching import fast, running, wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
SCRIPT = Path(sys.executable).with_name("sales-sheets")
FAULTS: dict[str, tuple[Callable[[Path], AbstractContextManager[Fault]], str]] = {
    "full": (full_disk, "disk full"),
    "read-only": (read_only, "read-only"),
}


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def move_in(workspace: Workspace, staging: Path, name: str, **header: Any) -> bytes:
    """A one-line order written aside and moved into inbox/S01/ whole; its bytes."""
    form = write_form(staging / name, KINDS["order"],
                      data=FormData(order_header(**header), [LINE]))
    data = form.read_bytes()
    (workspace.inbox / "S01").mkdir(exist_ok=True)
    form.replace(workspace.inbox / "S01" / name)
    return data


def intake(workspace: Workspace) -> list[tuple[str, str]]:
    return [(name, status) for name, status in
            query(workspace, "SELECT file_name, status FROM intake ORDER BY id")
            if name.startswith("S01/")]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("folder", ["outbox", "archive"])
def test_files_wait_out_a_full_or_read_only_folder_and_are_answered_once(
    loaded: Workspace, tmp_path: Path, folder: str, fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ws = fast(loaded, rescan_seconds=0.3)
    make_fault, words = FAULTS[fault]

    def complaints() -> list[logging.LogRecord]:
        return [r for r in caplog.records
                if r.name.startswith("sales_sheets") and r.levelno >= logging.ERROR]

    with ExitStack() as stack, caplog.at_level(logging.WARNING):
        trouble = stack.enter_context(make_fault(ws.root / folder))
        watcher = stack.enter_context(running(ws, allow_errors=True))
        # An accepted order (its contract and invoice notice to write) and, while the fault
        # lasts, a rejected one (its annotated copy to write).
        dropped = {"S01/good.xlsx": move_in(ws, tmp_path, "good.xlsx", no="SO-F1")}
        wait_until(lambda: intake(ws) == [("S01/good.xlsx", "accepted")], "the stored order")
        wait_until(lambda: len(complaints()) >= 2, "a complaint at the first try and a retry")
        dropped["S01/bad.xlsx"] = move_in(ws, tmp_path, "bad.xlsx", no="SO-F2", customer="C999")
        wait_until(lambda: any("S01/bad.xlsx" in r.getMessage() for r in complaints()),
                   "a complaint about the rejected order")
        assert intake(ws) == [("S01/good.xlsx", "accepted"), ("S01/bad.xlsx", "rejected")]
        assert watcher.thread.is_alive()
        assert watcher.results == []  # not answered while their answers cannot be written
        assert sorted(p.name for p in files(ws.claimed)) == ["bad.xlsx", "good.xlsx"]
        trouble.fix()
        watcher.wait_for(2)
        time.sleep(0.5)  # a second answer would show now
        results = {r.file: r for r in watcher.results}
        assert len(watcher.results) == 2
        assert all((ws.root / output).is_file() for r in results.values() for output in r.outputs)
        receipts = sorted(p.name.split("_", 2)[2] for p in files(ws.outbox / "receipts" / "S01"))
        archived = {p.name.split("_", 2)[2]: p.read_bytes() for p in files(ws.archive)
                    if p.parent.name == "S01"}
    assert {f: r.status for f, r in results.items()} == {"S01/good.xlsx": "accepted",
                                                         "S01/bad.xlsx": "rejected"}
    assert len(results["S01/good.xlsx"].outputs) == 3  # receipt, contract, invoice notice
    assert len(results["S01/bad.xlsx"].outputs) == 2  # receipt, annotated copy
    assert receipts == ["bad.rejected.txt", "good.accepted.txt"]
    assert archived == {"bad.xlsx": dropped["S01/bad.xlsx"], "good.xlsx": dropped["S01/good.xlsx"]}
    assert intake(ws) == [("S01/good.xlsx", "accepted"), ("S01/bad.xlsx", "rejected")]
    assert query(ws, "SELECT doc_key, version FROM documents WHERE kind = 'order'") == [
        ("SO-F1", 1)]
    assert files(ws.claimed) == [] and files(ws.inbox) == []
    messages = [r.getMessage() for r in complaints()]
    assert all(f" {folder}/" in m and words in m and "stays claimed" in m
               for m in messages), messages
    assert {m.split("; ")[1].split()[0] for m in messages} == set(dropped)
    assert all(r.exc_info is None for r in complaints())  # a sentence, not a traceback


def _small_files_only() -> None:
    # 16 KiB: a receipt or an invoice notice fits, a contract (~27 KiB) does not. Python ignores
    # SIGXFSZ, so the write fails with EFBIG instead of killing the process.
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


@pytest.mark.ledgers("postgresql")  # the ledger's own files are the server's, out of the limit
def test_process_under_a_file_size_limit_leaves_the_file_claimed_for_the_next_run(
    loaded: Workspace,
) -> None:
    drop(loaded, "order", "S01/order.xlsx", header=order_header(no="SO-F1"), lines=[LINE])
    command = [str(SCRIPT), "process", "-w", str(loaded.root)]
    limited = subprocess.run(command, capture_output=True, text=True, timeout=120,
                             preexec_fn=_small_files_only)
    assert limited.returncode == 0, limited.stderr
    assert "cannot write to outbox/contracts/C001 (disk full (file size limit reached)" in (
        limited.stderr)
    assert "S01/order.xlsx stays claimed" in limited.stderr
    assert "Traceback" not in limited.stderr
    assert intake(loaded) == [("S01/order.xlsx", "accepted")]
    assert [p.name for p in files(loaded.claimed)] == ["order.xlsx"]
    assert files(loaded.outbox / "receipts" / "S01") == []

    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("S01/order.xlsx") == 1, finished.stdout
    assert intake(loaded) == [("S01/order.xlsx", "accepted")]
    assert query(loaded, "SELECT doc_key, version FROM documents WHERE kind = 'order'") == [
        ("SO-F1", 1)]
    assert (loaded.outbox / "contracts" / "C001" / "SO-F1.docx").is_file()
    assert len(files(loaded.outbox / "receipts" / "S01")) == 1
    assert files(loaded.claimed) == [] and files(loaded.inbox) == []
