"""Every workbook the product writes prints on A4 (formats/printing.py): the print set-up of each
sheet that prints, read back with openpyxl; and the 审批单, a template and the summary workbook
converted by LibreOffice headless, their pages measured and counted with pdfinfo
(poppler-utils)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sales_sheets.api import write_expense_summary, write_report, write_statements, write_template
from sales_sheets.formats.printing import SMALLEST_SCALE
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header
from .helpers.pdfs import START, soffice

CHEAP = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # below list: held
FAIR = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
A4_UPRIGHT, A4_ACROSS = (595.0, 842.0), (842.0, 595.0)  # points
REQUEST = "approvals/李强/SO-1_审批单.xlsx"


@pytest.fixture
def printed(loaded: Workspace, tmp_path: Path) -> dict[str, Path]:
    """Every kind's template, and every workbook the outbox gets from a held and an accepted
    order, the month's statements, summary workbook and 报销汇总, by a name to tell them by."""
    drop(loaded, "order", "S01/held.xlsx", order_header(no="SO-1"), [CHEAP])
    drop(loaded, "order", "S01/fair.xlsx", order_header(no="SO-2"), [FAIR])
    assert sorted(r.status for r in process_inbox(loaded)) == ["accepted", "held"]
    write_statements(loaded, "2026-11")
    write_report(loaded, "2026-11")
    write_expense_summary(loaded, "2026-11")
    written = {path.relative_to(loaded.outbox).as_posix(): path
               for path in loaded.outbox.rglob("*.xlsx")}
    assert {name.split("/")[0] for name in written} == {
        "approvals", "invoices", "statements", "reports", "expenses"}
    templates = {f"template {kind}": write_template(loaded, kind, tmp_path / f"{kind}.xlsx")
                 for kind in KINDS}
    return templates | written


def test_every_sheet_that_prints_is_on_a4_fitted_to_its_width_with_page_numbers(
    printed: dict[str, Path],
) -> None:
    for name, path in printed.items():
        book = openpyxl.load_workbook(path)
        sheets = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
        assert sheets, name
        for sheet in sheets:
            where = f"{name}!{sheet.title}"
            setup = sheet.page_setup
            assert setup.paperSize == 9, where
            if _fitted(sheet):
                # OOXML's default for both is 1; 0 pages down: as many as the rows take
                fit = (_pages(setup.fitToWidth), _pages(setup.fitToHeight))
                assert fit == ((1, 1) if name == REQUEST else (1, 0)), where
            else:  # too wide to read fitted: pages side by side, the first column on each
                assert (setup.scale, sheet.print_title_cols) == (SMALLEST_SCALE, "$A:$A"), where
            footer = sheet.oddFooter.center.text or ""
            assert "&P" in footer and "&N" in footer, where
            assert ("页" in footer) == ("Page" not in footer), where
            if _header_only_form(name, sheet):
                assert sheet.print_title_rows is None, where
            else:
                assert sheet.print_title_rows, where
            for table in sheet.tables.values():  # a form's lines: their heading row repeats
                heading = int(re.sub(r"\D", "", table.ref.split(":")[0]))
                assert sheet.print_title_rows == f"${heading}:${heading}", where


