"""The summary workbooks' package writer: data rows spliced into xlsxwriter's package, each part
deflated at the level its size calls for, every part stamped at one fixed time."""

from __future__ import annotations

import io
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from sales_sheets.formats import xlsx_rows
from sales_sheets.formats.package import FIXED_TIME
from sales_sheets.formats.xlsx_rows import Rows, write_package


def xlsxwriter_package() -> io.BytesIO:
    source = io.BytesIO()
    book = xlsxwriter.Workbook(source)
    book.add_worksheet("汇总").write_string(0, 0, "title")
    book.add_worksheet("明细").write_row(0, 0, ["客户", "金额"])
    book.close()
    return source


def deflated(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("big", [False, True])
def test_rows_are_spliced_and_large_parts_deflated_at_level_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, big: bool) -> None:
    if big:  # every part counts as large
        monkeypatch.setattr(xlsx_rows, "_BIG", 10)
    target = tmp_path / "report.xlsx"
    with Rows(["text", "money"], lambda kind, variant: 0, first=1) as rows:
        rows.write((f"客户{n}", Decimal(n)) for n in range(500))
        write_package(xlsxwriter_package(), {"明细": rows}, target)
    level = 1 if big else 6
    with zipfile.ZipFile(target) as package:
        assert package.testzip() is None
        sheet = package.read("xl/worksheets/sheet2.xml").decode()
        assert '<row r="501">' in sheet and "客户499" in sheet
        for info in package.infolist():
            data = package.read(info)
            assert info.date_time == FIXED_TIME
            assert info.compress_size == len(deflated(data, level)), info.filename
