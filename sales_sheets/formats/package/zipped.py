"""Zip records written by hand: new members deflated at a chosen level, and members of another
zip copied with their compressed bytes as they are.

zipfile can write a member only by compressing it: it has no public way to take the bytes of a
member of another zip as they are, and it sets a member's compression level through a name that
is private before Python 3.13. This writer lays out the same records zipfile does (APPNOTE.TXT
4.3.7 local header, 4.3.12 central directory, 4.3.14-16 end records, 4.5.3 Zip64 extra field),
so a part written here is the bytes zipfile writes for it (tests/formats/test_package.py
compares them), and a copied part costs a read and a write, not a decompression and a
compression. Compressed bytes are found by parsing the member's local header at its
`ZipInfo.header_offset` (a documented attribute); the header is 30 bytes and two lengths.
"""

from __future__ import annotations

import copy
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # APPNOTE 4.3.7
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # APPNOTE 4.3.12
_END = struct.Struct("<4s4H2LH")  # APPNOTE 4.3.16
_END64 = struct.Struct("<4sQ2H2L4Q")  # APPNOTE 4.3.14
_LOCATOR64 = struct.Struct("<4sLQL")  # APPNOTE 4.3.15
_ZIP64_VERSION = 45
_ZIP64_EXTRA = 1
_DATA_DESCRIPTOR = 0x08  # sizes after the data: a copied member gets them in its header
_UTF8_NAME = 0x800
_CHUNK = 1 << 20


def raw_chunks(handle: IO[bytes], info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The compressed bytes of the member `info` of the zip open as `handle`, in chunks.

    Raises:
        zipfile.BadZipFile: there is no local header where the directory says.
    """
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL.size)
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename}: no local header at {info.header_offset}")
    name_length, extra_length = struct.unpack_from("<2H", header, 26)
    handle.seek(name_length + extra_length, 1)
    left = info.compress_size
    while left:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            raise zipfile.BadZipFile(f"{info.filename}: cut short")
        left -= len(chunk)
        yield chunk


class ZipWriter:
    """A zip written member by member into a seekable binary stream; `close` writes its
    directory. Member times are FIXED_TIME unless given: the same parts give the same bytes."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._members: list[zipfile.ZipInfo] = []

    def write(self, name: str, data: bytes, *, level: int = 6,
              date_time: tuple[int, int, int, int, int, int] = FIXED_TIME,
              system: int | None = None) -> None:
        """Add the member `name` holding `data`, deflated at `level`."""
        with self.stream(name, len(data), level=level, date_time=date_time,
                         system=system) as out:
            out.write(data)

    @contextmanager
    def stream(self, name: str, size: int, *, level: int = 6,
               date_time: tuple[int, int, int, int, int, int] = FIXED_TIME,
               system: int | None = None) -> Iterator[Deflating]:
        """Add the member `name` whose `size` bytes are written to the stream yielded, deflated
        at `level`. `size` is the size expected: it decides on a Zip64 header, as in zipfile.
        `system` is the "made by" system recorded (zipfile's default: that of the machine)."""
        info, zip64 = _new_member(name, size, date_time, system)
        info.header_offset = self._out.tell()
        self._out.write(_local_header(info, zip64))
        deflating = Deflating(self._out, level)
        yield deflating
        info.CRC, info.file_size, info.compress_size = deflating.finish()
        _check_declared(info, zip64, size)
        end = self._out.tell()
        self._out.seek(info.header_offset)
        self._out.write(_local_header(info, zip64))
        self._out.seek(end)
        self._members.append(info)

    def deflated(self, name: str, size: int, data: Deflated, *,
                 date_time: tuple[int, int, int, int, int, int] = FIXED_TIME) -> None:
        """Add the member `name` from `data`, deflated ahead of its turn (in another thread,
        say): the same bytes as `stream` with `size` gives for the same data and level."""
        info, zip64 = _new_member(name, size, date_time, None)
        info.CRC, info.file_size, info.compress_size = data.crc, data.size, data.compressed
        _check_declared(info, zip64, size)
        info.header_offset = self._out.tell()
        self._out.write(_local_header(info, zip64))
        data.file.seek(0)
        shutil.copyfileobj(data.file, self._out, _CHUNK)
        self._members.append(info)

    def copy(self, info: zipfile.ZipInfo, chunks: Iterable[bytes],
             date_time: tuple[int, int, int, int, int, int] | None = None) -> None:
        """Add a member of another zip, described by `info`, from its compressed bytes
        (`raw_chunks`): nothing is decompressed or compressed again. Its time becomes
        `date_time` if given; the rest of its record stays as it was."""
        info = copy.copy(info)
        info.flag_bits &= ~_DATA_DESCRIPTOR
        info.extra = _without_zip64(info.extra)
        if date_time is not None:
            info.date_time = date_time
        info.header_offset = self._out.tell()
        self._out.write(_local_header(info, None))
        for chunk in chunks:
            self._out.write(chunk)
        self._members.append(info)

    def close(self) -> None:
        """Write the central directory and the end records."""
        start = self._out.tell()
        for info in self._members:
            self._out.write(_central_record(info))
        size = self._out.tell() - start
        count = len(self._members)
        if (count > zipfile.ZIP_FILECOUNT_LIMIT or start > zipfile.ZIP64_LIMIT
                or size > zipfile.ZIP64_LIMIT):
            end64 = self._out.tell()
            self._out.write(_END64.pack(b"PK\x06\x06", 44, _ZIP64_VERSION, _ZIP64_VERSION, 0,
                                        0, count, count, size, start))
            self._out.write(_LOCATOR64.pack(b"PK\x06\x07", 0, end64, 1))
            count, size, start = (min(count, 0xFFFF), min(size, 0xFFFFFFFF),
                                  min(start, 0xFFFFFFFF))
        self._out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))