def test_the_request_prints_upright_without_its_instructions(printed: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(printed[REQUEST])
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == ["审批单"]
    assert book.active.title == "审批单"  # what Excel prints by default: the active sheet
    assert book["审批单"].page_setup.orientation == "portrait"


def test_a_template_too_wide_to_read_on_one_page_prints_across_pages(
    printed: dict[str, Path],
) -> None:
    wide = openpyxl.load_workbook(printed["template customers"]).worksheets[0]
    assert not _fitted(wide)
    narrow = openpyxl.load_workbook(printed["template order"]).worksheets[0]
    assert _fitted(narrow)


def _fitted(sheet: Worksheet) -> bool:
    properties = sheet.sheet_properties.pageSetUpPr
    return bool(properties and properties.fitToPage)


def _pages(value: int | None) -> int:
    return 1 if value is None else value


def _header_only_form(name: str, sheet: Worksheet) -> bool:
    """A form without a line table, on its own sheet: nothing there heads a table."""
    kind = KINDS.get(name.removeprefix("template ")) if name.startswith("template ") else None
    return kind is not None and not kind.has_lines and sheet.title == kind.title("zh")


needs_pdf_tools = pytest.mark.skipif(
    soffice is None or shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext)")


Convert = Callable[[Path], list[tuple[float, float]]]


@pytest.fixture(scope="module")
def convert(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """LibreOffice headless with a profile of its own, where its default paper is US Letter, as
    in an en-US locale (LibreOffice asks libpaper's `paperconf` first, and this one says letter):
    a sheet that does not name its paper prints on Letter here. It gives the size in points of
    every page of a workbook printed whole. (The product's converter, unoserver in
    documents/libreoffice.py, loads .docx only: "Could not load document" for an .xlsx.)"""
    assert soffice is not None
    folder = tmp_path_factory.mktemp("letter")
    paperconf = folder / "paperconf"
    paperconf.write_text("#!/bin/sh\necho letter\n")
    paperconf.chmod(0o755)
    environment = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    profile = (folder / "profile").as_uri()

    def sizes(workbook: Path) -> list[tuple[float, float]]:
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(workbook.parent), str(workbook)],
                       check=True, capture_output=True, env=environment, timeout=START)
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "10000",
                               str(workbook.with_suffix(".pdf"))],
                              check=True, capture_output=True, text=True).stdout
        return [(round(float(w)), round(float(h))) for w, h in
                re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]

    return sizes


def a4(sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The sizes, each one that is A4 (±1 pt) as exactly A4."""
    return [next((page for page in (A4_UPRIGHT, A4_ACROSS)
                  if abs(w - page[0]) <= 1 and abs(h - page[1]) <= 1), (w, h))
            for w, h in sizes]


@needs_pdf_tools
def test_the_request_the_order_template_and_the_summary_print_on_a4(
    printed: dict[str, Path], convert: Convert,
) -> None:
    # the whole 审批单 workbook is one upright page, with the names and the place to sign
    assert a4(convert(printed[REQUEST])) == [A4_UPRIGHT]
    [request] = page_texts(printed[REQUEST].with_suffix(".pdf"))
    for words in ("C001", "杭州恒达机械有限公司", "S01", "张伟", "审批人签字", "签字日期",
                  "第 1 页，共 1 页"):
        assert words in request, words
    # the order form across the page, its instructions upright
    assert a4(convert(printed["template order"])) == [A4_ACROSS, A4_UPRIGHT]
    # the customer list on two pages side by side, each with the customer's code
    customers = printed["template customers"]
    assert a4(convert(customers)) == [A4_ACROSS, A4_ACROSS, A4_UPRIGHT]
    assert all("客户编码" in page for page in page_texts(customers.with_suffix(".pdf"))[:2])
    # the summary: every sheet printed, in order, one page wide (a column cut off to a page
    # of its own would miss the sheet's title); each page headed by its sheet's title and
    # numbered out of the pdf's page count
    summary = printed["reports/2026-11/销售汇总_2026-11.xlsx"]
    sheets = [sheet.title for sheet in openpyxl.load_workbook(summary).worksheets
              if sheet.sheet_state == "visible"]
    sizes = a4(convert(summary))
    assert set(sizes) == {A4_ACROSS}
    pages = page_texts(summary.with_suffix(".pdf"))
    assert len(pages) == len(sizes) >= len(sheets)
    on_page = [next(t for t in sheets if f" · {t} · " in page.splitlines()[0]) for page in pages]
    assert list(dict.fromkeys(on_page)) == sheets
    assert all(f"第 {n} 页，共 {len(pages)} 页" in page for n, page in enumerate(pages, 1))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of `pdf` (pdftotext ends every page with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


@needs_pdf_tools
def test_a_long_order_repeats_its_column_headings_on_every_page(
    loaded: Workspace, convert: Convert,
) -> None:
    lines = [dict(FAIR, quantity=n) for n in range(1, 121)]
    form = drop(loaded, "order", "S01/long.xlsx", order_header(no="SO-L"), lines)
    sizes = a4(convert(form))
    assert len(sizes) > 3 and set(sizes[:-1]) == {A4_ACROSS} and sizes[-1] == A4_UPRIGHT
    pages = page_texts(form.with_suffix(".pdf"))
    for n, text in enumerate(pages[:-1], 1):  # the form's pages; the last is its instructions
        assert "产品编码" in text and f"第 {n} 页，共 {len(pages)} 页" in text
