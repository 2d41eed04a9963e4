"""An OOXML package being written: new parts deflated, unchanged parts copied compressed."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

from .reader import PackageReader
from .zipped import FIXED_TIME, Deflated, Deflating, ZipWriter

DateTime = tuple[int, int, int, int, int, int]


class PackageWriter:
    """A zip package written part by part; use it as a context manager, which writes the zip's
    directory when the block ends without an error.

    Every part carries FIXED_TIME unless told otherwise, so the same parts give the same bytes.

    Args:
        dest: the file to write, or a seekable binary stream.
    """

    def __init__(self, dest: Path | IO[bytes]) -> None:
        self._owned = isinstance(dest, Path)
        self._out: IO[bytes] = dest.open("wb") if isinstance(dest, Path) else dest
        self._zip = ZipWriter(self._out)

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if kind is None:
                self._zip.close()
        finally:
            if self._owned:
                self._out.close()

    def write(self, part: str, data: bytes, *, level: int = 6,
              date_time: DateTime = FIXED_TIME, system: int | None = None) -> None:
        """Add `part` holding `data`, deflated at `level` (1 is fast, 6 zlib's default);
        `system` is the "made by" system to record (0 for MS-DOS: the same on every OS)."""
        self._zip.write(part, data, level=level, date_time=date_time, system=system)

    @contextmanager
    def stream(self, part: str, size: int, *, level: int = 6,
               date_time: DateTime = FIXED_TIME) -> Iterator[Deflating]:
        """Add `part`, its `size` bytes written to the stream yielded (for parts too large to
        hold): deflated at `level` as they come."""
        with self._zip.stream(part, size, level=level, date_time=date_time) as out:
            yield out

    def deflated(self, part: str, size: int, data: Deflated, *,
                 date_time: DateTime = FIXED_TIME) -> None:
        """Add `part` from `data`, deflated ahead of its turn (`zipped.deflate`); `size` as
        `stream` would have been told."""
        self._zip.deflated(part, size, data, date_time=date_time)

    def copy(self, source: PackageReader, member: zipfile.ZipInfo, *,
             date_time: DateTime | None = None) -> None:
        """Add `member` of `source` as it is, its compressed bytes copied; only its time
        changes, to `date_time` if given."""
        self._zip.copy(member, source.raw(member), date_time)

    def copy_compressed(self, member: zipfile.ZipInfo, compressed: bytes, *,
                        date_time: DateTime | None = None) -> None:
        """Add `member` of another package from its compressed bytes, kept from an earlier
        `PackageReader.raw` (a package copied many times is read once); as `copy` otherwise."""
        self._zip.copy(member, (compressed,), date_time)
