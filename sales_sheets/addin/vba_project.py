"""Read, change and write back a VBA project (``vbaProject.bin``, [MS-OVBA]).

Only what building the add-in needs: replace a module's source, rename a module, rename the
project. A rewritten module stream holds just its compressed source (no p-code cache), which is
only safe while the ``_VBA_PROJECT`` stream tells Office to recompile from source; that is
checked before any source is replaced.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import uuid
from dataclasses import dataclass
from typing import Any, TypeAlias

import olefile

from ..errors import UsageError
from ..formats import ovba_compression
from ..formats.cfb import write_compound

# dir stream record ids ([MS-OVBA] 2.3.4.2)
PROJECTCODEPAGE = 0x0003
PROJECTNAME = 0x0004
PROJECTVERSION = 0x0009
MODULENAME = 0x0019
MODULENAMEUNICODE = 0x0047
MODULESTREAMNAME = 0x001A
MODULESTREAMNAMEUNICODE = 0x0032
MODULEOFFSET = 0x0031
MODULE_TERMINATOR = 0x002B

_VBA = "VBA"
_SOURCE_ONLY_VERSION = 0xFFFF
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_MODULE_KEYS = ("Module", "Class", "BaseClass")
_CODECS = {10000: "mac_roman", 65001: "utf-8"}

_ByPath: TypeAlias = dict[tuple[str, ...], bytes]


@dataclass
class _Record:
    id: int
    data: bytes


class VbaProject:
    """A VBA project held in memory: every stream of the compound file, the dir records parsed.

    Args:
        data: The bytes of a ``vbaProject.bin``.

    Raises:
        UsageError: The bytes are not a VBA project this code understands.
    """

    def __init__(self, data: bytes) -> None:
        self._streams, self._clsids = _read_compound(data)
        for required in (("PROJECT",), ("PROJECTwm",), (_VBA, "dir"), (_VBA, "_VBA_PROJECT")):
            if required not in self._streams:
                raise UsageError(f"not a VBA project: stream {'/'.join(required)} is missing")
        self._records = _parse_dir(ovba_compression.decompress(self._streams[(_VBA, "dir")]))
        self.codec = _codec(self._record(PROJECTCODEPAGE).data)

    @property
    def module_names(self) -> list[str]:
        """Names of all modules, in the order of the dir stream."""
        return [r.data.decode(self.codec) for r in self._records if r.id == MODULENAME]

    def source(self, module: str) -> str:
        """The source text of a module as stored (CRLF line ends, ``Attribute`` lines first)."""
        stream = self._streams[(_VBA, self._stream_name(module))]
        offset = int.from_bytes(self._module_record(module, MODULEOFFSET).data, "little")
        return ovba_compression.decompress(stream[offset:]).decode(self.codec)

    def set_source(self, module: str, source: str) -> None:
        """Replace a module's source; the module stream then holds nothing else.

        Line ends become CRLF. Raises UsageError if a character has no encoding in the
        project's code page, or if the project keeps compiled code that Office would run
        instead of the new source.
        """
        self._require_recompile()
        text = source.replace("\r\n", "\n").replace("\n", "\r\n")
        encoded = _encode(text, self.codec, f"module {module}")
        self._streams[(_VBA, self._stream_name(module))] = ovba_compression.compress(encoded)
        self._module_record(module, MODULEOFFSET).data = struct.pack("<I", 0)

    def rename_module(self, old: str, new: str) -> None:
        """Rename a module everywhere it is named: dir stream, stream name, PROJECT, PROJECTwm."""
        _require_identifier(new)
        if new in self.module_names:
            raise UsageError(f"the VBA project already has a module {new}")
        old_stream = self._stream_name(old)
        self._module_record(old, MODULENAMEUNICODE).data = new.encode("utf-16-le")
        self._module_record(old, MODULESTREAMNAME).data = _encode(new, self.codec, new)
        self._module_record(old, MODULESTREAMNAMEUNICODE).data = new.encode("utf-16-le")
        self._module_record(old, MODULENAME).data = _encode(new, self.codec, new)
        self._streams[(_VBA, new)] = self._streams.pop((_VBA, old_stream))
        lines = _rename_in_project_lines(self._project_lines(), old, new)
        self._set_project_lines(lines)
        self._streams[("PROJECTwm",)] = _rename_in_name_map(
            self._streams[("PROJECTwm",)], self.codec, old, new
        )

    def rename_project(self, new: str) -> None:
        """Set the project name (PROJECT ``Name=`` and the dir PROJECTNAME record)."""
        _require_identifier(new)
        self._record(PROJECTNAME).data = _encode(new, self.codec, new)
        lines = self._project_lines()
        found = [i for i, line in enumerate(lines) if line.startswith("Name=")]
        if len(found) != 1:
            raise UsageError("the PROJECT stream does not have exactly one Name= line")
        lines[found[0]] = f'Name="{new}"'
        self._set_project_lines(lines)

    def to_bytes(self) -> bytes:
        """The project as a compound file."""
        self._streams[(_VBA, "dir")] = ovba_compression.compress(_serialize_dir(self._records))
        return write_compound(_nest(self._streams), self._clsids)

    def _require_recompile(self) -> None:
        header = self._streams[(_VBA, "_VBA_PROJECT")]
        if len(header) != 7 or struct.unpack_from("<H", header, 2)[0] != _SOURCE_ONLY_VERSION:
            raise UsageError(
                "the VBA project keeps compiled code (_VBA_PROJECT is not the 7-byte form with "
                "version 0xFFFF); Office would run that instead of the changed source"
            )

    def _record(self, record_id: int) -> _Record:
        for record in self._records:
            if record.id == record_id:
                return record
        raise UsageError(f"the VBA dir stream has no record 0x{record_id:04X}")

    def _module_record(self, module: str, record_id: int) -> _Record:
        start = next(
            (
                i
                for i, r in enumerate(self._records)
                if r.id == MODULENAME and r.data.decode(self.codec) == module
            ),
            None,
        )
        if start is None:
            raise UsageError(f"the VBA project has no module {module}")
        for record in self._records[start:]:
            if record.id == record_id:
                return record
            if record.id == MODULE_TERMINATOR:
                break
        raise UsageError(f"module {module} has no dir record 0x{record_id:04X}")

    def _stream_name(self, module: str) -> str:
        return self._module_record(module, MODULESTREAMNAME).data.decode(self.codec)

    def _project_lines(self) -> list[str]:
        return self._streams[("PROJECT",)].decode(self.codec).split("\r\n")

    def _set_project_lines(self, lines: list[str]) -> None:
        self._streams[("PROJECT",)] = _encode("\r\n".join(lines), self.codec, "PROJECT stream")


def _read_compound(data: bytes) -> tuple[_ByPath, _ByPath]:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError as exc:
        raise UsageError(f"not a VBA project: {exc}") from exc
    with ole:
        streams = {tuple(p): ole.openstream(p).read() for p in ole.listdir(streams=True)}
        clsids = {
            tuple(path): uuid.UUID(clsid).bytes_le
            for path in [[], *ole.listdir(streams=False, storages=True)]
            if (clsid := ole.getclsid(path))
        }
    return streams, clsids


def _nest(streams: _ByPath) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, data in sorted(streams.items()):
        storage = tree
        for part in path[:-1]:
            storage = storage.setdefault(part, {})
        storage[path[-1]] = data
    return tree


def _parse_dir(data: bytes) -> list[_Record]:
    records = []
    pos = 0
    while pos < len(data):
        if pos + 6 > len(data):
            raise UsageError("the VBA dir stream ends inside a record header")
        record_id, size = struct.unpack_from("<HI", data, pos)
        # PROJECTVERSION says 4 bytes but carries 6 (major u32, minor u16), [MS-OVBA] 2.3.4.2.1.11.
        if record_id == PROJECTVERSION:
            size = 6
        records.append(_Record(record_id, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return records


def _serialize_dir(records: list[_Record]) -> bytes:
    out = bytearray()
    for record in records:
        size = 4 if record.id == PROJECTVERSION else len(record.data)
        out += struct.pack("<HI", record.id, size) + record.data
    return bytes(out)


def _codec(codepage_record: bytes) -> str:
    codepage = int.from_bytes(codepage_record, "little")
    name = _CODECS.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise UsageError(f"the VBA project's code page {codepage} is not known here") from exc


def _encode(text: str, codec: str, what: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise UsageError(
            f"{what}: character {text[exc.start]!r} on line {line} cannot be written in the "
            f"VBA project's code page ({codec}); VBA source must stay within it"
        ) from exc


def _require_identifier(name: str) -> None:
    if not _IDENTIFIER.fullmatch(name):
        raise UsageError(f"{name!r} is not a VBA name (a letter, then letters, digits or _)")


def _rename_in_project_lines(lines: list[str], old: str, new: str) -> list[str]:
    """PROJECT stream: the module's declaration line and its [Workspace] window line."""
    declared = [f"{key}={old}" for key in _MODULE_KEYS]
    renamed, found = [], 0
    section = ""
    for line in lines:
        if line.startswith("["):
            section = line
        elif not section and line in declared:
            line = line.split("=", 1)[0] + "=" + new
            found += 1
        elif section == "[Workspace]" and line.startswith(f"{old}="):
            line = new + line[len(old) :]
        renamed.append(line)
    if found != 1:
        raise UsageError(f"the PROJECT stream does not declare module {old} exactly once")
    return renamed


