"""The safety check on its own: what a file is, and what it refuses before any parser runs.

Each unsafe file is built here from its bytes; tests/test_bad_files.py drives the same cases
through the whole intake.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.config import Limits
from sales_sheets.formats.safety import Format, inspect_file, is_complete_zip

DATA = Path(__file__).parent.parent / "data"


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.append(["订单号", "SO-1"])
    book.save(path)
    return path


def rezip(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the package with some members replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info)))
        assert set(change) <= set(old.namelist())
    return target


def codes(path: Path, limits: Limits | None = None) -> tuple[Format | None, list[str]]:
    kind, problems = inspect_file(path, limits or Limits())
    return kind, [p.code for p in problems]


@pytest.mark.parametrize(("name", "expected"), [
    ("order.xls", Format.XLS), ("order.ods", Format.ODS), ("customers.xls", Format.XLS)])
def test_real_workbooks_are_recognised_by_content(name: str, expected: Format) -> None:
    assert codes(DATA / name) == (expected, [])


def test_an_xlsx_is_recognised_whatever_its_name(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx")
    renamed = path.rename(tmp_path / "a.dat")
    assert codes(renamed) == (Format.XLSX, [])


def test_csv_by_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("订单号,SO-1\n", encoding="utf-8")
    assert codes(path) == (Format.CSV, [])


def test_an_encrypted_workbook_is_refused() -> None:
    assert codes(DATA / "encrypted_order.xlsx") == (None, ["encrypted_file"])


def test_a_damaged_spreadsheet_and_a_non_spreadsheet(tmp_path: Path) -> None:
    damaged = tmp_path / "x.xlsx"
    damaged.write_bytes(b"not a zip at all")
    other = tmp_path / "x.pdf"
    other.write_bytes(b"%PDF-1.7\n")
    assert codes(damaged) == (None, ["corrupt_file"])
    assert codes(other) == (None, ["not_spreadsheet"])


def test_a_dtd_in_any_part_is_refused(tmp_path: Path) -> None:
    source = workbook(tmp_path / "a.xlsx")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    path = rezip(source, tmp_path / "b.xlsx", {"xl/styles.xml": bomb})
    assert codes(path) == (None, ["unsafe_xml"])


def test_declared_sizes_beyond_the_limits_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    assert codes(path, Limits(max_compression_ratio=50))[1] == ["oversized_file"]
    assert codes(path, Limits(max_unzipped_mb=1))[1] == ["oversized_file"]


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx")
    assert codes(path, Limits(max_file_mb=path.stat().st_size / 2**20 / 2)) == (
        None, ["oversized_file"])


def test_a_zip_is_complete_only_once_its_directory_is_written(tmp_path: Path) -> None:
    whole = workbook(tmp_path / "a.xlsx").read_bytes()
    half = tmp_path / "half.xlsx"
    half.write_bytes(whole[: len(whole) // 2])
    assert is_complete_zip(tmp_path / "a.xlsx")
    assert not is_complete_zip(half)
    assert not is_complete_zip(tmp_path / "missing.xlsx")
