"""The converter's server process: unoserver and its LibreOffice, tied to the run that started it.

This file runs under LibreOffice's Python (libreoffice.py copies it beside unoserver), so it uses
the standard library only and imports nothing of ours: `python converter_server.py PARENT_PID
UNOSERVER_ARGUMENTS...`.

A run killed with SIGKILL (or a crash, or a closed terminal) cannot stop what it started, and
unoserver would then keep LibreOffice running for good. So the server watches its parent itself
and, once the parent is gone, ends its whole tree (unoserver, oosplash, soffice.bin): on Linux at
once through PR_SET_PDEATHSIG, everywhere by watching the parent process. A SIGTERM, SIGINT or
SIGHUP ends the tree at once too: unoserver's own handler asks LibreOffice politely, and while
LibreOffice starts up it then goes on retrying for some 40 seconds. Nothing of the tree is worth
keeping (the run throws the profile away), so the end is SIGKILL to all of it.

The run starts this process as the leader of a process group of its own, which LibreOffice's
processes join: ending the group ends exactly the converter.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

# How often a POSIX system without PR_SET_PDEATHSIG looks whether the parent is still there.
PARENT_POLL_SECONDS = 0.5
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK")
                if hasattr(signal, name))


def main(argv: list[str]) -> int:
    """Tie this process to its parent, then run unoserver's command line with the rest."""
    parent = int(argv[1])
    sys.argv = [argv[0], *argv[2:]]
    for number in SIGNALS:
        signal.signal(number, _on_signal)
    _die_with(parent)
    if hasattr(os, "nice"):  # intake comes before PDFs, on machines with few cores
        os.nice(10)
    from unoserver import server

    # unoserver installs its own handlers through its module's `signal` (its UnoServer.start);
    # they are ours instead (tests/test_private_apis.py checks that this is still how it does it).
    server.signal = _OurHandlers()
    code: int = server.main()
    return code


def end_tree() -> None:
    """SIGKILL to this process and everything it started: its own process group, on Windows
    its process tree."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(os.getpid())],
                       capture_output=True, check=False)
    else:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(1)


def _on_signal(_number: int, _frame: FrameType | None) -> None:
    end_tree()


class _OurHandlers:
    """The `signal` module, except that installing any handler installs ours."""

    def __getattr__(self, name: str) -> Any:
        return getattr(signal, name)

    @staticmethod
    def signal(number: int, _handler: Any) -> Any:
        return signal.signal(number, _on_signal)


def _die_with(parent: int) -> None:
    """End the tree as soon as `parent` is gone: on Linux the kernel sends SIGTERM then
    (PR_SET_PDEATHSIG; it fires when the parent *thread* that started this process exits, which
    in the run is the PDF worker's, and that one stops the converter before it ends); a thread
    watching the parent covers every system, Linux included should the signal be missed."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if sys.platform != "win32" and os.getppid() != parent:
        end_tree()  # gone before the signal was asked for: adopted already
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    if sys.platform == "win32":
        synchronize, infinite = 0x00100000, 0xFFFFFFFF
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        # A handle to the parent, opened while the parent still waits for this process to answer;
        # none means it is already gone.
        handle = kernel32.OpenProcess(synchronize, False, parent)
        if handle:
            kernel32.WaitForSingleObject(handle, infinite)
    else:
        # An orphan is adopted by init or a subreaper: its parent pid changes.
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
    end_tree()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
