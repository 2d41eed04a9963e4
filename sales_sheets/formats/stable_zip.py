"""Zip packages whose bytes depend on their contents alone.

python-docx stamps every part of a saved .docx with the time of saving, so the same contract
rendered in two different seconds (by two offices, or again after a crash) differs in its bytes
though not in a single character. Re-stamping every part with one fixed time makes a rendered
document a function of its contents: the same order gives the same file, on any ledger.

A zip entry's time is two 16-bit fields, in its local header and again in its central-directory
record (APPNOTE.TXT 4.3.7 and 4.3.12); no checksum or size covers them. They are rewritten in a
copy of the bytes, the parts neither decompressed nor compressed again (4.8 ms of a contract's
27 when they were). The result is the bytes zipfile writes for the same parts stamped at
FIXED_TIME (tests/formats/test_stable_zip.py).
"""

from __future__ import annotations

import io
import struct
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_STAMP = struct.Struct("<HH")  # MS-DOS time, then date
_FIXED = _STAMP.pack(
    FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2,
    (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2])


class NotAPlainZip(ValueError):
    """A zip whose records are not where its directory says (zip64, spanned, or with bytes
    before it)."""


def stable_package(data: bytes) -> bytes:
    """The zip `data` with every member stamped at FIXED_TIME; everything else as it was."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        offsets = [info.header_offset for info in source.infolist()]
    stamped = bytearray(data)
    for offset in offsets:
        _restamp(stamped, offset, _LOCAL, 10)
    end = data.rfind(_END)
    count, position = struct.unpack_from("<H4xI", data, end + 10)  # entries, directory start
    if count != len(offsets):
        raise NotAPlainZip(f"{count} directory records for {len(offsets)} members")
    for _ in range(count):
        _restamp(stamped, position, _CENTRAL, 12)
        name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name + extra + comment
    return bytes(stamped)


def _restamp(data: bytearray, offset: int, signature: bytes, field: int) -> None:
    if data[offset:offset + 4] != signature:
        raise NotAPlainZip(f"no zip record at byte {offset}")
    data[offset + field:offset + field + _STAMP.size] = _FIXED
