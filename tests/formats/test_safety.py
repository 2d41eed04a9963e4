"""The safety check on its own: what a file is, and what it refuses before any parser runs.

Each unsafe file is built here from its bytes; tests/test_bad_files.py drives the same cases
through the whole intake.
"""

from __future__ import annotations

import io
import random
import string
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


def sheet_of(rows: list[bytes]) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + b"".join(rows) + b"</sheetData></worksheet>")


def row(number: int, *cells: bytes) -> bytes:
    refs = cells or (b"A%d" % number,)
    return b'<row r="%d">' % number + b"".join(
        b'<c r="%s" t="inlineStr"><is><t>x</t></is></c>' % ref for ref in refs) + b"</row>"


def too_many_cells(path: Path, limits: Limits | None = None) -> bool:
    """Refused for the cells its sheets span (not for its compression ratio or size)."""
    _kind, problems = inspect_file(path, limits or Limits())
    return [(p.code, dict(p.params)["detail"].endswith(" cells")) for p in problems] == [
        ("oversized_file", True)]


def with_sheet(tmp_path: Path, sheet: bytes, name: str = "s.xlsx") -> Path:
    return rezip(workbook(tmp_path / "base.xlsx"), tmp_path / name,
                 {"xl/worksheets/sheet1.xml": sheet})


def test_a_far_cell_inside_a_near_row_is_counted_where_a_reader_puts_it(tmp_path: Path) -> None:
    # calamine places a cell by its own reference: this one stretches the grid to the last
    # cell of the sheet (and aborts the process allocating it), whatever its row says.
    path = with_sheet(tmp_path, sheet_of([row(1), row(2, b"A2", b"XFD1048576")]))
    kind, problems = inspect_file(path, Limits())
    assert [p.code for p in problems] == ["oversized_file"]
    assert dict(problems[0].params)["detail"] == f"{1_048_576 * 16_384:,} cells"


@pytest.mark.parametrize("written", [
    b'r="z1048576"', b"r='Z1048576'", b'r = "Z1048576"', b'r=\t"Z1048576"', b"\tr='Z1048576'",
    b'\nr="Z1048576"', b'\r\nr  =\n"Z1048576"',
])
def test_a_far_cell_is_found_however_xml_lets_its_reference_be_written(
    tmp_path: Path, written: bytes,
) -> None:
    # calamine reads each of these as Z1048576 (checked with python-calamine 0.9.1): a grid
    # of a million rows from a 5 KB file.
    sheet = sheet_of([row(1), row(2, b"A2")]).replace(b' r="A2"', b" " + written.lstrip(), 1)
    if written[:1].isspace():
        sheet = sheet.replace(b" " + written.lstrip(), written, 1)
    assert too_many_cells(with_sheet(tmp_path, sheet))


def test_spaces_around_the_equals_sign_are_read_by_a_parser_in_a_long_sheet(
    tmp_path: Path,
) -> None:
    limits = Limits(max_cells=2_000_000)
    rows = [row(n) for n in range(1, 60_001)]
    rows[0] = rows[0].replace(b'<row r="1">', b'<row r = "1">')
    assert codes(with_sheet(tmp_path, sheet_of(rows), "ok.xlsx"), limits) == (Format.XLSX, [])
    rows[50_000] = row(50_001, b"A50001", b"CV6000")
    assert too_many_cells(with_sheet(tmp_path, sheet_of(rows)), limits)


@pytest.mark.parametrize("far", [b"A99999", b"A0099999", b"CV6000"])
def test_a_reference_beyond_the_limit_is_found_anywhere_in_a_long_sheet(
    tmp_path: Path, far: bytes
) -> None:
    # 60,000 rows in ascending order: several chunks of XML. 60,000 x 26 cells are within
    # the limit; one cell out of order, far down or far right, is not.
    limits = Limits(max_cells=2_000_000)
    rows = [row(n) for n in range(1, 60_001)]
    assert codes(with_sheet(tmp_path, sheet_of(rows), "ok.xlsx"), limits) == (Format.XLSX, [])
    rows[500] = row(501, b"A501", far)
    assert too_many_cells(with_sheet(tmp_path, sheet_of(rows)), limits)


def test_a_reference_cut_by_a_chunk_boundary_is_read_whole(tmp_path: Path) -> None:
    # The XML is scanned a MiB at a time: a text pads the first MiB so that the only far
    # reference has its row number cut in two by the boundary.
    start = (sheet_of([]).partition(b"</sheetData>")[0]
             + b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
    rest = b'</t></is></c></row><row r="2"><c r="A5000000"/></row></sheetData></worksheet>'
    pad = (1 << 20) - 3 - len(start) - rest.index(b"5000000")
    text = random.Random(1).choices(string.ascii_letters.encode(), k=pad)  # incompressible
    sheet = start + bytes(text) + rest
    assert sheet.index(b"5000000") == (1 << 20) - 3
    assert too_many_cells(with_sheet(tmp_path, sheet))


def test_the_scan_stops_at_the_first_reference_beyond_the_limit(tmp_path: Path) -> None:
    # The sheet's stored checksum is wrong: read to its end, it is a damaged file. Refused as
    # oversized, it was refused before the end, without decompressing the rest.
    rows = [row(1, b"A1", b"XFD1048576"), *(row(n) for n in range(2, 40_000))]
    path = with_sheet(tmp_path, sheet_of(rows))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    crc = info.CRC.to_bytes(4, "little")
    assert data.count(crc) == 2  # the local header and the central directory
    path.write_bytes(bytes(data).replace(crc, bytes(b ^ 0xFF for b in crc)))
    assert too_many_cells(path)
    assert codes(path, Limits(max_cells=2**62))[1] == ["corrupt_file"]