def _rename_in_name_map(data: bytes, codec: str, old: str, new: str) -> bytes:
    """PROJECTwm: per module its name in the code page and in UTF-16, then a 0x0000 end."""
    pairs = _parse_name_map(data)
    target = old.encode(codec)
    if sum(1 for name, _ in pairs if name == target) != 1:
        raise UsageError(f"the PROJECTwm stream does not name module {old} exactly once")
    out = bytearray()
    for name, unicode in pairs:
        if name == target:
            name, unicode = new.encode(codec), new.encode("utf-16-le")
        out += name + b"\0" + unicode + b"\0\0"
    return bytes(out + b"\0\0")


def _parse_name_map(data: bytes) -> list[tuple[bytes, bytes]]:
    pairs = []
    pos = 0
    while not data.startswith(b"\0\0", pos):
        name_end = data.find(b"\0", pos)
        if name_end < 0:
            raise UsageError("the PROJECTwm stream is malformed")
        end = name_end + 1
        # Step by whole UTF-16 units: a unit may hold a zero byte without ending the name.
        while data[end : end + 2] != b"\0\0":
            if end + 2 > len(data):
                raise UsageError("the PROJECTwm stream is malformed")
            end += 2
        pairs.append((data[pos:name_end], data[name_end + 1 : end]))
        pos = end + 2
    return pairs
