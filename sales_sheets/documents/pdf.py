"""PDFs beside contracts and letters, written by a background worker off the intake path.

A document asks for its PDF with `request_pdf` and goes on. While `pdf_worker` runs for the
workspace's services (around `watch`, `process`, the demo, a statements run), or when they were
built with a worker, the request joins the worker's queue; the worker converts whatever is
queued in one persistent LibreOffice (libreoffice.py), starts it anew when it died, and tries a
file that failed again later, behind the others, a bounded number of times. The .docx is
what counts: a PDF that cannot be made is logged, never an error of the intake.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..files import write_bytes_atomic
from ..services import PdfQueue
from ..text import Text
from ..workspace import Workspace
from .libreoffice import ConversionError, UnoServer, find_soffice, find_uno_python

log = logging.getLogger(__name__)

ATTEMPTS = 3
# How long `process`, the demo and a one-off document wait for outstanding PDFs at the end.
WAIT_SECONDS = 300.0
UNFINISHED = Text("{count} 个 PDF 在 {seconds:.0f} 秒内未能生成（.docx 已写好）：{files}",
                  "{count} PDF(s) not written within {seconds:.0f} s (the .docx files are "
                  "there): {files}")


@dataclass
class _Job:
    docx: Path
    attempts: int = 0


class PdfWorker:
    """A queue of .docx files and the thread that converts them; LibreOffice is started on the
    first request, not before."""

    def __init__(self, workspace: Workspace) -> None:
        self.uno_python = workspace.settings.documents.uno_python
        self.language = workspace.language
        self._changed = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._open: Counter[Path] = Counter()  # requested and not yet written or given up
        self._closing = False
        self._thread: threading.Thread | None = None
        self.converter: UnoServer | None = None
        self._soffice: str | None = None
        self._python: str | None = None

    def request(self, docx: Path) -> None:
        """Queue `docx` to get a PDF beside it (same name, .pdf)."""
        with self._changed:
            if self._closing:
                raise RuntimeError("the PDF worker is closed")
            self._queue.append(_Job(docx))
            self._open[docx] += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pdf", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait(self, timeout: float = WAIT_SECONDS) -> list[Path]:
        """Wait until every requested PDF is written or given up on, at most `timeout` seconds;
        the .docx files whose PDFs are still outstanding then."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._open and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return sorted(self._open)

    def close(self, timeout: float = WAIT_SECONDS) -> list[Path]:
        """Wait for the outstanding PDFs (see `wait`), then stop the worker and LibreOffice."""
        unfinished = self.wait(timeout)
        if unfinished:
            log.warning(UNFINISHED.format(self.language, count=len(unfinished), seconds=timeout,
                                          files=", ".join(map(str, unfinished))))
        with self._changed:
            self._closing = True
            self._queue.clear()
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        return unfinished

    def _run(self) -> None:
        try:
            while (batch := self._take()) is not None:
                for job in batch:
                    if self._closing:  # gave up waiting: stop now, not after the batch
                        break
                    self._convert(job)
        finally:
            if self.converter is not None:
                self.converter.stop()

    def _take(self) -> list[_Job] | None:
        """Everything queued, once there is something; None when closing."""
        with self._changed:
            while not self._queue and not self._closing:
                self._changed.wait()
            if self._closing:
                return None
            batch = list(self._queue)
            self._queue.clear()
            return batch

    def _convert(self, job: _Job) -> None:
        try:
            converter = self._ready()
            if converter is not None and job.docx.exists():
                write_bytes_atomic(job.docx.with_suffix(".pdf"), converter.convert(job.docx))
        except ConversionError as exc:
            self._failed(job, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a full disk, a locked file: the worker goes on
            self._failed(job, f"{type(exc).__name__}: {exc}")
            return
        self._done(job)

    def _ready(self) -> UnoServer | None:
        """The running converter, started (again) when there is none or it stopped answering;
        None when LibreOffice is not installed or no Python with uno was found."""
        if self.converter is not None:
            if self.converter.process.poll() is None:
                return self.converter
            log.warning("LibreOffice stopped (exit code %s); starting it again",
                        self.converter.process.returncode)
            self._stop_converter()
        if self._soffice is None:
            self._soffice = find_soffice() or ""
            if self._soffice:
                self._python = find_uno_python(self._soffice, self.uno_python) or ""
                if not self._python:
                    log.warning("no PDFs: no Python that can `import uno` was found for "
                                "LibreOffice (Debian: apt-get install python3-uno; or set "
                                "documents.uno_python in config.toml)")
        if not self._soffice or not self._python:
            return None
        converter = UnoServer(self._soffice, self._python)
        converter.wait_ready()
        self.converter = converter
        return converter

    def _failed(self, job: _Job, reason: str) -> None:
        job.attempts += 1
        if self.converter is not None and not self.converter.answers():
            self._stop_converter()  # crashed or hung: the next file starts a new one
        if job.attempts < ATTEMPTS:
            log.warning("PDF of %s failed (attempt %d of %d), to be tried again: %s",
                        job.docx, job.attempts, ATTEMPTS, reason)
            with self._changed:
                self._queue.append(job)  # behind the others: one bad file blocks nobody
            return
        log.error("PDF of %s not written after %d attempts: %s", job.docx, ATTEMPTS, reason)
        self._done(job)

    def _stop_converter(self) -> None:
        if self.converter is not None:
            self.converter.stop()
            self.converter = None

    def _done(self, job: _Job) -> None:
        with self._changed:
            self._open[job.docx] -= 1
            if self._open[job.docx] <= 0:
                del self._open[job.docx]
            self._changed.notify_all()


@contextmanager
def pdf_worker(workspace: Workspace, timeout: float = WAIT_SECONDS) -> Iterator[PdfQueue]:
    """The PDF worker of the workspace's services for the length of a block: the one they were
    built with, or the one an outer block (the watcher, `process`) already runs, or one started
    here. The outermost block that started it waits up to `timeout` seconds for the outstanding
    PDFs at its end, then stops LibreOffice. Two workspaces (two services) never share one."""
    services = workspace.services
    with services.lock:
        if services.pdf is None:
            services.pdf = PdfWorker(workspace)
            services.pdf_users = 1
        elif services.pdf_users:
            services.pdf_users += 1
        worker = services.pdf
        ours = services.pdf_users > 0  # else the caller passed it in, runs and closes it
    try:
        yield worker
    finally:
        if ours:
            with services.lock:
                services.pdf_users -= 1
                last = services.pdf_users == 0
                if last:
                    services.pdf = None
            if last:
                worker.close(timeout)


def request_pdf(workspace: Workspace, docx: Path) -> None:
    """A PDF beside `docx` when `documents.pdf` is on: queued to the worker of the workspace's
    services, or made before returning when none runs (a one-off document)."""
    if not workspace.settings.documents.pdf:
        return
    with pdf_worker(workspace) as worker:
        worker.request(docx)
