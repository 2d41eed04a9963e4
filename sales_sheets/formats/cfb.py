"""A small writer of compound files ([MS-CFB] version 3), the container of a VBA project.

olefile only overwrites streams in place at their old size and the CFB packages on PyPI either
only read or pull in much more than this needs, so the few hundred bytes of structure are
written here. The whole file is laid out in one pass; nothing is ever rewritten in place.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

Tree: TypeAlias = Mapping[str, "bytes | Tree"]
"""Storage contents: a name maps to a stream's bytes or to a nested storage."""

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
HEADER_DIFAT_ENTRIES = 109
MAX_NAME_LENGTH = 31

_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_ENTRY_SIZE = 128
_IDS_PER_SECTOR = SECTOR_SIZE // 4
_NO_CLSID = bytes(16)
_FORBIDDEN_NAME_CHARACTERS = frozenset("/\\:!")


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    clsid: bytes = _NO_CLSID
    children: list[int] = field(default_factory=list)
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN


def write_compound(tree: Tree, clsids: Mapping[tuple[str, ...], bytes] | None = None) -> bytes:
    """Lay out a compound file holding the given storages and streams.

    Streams under 4096 bytes go to the mini stream, as readers expect. Every timestamp is zero,
    so the same tree always gives the same bytes.

    Args:
        tree: The root storage's contents.
        clsids: CLSIDs (16 bytes each, as stored) of storages by path; ``()`` is the root.
            Storages not named here get the all-zero CLSID.

    Returns:
        The compound file.

    Raises:
        ValueError: A name is empty, longer than 31 characters, holds one of ``/\\:!`` or
            equals a sibling's name (case-insensitively); a CLSID is not 16 bytes; or the file
            needs more FAT sectors than the header's DIFAT can address (about 7 MB).
    """
    entries = [_Entry("Root Entry", _ROOT, clsid=_clsid(clsids, ()))]
    _add_children(entries, 0, tree, (), clsids or {})
    for entry in entries:
        entry.child = _red_black_tree(entries, entry.children)
    return _Layout(entries).to_bytes()


def sort_key(name: str) -> tuple[int, tuple[int, ...]]:
    """Order of sibling names in a storage ([MS-CFB] 2.6.4): length first, then upper case."""
    units = _upper(name).encode("utf-16-le")
    return len(units) // 2, struct.unpack(f"<{len(units) // 2}H", units)


def _upper(name: str) -> str:
    # The specification upper-cases each character on its own (simple case mapping), so a
    # character whose full upper case is longer (German sharp s) stays as it is.
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in name)


def _clsid(clsids: Mapping[tuple[str, ...], bytes] | None, path: tuple[str, ...]) -> bytes:
    clsid = (clsids or {}).get(path, _NO_CLSID)
    if len(clsid) != 16:
        raise ValueError(f"CLSID of storage {'/'.join(path) or 'root'} is not 16 bytes")
    return clsid


def _add_children(
    entries: list[_Entry],
    parent: int,
    tree: Tree,
    path: tuple[str, ...],
    clsids: Mapping[tuple[str, ...], bytes],
) -> None:
    names = sorted(tree, key=sort_key)
    for name in names:
        _check_name(name, path)
    for before, after in zip(names, names[1:], strict=False):
        if sort_key(before) == sort_key(after):
            raise ValueError(f"names {before!r} and {after!r} in {'/'.join(path)!r} collide")
    for name in names:
        content = tree[name]
        index = len(entries)
        entries[parent].children.append(index)
        if isinstance(content, bytes | bytearray):
            entries.append(_Entry(name, _STREAM, data=bytes(content)))
        else:
            entries.append(_Entry(name, _STORAGE, clsid=_clsid(clsids, (*path, name))))
            _add_children(entries, index, content, (*path, name), clsids)


def _check_name(name: str, path: tuple[str, ...]) -> None:
    where = "/".join((*path, name))
    if not name or len(name.encode("utf-16-le")) // 2 > MAX_NAME_LENGTH:
        raise ValueError(f"{where!r}: a name has 1 to {MAX_NAME_LENGTH} UTF-16 characters")
    if _FORBIDDEN_NAME_CHARACTERS & set(name):
        raise ValueError(f"{where!r}: a name cannot hold any of / \\ : !")


def _red_black_tree(entries: list[_Entry], siblings: list[int]) -> int:
    """Link sorted siblings into a balanced tree and return its root (or NOSTREAM).

    Halving the sorted list puts every missing child on the last two levels; colouring the
    deepest level red when it is not full then gives every path the same number of black
    nodes and no red node a red child, which is all a red-black tree asks.
    """
    depth = math.floor(math.log2(len(siblings))) if siblings else 0
    full = len(siblings) == 2 ** (depth + 1) - 1
    return _subtree(entries, siblings, 0, depth, red_bottom=not full)


def _subtree(
    entries: list[_Entry], siblings: list[int], level: int, depth: int, *, red_bottom: bool
) -> int:
    if not siblings:
        return _NOSTREAM
    middle = len(siblings) // 2
    node = entries[siblings[middle]]
    node.color = _RED if red_bottom and level == depth else _BLACK
    node.left = _subtree(entries, siblings[:middle], level + 1, depth, red_bottom=red_bottom)
    node.right = _subtree(entries, siblings[middle + 1 :], level + 1, depth, red_bottom=red_bottom)
    return siblings[middle]


