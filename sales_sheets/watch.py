"""The watcher: wait for files to be completely written, then process them in batches.

Change events (watchdog's native observer, or its polling observer for network shares where
events never arrive) are only hints. A full rescan at start and every `rescan_seconds` finds
whatever an overflowing event queue dropped. A file is read once it was closed by its writer
(Linux reports that) or its size and mtime stayed the same for `stable_seconds`; a zip-based
workbook must also have a readable central directory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .excel.safety import is_complete_zip
from .inbox import candidates, is_ignored, pending_claims
from .ingest import IngestResult, process_claims, process_paths
from .workspace import Workspace

log = logging.getLogger(__name__)

_ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
# A file that never becomes a valid zip (truncated for good) is handed over after this many
# stability windows, to be rejected with a receipt rather than waited on forever.
_GIVE_UP_WINDOWS = 20


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
    def __init__(self, inbox_queue: queue.Queue[tuple[Path, bool | None]]) -> None:
        self.queue = inbox_queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        if event.event_type == "moved":
            # Excel saves by renaming a finished temp file over the target: complete on arrival.
            self.queue.put((Path(str(event.dest_path)), True))
        elif event.event_type in ("created", "modified", "closed"):
            self.queue.put((Path(str(event.src_path)), event.event_type == "closed"))


def watch(
    workspace: Workspace,
    stop: threading.Event | None = None,
    on_result: Callable[[IngestResult], None] | None = None,
    polling: bool | None = None,
) -> None:
    """Process the inbox until `stop` is set (or Ctrl-C)."""
    settings = workspace.settings.watch
    stop = stop or threading.Event()
    use_polling = settings.polling if polling is None else polling
    observer = PollingObserver(timeout=settings.poll_interval) if use_polling else Observer()
    events: queue.Queue[tuple[Path, bool | None]] = queue.Queue()
    observer.schedule(_Events(events), str(workspace.inbox), recursive=True)
    observer.start()
    readiness = Readiness(workspace.inbox, settings.stable_seconds)
    tick = min(0.05, settings.stable_seconds / 4) if settings.stable_seconds else 0.05
    try:
        _safely(lambda: process_claims(workspace, pending_claims(workspace), on_result))
        next_scan = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_scan:
                for path in candidates(workspace):
                    readiness.note(path, now)
                next_scan = now + settings.rescan_seconds
            while True:
                try:
                    path, closed = events.get_nowait()
                except queue.Empty:
                    break
                readiness.note(path, now, closed)
            ready = readiness.ready(now)
            if ready:
                _safely(partial(process_paths, workspace, ready, on_result))
            stop.wait(tick)
    finally:
        observer.stop()
        observer.join(timeout=5)


def _safely(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:  # noqa: BLE001 - the watcher outlives any one bad batch
        log.exception("processing a batch failed; the files stay claimed and are retried")
