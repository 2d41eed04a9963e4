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


def test_nullable_columns_render_as_the_slow_path_does() -> None:
    """Rows with empty numbers or dates in `nullable` columns take compiled renderers, and
    give the same XML as cell-by-cell rendering (blank cells with their style)."""
    from datetime import date

    kinds = ["text", "date", "money", "int", "int"]
    rows = [("SO-1", date(2026, 11, 2), Decimal("1.50"), 28, 10),
            ("SO-2", None, Decimal("0.00"), None, None),
            ("", date(2026, 11, 3), Decimal("-2.00"), 3, None),
            ("A & B", None, Decimal("9"), None, 4)]
    variant = {"SO-1": "alert"}

    def rendered(nullable: tuple[int, ...]) -> bytes:
        with Rows(kinds, lambda kind, v: len(kind) + (10 if v == "alert" else 0), first=3,
                  nullable=nullable) as fragment:
            fragment.write(rows, lambda values: variant.get(values[0], "plain"))
            fragment.file.seek(0)
            return fragment.file.read()

    fast, slow = rendered((1, 3, 4)), rendered(())
    assert fast == slow
    assert b'<c r="B5" s="4"/>' in fast and b'<c r="E4" s="13"><v>10</v></c>' in fast