class _Layout:
    """Sector allocation: FAT, directory, mini FAT, mini stream, then the large streams."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        self.minifat: list[int] = []
        self.ministream = bytearray()
        for entry in entries:
            if entry.kind == _STREAM and 0 < len(entry.data) < MINI_STREAM_CUTOFF:
                entry.start = self._add_mini(entry.data)
        large = [e for e in entries if e.kind == _STREAM and len(e.data) >= MINI_STREAM_CUTOFF]
        self.dir_sectors = _sectors(len(entries) * _ENTRY_SIZE)
        self.minifat_sectors = _sectors(len(self.minifat) * 4)
        self.ministream_sectors = _sectors(len(self.ministream))
        other = self.dir_sectors + self.minifat_sectors + self.ministream_sectors
        other += sum(_sectors(len(e.data)) for e in large)
        self.fat_sectors = _fat_sectors(other)
        self.fat = [_FATSECT] * self.fat_sectors
        self.dir_start = self._chain(self.dir_sectors)
        self.minifat_start = self._chain(self.minifat_sectors)
        entries[0].start = self._chain(self.ministream_sectors)
        for entry in large:
            entry.start = self._chain(_sectors(len(entry.data)))

    def _add_mini(self, data: bytes) -> int:
        start = len(self.minifat)
        count = -(-len(data) // MINI_SECTOR_SIZE)
        self.minifat += list(range(start + 1, start + count)) + [_ENDOFCHAIN]
        self.ministream += data.ljust(count * MINI_SECTOR_SIZE, b"\0")
        return start

    def _chain(self, count: int) -> int:
        if count == 0:
            return _ENDOFCHAIN
        start = len(self.fat)
        self.fat += list(range(start + 1, start + count)) + [_ENDOFCHAIN]
        return start

    def to_bytes(self) -> bytes:
        fat = self.fat + [_FREESECT] * (self.fat_sectors * _IDS_PER_SECTOR - len(self.fat))
        minifat = self.minifat + [_FREESECT] * (
            self.minifat_sectors * _IDS_PER_SECTOR - len(self.minifat)
        )
        directory = b"".join(_direntry(e, len(self.ministream)) for e in self.entries)
        body = [
            _ids(fat),
            _pad(directory, _EMPTY_ENTRY, self.dir_sectors * SECTOR_SIZE),
            _ids(minifat),
            _pad(bytes(self.ministream), b"\0", self.ministream_sectors * SECTOR_SIZE),
        ]
        for entry in self.entries:
            if entry.kind == _STREAM and len(entry.data) >= MINI_STREAM_CUTOFF:
                body.append(_pad(entry.data, b"\0", _sectors(len(entry.data)) * SECTOR_SIZE))
        return self._header() + b"".join(body)

    def _header(self) -> bytes:
        difat = list(range(self.fat_sectors))
        difat += [_FREESECT] * (HEADER_DIFAT_ENTRIES - len(difat))
        fixed = struct.pack(
            "<8s16sHHHHH6sIIIIIIIII",
            _SIGNATURE,
            _NO_CLSID,
            0x003E,  # minor version
            0x0003,  # major version 3: 512-byte sectors
            0xFFFE,  # byte order mark: little-endian
            9,  # sector shift: 2**9 = 512
            6,  # mini sector shift: 2**6 = 64
            bytes(6),
            0,  # number of directory sectors: always 0 in version 3
            self.fat_sectors,
            self.dir_start,
            0,  # transaction signature
            MINI_STREAM_CUTOFF,
            self.minifat_start,
            self.minifat_sectors,
            _ENDOFCHAIN,  # first DIFAT sector: none, the header holds them all
            0,
        )
        return fixed + _ids(difat)


def _fat_sectors(other_sectors: int) -> int:
    # The FAT maps its own sectors too, so grow it until it covers itself and everything else.
    count = 1
    while count * _IDS_PER_SECTOR < count + other_sectors:
        count += 1
    if count > HEADER_DIFAT_ENTRIES:
        raise ValueError(
            f"compound file too large: it needs {count} FAT sectors and the header addresses "
            f"{HEADER_DIFAT_ENTRIES} (about 7 MB of streams)"
        )
    return count


def _direntry(entry: _Entry, ministream_size: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\0\0"
    if entry.kind == _ROOT:
        size = ministream_size
    elif entry.kind == _STREAM:
        size = len(entry.data)
    else:
        size, entry.start = 0, 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        entry.clsid,
        0,  # state bits
        0,  # creation time
        0,  # modification time
        entry.start,
        size,
    )


_EMPTY_ENTRY = struct.pack(
    "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, _NO_CLSID, 0, 0, 0, 0, 0
)


def _sectors(size: int) -> int:
    return -(-size // SECTOR_SIZE)


def _ids(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


def _pad(data: bytes, filler: bytes, size: int) -> bytes:
    return data + filler * ((size - len(data)) // len(filler))
