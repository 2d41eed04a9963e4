"""What the PDF tests share: a converter found on this machine, a letter to convert, how long
LibreOffice may take to start, and telling a PDF."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from sales_sheets.documents.libreoffice import find_soffice, find_uno_python

soffice = find_soffice()
uno = find_uno_python(soffice) if soffice else None
needs_libreoffice = pytest.mark.skipif(
    uno is None, reason="needs LibreOffice and a Python with uno (Debian: python3-uno)")

P001 = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}
START = 60.0  # the first PDF waits for LibreOffice to start (unoserver alone takes 5 s)


def letter(folder: Path, name: str, words: str = "对账函") -> Path:
    document = docx.Document()
    document.add_paragraph(words)
    path = folder / f"{name}.docx"
    document.save(str(path))
    return path


def is_pdf(path: Path) -> bool:
    return path.exists() and path.read_bytes().startswith(b"%PDF")
