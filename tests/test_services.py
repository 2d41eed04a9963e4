"""Services are passed in, not found: each workspace's engine and PDF worker are its own, the
clock it is given is the one the intake stamps with, and the library changes nothing
process-wide (the watcher does, for as long as it runs)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper

from sales_sheets.documents.pdf import pdf_worker, request_pdf
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.database import ledger_of
from sales_sheets.services import Services
from sales_sheets.workspace import Workspace, init_workspace, open_workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header, query
from .helpers.watching import fast, running, wait_until

LINE = {"product_code": "P001", "quantity": 2, "unit_price": 12800}


class _Pdfs:
    """A PDF worker double: records what it is asked for."""

    def __init__(self) -> None:
        self.requested: list[Path] = []
        self.closed = False

    def request(self, docx: Path) -> None:
        self.requested.append(docx)

    def wait(self, timeout: float) -> list[Path]:
        return []

    def close(self, timeout: float) -> list[Path]:
        self.closed = True
        return []


@pytest.fixture
def process_state() -> Iterator[tuple[bool, tuple[int, int, int], float]]:
    """The collector's switch and thresholds and watchdog's pairing delay, put back after."""
    before = gc.isenabled(), gc.get_threshold(), InotifyMoveEventGrouper.delay
    yield before
    (gc.enable if before[0] else gc.disable)()
    gc.set_threshold(*before[1])
    InotifyMoveEventGrouper.delay = before[2]


def test_two_workspaces_in_one_process_share_no_engine_and_no_pdf_worker(tmp_path: Path) -> None:
    first, second = init_workspace(tmp_path / "a"), init_workspace(tmp_path / "b")
    again = open_workspace(first.root)  # the same folder, opened by another part of a program
    with first.services, second.services, again.services:
        engines = {id(ledger_of(w)) for w in (first, second, again)}
        assert len(engines) == 3
        assert ledger_of(first) is ledger_of(first)  # opened once, then handed down
        with pdf_worker(first) as one, pdf_worker(second) as other:
            assert one is not other
            with pdf_worker(first) as inner:  # an inner block uses the outer one's
                assert inner is one
        assert first.services.pdf is None and second.services.pdf is None
    assert first.services.engine is None  # closing the services disposed of the engine


def test_a_pdf_worker_passed_in_is_used_and_left_to_its_owner(
    workspace: Workspace, tmp_path: Path
) -> None:
    pdfs = _Pdfs()
    configure(workspace, documents={"pdf": True})
    ws = open_workspace(workspace.root, Services(pdf=pdfs))
    docx = tmp_path / "letter.docx"
    request_pdf(ws, docx)
    with pdf_worker(ws) as worker:
        assert worker is pdfs
    assert pdfs.requested == [docx] and not pdfs.closed
    assert ws.services.pdf is pdfs


def test_the_intake_stamps_with_the_clock_it_is_given(loaded: Workspace) -> None:
    moment = datetime(2031, 2, 3, 4, 5, 6, 789)
    ws = open_workspace(loaded.root, Services(clock=lambda: moment))
    drop(ws, "order", "S01/o.xlsx", order_header(no="SO-CLOCK"), [LINE])
    (result,) = process_inbox(ws)
    assert result.status == "accepted", result.problems
    assert [str(at)[:19] for (at,) in query(ws, "SELECT processed_at FROM intake "
                                           "WHERE document = 'SO-CLOCK'")] == [
        "2031-02-03 04:05:06"]
    assert any(p.startswith("archive/") and "20310203-040506" in p
               for (p,) in query(ws, "SELECT archived_as FROM intake"))
    ws.services.close()


def test_process_inbox_changes_nothing_process_wide(
    loaded: Workspace, process_state: tuple[bool, tuple[int, int, int], float]
) -> None:
    gc.enable()
    gc.set_threshold(1234, 11, 12)
    InotifyMoveEventGrouper.delay = 0.25
    collector_on: list[bool] = []

    def seen(*_args: Any) -> None:
        collector_on.append(gc.isenabled())

    event.listen(ledger_of(loaded), "before_cursor_execute", seen)
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-GC"), [LINE])
    assert [r.status for r in process_inbox(loaded)] == ["accepted"]
    assert collector_on and all(collector_on)  # on while the file was stored, too
    assert gc.isenabled() and gc.get_threshold() == (1234, 11, 12)
    assert InotifyMoveEventGrouper.delay == 0.25


def test_the_watcher_shortens_move_pairing_while_it_runs_and_puts_it_back(
    loaded: Workspace, process_state: tuple[bool, tuple[int, int, int], float]
) -> None:
    InotifyMoveEventGrouper.delay = 0.25
    ws = fast(loaded)
    with running(ws):
        wait_until(lambda: InotifyMoveEventGrouper.delay == 0.02, "the delay shortened")
    assert InotifyMoveEventGrouper.delay == 0.25
    assert gc.isenabled()
