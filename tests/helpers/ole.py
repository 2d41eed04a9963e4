"""Reading what our compound-file and VBA writers produce with independent readers (olefile,
oletools); the fixture `readers_stay_quiet` (conftest) fails a test on anything they log."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import olefile

from sales_sheets.addin.build import template_path


def vba_bin(xlam: Path) -> bytes:
    with zipfile.ZipFile(xlam) as package:
        return package.read("xl/vbaProject.bin")


def strict_ole(data: bytes) -> olefile.OleFileIO:
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    assert ole.parsing_issues == []
    return ole


def template_tree() -> dict[str, Any]:
    tree: dict[str, Any] = {}
    with olefile.OleFileIO(vba_bin(template_path())) as ole:
        for path in ole.listdir():
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = ole.openstream(path).read()
    return tree
