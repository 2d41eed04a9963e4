"""The garbage collector pause around one file: off inside, back as it was after, whatever the
threads do."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from sales_sheets.intake.collector import collector_paused
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header

LINE = {"product_code": "P001", "quantity": 2, "unit_price": 12800}


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_off_inside_and_back_after_even_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still runs
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_application_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_last_thread_out_turns_it_back_on() -> None:
    gc.enable()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread is still inside its pause
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_intake_leaves_the_collector_on(loaded: Workspace) -> None:
    gc.enable()
    drop(loaded, "order", "S01/good.xlsx", order_header(no="SO-GC"), [LINE])
    (loaded.inbox / "S01" / "bad.xlsx").write_bytes(b"not a workbook")
    results = sorted(process_inbox(loaded), key=lambda r: r.file)
    assert [r.status for r in results] == ["rejected", "accepted"]
    assert gc.isenabled()
