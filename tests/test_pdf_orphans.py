"""No PDF converter outlives its run: real `sales-sheets process` runs killed, real unoserver and
LibreOffice processes counted afterwards.

Each test gives its converters a temporary folder of their own (TMPDIR for a run started here,
`tempfile.tempdir` in this process), and counts a converter's processes by its folder, which each
of them names on its command line, and by the pids found so before the kill: never by name across
the machine, where other tests may run LibreOffice at the same time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sales_sheets.documents.libreoffice import (
    SCRATCH_PREFIX,
    UnoServer,
    end_stale_converters,
    processes_naming,
)
from sales_sheets.documents.pdf import PdfWorker, pdf_worker
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header
from .helpers.pdfs import P001, START, is_pdf, letter, needs_libreoffice, soffice, uno
from .helpers.watching import wait_until

pytestmark = needs_libreoffice

GONE = 5.0  # "within a few seconds", on a busy machine
# unoserver's Python, oosplash and soffice.bin (LibreOffice's launcher starts soffice.bin anew
# once when the profile is new, so soffice.bin is waited for by name, not counted by pid)
TREE = 3

# A run that starts a converter in a folder of `sys.argv[1]`, says so, and waits to be killed.
OWNER = """
import sys, tempfile, time
tempfile.tempdir = sys.argv[1]
from sales_sheets.documents.libreoffice import UnoServer, find_soffice, find_uno_python
soffice = find_soffice()
server = UnoServer(soffice, find_uno_python(soffice))
print(server.scratch.name, server.pid, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """Whether `pid` still runs: a zombie (ended, not yet reaped by whoever adopted it) does
    not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the system
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


def converters(folder: Path) -> list[Path]:
    return sorted(folder.glob(SCRATCH_PREFIX + "*"))


def tree_up(scratch: Path) -> bool:
    """The converter's server, oosplash and soffice.bin all run."""
    pids = processes_naming(scratch.name)
    if not Path("/proc").is_dir():
        return len(pids) >= TREE
    names = set()
    for pid in pids:
        with contextlib.suppress(OSError):  # the first soffice.bin ends soon: it restarts
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
    return len(pids) >= TREE and "soffice.bin" in names


def all_gone(pids: list[int], scratch: Path) -> bool:
    return not any(map(running, pids)) and not processes_naming(scratch.name)


@pytest.mark.parametrize("ending", ["SIGKILL", "SIGTERM"])
def test_a_run_killed_while_its_converter_runs_leaves_none_of_it(
    loaded: Workspace, tmp_path: Path, ending: str
) -> None:
    workspace = configure(loaded, documents={"pdf": True})
    drop(workspace, "order", "S01/o1.xlsx", order_header(no="SO-1"), [P001])
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    run = subprocess.Popen(
        [sys.executable, "-m", "sales_sheets", "process", "-w", str(workspace.root)],
        env={**os.environ, "TMPDIR": str(own_tmp)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: len(converters(own_tmp)) == 1 and tree_up(converters(own_tmp)[0]),
                   "the run's converter", START)
        scratch = converters(own_tmp)[0]
        pids = processes_naming(scratch.name)
        assert len(pids) >= TREE
        os.kill(run.pid, getattr(signal, ending))
        run.wait(GONE)
        wait_until(lambda: all_gone(pids, scratch),
                   lambda: f"the converter's processes to end: {processes_naming(scratch.name)}",
                   GONE)
    finally:
        run.kill()
        run.wait()
        _end(own_tmp)


@pytest.mark.parametrize("when", ["starting", "ready"])
def test_sigterm_ends_the_converter_and_its_libreoffice_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """unoserver's own handler, while LibreOffice starts, went on for some 40 seconds."""
    assert soffice is not None and uno is not None
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = UnoServer(soffice, uno)
    try:
        if when == "ready":
            server.wait_ready()
        wait_until(lambda: tree_up(server.scratch), "LibreOffice", START)
        pids = processes_naming(server.scratch.name)
        server.process.send_signal(signal.SIGTERM)
        wait_until(lambda: all_gone(pids, server.scratch),
                   lambda: f"the converter to end: {processes_naming(server.scratch.name)}",
                   GONE)
        assert server.process.wait(GONE) == -signal.SIGKILL
    finally:
        server.stop()


def test_a_converter_left_behind_is_ended_by_the_next_run(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    """Left behind: its server was killed on its own (nothing then watched the run for its
    LibreOffice), then the run. The next converter on the machine ends that LibreOffice."""
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(own_tmp)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        name, server = owner.stdout.readline().split()
        scratch = own_tmp / name
        wait_until(lambda: tree_up(scratch), "LibreOffice", START)
        os.kill(int(server), signal.SIGKILL)
        wait_until(lambda: not running(int(server)), "the server to end")
        owner.kill()
        owner.wait()
        left = processes_naming(name)
        assert left, "LibreOffice went with its server: nothing left behind to test with"

        monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
        workspace = configure(workspace, documents={"pdf": True})
        path = letter(tmp_path, "next")
        with pdf_worker(workspace) as worker:
            assert isinstance(worker, PdfWorker)
            worker.request(path)
            assert worker.wait(START) == []
            assert worker.converter is not None
            assert converters(own_tmp) == [worker.converter.scratch]
        assert is_pdf(path.with_suffix(".pdf"))
        assert not any(map(running, left))
        assert not scratch.exists()
        assert f"ending a PDF converter left behind ({name}" in caplog.text
    finally:
        owner.kill()
        owner.communicate()
        _end(own_tmp)


def test_the_converter_of_a_live_run_is_not_taken_for_one_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert soffice is not None and uno is not None
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = UnoServer(soffice, uno)
    try:
        server.wait_ready()
        assert end_stale_converters() == []
        assert server.answers()
    finally:
        server.stop()
    assert converters(tmp_path) == []


def _end(folder: Path) -> None:
    """Whatever a failed test left running in `folder`'s converters."""
    for scratch in converters(folder):
        for pid in processes_naming(scratch.name):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
