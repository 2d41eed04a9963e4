"""An OOXML package open for reading: its members as its directory declares them, its parts'
bytes, text and streams, its relationships, and the compressed bytes of a member for copying it
into another package as it is."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import Unsupported
from .parts import Relationship, SheetEntry, relationships, rels_part, sheet_entries
from .zipped import raw_chunks

WORKBOOK = "xl/workbook.xml"
# What a damaged zip raises while it is opened or a member is read: a bad directory or CRC, a
# damaged deflate stream, a member cut short.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)
# Office writes members stored or deflated and never encrypts them one by one (a password
# encrypts the whole package inside an OLE file); zipfile refuses anything else with
# NotImplementedError or RuntimeError when the member is read.
_OFFICE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_ENCRYPTED_FLAGS = 0x01 | 0x40  # traditional encryption, strong encryption
_PATCHED_FLAG = 0x20


@dataclass(frozen=True)
class Member:
    """A member as the zip directory declares it, before any of it is read: what a check
    against zip bombs and unreadable members needs.

    Attributes:
        name: the member's name.
        size: its declared size, decompressed.
        compressed_size: its declared size in the zip.
        method: its compression method (0 stored, 8 deflated, ...).
        encrypted: it is encrypted on its own (Office never does this).
        readable: stored or deflated, as Office writes members, and not "patched data":
            what this layer can read.
    """

    name: str
    size: int
    compressed_size: int
    method: int
    encrypted: bool
    readable: bool


class PartStream:
    """A part decompressed as it is read; a damaged stream raises Unsupported."""

    def __init__(self, part: str, stream: IO[bytes]) -> None:
        self._part = part
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left if negative).

        Raises:
            Unsupported: the part's compressed data or its checksum is damaged.
        """
        try:
            return self._stream.read(size)
        except _DAMAGED as exc:
            raise Unsupported(f"{self._part}: {exc or type(exc).__name__}") from exc

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> PartStream:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


class PackageReader:
    """A zip package (xlsx, docx, xlam) open for reading; use it as a context manager.

    Args:
        source: the file, its bytes, or a seekable binary stream.

    Raises:
        Unsupported: the file is not a zip, or its directory is damaged.
    """

    def __init__(self, source: Path | bytes | IO[bytes]) -> None:
        if isinstance(source, Path):
            self._handle: IO[bytes] = source.open("rb")
            self._owned = True
        else:
            self._handle = io.BytesIO(source) if isinstance(source, bytes) else source
            self._owned = False
        try:
            self._zip = zipfile.ZipFile(self._handle)
        except _DAMAGED as exc:
            self._close_handle()
            raise Unsupported(str(exc) or type(exc).__name__) from exc
        except BaseException:
            self._close_handle()
            raise
        self.members: list[zipfile.ZipInfo] = self._zip.infolist()
        self.names: list[str] = [m.filename for m in self.members]
        self._known = set(self.names)

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        self._close_handle()

    def _close_handle(self) -> None:
        if self._owned:
            self._handle.close()

    def has(self, part: str) -> bool:
        """Whether the package holds `part`."""
        return part in self._known

    def read(self, part: str | zipfile.ZipInfo) -> bytes:
        """The bytes of `part`.

        Raises:
            Unsupported: the part is missing or damaged.
        """
        try:
            return self._zip.read(part)
        except KeyError as exc:
            raise Unsupported(f"{part} is missing") from exc
        except _DAMAGED as exc:
            raise Unsupported(f"{part}: {exc or type(exc).__name__}") from exc

    def text(self, part: str, errors: str = "strict") -> str:
        """The text of `part`, UTF-8 as OOXML writes it.

        Raises:
            Unsupported: the part is missing or damaged, or (with `errors="strict"`) not UTF-8.
        """
        try:
            return self.read(part).decode("utf-8", errors)
        except UnicodeDecodeError as exc:
            raise Unsupported(f"{part}: {exc}") from exc

    @cached_property
    def declared(self) -> list[Member]:
        """Every member as the directory declares it, in its order; nothing is read."""
        return [Member(m.filename, m.file_size, m.compress_size, m.compress_type,
                       bool(m.flag_bits & _ENCRYPTED_FLAGS),
                       m.compress_type in _OFFICE_METHODS and not m.flag_bits & _PATCHED_FLAG)
                for m in self.members]

    def open(self, part: str | zipfile.ZipInfo) -> PartStream:
        """`part` as a stream, decompressed as it is read (for parts too large to hold).

        Raises:
            Unsupported: the part is missing or its header is damaged (and, from the stream,
                its data).
        """
        name = part if isinstance(part, str) else part.filename
        try:
            return PartStream(name, self._zip.open(part))
        except KeyError as exc:
            raise Unsupported(f"{name} is missing") from exc
        except _DAMAGED as exc:
            raise Unsupported(f"{name}: {exc or type(exc).__name__}") from exc

    def raw(self, member: zipfile.ZipInfo) -> Iterator[bytes]:
        """The compressed bytes of `member`, for `PackageWriter.copy`."""
        return raw_chunks(self._handle, member)

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of `part` by id; none if it has no relationships part."""
        rels = rels_part(part)
        if rels not in self._known:
            return {}
        return relationships(self.text(rels, "replace"), part)

    def sheets(self) -> list[tuple[SheetEntry, Relationship | None]]:
        """The workbook's sheets in its order, each with the relationship its id names (None if
        none does)."""
        targets = self.relationships(WORKBOOK)
        return [(entry, targets.get(entry.rel_id))
                for entry in sheet_entries(self.text(WORKBOOK, "replace"))]
