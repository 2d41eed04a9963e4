"""Many distinct small forms made fast, a watcher in its own process whose memory is watched, and
a kernel inotify queue small enough to overflow."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS

from .forms import order_header
from .watching import wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
SCRIPT = Path(sys.executable).with_name("sales-sheets")
_QUEUE_LIMIT = Path("/proc/sys/fs/inotify/max_queued_events")


def distinct_orders(tmp_path: Path, count: int, prefix: str = "SO-B") -> list[bytes]:
    """`count` one-line order workbooks, each with its own order number (so none is a
    duplicate). openpyxl takes ~20 ms a form; one form is written and its shared strings
    rewritten for the others, which is what a per-number write would have produced."""
    template = f"{prefix}{0:06}"
    source = write_form(tmp_path / "template-order.xlsx", KINDS["order"],
                        data=FormData(order_header(no=template), [LINE]))
    with zipfile.ZipFile(source) as book:
        members = [(info, book.read(info)) for info in book.infolist()]
    forms = []
    for n in range(count):
        number = f"{prefix}{n:06}".encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
            for info, data in members:
                copy.writestr(info, data.replace(template.encode(), number))
        forms.append(buffer.getvalue())
    return forms


class WatcherProcess:
    """`sales-sheets watch` as its own process; its resident memory is sampled meanwhile."""

    def __init__(self, root: Path, log: Path, polling: bool) -> None:
        self.log = log
        with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the watcher
            self.process = subprocess.Popen(
                [str(SCRIPT), "watch", "-w", str(root), "--polling" if polling else "--events"],
                stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.samples: list[int] = []
        self._sampling = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def rss(self) -> int:
        """Resident memory now, in bytes."""
        return self._status("VmRSS")

    def peak(self) -> int:
        """The most resident memory the process ever had (the kernel's high-water mark)."""
        return self._status("VmHWM")

    def _status(self, key: str) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        [line] = [line for line in status.splitlines() if line.startswith(f"{key}:")]
        return int(line.split()[1]) * 1024

    def _sample(self) -> None:
        while not self._sampling.wait(0.05) and self.process.poll() is None:
            try:
                self.samples.append(self.rss())
            except (FileNotFoundError, ValueError):
                return

    def stop(self) -> str:
        """A clean stop (SIGTERM) and everything it printed."""
        self._sampling.set()
        self._sampler.join(timeout=5)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        output = self.log.read_text(encoding="utf-8", errors="replace")
        assert self.process.returncode == 0, output[-3000:]
        return output


def _inotify_instances() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify"
        except OSError:
            continue
    return count


@contextmanager
def small_inotify_queue(limit: int) -> Iterator[None]:
    """The next inotify instance this process creates in the block gets a kernel queue of
    `limit` events, so that a burst overflows it.

    The kernel reads fs.inotify.max_queued_events when an instance is created, and the setting
    is machine-wide: it is restored as soon as the new instance exists (tens of milliseconds),
    so other programs are left alone. Skips when the setting cannot be written (not root, or a
    read-only /proc/sys)."""
    try:
        old = _QUEUE_LIMIT.read_text()
        _QUEUE_LIMIT.write_text(old)
    except OSError as exc:
        pytest.skip(f"cannot change {_QUEUE_LIMIT}: {exc}")
    before = _inotify_instances()
    _QUEUE_LIMIT.write_text(str(limit))
    try:
        yield
        wait_until(lambda: _inotify_instances() > before, "a new inotify instance", timeout=10)
    finally:
        _QUEUE_LIMIT.write_text(old)
