"""开票登记 under kill -9 (issue 22): invoices are serialised per customer like orders, with the
same crash guarantees. Filled 开票通知单 are dropped in bulk, some of them together too much for
their order and some reusing one invoice number on two orders; a real `sales-sheets process` is
killed with SIGKILL at random (seeded) points and restarted. Whatever the moments, every file is
answered exactly once, no order is over-invoiced, no number stands on two orders, and nothing is
half-stored."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.documents.invoice import invoice_path
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger import Ledger
from sales_sheets.workspace import Workspace, open_workspace

from .helpers.forms import drop, order_header, query

pytestmark = pytest.mark.ledgers

P001 = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}  # 25,600.00
P006 = {"product_code": "P006", "quantity": 1, "unit_price": "2000"}  # 2,000.00
TOTAL = Decimal("27600.00")  # an order of P001 and P006
RETURNED = Decimal("2000.00")  # SO-0's P006 comes back
ORDERS = 8
CUSTOMERS = ("C001", "C002")  # SO-<even> for the first, SO-<odd> for the second
PART = 10000  # three parts of an order: any two fit, the third over-invoices it
SHARED = 1000  # one number on SO-2k and SO-2k+1: one of them is a number used twice
EXIT_REJECTED = 3  # `sales-sheets process` when some file was rejected
WORKER = ("import sys; from sales_sheets.cli import main; "
          "main(['process', '-w', sys.argv[1]], prog_name='sales-sheets')")


def customer(n: int) -> str:
    return CUSTOMERS[n % 2]


def fill(source: Path, target: Path, **values: object) -> None:
    """Finance at work: the notice filled in through its defined names, saved as `target`."""
    book = openpyxl.load_workbook(source)
    for key, value in values.items():
        [(sheet, cell)] = list(book.defined_names[key].destinations)
        book[sheet][cell.replace("$", "")].value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def count(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


def wait_until_at_least(folder: Path, target: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while count(folder) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def run_and_kill(workspace: Workspace, folder: Path | None, target: int, delay: float) -> bool:
    """Run `sales-sheets process` and SIGKILL it `delay` seconds after `folder` holds `target`
    files (after its start when `folder` is None); True when it was killed."""
    process = subprocess.Popen([sys.executable, "-c", WORKER, str(workspace.root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        if folder is not None:
            wait_until_at_least(folder, target, process)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
    finally:
        _, errors = process.communicate(timeout=60)
    assert process.returncode in (0, EXIT_REJECTED, -signal.SIGKILL), errors
    return process.returncode == -signal.SIGKILL


def _store_orders(ws: Workspace) -> None:
    for n in range(ORDERS):
        drop(ws, "order", f"S01/SO-{n}.xlsx", order_header(no=f"SO-{n}", customer=customer(n)),
             [P001, P006])
    drop(ws, "return", "S01/TH-0.xlsx", {
        "return_no": "TH-0", "return_date": date(2026, 11, 4), "customer_code": "C001",
        "order_no": "SO-0", "reason": "安装取消"}, [P006])
    results = process_inbox(ws)
    assert [r.status for r in results] == ["accepted"] * (ORDERS + 1), [
        (r.document, r.problems) for r in results]


def _drop_notices(ws: Workspace) -> dict[str, str]:
    """Per order three parts of 10,000 and one shared number; returns file stem -> order."""
    dropped: dict[str, str] = {}
    for n in range(ORDERS):
        source = invoice_path(ws, customer(n), f"SO-{n}", 1)
        assert source.exists(), source
        numbers = [(f"FP-{n}-{k}", PART) for k in range(3)] + [(f"FP-S{n // 2}", SHARED)]
        for k, (number, amount) in enumerate(numbers):
            stem = f"{number}_SO-{n}_{k}"
            fill(source, ws.inbox / "FINANCE" / f"{stem}.xlsx", invoice_no=number,
                 invoiced_on=date(2026, 11, 5 + k), invoice_amount=amount)
            dropped[stem] = f"SO-{n}"
    return dropped


def test_kill_9_while_invoicing_answers_every_file_once_and_over_invoices_nothing(
    loaded: Workspace,
) -> None:
    ws = loaded
    _store_orders(ws)
    dropped = _drop_notices(ws)
    archived = count(ws.archive)
    rng = random.Random(20261207)
    # Where each round pulls the plug: at a random moment after start (importing, opening the
    # ledger or in the first files), then each time a few more files were committed and
    # archived, with a random delay on top; rounds go on while files wait, so a fast machine
    # (the command starts in a tenth of a second) gets as many kills as a slow one.
    kills: list[tuple[int, int]] = []  # invoice files archived before the round, and after
    folder: Path | None = None
    step, delay = 0, rng.uniform(0.05, 0.3)
    for _round in range(16):
        before = count(ws.archive) - archived
        if before == len(dropped):
            break
        if run_and_kill(ws, folder, archived + before + step, delay):
            kills.append((before, count(ws.archive) - archived))
        folder, step, delay = ws.archive, rng.randint(1, 3), rng.uniform(0.0, 0.01)
    assert len(kills) >= 4, kills
    # Some kill landed in the middle of the batch: files done before it, and files after it.
    assert any(0 < after < len(dropped) for _before, after in kills), kills

    # The restart finishes whatever was claimed and processes the rest (on a busy machine the
    # last round may have finished everything already: the restarts of the rounds after the
    # kill in the middle of the batch did the finishing then).
    process_inbox(open_workspace(ws.root))

    # Every file answered exactly once: nothing left, one intake row and one receipt each.
    assert [p for p in ws.inbox.rglob("*") if p.is_file()] == []
    assert list(ws.claimed.iterdir()) == []
    rows = query(ws, "SELECT file_name, status, problems, document_id, outputs, archived_as "
                     "FROM intake WHERE folder = 'FINANCE'")
    stems = [Path(name).stem for name, *_ in rows]
    assert sorted(stems) == sorted(dropped)
    receipts = [p.name for p in (ws.outbox / "receipts" / "FINANCE").glob("*.txt")]
    assert len(receipts) == len(dropped)
    for stem in dropped:
        assert len([r for r in receipts if f"_{stem}." in r]) == 1, stem
    for name, status, _problems, _document_id, outputs, archived_as in rows:
        assert f"_{Path(name).stem}.{status}.txt" in json.loads(outputs)[0], (name, outputs)
        for output in json.loads(outputs):
            assert (ws.root / output).is_file(), (name, output)
        assert (ws.root / archived_as).is_file(), name

    # What was decided: per order two parts of the three; per shared number one of the two.
    problems = Counter(tuple(p["code"] for p in json.loads(found))
                       for _name, status, found, *_ in rows if status == "rejected")
    assert problems == {("over_invoiced",): ORDERS, ("duplicate_invoice",): ORDERS // 2}
    assert Counter(status for _name, status, *_ in rows) == {
        "accepted": 2 * ORDERS + ORDERS // 2, "rejected": ORDERS + ORDERS // 2}

    # No order over-invoiced: its current invoices stay within the order less its returns.
    current = query(ws, "SELECT i.order_no, SUM(i.amount) FROM invoices i JOIN documents d "
                        "ON d.id = i.document_id WHERE d.status = 'accepted' GROUP BY i.order_no")
    for order_no, fen in current:
        allowed = TOTAL - (RETURNED if order_no == "SO-0" else 0)
        assert Decimal(fen) / 100 <= allowed, (order_no, fen)
    assert len(current) == ORDERS
    with Ledger.of(ws).reading() as books:
        by_order = books.invoiced_by_order()
    assert by_order == {order_no: Decimal(fen) / 100 for order_no, fen in current}

    # No invoice number on two orders, in any version.
    assert query(ws, "SELECT invoice_no FROM invoices GROUP BY invoice_no "
                     "HAVING COUNT(DISTINCT order_no) > 1") == []
    # Nothing half-stored: every invoices row belongs to a stored document, every invoice
    # document to the accepted intake row it was committed with, and back.
    assert query(ws, "SELECT i.invoice_no FROM invoices i LEFT JOIN documents d "
                     "ON d.id = i.document_id WHERE d.id IS NULL OR d.kind <> 'invoice'") == []
    documents = query(ws, "SELECT d.id, d.intake_claim, COUNT(i.document_id) FROM documents d "
                          "LEFT JOIN invoices i ON i.document_id = d.id "
                          "WHERE d.kind = 'invoice' GROUP BY d.id, d.intake_claim")
    claims = dict(query(ws, "SELECT claim_id, document_id FROM intake "
                            "WHERE folder = 'FINANCE' AND status = 'accepted'"))
    assert sorted(claims.values()) == sorted(document_id for document_id, *_ in documents)
    for document_id, claim, invoice_rows in documents:
        assert claims[claim] == document_id
        assert invoice_rows == 1, document_id
    assert all(status == "accepted" for status, in query(
        ws, "SELECT status FROM documents WHERE kind = 'invoice'"))
