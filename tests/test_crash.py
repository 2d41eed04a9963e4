"""Crash safety: a file is claimed by an atomic rename, stored in one transaction with its intake
row, and finished (contract or annotated copy, receipt, archive) after the commit; a restart
redoes a claim without an intake row and only finishes one with it.

The main test kills real `process_inbox` processes with SIGKILL at random points and checks that
the ledger, the inbox, the claims, the outputs and the archive end up as if nothing had happened.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sales_sheets.intake.check as check
from sales_sheets.forms.reader import read_form
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.intake.watch import watch
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace, open_workspace

from .helpers.approvals import decide
from .helpers.config import configure
from .helpers.forms import drop, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
CHEAP_LINE = {"product_code": "P003", "quantity": 1, "unit_price": "440"}  # below the list: held
MASTER_FILES = ("sp.xlsx", "pr.xlsx", "cu.xlsx")
WORKER = ("import sys; from sales_sheets.workspace import open_workspace; "
          "from sales_sheets.intake.ingest import process_inbox; "
          "process_inbox(open_workspace(sys.argv[1]))")


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def intake_rows(workspace: Workspace) -> list[dict[str, Any]]:
    columns = ("claim_id", "file_name", "folder", "sha256", "status", "document", "document_id",
               "outputs", "archived_as")
    rows = query(workspace, f"SELECT {', '.join(columns)} FROM intake ORDER BY id")
    return [dict(zip(columns, row, strict=True)) for row in rows
            if row[1] not in MASTER_FILES]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll until `condition` holds; False when `timeout` passed first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def count(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


def _drop_batch(workspace: Workspace) -> dict[str, str]:
    """60 orders, two files to reject and one exact copy; returns file -> expected status."""
    expected: dict[str, str] = {}
    for n in range(60):
        folder, customer = ("S02", "C004") if n % 3 == 0 else ("S01", "C001" if n % 2 else "C002")
        name = f"{folder}/订货单-{n:02}.xlsx"
        drop(workspace, "order", name, header=order_header(
            no=f"SO-K{n:02}", customer=customer, salesperson=folder), lines=[LINE])
        expected[name] = "accepted"
    drop(workspace, "order", "S01/unknown-customer.xlsx",
         header=order_header(no="SO-KBAD", customer="C999"), lines=[LINE])
    expected["S01/unknown-customer.xlsx"] = "rejected"
    (workspace.inbox / "S01" / "garbage.xlsx").write_bytes(random.Random(3).randbytes(9000))
    expected["S01/garbage.xlsx"] = "rejected"
    shutil.copyfile(workspace.inbox / "S01/订货单-01.xlsx", workspace.inbox / "S01/copy.xlsx")
    expected["S01/copy.xlsx"] = "accepted or duplicate"
    return expected


def _run_and_kill(workspace: Workspace, folder: Path | None, target: int, delay: float) -> bool:
    """Run `process_inbox` in a child process and SIGKILL it `delay` seconds after `folder`
    holds `target` files (after its start when `folder` is None); True when it was killed,
    False when it finished first."""
    process = subprocess.Popen([sys.executable, "-c", WORKER, str(workspace.root)],
                               stderr=subprocess.PIPE, text=True)
    try:
        if folder is not None:
            wait_until(lambda: count(folder) >= target or process.poll() is not None)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
    finally:
        _, errors = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), errors
    return process.returncode == -signal.SIGKILL


def test_kill_9_at_random_points_loses_nothing_and_stores_nothing_twice(
    loaded: Workspace,
) -> None:
    ws = loaded
    expected = _drop_batch(ws)
    originals = {name: sha256(ws.inbox / name) for name in expected}
    rng = random.Random(20261102)
    # Where each round pulls the plug: while claims are being taken, at a random moment after
    # start (importing, reading or storing), or after a few more files were committed and
    # archived; always with a random delay on top.
    plan: list[tuple[Path | None, int, float]] = [
        (ws.claimed, 1, rng.uniform(0.0, 0.05)),
        (None, 0, rng.uniform(0.3, 0.7)),
        *[(ws.archive, rng.randint(1, 3), rng.uniform(0.0, 0.01)) for _ in range(4)],
    ]
    kills: list[tuple[int, int]] = []  # files archived before the round, and after it
    for folder, step, delay in plan:
        before = count(ws.archive)
        target = step + (before if folder == ws.archive else 0)
        if _run_and_kill(ws, folder, target, delay):
            kills.append((before, count(ws.archive)))
    assert len(kills) >= 4, kills
    # At least one kill landed in the middle of committing: some files done, others not.
    assert any(start < after < len(expected) + len(MASTER_FILES) for start, after in kills), kills

    # The restart: everything is finished exactly once.
    results = process_inbox(open_workspace(ws.root))
    assert results, "the kills left no work: they came too late to test anything"
    assert files(ws.inbox) == []
    assert list(ws.claimed.iterdir()) == []

    rows = intake_rows(ws)
    assert sorted(row["file_name"] for row in rows) == sorted(expected)  # one row per file
    statuses = {row["file_name"]: row["status"] for row in rows}
    pair = sorted([statuses.pop("S01/copy.xlsx"), statuses.pop("S01/订货单-01.xlsx")])
    assert pair == ["accepted", "duplicate"]
    assert statuses == {k: v for k, v in expected.items()
                        if k not in ("S01/copy.xlsx", "S01/订货单-01.xlsx")}

    orders = query(ws, "SELECT doc_key, count(*) FROM documents WHERE kind = 'order' "
                       "GROUP BY doc_key")
    assert sorted(orders) == [(f"SO-K{n:02}", 1) for n in range(60)]
    # Every stored document belongs to the intake row that was committed with it.
    stored = query(ws, "SELECT id, intake_claim FROM documents WHERE kind = 'order'")
    by_claim = {row["claim_id"]: row for row in rows}
    for document_id, claim_id in stored:
        assert by_claim[claim_id]["document_id"] == document_id
        assert by_claim[claim_id]["status"] == "accepted"
    assert query(ws, "SELECT count(*) FROM order_lines") == [(60,)]

    for row in rows:
        for output in json.loads(row["outputs"]):
            assert (ws.root / output).is_file(), (row["file_name"], output)
        original = ws.root / row["archived_as"]
        assert original.is_file(), row
        assert sha256(original) == row["sha256"] == originals[row["file_name"]]
    assert count(ws.archive) == len(expected) + len(MASTER_FILES)


def _held_orders_and_their_approvals(workspace: Workspace) -> dict[str, str]:
    """20 orders held for their price, each request approved on a form in the inbox, and for
    four of them a second approving form; returns order number -> customer."""
    customers: dict[str, str] = {}
    for n in range(20):
        folder, customer = ("S02", "C004") if n % 4 == 0 else ("S01", "C001" if n % 2 else "C002")
        customers[f"SO-A{n:02}"] = customer
        drop(workspace, "order", f"{folder}/订货单-{n:02}.xlsx", header=order_header(
            no=f"SO-A{n:02}", customer=customer, salesperson=folder), lines=[CHEAP_LINE])
    held = process_inbox(workspace)
    assert sorted((r.document, r.status) for r in held) == [(no, "held") for no in customers]
    for n, request in enumerate(sorted((workspace.outbox / "approvals").rglob("*.xlsx"))):
        decide(workspace, request, f"M01/审批-{n:02}.xlsx", decision="同意", approver="M01",
               approved_on=date(2026, 11, 3))
        if n % 5 == 0:  # only one decision counts: the other form is refused
            decide(workspace, request, f"M02/审批-{n:02}.xlsx", decision="同意", approver="M02")
    return customers


def test_kill_9_between_approval_and_release_loses_nothing_and_releases_nothing_twice(
    loaded: Workspace,
) -> None:
    ws = loaded
    customers = _held_orders_and_their_approvals(ws)
    forms = {p.relative_to(ws.inbox).as_posix(): sha256(p) for p in files(ws.inbox)}
    assert len(forms) == 24
    archived = count(ws.archive)  # the master data and the held orders
    rng = random.Random(20261103)
    plan: list[tuple[Path | None, int, float]] = [
        (ws.claimed, 1, rng.uniform(0.0, 0.05)),
        (None, 0, rng.uniform(0.3, 0.7)),
        *[(ws.archive, rng.randint(1, 3), rng.uniform(0.0, 0.02)) for _ in range(4)],
    ]
    kills: list[tuple[int, int]] = []
    for folder, step, delay in plan:
        before = count(ws.archive)
        target = step + (before if folder == ws.archive else 0)
        if _run_and_kill(ws, folder, target, delay):
            kills.append((before - archived, count(ws.archive) - archived))
    assert len(kills) >= 4, kills
    assert any(start < after < len(forms) for start, after in kills), kills

    assert process_inbox(open_workspace(ws.root)), "the kills came too late to test anything"
    assert files(ws.inbox) == []
    assert list(ws.claimed.iterdir()) == []

    rows = [row for row in intake_rows(ws) if row["file_name"] in forms]
    assert sorted(row["file_name"] for row in rows) == sorted(forms)  # one row per form
    for no in customers:
        decided = sorted(row["status"] for row in rows if row["document"] == no)
        assert decided in (["accepted"], ["accepted", "rejected"]), (no, decided)
    orders = query(ws, "SELECT doc_key, version, status, approval IS NOT NULL FROM documents "
                       "WHERE kind = 'order' ORDER BY doc_key")
    assert orders == [(no, 1, "accepted", 1) for no in sorted(customers)]
    decisions = query(ws, "SELECT d.doc_key, count(*), min(a.decision), min(a.approver) "
                          "FROM approvals a JOIN documents d ON d.id = a.target_document_id "
                          "GROUP BY d.doc_key ORDER BY d.doc_key")
    assert [(no, n, decision) for no, n, decision, _ in decisions] == [
        (no, 1, "approve") for no in sorted(customers)]
    # The form that counted is the one whose intake row was committed with the release.
    counted = query(ws, "SELECT a.document_id, d.intake_claim FROM approvals a "
                        "JOIN documents d ON d.id = a.document_id")
    by_claim = {row["claim_id"]: row for row in rows}
    assert len(counted) == len(customers)
    for document_id, claim_id in counted:
        assert (by_claim[claim_id]["status"], by_claim[claim_id]["document_id"]) == (
            "accepted", document_id)

    for no, customer in customers.items():
        assert (ws.outbox / "contracts" / customer / f"{no}.docx").is_file(), no
    notices = sorted(p.name.split("_", 2)[2] for p in (ws.outbox / "receipts").rglob(
        "*.approved.txt"))
    assert notices == sorted(f"{no}.approved.txt" for no in customers)
    for row in rows:
        for output in json.loads(row["outputs"]):
            assert (ws.root / output).is_file(), (row["file_name"], output)
        assert sha256(ws.root / row["archived_as"]) == row["sha256"] == forms[row["file_name"]]


def _stage(tmp_path: Path, no: str, customer: str = "C001") -> Path:
    return write_form(tmp_path / "staging" / f"{no}.xlsx", KINDS["order"],
                      data=FormData(order_header(no=no, customer=customer), [LINE]))


def test_claim_without_intake_row_is_redone(loaded: Workspace, tmp_path: Path) -> None:
    # A crash between the claim and the commit leaves exactly this behind.
    claim_id = uuid.uuid4().hex
    claimed = loaded.claimed / claim_id / "S01" / "订货单.xlsx"
    claimed.parent.mkdir(parents=True)
    shutil.copyfile(_stage(tmp_path, "SO-C1"), claimed)
    digest = sha256(claimed)

    [result] = process_inbox(open_workspace(loaded.root))

    assert (result.file, result.status, result.document) == ("S01/订货单.xlsx", "accepted", "SO-C1")
    [row] = intake_rows(loaded)
    assert (row["claim_id"], row["folder"], row["sha256"]) == (claim_id, "S01", digest)
    assert query(loaded, "SELECT doc_key, intake_claim FROM documents WHERE kind = 'order'") == [
        ("SO-C1", claim_id)]
    assert list(loaded.claimed.iterdir()) == []
    assert sha256(loaded.root / row["archived_as"]) == digest
    assert (loaded.root / result.outputs[0]).is_file()


def test_empty_claim_folders_are_cleared(loaded: Workspace) -> None:
    # A crash inside claim_files() (folder made, rename not done) or archive() (file moved, folder
    # not yet removed) leaves an empty claim folder.
    (loaded.claimed / uuid.uuid4().hex / "S01").mkdir(parents=True)
    assert process_inbox(open_workspace(loaded.root)) == []
    assert list(loaded.claimed.iterdir()) == []


def _crash_after_commit(workspace: Workspace, result: IngestResult) -> tuple[dict[str, Any], Path]:
    """Put the workspace back into the state a crash right after the commit leaves: the file
    still claimed, no receipt or annotated copy, nothing archived."""
    [row] = [r for r in intake_rows(workspace) if r["file_name"] == result.file]
    archived = workspace.root / row["archived_as"]
    claimed = workspace.claimed / row["claim_id"] / row["file_name"]
    claimed.parent.mkdir(parents=True)
    os.replace(archived, claimed)
    for output in json.loads(row["outputs"]):
        (workspace.root / output).unlink()
    return row, claimed


LEDGER = ("SELECT id, kind, doc_key, version, status, sha256, intake_claim FROM documents",
          "SELECT * FROM orders", "SELECT * FROM order_lines",
          "SELECT id, claim_id, status, document_id, outputs, archived_as FROM intake")


@pytest.mark.parametrize(("customer", "status"), [("C001", "accepted"), ("C999", "rejected")])
def test_claim_with_intake_row_is_only_finished(
    loaded: Workspace, tmp_path: Path, customer: str, status: str,
) -> None:
    drop(loaded, "order", "S01/订货单.xlsx", header=order_header(no="SO-C2", customer=customer),
         lines=[LINE])
    [first] = process_inbox(loaded)
    assert first.status == status
    receipt = loaded.root / first.outputs[0]
    ledger = [query(loaded, sql) for sql in LEDGER]
    row, claimed = _crash_after_commit(loaded, first)
    assert not receipt.exists()

    [again] = process_inbox(open_workspace(loaded.root))

    assert (again.file, again.status, again.document) == (first.file, first.status,
                                                         first.document)
    assert [p.code for p in again.problems] == [p.code for p in first.problems]
    assert again.outputs == first.outputs
    assert [query(loaded, sql) for sql in LEDGER] == ledger  # nothing stored a second time
    assert receipt.is_file()
    assert all((loaded.root / output).is_file() for output in again.outputs)
    assert (loaded.root / row["archived_as"]).is_file() and not claimed.exists()
    assert list(loaded.claimed.iterdir()) == []
    assert files(loaded.inbox) == []


def test_approval_committed_before_a_crash_is_only_finished(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/订货单.xlsx", header=order_header(no="SO-C6"), lines=[CHEAP_LINE])
    [held] = process_inbox(loaded)
    [request] = [loaded.root / p for p in held.outputs if "/approvals/" in p]
    decide(loaded, request, "M01/审批.xlsx", decision="同意", approver="M01")
    [first] = process_inbox(loaded)
    assert (first.status, first.document) == ("accepted", "SO-C6")
    notice = next(loaded.root / p for p in first.outputs if p.endswith(".approved.txt"))
    text = notice.read_text(encoding="utf-8")
    contract = loaded.outbox / "contracts" / "C001" / "SO-C6.docx"
    ledger = [query(loaded, sql) for sql in (*LEDGER, "SELECT * FROM approvals")]
    _crash_after_commit(loaded, first)
    assert not notice.exists() and not contract.exists()

    [again] = process_inbox(open_workspace(loaded.root))

    assert (again.file, again.status, again.outputs) == (first.file, first.status, first.outputs)
    assert [query(loaded, sql) for sql in (*LEDGER, "SELECT * FROM approvals")] == ledger
    assert notice.read_text(encoding="utf-8") == text
    assert contract.is_file()
    assert list(loaded.claimed.iterdir()) == []


def test_receipt_rewritten_after_a_crash_is_the_same(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/订货单.xlsx", header=order_header(no="SO-C3"), lines=[LINE])
    [first] = process_inbox(loaded)
    receipt = loaded.root / first.outputs[0]
    text = receipt.read_text(encoding="utf-8")
    assert "已存入" in text
    _crash_after_commit(loaded, first)

    [again] = process_inbox(open_workspace(loaded.root))

    assert again.stored == first.stored
    assert receipt.read_text(encoding="utf-8") == text


def test_watcher_resumes_claims_at_start(loaded: Workspace, tmp_path: Path) -> None:
    ws = configure(loaded, replace=True, watch={"stable_seconds": 0.2, "rescan_seconds": 600})
    drop(ws, "order", "S01/b.xlsx", header=order_header(no="SO-C5"), lines=[LINE])
    [finished] = process_inbox(ws)  # b: committed; now pretend the crash came before archiving
    _crash_after_commit(ws, finished)
    unfinished = ws.claimed / uuid.uuid4().hex / "S01" / "a.xlsx"  # and a: before the commit
    unfinished.parent.mkdir(parents=True)
    shutil.copyfile(_stage(tmp_path, "SO-C4"), unfinished)

    results: list[IngestResult] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(ws, stop, results.append), daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: len(results) >= 2, timeout=10), results
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted((r.file, r.status) for r in results) == [("S01/a.xlsx", "accepted"),
                                                          ("S01/b.xlsx", "accepted")]
    assert sorted(query(ws, "SELECT doc_key FROM documents WHERE kind = 'order'")) == [
        ("SO-C4",), ("SO-C5",)]
    assert list(ws.claimed.iterdir()) == []
    assert len(intake_rows(ws)) == 2


def test_resuming_claims_while_another_process_finishes_them_strands_nothing(
    loaded: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = loaded
    # Two claims in flight in another process (a watcher), and one new file in the inbox.
    theirs = []
    for n, no in enumerate(["SO-T1", "SO-T2"]):
        path = ws.claimed / uuid.uuid4().hex / "S02" / f"{no}.xlsx"
        path.parent.mkdir(parents=True)
        shutil.copyfile(_stage(tmp_path, no, customer="C004"), path)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # pending_claims() takes oldest first
        theirs.append(path)
    drop(ws, "order", "S01/mine.xlsx", header=order_header(no="SO-MINE"), lines=[LINE])

    # The interleaving, made deterministic: while this run reads the first claim, the owner
    # finishes the second one and archives it.
    real_read = read_form  # what check imported

    def read_while_the_owner_finishes(path: Path, *args: Any, **kwargs: Any) -> Any:
        if theirs[1].exists():
            done = ws.archive / "elsewhere" / theirs[1].name
            done.parent.mkdir(parents=True)
            os.replace(theirs[1], done)
            shutil.rmtree(theirs[1].parent.parent)
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(check, "read_form", read_while_the_owner_finishes)
    results = process_inbox(ws)

    assert sorted((r.file, r.status) for r in results) == [("S01/mine.xlsx", "accepted"),
                                                          ("S02/SO-T1.xlsx", "accepted")]
    assert list(ws.claimed.iterdir()) == []
