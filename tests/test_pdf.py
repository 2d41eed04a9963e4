"""PDFs made off the intake path by one LibreOffice kept running (documents/pdf.py), with the
real LibreOffice and unoserver: beside the watcher, waited for by `process`, started again after
a crash, and a file that cannot be converted never holding up the others."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.documents.libreoffice import find_uno_python
from sales_sheets.documents.pdf import PdfWorker, pdf_worker
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header
from .helpers.pdfs import P001, START, is_pdf, letter, needs_libreoffice, soffice, uno
from .helpers.watching import fast, running, wait_until

pytestmark = needs_libreoffice

SOON = 5.0  # "within a few seconds", on a busy machine


def test_a_pdf_appears_within_seconds_of_its_contract_under_watch(loaded: Workspace) -> None:
    workspace = fast(configure(loaded, documents={"pdf": True}))
    contracts = workspace.outbox / "contracts" / "C001"
    with running(workspace) as watcher:
        drop(workspace, "order", "S01/first.xlsx", order_header(no="SO-1"), [P001])
        wait_until(lambda: is_pdf(contracts / "SO-1.pdf"), "the first PDF", START)
        drop(workspace, "order", "S01/second.xlsx", order_header(no="SO-2"), [P001])
        wait_until(lambda: (contracts / "SO-2.docx").exists(), "the second contract")
        written = time.monotonic()
        wait_until(lambda: is_pdf(contracts / "SO-2.pdf"), "the second PDF", SOON)
        assert time.monotonic() - written < SOON
        assert watcher.by_file() == {"S01/first.xlsx": "accepted", "S01/second.xlsx": "accepted"}
    # atomic: nothing but the finished files beside the contracts
    assert sorted(p.name for p in contracts.iterdir()) == [
        "SO-1.docx", "SO-1.pdf", "SO-2.docx", "SO-2.pdf"]


def test_process_waits_for_the_pdfs_before_it_exits(loaded: Workspace) -> None:
    workspace = configure(loaded, documents={"pdf": True})
    for n in range(1, 4):
        drop(workspace, "order", f"S01/o{n}.xlsx", order_header(no=f"SO-{n}"), [P001])
    result = CliRunner().invoke(main, ["process", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    contracts = workspace.outbox / "contracts" / "C001"
    assert all(is_pdf(contracts / f"SO-{n}.pdf") for n in range(1, 4))


def test_pdfs_not_done_in_time_are_named(
    workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = configure(workspace, language="en", documents={"pdf": True})
    path = letter(tmp_path, "late")
    with pdf_worker(workspace, timeout=0.1) as worker:
        worker.request(path)
    assert f"1 PDF(s) not written within 0 s (the .docx files are there): {path}" in caplog.text


def test_a_killed_converter_is_started_again(workspace: Workspace, tmp_path: Path) -> None:
    workspace = configure(workspace, documents={"pdf": True})
    first, second = letter(tmp_path, "first"), letter(tmp_path, "second")
    with pdf_worker(workspace) as worker:
        assert isinstance(worker, PdfWorker)  # the one started here, not one passed in
        worker.request(first)
        assert worker.wait(START) == []
        assert worker.converter is not None
        crashed = worker.converter.pid
        os.killpg(crashed, signal.SIGKILL)  # the server and its LibreOffice, as in a crash
        worker.request(second)
        assert worker.wait(START) == []
        assert worker.converter is not None and worker.converter.pid != crashed
    assert is_pdf(first.with_suffix(".pdf")) and is_pdf(second.with_suffix(".pdf"))


def test_a_file_that_cannot_be_converted_is_logged_and_the_others_are_not_held_up(
    workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = configure(workspace, documents={"pdf": True})
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"not a document" * 50)
    good = [letter(tmp_path, f"good{n}") for n in range(3)]
    with pdf_worker(workspace) as worker:
        for path in [broken, *good]:
            worker.request(path)
        assert worker.wait(START) == []
    assert all(is_pdf(p.with_suffix(".pdf")) for p in good)
    assert not broken.with_suffix(".pdf").exists()
    failures = [r for r in caplog.records if "broken.docx" in r.getMessage()]
    assert [r.levelno for r in failures] == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "not written after 3 attempts" in failures[-1].getMessage()
    assert not list(tmp_path.glob(".*.partial"))


def test_a_python_without_uno_means_no_pdf_and_says_how_to_fix_it(
    workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = configure(workspace, documents={"pdf": True, "uno_python": sys.executable})
    path = letter(tmp_path, "a")
    with pdf_worker(workspace) as worker:
        worker.request(path)
        assert worker.wait(START) == []
    assert not path.with_suffix(".pdf").exists()
    assert "python3-uno" in caplog.text and "documents.uno_python" in caplog.text


def test_a_configured_python_is_used_only_when_it_can_import_uno() -> None:
    assert soffice is not None and uno is not None
    assert find_uno_python(soffice, uno) == uno
    assert find_uno_python(soffice, "/nonexistent/python") is None
    assert find_uno_python(soffice, sys.executable) is None  # this venv's, without uno
