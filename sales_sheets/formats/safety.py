"""Decide what a file is, and refuse it before parsing when it is unsafe.

openpyxl and calamine have no limit on how far a zip may expand, so the declared sizes in the
zip directory are checked first; an xlsx has no business carrying a DTD, so any part that
declares one (the entity-bomb vector) is refused as well.
"""

from __future__ import annotations

import re
import string
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.parsers import expat
from xml.parsers.expat import XMLParserType

from ..config import Limits
from ..problems import Problem, problem
from .a1 import column_index_from_string
from .cfb_chains import ChainError, check_chains
from .package import Member, PackageReader, Unsupported

if TYPE_CHECKING:
    from zipfile import ZipInfo

MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Office puts an encrypted xlsx into an OLE container with this stream name (UTF-16LE).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
_MAX_MEMBERS = 10_000


class Format(StrEnum):
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


def inspect_file(path: Path, limits: Limits) -> tuple[Format | None, list[Problem]]:
    """The file's format, or the problems that stop it from being read at all."""
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        return None, [problem("oversized_file", detail=f"{size / MB:.0f} MB")]
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        return _inspect_zip(path, limits)
    if head == _OLE_MAGIC:
        data = path.read_bytes()
        if _ENCRYPTED_STREAM in data:
            return None, [problem("encrypted_file")]
        if not any(stream in data for stream in _XLS_STREAMS):
            return None, [problem("not_spreadsheet")]  # a .doc, an Outlook .msg, ...
        try:
            check_chains(data)
        except ChainError as exc:
            return None, [problem("corrupt_file", detail=str(exc))]
        return Format.XLS, []
    if suffix == ".csv":
        return _inspect_csv(path)
    if suffix in _SPREADSHEET_SUFFIXES:
        return None, [problem("corrupt_file", detail=_describe(head))]
    return None, [problem("not_spreadsheet")]


def _describe(head: bytes) -> str:
    if not head:
        return "empty file / 空文件"
    return "not a workbook / 不是有效的工作簿"


def _inspect_csv(path: Path) -> tuple[Format | None, list[Problem]]:
    data = path.read_bytes()[:65536]
    if b"\x00" in data:
        return None, [problem("not_spreadsheet")]
    return Format.CSV, []


def _inspect_zip(path: Path, limits: Limits) -> tuple[Format | None, list[Problem]]:
    try:
        with PackageReader(path) as archive:
            members = archive.declared
            fault = _zip_bomb(members, limits)
            if fault:
                return None, [problem("oversized_file", detail=fault)]
            # Named before any member is read: zipfile would refuse it with
            # NotImplementedError or RuntimeError.
            unreadable = _unreadable_member(members)
            if unreadable:
                return None, [unreadable]
            if archive.has("xl/workbook.xml"):
                kind = Format.XLSX
            elif _is_ods(archive):
                kind = Format.ODS
            else:
                return None, [problem("not_spreadsheet")]
            # Each member, not each name: a zip may hold two members of one name.
            if any(_declares_dtd(archive, m) for m in archive.members
                   if m.filename.endswith((".xml", ".rels", ".vml"))):
                return None, [problem("unsafe_xml")]
            cells = _cell_extent(archive, kind, limits.max_cells)
            if cells > limits.max_cells:
                return None, [problem("oversized_file", detail=f"{cells:,} cells")]
            return kind, []
    except (Unsupported, OSError, ValueError, LookupError) as exc:
        # Unsupported: not a zip, a damaged directory, deflate stream or checksum, a member
        # cut short; LookupError: a part declares an encoding that does not exist, so it
        # cannot be checked for a DTD either
        return None, [problem("corrupt_file", detail=str(exc) or type(exc).__name__)]


def _unreadable_member(members: list[Member]) -> Problem | None:
    for member in members:
        if member.encrypted:
            return problem("encrypted_file")
        if not member.readable:
            detail = f"{member.name}: compression method {member.method}"
            return problem("corrupt_file", detail=detail)
    return None


def _zip_bomb(members: list[Member], limits: Limits) -> str:
    if len(members) > _MAX_MEMBERS:
        return f"{len(members)} parts"
    total = sum(m.size for m in members)
    if total > limits.max_unzipped_mb * MB:
        return f"{total / MB:.0f} MB"
    for member in members:
        ratio = member.size / max(member.compressed_size, 1)
        if member.size > MB and ratio > limits.max_compression_ratio:
            return f"{member.name} ×{ratio:.0f}"
    return ""


