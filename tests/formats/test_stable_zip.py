"""Re-stamped packages: the same contents give the same bytes, whenever they were saved."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from sales_sheets.formats.stable_zip import FIXED_TIME, NotAPlainZip, stable_package


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


def rezipped(data: bytes) -> bytes:
    """What zipfile writes for the same members stamped at FIXED_TIME: the reference the
    in-place re-stamping must equal byte for byte."""
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(data)) as source,
          zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target):
        for info in source.infolist():
            stamped = zipfile.ZipInfo(info.filename, FIXED_TIME)
            stamped.compress_type = info.compress_type
            stamped.external_attr = info.external_attr
            target.writestr(stamped, source.read(info))
    return out.getvalue()


def test_a_saved_docx_gets_the_bytes_zipfile_writes_at_the_fixed_time() -> None:
    document = docx.Document()
    document.add_paragraph("购销合同 " * 200)
    saved = io.BytesIO()
    document.save(saved)
    assert stable_package(saved.getvalue()) == rezipped(saved.getvalue())


def test_names_outside_ascii_and_stored_members() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # stored, not deflated
        archive.writestr("合同/正文.xml", "<正文/>".encode())
        archive.writestr("b.bin", bytes(range(256)) * 4, compress_type=zipfile.ZIP_DEFLATED)
    assert stable_package(out.getvalue()) == rezipped(out.getvalue())


def test_a_zip_whose_directory_is_not_where_it_says_is_refused() -> None:
    shifted = b"MZ self-extractor stub" + package({"a.xml": b"<a/>"})
    with pytest.raises(NotAPlainZip):
        stable_package(shifted)
