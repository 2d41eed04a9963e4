"""Real storage faults under a workspace folder: a small file system filled to the last byte, or
the folder made read-only by a read-only bind mount (root ignores mode bits, not mounts). Both
need the right to mount (root on Linux); the tests skip with the reason otherwise."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import pytest


class Fault(Protocol):
    def fix(self) -> None:
        """Give the space or the write access back."""


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        raise OSError(done.stderr.strip() or f"mount {' '.join(args)} failed")


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)  # still busy


class _Full:
    def __init__(self, filler: Path) -> None:
        self.filler = filler

    def fix(self) -> None:
        self.filler.unlink()


class _ReadOnly:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fix(self) -> None:
        _mount("-o", "remount,bind,rw", str(self.folder))


@contextmanager
def full_disk(folder: Path, size_kib: int = 512) -> Iterator[Fault]:
    """`folder` on a fresh `size_kib` tmpfs, filled up by one file; `fix()` deletes that file.
    What `folder` held is hidden meanwhile."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder))
    except OSError as exc:
        pytest.skip(f"cannot mount a small file system here: {exc}")
    try:
        filler = folder / ".filler"
        with filler.open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:
                pass
        yield _Full(filler)
    finally:
        _unmount(folder)


@contextmanager
def read_only(folder: Path) -> Iterator[Fault]:
    """`folder` bind-mounted onto itself read-only; `fix()` makes it writable again."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _mount("--bind", str(folder), str(folder))
    except OSError as exc:
        pytest.skip(f"cannot bind-mount here: {exc}")
    try:
        _mount("-o", "remount,bind,ro", str(folder))
        yield _ReadOnly(folder)
    finally:
        _unmount(folder)