def _is_ods(archive: PackageReader) -> bool:
    if not archive.has("mimetype"):
        return False
    with archive.open("mimetype") as handle:
        return handle.read(100).strip() == b"application/vnd.oasis.opendocument.spreadsheet"


class _Stop(Exception):
    pass


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _declares_dtd(archive: PackageReader, member: ZipInfo) -> bool:
    """Parse the prolog, however long its comments, up to the first element."""
    with archive.open(member) as handle:
        head = handle.read(1024)
    if b"<!" not in head and _FIRST_ELEMENT.search(head):
        return False  # the usual part: declaration, then straight to its root element
    parser = expat.ParserCreate()
    found: list[bool] = []

    def doctype(*_args: object) -> None:
        found.append(True)
        raise _Stop

    def element(*_args: object) -> None:
        raise _Stop

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    _parse(parser, archive, member, 16384)
    return bool(found)


def _parse(parser: XMLParserType, archive: PackageReader, member: ZipInfo | str,
           chunk_size: int) -> None:
    """Feed a part to `parser` until its end or until a handler raises _Stop."""
    with archive.open(member) as handle:
        while chunk := handle.read(chunk_size):
            try:
                parser.Parse(chunk, False)
            except _Stop:
                return
            except expat.ExpatError:
                return  # malformed XML is the reader's to report as a damaged file


# Only <row> and <c> carry an attribute named `r` in a worksheet: a row number, or a cell
# reference whose digits are a row number too. calamine places a cell by its own reference, so
# a far cell inside a near row still stretches the grid to it. XML lets the attribute be
# written r='z1' or after a tab or a line break, and calamine takes lower-case column letters:
# the scan reads a copy in which whitespace is a space, quotes are double and letters are
# capitals, so that only one form (` R="`) is left to match. Spaces around its `=` are allowed
# too; a sheet that has them is read by an XML parser instead (_parsed_extent).
_CANONICAL = bytes.maketrans(b"\t\n\r'" + string.ascii_lowercase.encode(),
                             b'   "' + string.ascii_uppercase.encode())
