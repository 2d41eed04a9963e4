"""The watcher against a real folder: real files, real events, short settings, bounded waits.

Every test starts `watch()` in a thread and polls for the expected state with a deadline; the
only fixed sleeps are shorter than a second and exist to let time pass *without* something
happening (a temp file that must stay unread, a writer pausing mid-file).
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy.exc import OperationalError
from watchdog.observers.polling import PollingObserverVFS

import sales_sheets.intake.watch
from sales_sheets.forms.periods import parse_period
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.watch import Readiness
from sales_sheets.kinds import KINDS
from sales_sheets.ledger import Books
from sales_sheets.reports.summary import report_path
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header, query
from .helpers.watching import fast, running, wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
# Five different products: a form whose lines are all there is told apart from a half-read one.
FIVE_LINES = [{"product_code": code, "quantity": 1, "unit_price": price} for code, price in
              [("P001", "12800"), ("P002", "8650"), ("P003", "460"), ("P004", "185.50"),
               ("P005", "520")]]
MASTER_FILES = ("sp.xlsx", "pr.xlsx", "cu.xlsx")


# -- helpers --------------------------------------------------------------------------------


def stage(tmp_path: Path, name: str, no: str, lines: list[dict[str, Any]] | None = None,
          **header: Any) -> Path:
    """A filled order form written outside the inbox, to be moved or copied in."""
    return write_form(tmp_path / "staging" / name, KINDS["order"],
                      data=FormData(order_header(no=no, **header), lines or [LINE]))


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def submissions(workspace: Workspace) -> list[tuple[str, str]]:
    """(file name, status) of every intake row except the fixture's master data."""
    rows = query(workspace, "SELECT file_name, status FROM intake ORDER BY id")
    return [(name, status) for name, status in rows if name not in MASTER_FILES]


def order_keys(workspace: Workspace) -> list[str]:
    return [key for (key,) in query(
        workspace, "SELECT doc_key FROM documents WHERE kind = 'order' ORDER BY id")]


def copy_in(source: Path, workspace: Workspace, name: str) -> Path:
    target = workspace.inbox / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


MODES = [pytest.param(False, id="native"), pytest.param(True, id="polling")]

# watchdog 7.1's inotify emitter warns "Callback with id ... already exists for watch ... It
# will be Overwritten." when a directory appears while it is registering watches (its start-up
# walk, or `mkdir -p` racing the walk of a new parent; see watchdog PR #1278). It is harmless,
# but pytest's warnings-as-errors would turn it into an exception that kills the emitter thread.
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


# -- a file in, an outcome out ---------------------------------------------------------------


@pytest.mark.parametrize("polling", MODES)
def test_dropped_file_is_processed(loaded: Workspace, polling: bool) -> None:
    ws = fast(loaded)
    drop(ws, "order", "S01/before.xlsx", header=order_header(no="SO-W0"), lines=[LINE])
    with running(ws, polling=polling) as watcher:
        [first] = watcher.wait_for(1)  # found by the start-up scan
        assert (first.file, first.status) == ("S01/before.xlsx", "accepted")
        drop(ws, "order", "S01/订货单.xlsx", header=order_header(no="SO-W1"), lines=[LINE])
        started = time.monotonic()
        second = watcher.wait_for(2)[1]
        latency = time.monotonic() - started
    assert (second.file, second.status, second.document) == ("S01/订货单.xlsx", "accepted",
                                                             "SO-W1")
    assert latency < 5, latency
    receipt = ws.root / second.outputs[0]
    assert receipt.parent == ws.outbox / "receipts" / "S01" and receipt.name.endswith(
        "_订货单.accepted.txt")
    assert "SO-W1" in receipt.read_text(encoding="utf-8")
    assert all((ws.root / output).is_file() for output in second.outputs)
    assert [o for o in second.outputs if o.startswith("outbox/contracts/")
            and o.endswith(".docx")], second.outputs  # an accepted order gets its contract
    assert order_keys(ws) == ["SO-W0", "SO-W1"]
    assert submissions(ws) == [("S01/before.xlsx", "accepted"), ("S01/订货单.xlsx", "accepted")]
    assert files(ws.inbox) == []
    assert sorted(p.name.split("_", 2)[2] for p in files(ws.archive)
                  if p.parent.name == "S01") == ["before.xlsx", "订货单.xlsx"]


