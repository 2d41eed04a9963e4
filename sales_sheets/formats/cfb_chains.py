"""Check the sector chains of a compound file (an .xls) before a reader follows them.

In a compound file ([MS-CFB]) every stream is a chain of sectors, each naming the next in the
FAT. calamine follows a chain until its end marker without noticing a loop, so a few changed
bytes that point a chain back at itself make it allocate until the process is killed (fuzzing
found this). Every chain a reader may follow is walked here first, at most once per sector.
"""

from __future__ import annotations

import struct

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_HEADER_DIFAT = 109
_ENTRY_SIZE = 128
_STREAM, _ROOT = 2, 5


class ChainError(ValueError):
    """A chain loops, leaves the file or the header is not a compound file's."""


def check_chains(data: bytes) -> None:
    """Raise ChainError unless every chain of the directory, the mini FAT and each stream ends.

    Args:
        data: the whole compound file (its signature already checked).
    """
    if len(data) < 512:
        raise ChainError("compound file header cut short")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise ChainError(f"sector size 2^{shift}")
    size = 1 << shift
    fat_count, dir_start = struct.unpack_from("<II", data, 44)
    cutoff, minifat_start, _, difat_start, difat_count = struct.unpack_from("<IIIII", data, 56)
    sectors = _FileSectors(data, size)
    fat_sectors = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", data, 76))[:fat_count]
    difat = _chain_of_difat(sectors, difat_start, difat_count)
    fat_sectors += [s for sector in difat for s in sectors.ids(sector)[:-1]]
    fat = [i for s in fat_sectors[:fat_count] for i in sectors.ids(s)]
    directory = b"".join(sectors.read(s) for s in walk(dir_start, fat))
    minifat = [i for s in walk(minifat_start, fat) for i in sectors.ids(s)]
    for at in range(0, len(directory) - _ENTRY_SIZE + 1, _ENTRY_SIZE):
        kind = directory[at + 66]
        start, length = struct.unpack_from("<II", directory, at + 116)
        if kind == _ROOT:
            walk(start, fat)  # the mini stream
        elif kind == _STREAM:
            walk(start, minifat if length < cutoff else fat)


def walk(start: int, table: list[int]) -> list[int]:
    """The sectors of the chain from `start`; ChainError when it loops or leaves the table."""
    chain: list[int] = []
    seen: set[int] = set()
    sector = start
    while sector not in (_ENDOFCHAIN, _FREESECT):
        if sector >= len(table):
            raise ChainError(f"sector {sector} beyond the allocation table")
        if sector in seen:
            raise ChainError(f"sector chain loops at {sector}")
        seen.add(sector)
        chain.append(sector)
        sector = table[sector]
    return chain


def _chain_of_difat(sectors: _FileSectors, start: int, count: int) -> list[int]:
    chain: list[int] = []
    sector = start
    while sector not in (_ENDOFCHAIN, _FREESECT) and len(chain) < count:
        if sector in chain:
            raise ChainError(f"DIFAT loops at {sector}")
        chain.append(sector)
        sector = sectors.ids(sector)[-1]  # the last entry names the next DIFAT sector
    return chain


class _FileSectors:
    def __init__(self, data: bytes, size: int) -> None:
        self._data = data
        self._size = size

    def read(self, sector: int) -> bytes:
        at = (sector + 1) * self._size  # sector 0 follows the header
        if at + self._size > len(self._data):
            raise ChainError(f"sector {sector} beyond the end of the file")
        return self._data[at: at + self._size]

    def ids(self, sector: int) -> list[int]:
        return list(struct.unpack(f"<{self._size // 4}I", self.read(sector)))
