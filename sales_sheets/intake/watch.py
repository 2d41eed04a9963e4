"""The watcher: wait for files to be completely written, then process them in batches.

Change events (watchdog's native observer, or its polling observer for network shares where
events never arrive) are only hints. A full rescan at start, every `rescan_seconds`, and at
once when the inotify event queue overflowed finds whatever they missed. A file is read once it
was closed by its writer (Linux reports that) or its size and mtime stayed the same for
`stable_seconds`; a zip-based workbook must also have a readable central directory.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from stat import S_ISREG
from typing import TypeVar

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..documents.pdf import pdf_worker
from ..formats.safety import is_complete_zip
from ..forms.periods import parse_period
from ..ledger import Holder, hold_claims
from ..notify.dispatch import Dispatcher, workspace_channels
from ..reports.summary import write_summary
from ..schedule.runner import Scheduler
from ..status import CURRENT
from ..workspace import Workspace
from .collector import collector_paused
from .inbox import Claim, candidates, claim_files, forget_finished, is_ignored, pending_claims
from .ingest import IngestResult, process_claims

T = TypeVar("T")

log = logging.getLogger(__name__)

_ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
# A file that never becomes a valid zip (truncated for good) is handed over after this many
# stability windows, to be rejected with an acknowledgement rather than waited on forever.
_GIVE_UP_WINDOWS = 20
# Files are claimed this many at a time, each batch processed before the next is claimed: of a
# burst dropped at once, every watcher on the inbox takes a share instead of the first one to
# see it claiming all. Master data is stored first within a batch (see process_claims).
_CLAIM_BATCH = 10
# How watchdog 7.1 (inotify) tells that the kernel's event queue overflowed and events were
# lost: a warning naming the watched folder, and nothing else. See _Overflows.
_OVERFLOW_LOGGER = "watchdog.observers.inotify"
_OVERFLOW_MESSAGE = "Inotify queue overflowed; reconciling recursive watches below %r"
# watchdog's move pairing window while a watcher runs (its default: 0.5 s); see below.
_MOVE_PAIRING_SECONDS = 0.02


@dataclass
class _Seen:
    size: int
    mtime: float
    since: float
    closed: bool = False


class Readiness:
    """Tracks candidate files until they are complete. Pure bookkeeping: the clock is passed in."""

    def __init__(self, inbox: Path, stable_seconds: float) -> None:
        self.inbox = inbox
        self.stable = stable_seconds
        self.files: dict[Path, _Seen] = {}

    def note(self, path: Path, now: float, closed: bool | None = None) -> None:
        """A hint that `path` exists: closed=True after its writer closed it, False after a
        write, None when nothing is known (a rescan)."""
        if not path.is_relative_to(self.inbox) or is_ignored(path, self.inbox):
            return
        seen = self.files.get(path)
        if seen is None:
            seen = self.files[path] = _Seen(-1, -1.0, now)
        if closed is not None:
            seen.closed = closed

    def ready(self, now: float) -> list[Path]:
        done: list[Path] = []
        for path, seen in list(self.files.items()):
            try:
                stat = path.stat()
            except (FileNotFoundError, NotADirectoryError):
                del self.files[path]
                continue
            if not S_ISREG(stat.st_mode):
                del self.files[path]
                continue
            if (stat.st_size, stat.st_mtime) != (seen.size, seen.mtime):
                seen.size, seen.mtime, seen.since = stat.st_size, stat.st_mtime, now
            quiet = now - seen.since
            if not (seen.closed or quiet >= self.stable):
                continue
            complete = path.suffix.lower() not in _ZIP_SUFFIXES or is_complete_zip(path)
            if complete or quiet >= self.stable * _GIVE_UP_WINDOWS:
                done.append(path)
                del self.files[path]
        return done


class _Events(FileSystemEventHandler):
    def __init__(
        self, inbox_queue: queue.Queue[tuple[Path, bool | None]], polling: bool
    ) -> None:
        self.queue = inbox_queue
        # inotify reports real renames; the polling observer guesses moves from inode numbers,
        # and a file still being written can reuse a deleted file's inode.
        self.moves_are_complete = not polling

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == "moved":
            # Excel saves by renaming a finished temp file over the target: complete on arrival.
            # A guessed move can even be a "folder moved" onto a new file's reused inode.
            dest = Path(str(event.dest_path))
            if not event.is_directory or dest.is_file():
                self.queue.put((dest, True if self.moves_are_complete else None))
        elif event.is_directory:
            return
        elif event.event_type in ("created", "modified", "closed"):
            self.queue.put((Path(str(event.src_path)), event.event_type == "closed"))


class _Overflows(logging.Handler):
    """Notices watchdog's report that the inotify queue overflowed for `inbox`.

    A burst of files can outrun the kernel's queue (fs.inotify.max_queued_events); the events
    it dropped are lost for good, and watchdog hands its handlers nothing in their place, only
    logs a warning. Waiting for the periodic rescan would leave those files unseen for up to
    `rescan_seconds`, so the watcher rescans as soon as this is set. (A program that turns
    watchdog's warnings off also turns this off; the periodic rescan remains.) The message is
    not a public API: watchdog is capped in pyproject.toml and tests/test_private_apis.py
    forces a real overflow to check it still arrives so."""

    def __init__(self, inbox: Path) -> None:
        super().__init__(logging.WARNING)
        self.path = os.fsencode(inbox)
        self.happened = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == _OVERFLOW_MESSAGE and record.args == (self.path,):
            self.happened.set()


def watch(
    workspace: Workspace,
    stop: threading.Event | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    polling: bool | None = None,
) -> None:
    """Process the inbox until `stop` is set (or Ctrl-C). Several watchers may share an inbox:
    each holds the files it claimed under a lease in the ledger (see ledger/leases.py). Raises
    StorageError when the ledger cannot be reached at the start."""
    # The watcher owns its process while it runs: what it changes process-wide (watchdog's
    # move pairing, the collector paused around each file) it changes here, and puts back.
    with pdf_worker(workspace), _move_pairing_shortened():  # PDFs are made beside the loop
        _watch(workspace, stop, on_result, polling)


def _watch(
    workspace: Workspace,
    stop: threading.Event | None,
    on_result: Callable[[IngestResult], None] | None,
    polling: bool | None,
) -> None:
    settings = workspace.settings.watch
    stop = stop or threading.Event()
    use_polling = settings.polling if polling is None else polling
    # Messages are sent and the calendar is run beside the intake, never in its way.
    dispatcher = Dispatcher(workspace, workspace_channels(workspace))
    scheduler = Scheduler(workspace, dispatcher.wake) if workspace.settings.schedule.enabled \
        else None
    holder = hold_claims(workspace, "watch")
    on_result = holder.counting(_waking(dispatcher, on_result))
    dispatcher.start()
    if scheduler is not None:
        scheduler.start()
    observer = PollingObserver(timeout=settings.poll_interval) if use_polling else Observer()
    events: queue.Queue[tuple[Path, bool | None]] = queue.Queue()
    observer.schedule(_Events(events, use_polling), str(workspace.inbox), recursive=True)
    overflows = _Overflows(workspace.inbox)
    logging.getLogger(_OVERFLOW_LOGGER).addHandler(overflows)
    observer.start()
    readiness = Readiness(workspace.inbox, settings.stable_seconds)
    tick = min(0.05, settings.stable_seconds / 4) if settings.stable_seconds else 0.05
    try:
        next_scan = 0.0
        report_due: float | None = None
        while not stop.is_set():
            now = time.monotonic()
            stored = False
            if overflows.happened.is_set():
                overflows.happened.clear()
                log.warning("change events for %s were lost (inotify queue overflow; raise "
                            "fs.inotify.max_queued_events if it recurs): rescanning it now",
                            workspace.inbox)
                next_scan = now
            if now >= next_scan:
                for path in candidates(workspace):
                    readiness.note(path, now)
                next_scan = now + settings.rescan_seconds
                # Whatever an earlier run left claimed (at the start), this watcher could not
                # store because the ledger was unavailable, or a dead watcher held when its
                # lease ran out.
                pending = _safely(partial(pending_claims, workspace, holder)) or []
                stored = _process(workspace, holder, pending, on_result, stop)
            for path, closed in _events_within(events, tick):
                readiness.note(path, time.monotonic(), closed)
            ready = readiness.ready(time.monotonic())
            for start in range(0, len(ready), _CLAIM_BATCH):
                if stop.is_set():  # asked to stop: the rest stays in the inbox for the next run
                    break
                batch = ready[start:start + _CLAIM_BATCH]
                claims = _safely(partial(_claim_all, workspace, batch, holder)) or []
                stored = _process(workspace, holder, claims, on_result, stop) or stored
            if stored:
                report_due = time.monotonic() + settings.report_seconds
            if report_due is not None and time.monotonic() >= report_due and not readiness.files:
                # Debounced: one refresh once a burst of files is over, not one per file.
                _safely(partial(refresh_month_report, workspace))
                report_due = None
    finally:
        if scheduler is not None:
            scheduler.stop()
        dispatcher.stop()
        holder.stop()
        observer.stop()
        observer.join(timeout=5)
        logging.getLogger(_OVERFLOW_LOGGER).removeHandler(overflows)


def _waking(dispatcher: Dispatcher, then: Callable[[IngestResult], None] | None
            ) -> Callable[[IngestResult], None]:
    """`then`, after waking the dispatcher: a file's outcome may have stored messages."""
    def answered(result: IngestResult) -> None:
        dispatcher.wake()
        if then is not None:
            then(result)
    return answered


def _claim_all(workspace: Workspace, paths: list[Path], holder: Holder) -> list[Claim]:
    """Claim the ready files, their claims recorded in one transaction; when the ledger fails,
    they stay in the inbox for the next rescan (any claimed already are resumed then). A file
    already gone (another watcher claimed it while this one worked on an earlier batch) is
    skipped without asking the ledger; the rename in `claim_files` still decides a race."""
    return claim_files(workspace, [path for path in paths if path.exists()], holder)


@contextmanager
def _move_pairing_shortened() -> Iterator[None]:
    """watchdog (inotify) holds every "moved out" event back for half a second to pair it with
    its "moved in", and every event queued behind it waits as well. Claiming a file is such a
    move (its claim folder is too new to be watched yet), so each arrival would wait for the
    previous claim. Events are only hints here: a short pairing window costs nothing.

    watchdog has no public setting for the window, so this sets its internal grouper's class
    attribute for as long as the watcher runs, and puts the old value back when it stops (a
    program that embeds the library keeps its own): watchdog is capped in pyproject.toml and
    tests/test_private_apis.py fails if the attribute stops governing the observer's delay.
    (Two watchers in one process share the class: the first one's value is put back last.)"""
    try:
        from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper
    except ImportError:  # not Linux, or a watchdog that groups differently
        yield
        return
    before = InotifyMoveEventGrouper.delay
    InotifyMoveEventGrouper.delay = _MOVE_PAIRING_SECONDS
    try:
        yield
    finally:
        InotifyMoveEventGrouper.delay = before


def _process(
    workspace: Workspace, holder: Holder, claims: list[Claim],
    on_result: Callable[[IngestResult], None] | None, stop: threading.Event,
) -> bool:
    """Process claims: whether anything reached the ledger. Claims left unfinished (the ledger
    was unavailable, a template broken, the watcher was asked to stop) stay held, to be tried
    again at the next rescan or by the next holder."""
    if not claims:
        return False
    results = _safely(partial(process_claims, workspace, claims, on_result, stop,
                              around_file=collector_paused)) or []
    _safely(partial(forget_finished, holder, claims))
    return any(r.status in CURRENT for r in results)


def refresh_month_report(workspace: Workspace) -> Path:
    """The current month's summary workbook, so the folder always holds an up-to-date one."""
    return write_summary(workspace, parse_period(f"{workspace.services.clock():%Y-%m}"))


def _events_within(
    events: queue.Queue[tuple[Path, bool | None]], timeout: float
) -> list[tuple[Path, bool | None]]:
    """Wait up to `timeout` for the first event (so one is handled the moment it arrives),
    then take whatever else is queued."""
    try:
        batch = [events.get(timeout=timeout)]
    except queue.Empty:
        return []
    while True:
        try:
            batch.append(events.get_nowait())
        except queue.Empty:
            return batch


def _safely(work: Callable[[], T]) -> T | None:
    try:
        return work()
    except Exception:  # the watcher outlives any one bad step
        log.exception("a step of the watcher failed; it carries on (claimed files are retried)")
        return None