class Deflating:
    """The data of one member on its way out: deflated, counted and checksummed."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self._out = out
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -15)  # as zipfile does
        self._crc = self._size = self._compressed = 0

    def write(self, data: bytes) -> int:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        compressed = self._compressor.compress(data)
        self._compressed += len(compressed)
        self._out.write(compressed)
        return len(data)

    def finish(self) -> tuple[int, int, int]:
        rest = self._compressor.flush()
        self._out.write(rest)
        return self._crc, self._size, self._compressed + len(rest)


@dataclass(frozen=True)
class Deflated:
    """A member's data deflated into `file` ahead of its turn (see `ZipWriter.deflated`)."""

    crc: int
    size: int
    compressed: int
    file: IO[bytes]


def deflate(level: int, write: Callable[[Deflating], None]) -> Deflated:
    """The data `write` writes to the `Deflating` it is given, deflated at `level` into a
    temporary file (the caller closes `Deflated.file`). zlib and crc32 release the GIL, so
    large parts deflated in threads take the cores there are."""
    file = tempfile.TemporaryFile()
    try:
        out = Deflating(file, level)
        write(out)
        crc, size, compressed = out.finish()
    except BaseException:
        file.close()
        raise
    return Deflated(crc, size, compressed, file)


def _new_member(name: str, size: int, date_time: tuple[int, int, int, int, int, int],
                system: int | None) -> tuple[zipfile.ZipInfo, bool]:
    """A new deflated member's record, and whether its expected `size` gives it a Zip64
    header (as zipfile decides)."""
    info = zipfile.ZipInfo(name, date_time)
    if system is not None:
        info.create_system = system
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # what zipfile gives a member written without one
    info.file_size, info.compress_size, info.CRC = size, 0, 0  # until the data is in
    return info, size * 1.05 > zipfile.ZIP64_LIMIT


def _check_declared(info: zipfile.ZipInfo, zip64: bool, size: int) -> None:
    if not zip64 and max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT:
        raise zipfile.LargeZipFile(f"{info.filename}: larger than its declared {size} bytes")


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _name(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    try:
        return info.filename.encode("ascii"), info.flag_bits
    except UnicodeEncodeError:
        return info.filename.encode("utf-8"), info.flag_bits | _UTF8_NAME


def _local_header(info: zipfile.ZipInfo, zip64: bool | None) -> bytes:
    """The member's local header as zipfile's ZipInfo.FileHeader writes it: a Zip64 extra when
    `zip64` (None: when the sizes need one)."""
    limit = zipfile.ZIP64_LIMIT
    size, compressed = info.file_size, info.compress_size
    extra = info.extra
    if zip64 is None:
        zip64 = size > limit or compressed > limit
    if zip64:
        extra += struct.pack("<2H2Q", _ZIP64_EXTRA, 16, size, compressed)
    if size > limit or compressed > limit:
        size = compressed = 0xFFFFFFFF
        info.extract_version = max(info.extract_version, _ZIP64_VERSION)
        info.create_version = max(info.create_version, _ZIP64_VERSION)
    name, flags = _name(info)
    dos_time, dos_date = _dos_time(info)
    return _LOCAL.pack(b"PK\x03\x04", info.extract_version, info.reserved, flags,
                       info.compress_type, dos_time, dos_date, info.CRC, compressed, size,
                       len(name), len(extra)) + name + extra


def _central_record(info: zipfile.ZipInfo) -> bytes:
    """The member's central-directory record as zipfile writes it."""
    limit = zipfile.ZIP64_LIMIT
    size, compressed, offset = info.file_size, info.compress_size, info.header_offset
    wide = []
    if size > limit or compressed > limit:
        wide += [size, compressed]
        size = compressed = 0xFFFFFFFF
    if offset > limit:
        wide.append(offset)
        offset = 0xFFFFFFFF
    extra, least = info.extra, 0
    if wide:
        extra = struct.pack(f"<2H{len(wide)}Q", _ZIP64_EXTRA, 8 * len(wide), *wide) + extra
        least = _ZIP64_VERSION
    name, flags = _name(info)
    dos_time, dos_date = _dos_time(info)
    return _CENTRAL.pack(
        b"PK\x01\x02", max(least, info.create_version), info.create_system,
        max(least, info.extract_version), info.reserved, flags, info.compress_type, dos_time,
        dos_date, info.CRC, compressed, size, len(name), len(extra), len(info.comment), 0,
        info.internal_attr, info.external_attr, offset) + name + extra + info.comment


def _without_zip64(extra: bytes) -> bytes:
    """`extra` without its Zip64 field: the writer adds its own where the sizes need one."""
    kept, position = [], 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, position)
        if kind != _ZIP64_EXTRA:
            kept.append(extra[position:position + 4 + length])
        position += 4 + length
    return b"".join(kept)
