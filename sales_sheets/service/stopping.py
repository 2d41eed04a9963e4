"""Stopping the watcher on a signal: SIGTERM (systemd, `docker stop`, `kill`) and SIGINT
(Ctrl-C) ask it to stop, so it finishes the file in hand, frees its claims and exits 0; a second
signal ends the process at once.

The first signal only sets the watcher's `stop` event: nothing is interrupted half-way (an
exception raised from a signal handler could land inside a transaction or a file write). The
second exits without unwinding; whatever was claimed then is resumed by the next start, as
after a crash (the process is gone, so its claims are free at once on this machine). What the
handler says goes straight to the stderr descriptor: the handler may run while the main thread
is inside a buffered write to a Python stream, which must not be entered again.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

# Windows delivers Ctrl-Break as SIGBREAK; it has no SIGTERM that anything sends.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK")
                if hasattr(signal, name))


class SignalStop:
    """Sets `stop` at the first of SIGINT / SIGTERM and exits at once (128 + the signal's
    number) at the second, writing `words(signal name, at_once)` to stderr before either."""

    def __init__(self, stop: threading.Event, words: Callable[[str, bool], str]) -> None:
        self.stop = stop
        self.words = words
        self.received: str | None = None  # the first signal's name
        self._before: dict[int, Any] = {}

    def __enter__(self) -> SignalStop:
        """Handle the signals until the block ends, then as before; enter from the main thread
        (Python runs signal handlers there)."""
        self._before = {number: signal.signal(number, self._handle) for number in SIGNALS}
        return self

    def __exit__(self, *_exc: object) -> None:
        for number, handler in self._before.items():
            signal.signal(number, handler)

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        at_once = self.stop.is_set()
        os.write(2, (self.words(name, at_once) + "\n").encode("utf-8", "replace"))
        if at_once:
            os._exit(128 + number)
        self.received = name
        self.stop.set()