_ANY_ROW = re.compile(rb' R="[A-Z]*(\d+)"')
# Elements may carry a namespace prefix (<x:dimension>); readers accept it.
_DIMENSION = re.compile(rb'<(?:\w+:)?DIMENSION REF="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_CHUNK = 1 << 20
# Bytes of one chunk carried into the next, so that a reference cut in two is seen whole: far
# longer than ` r="XFD1048576"`.
_OVERLAP = 64


def _cell_extent(archive: PackageReader, kind: Format, limit: int) -> int:
    """The largest rows × columns any sheet spans: what a reader allocates for it. A few
    kilobytes can claim the whole 1,048,576 × 16,384 grid. Sheets are scanned as they are
    decompressed, a chunk at a time, and the scan stops once a sheet is beyond `limit`."""
    if kind is Format.ODS:
        return _ods_extent(archive)
    largest = 0
    # Every part, not only xl/worksheets/: readers follow the workbook's relationships, and
    # those may put a sheet anywhere. Rows and cells only match inside a sheet's markup.
    for name in archive.names:
        if name.endswith(".xml"):
            largest = max(largest, _sheet_extent(archive, name, limit))
            if largest > limit:
                break
    return largest


def _sheet_extent(archive: PackageReader, name: str, limit: int) -> int:
    rows = columns = 0
    tail = b""
    with archive.open(name) as handle:
        while chunk := handle.read(_CHUNK):
            data = tail + chunk.translate(_CANONICAL)
            if not tail:  # the first chunk: what the sheet declares of itself
                dimension = _DIMENSION.search(data, 0, 4096)
                if dimension:
                    columns = column_index_from_string(dimension[1].decode())
                    rows = int(dimension[2])
            try:
                rows, wide = _scan(data, rows)
            except _Spaced:
                return _parsed_extent(archive, name, limit)
            for letters in wide:
                columns = max(columns, column_index_from_string(letters.decode()))
            if rows * max(columns, 26) > limit:
                break
            tail = data[-_OVERLAP:]
    return rows * max(columns, 26) if rows else 0


_REFERENCE = re.compile(r"\s*([A-Za-z]*)0*(\d+)\s*")


def _parsed_extent(archive: PackageReader, name: str, limit: int) -> int:
    """What _sheet_extent finds, for a part whose references it cannot match as bytes: every
    `r` of a <row> or <c> as an XML parser reads it (slower, and only for such parts). The
    check for a DTD has run before, so the parser expands no entities of the file's own."""
    parser = expat.ParserCreate(namespace_separator=" ")
    found = {"rows": 0, "columns": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        reference = attrs.get("r") if tag.rpartition(" ")[2] in ("row", "c") else None
        match = _REFERENCE.fullmatch(reference) if reference else None
        if match:
            letters, row = match.groups()
            found["rows"] = max(found["rows"], int(row))
            if letters:
                found["columns"] = max(found["columns"], column_index_from_string(letters.upper()))
            if found["rows"] * max(found["columns"], 26) > limit:
                raise _Stop

    parser.StartElementHandler = start
    _parse(parser, archive, name, _CHUNK)
    return found["rows"] * max(found["columns"], 26) if found["rows"] else 0


class _Spaced(Exception):
    """The part writes an `r` with spaces around its `=`: the byte scan cannot read it."""


def _scan(data: bytes, rows: int) -> tuple[int, set[bytes]]:
    """The highest row number in `data` (or `rows` if none is higher), and the column letters
    of its cells beyond Z. Rows come in ascending order in any sane sheet, so the chunk's last
    references give the highest row, and one scan for rows above them (it finds none) and for
    wide columns (usually none) confirms it: no number is parsed per cell. Raises _Spaced for
    an `r` written with spaces around its `=` (the same scan finds them)."""
    guess = max([rows, *map(int, _ANY_ROW.findall(data, max(0, len(data) - 4096)))])
    found = _above(guess).findall(data)
    if any(spaced for *_, spaced in found):
        raise _Spaced
    higher = [int(row) for _, row, _, _ in found if row]
    wide = {letters for first, _, other, _ in found if len(letters := first or other) > 1}
    return max([guess, *higher]), wide


@lru_cache(maxsize=64)
def _above(number: int) -> re.Pattern[bytes]:
    """A reference in a row above `number` (longer, or as long and larger at its first
    differing digit; leading zeros skipped as a reader would), or in a column beyond Z, or
    an `r` with spaces around its `=`. Groups: the letters and row of the first, the letters
    of the second, the spaces of the third."""
    digits = str(number)
    larger = rb"[1-9]\d{%d,}|%s" % (len(digits), _as_long_and_larger(digits))
    # Possessive: a reference that fails is left at once, not retried shorter.
    return re.compile(rb' R(?:="(?:([A-Z]*+)0*+(' + larger + rb')"|([A-Z]{2,})\d)|( +=|= ))')


def _as_long_and_larger(digits: str) -> bytes:
    """A pattern for the numbers of as many digits as `digits` and larger, nested by common
    prefix so that each digit is looked at once (e.g. 19 -> `[2-9]\\d{1}|1(?:(?!))`)."""
    first, rest = digits[0], digits[1:]
    options = [b"[%d-9]\\d{%d}" % (int(first) + 1, len(rest))] if first != "9" else []
    if rest:
        options.append(b"%s(?:%s)" % (first.encode(), _as_long_and_larger(rest)))
    return b"|".join(options) or b"(?!)"


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_extent(archive: PackageReader) -> int:
    """ODS compresses runs with number-rows/columns-repeated; count the area up to the last
    repeated cell that holds a value (trailing empty runs cost a reader nothing)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    state = {"row": 0, "col": 0, "repeat": 1, "rows": 0, "cols": 0, "largest": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{_TABLE} table":
            state.update(row=0, rows=0, cols=0)
        elif name == f"{_TABLE} table-row":
            state["repeat"] = int(attrs.get(f"{_TABLE} number-rows-repeated", "1"))
            state["col"] = 0
        elif name in (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"):
            span = int(attrs.get(f"{_TABLE} number-columns-repeated", "1"))
            state["col"] += span
            if f"{_OFFICE} value-type" in attrs:
                state["cols"] = max(state["cols"], state["col"])
                state["rows"] = max(state["rows"], state["row"] + state["repeat"])
                state["largest"] = max(state["largest"], state["rows"] * state["cols"])

    def end(name: str) -> None:
        if name == f"{_TABLE} table-row":
            state["row"] += state["repeat"]

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if not archive.has("content.xml"):
        return 0  # no content: the reader reports it
    try:
        with archive.open("content.xml") as handle:
            parser.ParseFile(handle)
    except (expat.ExpatError, ValueError):
        return 0  # malformed content: the reader reports it
    return state["largest"]


def is_complete_zip(path: Path) -> bool:
    """True when the zip's central directory can be read: the writer has finished."""
    try:
        with PackageReader(path) as archive:
            return bool(archive.names)
    except (Unsupported, OSError, ValueError):
        return False
