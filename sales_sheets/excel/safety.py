"""Decide what a file is, and refuse it before parsing when it is unsafe.

openpyxl and calamine have no limit on how far a zip may expand, so the declared sizes in the
zip directory are checked first; an xlsx has no business carrying a DTD, so any part that
declares one (the entity-bomb vector) is refused as well.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

from ..config import Limits
from ..problems import Problem, problem

MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# Office puts an encrypted xlsx into an OLE container with this stream name (UTF-16LE).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
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
        if _ENCRYPTED_STREAM in path.read_bytes():
            return None, [problem("encrypted_file")]
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
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            fault = _zip_bomb(members, limits)
            if fault:
                return None, [problem("oversized_file", detail=fault)]
            names = {m.filename for m in members}
            if "xl/workbook.xml" in names:
                kind = Format.XLSX
            elif _is_ods(archive, names):
                kind = Format.ODS
            else:
                return None, [problem("not_spreadsheet")]
            if _declares_dtd(archive, members):
                return None, [problem("unsafe_xml")]
            return kind, []
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        return None, [problem("corrupt_file", detail=str(exc) or type(exc).__name__)]


def _zip_bomb(members: list[zipfile.ZipInfo], limits: Limits) -> str:
    if len(members) > _MAX_MEMBERS:
        return f"{len(members)} parts"
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_mb * MB:
        return f"{total / MB:.0f} MB"
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MB and ratio > limits.max_compression_ratio:
            return f"{member.filename} ×{ratio:.0f}"
    return ""


def _is_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" not in names:
        return False
    with archive.open("mimetype") as handle:
        return handle.read(100).strip() == b"application/vnd.oasis.opendocument.spreadsheet"


def _declares_dtd(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bool:
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as handle:
                head = handle.read(2048).upper()
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                return True
    return False


def is_complete_zip(path: Path) -> bool:
    """True when the zip's central directory can be read: the writer has finished."""
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
