"""The watcher's log file: one line per file it answered (time, file, kind, status, document,
seconds) and every warning and error of the package, rotated by size. The console is left as
it is: this adds a file, it does not move the console's lines.

A line looks like `2026-12-01 09:00:01 INFO file="S01/订单 1.xlsx" kind=order
status=accepted document=SO-1 seconds=0.21` (on one line): key=value pairs, a value quoted
when it holds a space or a quote, so `grep` and a spreadsheet split it the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..intake.ingest import IngestResult

# Where `service install` points the watcher's log when config.toml names none.
DEFAULT_LOG = Path("logs") / "watch.log"
FORMAT = "%(asctime)s %(levelname)s %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# Lines about files go only to the log file (the console already prints each file its own way).
files_log = logging.getLogger("sales_sheets.watch_log")
files_log.propagate = False
files_log.setLevel(logging.INFO)


def log_file_of(workspace: Workspace, given: Path | None = None) -> Path | None:
    """The log file: `given` (relative to the current folder), else config.toml's
    `watch.log_file` (relative to the workspace), else none."""
    if given is not None:
        return given.resolve()
    configured = workspace.settings.watch.log_file
    return (workspace.root / configured).resolve() if configured else None


def service_log_file(workspace: Workspace) -> Path:
    """The log file a service's watcher writes: config.toml's, else logs/watch.log."""
    return log_file_of(workspace) or workspace.root / DEFAULT_LOG


@contextmanager
def writing_log(path: Path, max_mb: float, backups: int) -> Iterator[None]:
    """Write the log to `path` for the length of the block, rotated past `max_mb` keeping
    `backups` older files (watch.log.1 the newest of them)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=max(1, int(max_mb * 1024 * 1024)),
                                      backupCount=backups, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the log file {path}: {exc.strerror}") from None
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    # The package's own records reach the file at the level the console shows (warnings and
    # errors; everything with --verbose), the file lines always.
    package = logging.getLogger("sales_sheets")
    for logger in (files_log, package):
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in (files_log, package):
            logger.removeHandler(handler)
        handler.close()


def log_result(result: IngestResult) -> None:
    """The file's line."""
    files_log.info(_pairs(file=result.file, kind=result.kind or "-", status=result.status,
                          document=result.document or "-", seconds=f"{result.seconds:.2f}"))


def log_event(message: str, **pairs: object) -> None:
    """A line about the watcher itself (started, stopping, stopped)."""
    files_log.info(f"{message} {_pairs(**pairs)}".rstrip())


def _pairs(**pairs: object) -> str:
    return " ".join(f"{key}={_quoted(str(value))}" for key, value in pairs.items())


def _quoted(value: str) -> str:
    if value and not any(c.isspace() or c in "\"'=" for c in value):
        return value
    return json.dumps(value, ensure_ascii=False)
