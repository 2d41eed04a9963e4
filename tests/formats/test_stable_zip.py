"""Re-stamped packages: the same contents give the same bytes, whenever they were saved."""

from __future__ import annotations

import io
import time
import zipfile

from sales_sheets.formats.stable_zip import FIXED_TIME, stable_package


def package(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)  # stamped with the time of writing
    return out.getvalue()


def test_saved_in_different_seconds_the_same_bytes() -> None:
    parts = {"[Content_Types].xml": b"<Types/>", "word/document.xml": "合同".encode() * 500}
    first = package(parts)
    time.sleep(2.1)  # zip times have a two-second resolution
    second = package(parts)
    assert first != second
    assert stable_package(first) == stable_package(second)


def test_contents_order_and_compression_are_kept() -> None:
    parts = {"b.xml": b"<b/>" * 100, "a.xml": b"<a/>", "c.bin": bytes(range(256))}
    with zipfile.ZipFile(io.BytesIO(stable_package(package(parts)))) as archive:
        assert archive.namelist() == ["b.xml", "a.xml", "c.bin"]
        assert {n: archive.read(n) for n in archive.namelist()} == parts
        assert {i.date_time for i in archive.infolist()} == {FIXED_TIME}
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