@pytest.mark.parametrize("polling", [
    pytest.param(False, id="native"),
    pytest.param(True, id="polling"),
])
def test_each_dropped_file_is_found_by_events(loaded: Workspace, polling: bool) -> None:
    # No periodic rescan within the test: after start-up only change events can find a file.
    ws = fast(loaded, rescan_seconds=600)
    # The morning routine, a few times over: the watcher starts with a file waiting, then a
    # new one arrives.
    for cycle in range(4 if polling else 2):  # polling: each cycle hits the bug ~90% of runs
        drop(ws, "order", f"S01/waiting-{cycle}.xlsx", header=order_header(no=f"SO-A{cycle}"),
             lines=[LINE])
        with running(ws, polling=polling) as watcher:
            watcher.wait_for(1)
            drop(ws, "order", f"S01/new-{cycle}.xlsx", header=order_header(no=f"SO-N{cycle}"),
                 lines=[LINE])
            watcher.wait_for(2, timeout=3)
        assert watcher.by_file() == {f"S01/waiting-{cycle}.xlsx": "accepted",
                                     f"S01/new-{cycle}.xlsx": "accepted"}


@pytest.mark.parametrize("polling", MODES)
def test_excel_style_save_is_processed_once_and_temp_files_are_ignored(
    loaded: Workspace, tmp_path: Path, polling: bool,
) -> None:
    ws = fast(loaded, rescan_seconds=0.3)
    folder = ws.inbox / "S01"
    folder.mkdir()
    content = stage(tmp_path, "save.xlsx", "SO-X1").read_bytes()
    # Look-alikes that hold complete, valid orders: they would be accepted if they were read.
    owner = folder / "~$订货单.xlsx"
    owner.write_bytes(b"\x06zhangwei" + b" " * 48 + b"\x00" * 108)
    others = {
        folder / ".订货单.xlsx": stage(tmp_path, "hidden.xlsx", "SO-X2").read_bytes(),
        folder / "订货单.tmp": stage(tmp_path, "tmp.xlsx", "SO-X3").read_bytes(),
        folder / "订货单.xlsx~": stage(tmp_path, "backup.xlsx", "SO-X4").read_bytes(),
        ws.inbox / ".hidden" / "订货单.xlsx": stage(tmp_path, "hdir.xlsx", "SO-X5").read_bytes(),
    }
    with running(ws, polling=polling) as watcher:
        for path, data in others.items():
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        # Excel writes the whole workbook to an extension-less temp name, then renames it.
        temp = folder / "A3F2C1D0"
        with temp.open("wb") as handle:
            handle.write(content[: len(content) // 2])
            handle.flush()
            time.sleep(0.1)
            handle.write(content[len(content) // 2:])
        # Longer than stable_seconds and a rescan: the temp name is complete and still unread.
        time.sleep(0.6)
        assert watcher.results == []
        os.replace(temp, folder / "订货单.xlsx")  # fails if the watcher had claimed the temp
        [result] = watcher.wait_for(1)
        time.sleep(0.6)  # rescans and stability windows more: nothing else is taken
    assert (result.file, result.status, result.document) == ("S01/订货单.xlsx", "accepted",
                                                            "SO-X1")
    assert len(watcher.results) == 1
    assert submissions(ws) == [("S01/订货单.xlsx", "accepted")]
    assert order_keys(ws) == ["SO-X1"]
    assert owner.read_bytes().startswith(b"\x06zhangwei")
    for path, data in others.items():
        assert path.read_bytes() == data
    assert not temp.exists()


def _csv_order(tmp_path: Path, no: str) -> bytes:
    """An order exported as CSV (read by its labels): a half-written one is a valid shorter form."""
    book = CalamineWorkbook.from_path(str(stage(tmp_path, f"{no}.xlsx", no, FIVE_LINES)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(book.get_sheet_by_index(0).to_python())
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize("polling", MODES)
@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_slowly_written_file_is_never_read_half_way(
    loaded: Workspace, tmp_path: Path, polling: bool, suffix: str,
) -> None:
    ws = fast(loaded, stable_seconds=0.8, rescan_seconds=0.3)
    if suffix == "csv":
        content = _csv_order(tmp_path, "SO-SLOW")
    else:
        content = stage(tmp_path, "slow.xlsx", "SO-SLOW", FIVE_LINES).read_bytes()
    target = ws.inbox / "S01" / f"slow.{suffix}"
    target.parent.mkdir()
    with running(ws, polling=polling) as watcher:
        # Pauses longer than a watcher tick (0.05 s) and a poll, shorter than stable_seconds.
        _write_slowly(target, content, pause=0.2, check=lambda: watcher.results == [])
        [result] = watcher.wait_for(1)
    assert (result.file, result.status, result.document) == (f"S01/slow.{suffix}", "accepted",
                                                            "SO-SLOW"), result.problems
    assert _line_count(ws, "SO-SLOW") == 5


def _write_slowly(target: Path, content: bytes, pause: float, check: Callable[[], bool],
                  chunks: int = 4) -> None:
    """Write `content` in `chunks` pieces through one open handle, pausing after each; `check`
    must hold at every pause (nothing has read the file yet)."""
    size = -(-len(content) // chunks)
    with target.open("wb") as handle:
        for start in range(0, len(content), size):
            handle.write(content[start:start + size])
            handle.flush()
            if start + size < len(content):
                time.sleep(pause)
                assert check(), "read while still being written"


def _line_count(workspace: Workspace, order_no: str) -> int:
    [(count,)] = query(workspace, "SELECT count(*) FROM order_lines l JOIN documents d"
                                  " ON d.id = l.document_id WHERE d.doc_key = ?", order_no)
    return int(count)


def _with_inode(st: os.stat_result, inode: int) -> os.stat_result:
    fields = list(st)
    fields[1] = inode
    times = {name: getattr(st, name) for name in (
        "st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns")}
    return os.stat_result(fields, times)


def test_polling_never_reads_half_way_a_file_that_reused_an_inode(
    loaded: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = fast(loaded, stable_seconds=0.8, rescan_seconds=600, poll_interval=0.2)
    folder = ws.inbox / "S01"
    folder.mkdir()
    # Excel's save temp, deleted when the save completes. ext4 gives a just-freed inode to the
    # next file created in the same folder (on this machine: every time), so the polling
    # observer sees temp -> slow.csv as a move. Made certain on any file system: its stat
    # reports the slow file under the temp file's inode.
    temp = folder / "A3F2C1D0"
    temp.write_bytes(b"PK")
    freed = temp.stat().st_ino
    target = folder / "slow.csv"

    def stat(path: str) -> os.stat_result:
        st = os.stat(path)
        return _with_inode(st, freed) if path == str(target) else st

    def observer(timeout: float) -> PollingObserverVFS:
        return PollingObserverVFS(stat, os.scandir, polling_interval=timeout)

    monkeypatch.setattr(sales_sheets.intake.watch, "PollingObserver", observer)
    content = _csv_order(tmp_path, "SO-INODE")
    with running(ws, polling=True) as watcher:
        time.sleep(0.3)  # the observer's first snapshot holds the temp file
        temp.unlink()
        # Pauses longer than a poll and a watcher tick, shorter than stable_seconds.
        _write_slowly(target, content, pause=0.3, check=lambda: watcher.results == [], chunks=3)
        [result] = watcher.wait_for(1)
    assert (result.status, result.document) == ("accepted", "SO-INODE"), result.problems
    assert _line_count(ws, "SO-INODE") == 5


def test_sub_folders_are_watched_including_new_ones(loaded: Workspace, tmp_path: Path) -> None:
    ws = fast(loaded, rescan_seconds=600)  # only events can find files after start-up
    drop(ws, "order", "S01/a.xlsx", header=order_header(no="SO-F1"), lines=[LINE])
    s02 = stage(tmp_path, "b.xlsx", "SO-F2", customer="C004", salesperson="S02")
    s03 = stage(tmp_path, "c.xlsx", "SO-F3", customer="C005", salesperson="S03")
    with running(ws) as watcher:
        watcher.wait_for(1)
        # A folder created after start, a file copied in at once.
        (ws.inbox / "S02").mkdir()
        copy_in(s02, ws, "S02/b.xlsx")
        # A nested tree created in one go, its file written right after the directories.
        (ws.inbox / "S03" / "2026-11").mkdir(parents=True)
        copy_in(s03, ws, "S03/2026-11/c.xlsx")
        watcher.wait_for(3)
    assert watcher.by_file() == {"S01/a.xlsx": "accepted", "S02/b.xlsx": "accepted",
                                 "S03/2026-11/c.xlsx": "accepted"}
    assert sorted(query(ws, "SELECT doc_key, folder FROM documents WHERE kind = 'order'")) == [
        ("SO-F1", "S01"), ("SO-F2", "S02"), ("SO-F3", "S03")]
    assert files(ws.inbox) == []
    assert sorted(p.parent.name for p in files(ws.archive) if p.name.endswith(
        ("a.xlsx", "b.xlsx", "c.xlsx"))) == ["S01", "S02", "S03"]


def test_rescan_finds_files_whose_events_were_lost(loaded: Workspace, tmp_path: Path) -> None:
    # A polling observer that never polls: no event ever arrives, as after a queue overflow.
    ws = fast(loaded, poll_interval=3600, rescan_seconds=0.5)
    drop(ws, "order", "S01/before.xlsx", header=order_header(no="SO-R1"), lines=[LINE])
    later = stage(tmp_path, "later.xlsx", "SO-R2")
    with running(ws, polling=True) as watcher:
        [first] = watcher.wait_for(1)  # the start-up scan
        copy_in(later, ws, "S01/later.xlsx")
        second = watcher.wait_for(2, timeout=5)[1]
    assert (first.file, first.status) == ("S01/before.xlsx", "accepted")
    assert (second.file, second.status) == ("S01/later.xlsx", "accepted")
    assert order_keys(ws) == ["SO-R1", "SO-R2"]


def test_burst_of_200_files_each_accepted_exactly_once(loaded: Workspace, tmp_path: Path) -> None:
    ws = fast(loaded)
    count = 200
    staged = [stage(tmp_path, f"{n:03}.xlsx", f"SO-B{n:03}") for n in range(count)]
    (ws.inbox / "S01").mkdir()
    with running(ws) as watcher:
        for n, path in enumerate(staged):
            copy_in(path, ws, f"S01/burst-{n:03}.xlsx")
        watcher.wait_for(count, timeout=90)  # ~10 s when the machine is idle
        time.sleep(0.3)  # anything processed twice would show up now
    assert len(watcher.results) == count
    assert {r.status for r in watcher.results} == {"accepted"}
    assert sorted(r.file for r in watcher.results) == [f"S01/burst-{n:03}.xlsx"
                                                       for n in range(count)]
    keys = order_keys(ws)
    assert len(keys) == count and sorted(keys) == [f"SO-B{n:03}" for n in range(count)]
    intake = submissions(ws)
    assert len(intake) == count and {status for _, status in intake} == {"accepted"}
    assert len({name for name, _ in intake}) == count
    assert files(ws.inbox) == []
    assert not any(ws.claimed.iterdir())
    assert len([p for p in files(ws.archive) if "burst-" in p.name]) == count
    assert len(files(ws.outbox / "receipts" / "S01")) == count


def test_a_burst_is_claimed_a_batch_at_a_time(loaded: Workspace) -> None:
    """Files ready at once are claimed ten at a time, each batch processed before the next is
    taken: the rest stays in the inbox, where another watcher on it takes its share."""
    ws = fast(loaded)
    for n in range(25):  # there before the watcher starts: its first scan finds all at once
        drop(ws, "order", f"S01/{n:02}.xlsx", header=order_header(no=f"SO-C{n:02}"),
             lines=[LINE])
    waiting: list[int] = []  # files still in the inbox as each result arrives
    stop = threading.Event()

    def seen(_result: object) -> None:
        waiting.append(len(list((ws.inbox / "S01").iterdir())))
        if len(waiting) == 25:
            stop.set()

    thread = threading.Thread(target=sales_sheets.intake.watch.watch, args=(ws, stop, seen))
    thread.start()
    thread.join(timeout=60)
    stop.set()
    assert not thread.is_alive()
    assert waiting == [15] * 10 + [5] * 10 + [0] * 5
    assert len(order_keys(ws)) == 25


def test_bad_file_is_rejected_and_the_watcher_carries_on(loaded: Workspace,
                                                         tmp_path: Path) -> None:
    ws = fast(loaded, stable_seconds=0.1)  # a non-zip .xlsx is given up on after 20 windows
    good = [stage(tmp_path, f"g{n}.xlsx", f"SO-G{n}") for n in range(10)]
    bad = tmp_path / "staging" / "bad.xlsx"
    bad.write_bytes(random.Random(7).randbytes(20_000))
    (ws.inbox / "S01").mkdir()
    with running(ws) as watcher:
        for n, path in enumerate(good[:5]):
            copy_in(path, ws, f"S01/g{n}.xlsx")
        copy_in(bad, ws, "S01/bad.xlsx")
        for n, path in enumerate(good[5:], start=5):
            copy_in(path, ws, f"S01/g{n}.xlsx")
        watcher.wait_for(11)
        assert watcher.thread.is_alive()
        drop(ws, "order", "S01/after.xlsx", header=order_header(no="SO-AFTER"), lines=[LINE])
        watcher.wait_for(12)
    statuses = watcher.by_file()
    assert statuses.pop("S01/bad.xlsx") == "rejected"
    assert statuses == {**{f"S01/g{n}.xlsx": "accepted" for n in range(10)},
                        "S01/after.xlsx": "accepted"}
    [rejected] = [r for r in watcher.results if r.status == "rejected"]
    assert rejected.problems and "internal_error" not in [p.code for p in rejected.problems]
    assert all((ws.root / output).is_file() for output in rejected.outputs)
    assert len(rejected.outputs) == 2  # the receipt and the annotated problem list
    assert sorted(order_keys(ws)) == sorted([f"SO-G{n}" for n in range(10)] + ["SO-AFTER"])
    assert files(ws.inbox) == []


@pytest.mark.ledgers
def test_same_content_twice_is_a_duplicate(loaded: Workspace, tmp_path: Path) -> None:
    ws = fast(loaded)
    source = stage(tmp_path, "dup.xlsx", "SO-D1")
    ledger = ("SELECT id, kind, doc_key, version, status, sha256 FROM documents ORDER BY id",
              "SELECT * FROM orders ORDER BY document_id",
              "SELECT * FROM order_lines ORDER BY id")
    (ws.inbox / "S01").mkdir()
    with running(ws) as watcher:
        copy_in(source, ws, "S01/订货单.xlsx")
        [first] = watcher.wait_for(1)
        before = [query(ws, sql) for sql in ledger]
        copy_in(source, ws, "S01/订货单(1).xlsx")
        second = watcher.wait_for(2)[1]
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert second.document == "SO-D1"
    assert [query(ws, sql) for sql in ledger] == before
    assert submissions(ws) == [("S01/订货单.xlsx", "accepted"), ("S01/订货单(1).xlsx", "duplicate")]
    assert (ws.root / second.outputs[0]).name.endswith(".duplicate.txt")
    assert (ws.root / second.outputs[0]).is_file()
    assert files(ws.inbox) == []


@pytest.mark.ledgers
def test_claims_left_by_a_ledger_outage_are_retried_while_running(
    loaded: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = fast(loaded, rescan_seconds=0.3)
    real = Books.record_intake  # what ingest calls, in each file's unit of work
    failures = [OperationalError("INSERT INTO intake", {}, Exception("database is locked"))]

    def flaky(books: Books, row: dict[str, Any]) -> None:
        if failures:
            raise failures.pop()
        real(books, row)

    monkeypatch.setattr(Books, "record_intake", flaky)
    (ws.inbox / "S01").mkdir()
    with running(ws, allow_errors=True) as watcher:
        drop(ws, "order", "S01/x.xlsx", header=order_header(no="SO-L1"), lines=[LINE])
        wait_until(lambda: not failures, "the outage")
        # The outage is over; the file should be taken up again within a few rescans.
        wait_until(lambda: len(watcher.results) >= 1, "the retried file", timeout=2)
    assert [(r.file, r.status) for r in watcher.results] == [("S01/x.xlsx", "accepted")]
    assert not any(ws.claimed.iterdir())


# -- Readiness, with an explicit clock --------------------------------------------------------


@pytest.fixture
def workbook_bytes(tmp_path: Path) -> bytes:
    return stage(tmp_path, "r.xlsx", "SO-READY").read_bytes()


def test_readiness_waits_for_a_quiet_window(tmp_path: Path, workbook_bytes: bytes) -> None:
    path = tmp_path / "inbox" / "S01" / "o.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(workbook_bytes)
    readiness = Readiness(tmp_path / "inbox", stable_seconds=1.0)
    readiness.note(path, 100.0)
    assert readiness.ready(100.0) == []
    assert readiness.ready(100.5) == []
    assert readiness.ready(100.99) == []
    assert readiness.ready(101.0) == [path]
    assert readiness.ready(105.0) == []  # handed over once
    readiness.note(path, 106.0)  # a later hint starts tracking it afresh
    assert readiness.ready(106.0) == []
    assert readiness.ready(107.0) == [path]


def test_readiness_restarts_the_window_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "inbox" / "o.csv"
    path.parent.mkdir()
    path.write_text("订货单\n订单号*,SO-1\n", encoding="utf-8")
    readiness = Readiness(tmp_path / "inbox", stable_seconds=1.0)
    readiness.note(path, 0.0, closed=False)
    assert readiness.ready(0.0) == []
    assert readiness.ready(0.75) == []
    with path.open("a", encoding="utf-8") as handle:
        handle.write("客户编码*,C001\n")
    readiness.note(path, 1.0, closed=False)
    assert readiness.ready(1.0) == []
    assert readiness.ready(1.5) == []  # quiet for 1.5 s since the first look, not since the write
    assert readiness.ready(2.0) == [path]


def test_readiness_takes_a_closed_file_at_once(tmp_path: Path, workbook_bytes: bytes) -> None:
    path = tmp_path / "inbox" / "o.xlsx"
    path.parent.mkdir()
    path.write_bytes(workbook_bytes)
    readiness = Readiness(tmp_path / "inbox", stable_seconds=1.0)
    readiness.note(path, 0.0, closed=True)
    assert readiness.ready(0.0) == [path]
    # A write after the close (the writer opened it again) means waiting again.
    readiness.note(path, 1.0, closed=True)
    readiness.note(path, 1.0, closed=False)
    assert readiness.ready(1.0) == []
    assert readiness.ready(2.0) == [path]


def test_readiness_holds_a_truncated_zip_until_it_gives_up(
    tmp_path: Path, workbook_bytes: bytes,
) -> None:
    path = tmp_path / "inbox" / "o.xlsx"
    path.parent.mkdir()
    path.write_bytes(workbook_bytes[: len(workbook_bytes) // 2])
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path)
    readiness = Readiness(tmp_path / "inbox", stable_seconds=0.5)
    readiness.note(path, 0.0, closed=True)
    assert readiness.ready(0.0) == []
    assert readiness.ready(5.0) == []
    assert readiness.ready(9.99) == []
    assert readiness.ready(10.0) == [path]  # 20 windows: rejected with a receipt, not waited on


def test_readiness_takes_a_zip_once_it_is_complete(tmp_path: Path, workbook_bytes: bytes) -> None:
    path = tmp_path / "inbox" / "o.xlsx"
    path.parent.mkdir()
    half = len(workbook_bytes) // 2
    path.write_bytes(workbook_bytes[:half])
    readiness = Readiness(tmp_path / "inbox", stable_seconds=0.5)
    readiness.note(path, 0.0, closed=True)
    assert readiness.ready(0.0) == []
    with path.open("ab") as handle:
        handle.write(workbook_bytes[half:])
    readiness.note(path, 0.1, closed=True)
    assert readiness.ready(0.1) == [path]


def test_readiness_ignores_temp_owner_hidden_and_outside_files(tmp_path: Path,
                                                               workbook_bytes: bytes) -> None:
    inbox = tmp_path / "inbox"
    names = ["~$订货单.xlsx", "S01/A3F2C1D0", ".订货单.xlsx", "S01/订货单.tmp",
             "S01/订货单.xlsx~", ".hidden/订货单.xlsx", "~tmp/订货单.xlsx"]
    paths = [inbox / name for name in names] + [tmp_path / "elsewhere.xlsx"]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(workbook_bytes)
    readiness = Readiness(inbox, stable_seconds=0.5)
    for path in paths:
        readiness.note(path, 0.0, closed=True)
    assert readiness.ready(0.0) == [] and readiness.ready(100.0) == []


def test_readiness_forgets_a_file_that_went_away(tmp_path: Path, workbook_bytes: bytes) -> None:
    path = tmp_path / "inbox" / "o.xlsx"
    path.parent.mkdir()
    path.write_bytes(workbook_bytes)
    readiness = Readiness(tmp_path / "inbox", stable_seconds=0.5)
    readiness.note(path, 0.0)
    assert readiness.ready(0.0) == []
    path.unlink()
    assert readiness.ready(1.0) == []
    path.write_bytes(workbook_bytes)  # the same name again is only taken after a new hint
    assert readiness.ready(2.0) == []


def test_the_month_report_is_refreshed_once_after_a_burst(loaded: Workspace) -> None:
    ws = fast(loaded, report_seconds=0.5)
    (ws.inbox / "S01").mkdir()
    month = parse_period(f"{date.today():%Y-%m}")
    report = report_path(ws, month)
    with running(ws) as watcher:
        for n in range(5):
            drop(ws, "order", f"S01/o{n}.xlsx", header=order_header(no=f"SO-R{n}"),
                 lines=[LINE])
        wait_until(lambda: len(watcher.results) == 5, "five accepted orders")
        assert not report.exists()  # debounced: nothing while the burst lasts
        wait_until(report.exists, "the month's summary workbook", timeout=10)
        written = report.stat().st_mtime_ns
        time.sleep(1.0)
        assert report.stat().st_mtime_ns == written  # once, not once per file
