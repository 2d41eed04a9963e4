"""What we rely on in a library's private names, checked so that an upgrade fails here, loudly,
rather than writing wrong files quietly."""

from __future__ import annotations

import random
import re
import zipfile
import zlib
from io import BytesIO

import pytest
import xlsxwriter

from sales_sheets.formats.xlsx_rows import _BIG, _zip_info
from sales_sheets.reports.styles import KINDS, Styles


def test_style_index_is_the_one_xlsxwriter_writes_into_cells() -> None:
    # Styles.index (xlsxwriter's Format._get_xf_index) numbers the cells that xlsx_rows.py
    # renders without xlsxwriter; xlsxwriter must give its own cells the same s="".
    output = BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    styles = Styles(book)
    wanted = [(kind, variant) for kind in KINDS for variant in ("plain", "total", "alert")]
    indices = [styles.index(kind, variant) for kind, variant in wanted]
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "title", styles.title)  # a format first used in a cell
    for row, (kind, variant) in enumerate(wanted, start=1):
        sheet.write_number(row, 0, row, styles.format(kind, variant))
    book.close()
    with zipfile.ZipFile(output) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
        style_count = re.search(r'<cellXfs count="(\d+)"', package.read("xl/styles.xml").decode())
    written = [int(s) for s in re.findall(r'<c r="A(?:[2-9]|\d\d+)" s="(\d+)"', xml)]
    assert written == indices
    # The plain formats are numbered first (kinds with the same look share one), so that 明细
    # rendered in another process agrees (details.py).
    assert [styles.index(kind) for kind in KINDS] == [1, 2, 3, 4, 1, 5, 6]
    assert style_count is not None and int(style_count[1]) == len(set(indices)) + 2


@pytest.mark.parametrize(("declared", "level"), [(1000, 6), (_BIG + 1, 1)])
def test_zip_parts_are_deflated_at_the_level_chosen(declared: int, level: int) -> None:
    # _zip_info sets the level through ZipInfo (a private name before Python 3.13): the part
    # must come out exactly as zlib deflates it at that level.
    rng = random.Random(7)
    data = " ".join(rng.choice(["销售", "合同", "SO-2026", "12,800.00", "<c r="])
                    for _ in range(50_000)).encode()
    target = BytesIO()
    with zipfile.ZipFile(target, "w") as package, \
            package.open(_zip_info("part.xml", declared), "w") as out:
        out.write(data)
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
    expected = deflate.compress(data) + deflate.flush()
    with zipfile.ZipFile(target) as package:
        info = package.getinfo("part.xml")
        assert (info.compress_size, package.read("part.xml")) == (len(expected), data)
    other = zlib.compressobj(7 - level, zlib.DEFLATED, -15)  # 6 <-> 1: the level shows
    assert len(other.compress(data) + other.flush()) != len(expected)
