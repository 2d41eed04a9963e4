"""A watcher running in a thread for the length of a block, with short settings and bounded
waits instead of sleeps."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sales_sheets.intake.ingest import IngestResult
from sales_sheets.intake.watch import watch
from sales_sheets.workspace import Workspace

from .config import configure

DEADLINE = 15.0


def fast(workspace: Workspace, **overrides: float | bool) -> Workspace:
    """The workspace with a [watch] table of short settings (and these overrides) only."""
    settings: dict[str, float | bool] = {
        "stable_seconds": 0.2, "rescan_seconds": 1.0, "poll_interval": 0.1}
    return configure(workspace, replace=True, watch={**settings, **overrides})


def wait_until(condition: Callable[[], bool], what: str | Callable[[], str],
               timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            described = what if isinstance(what, str) else what()
            raise AssertionError(f"timed out after {timeout}s waiting for {described}")
        time.sleep(0.02)


class Watcher:
    """`watch()` running in a thread; results arrive through `on_result`."""

    def __init__(self, workspace: Workspace, polling: bool | None) -> None:
        self.workspace = workspace
        self.results: list[IngestResult] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(polling,), daemon=True)

    def _run(self, polling: bool | None) -> None:
        try:
            watch(self.workspace, self.stop, on_result=self.results.append, polling=polling)
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not the thread
            self.errors.append(exc)

    def wait_for(self, count: int, timeout: float = DEADLINE) -> list[IngestResult]:
        wait_until(lambda: len(self.results) >= count,
                   lambda: f"{count} results, have {[(r.file, r.status) for r in self.results]}",
                   timeout)
        return self.results[:count]

    def by_file(self) -> dict[str, str]:
        return {r.file: r.status for r in self.results}


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def running(workspace: Workspace, polling: bool | None = None,
            allow_errors: bool = False) -> Iterator[Watcher]:
    """Run the watcher for the duration of the block; it must stop promptly and cleanly."""
    errors = _Errors()
    logger = logging.getLogger("sales_sheets")
    logger.addHandler(errors)
    watcher = Watcher(workspace, polling)
    watcher.thread.start()
    try:
        yield watcher
    finally:
        watcher.stop.set()
        watcher.thread.join(timeout=10)
        logger.removeHandler(errors)
    assert not watcher.thread.is_alive(), "the watcher did not stop within 10 s"
    assert watcher.errors == []
    if not allow_errors:
        assert [r.getMessage() for r in errors.records] == []
