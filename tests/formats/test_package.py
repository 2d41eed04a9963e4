"""The OOXML package layer: zip records as zipfile writes them, members copied as they are,
relationships and sheets read the same whatever the markup style."""

from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from sales_sheets.formats.package import (
    FIXED_TIME,
    Deflating,
    PackageReader,
    PackageWriter,
    Unsupported,
    add_relationships,
    attributes,
    deflate,
)

PARTS = {
    "[Content_Types].xml": b"<Types/>",
    "xl/worksheets/sheet1.xml": "<c>合同 12,800.00</c>".encode() * 3000,
    "合同/正文.xml": "<正文/>".encode(),
    "empty.bin": b"",
}


def zipfile_writes(parts: dict[str, bytes], level: int = 6) -> bytes:
    """The reference: what zipfile writes for the same parts at FIXED_TIME."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=level)
    return out.getvalue()


@pytest.mark.parametrize("level", [1, 6])
def test_written_parts_are_the_bytes_zipfile_writes(level: int) -> None:
    out = io.BytesIO()
    with PackageWriter(out) as package:
        for name, data in PARTS.items():
            if name.endswith("sheet1.xml"):  # streamed in pieces, as the row writer does
                with package.stream(name, len(data), level=level) as part:
                    part.write(data[:1000])
                    part.write(data[1000:])
            else:
                package.write(name, data, level=level)
    assert out.getvalue() == zipfile_writes(PARTS, level)


@pytest.mark.parametrize("zip64_limit", [zipfile.ZIP64_LIMIT, 1000])
def test_parts_deflated_ahead_in_threads_are_the_bytes_zipfile_writes(
        monkeypatch: pytest.MonkeyPatch, zip64_limit: int) -> None:
    # write_package deflates the large sheets in threads while it writes the small parts; a
    # limit lowered makes the sheet a Zip64 member, as one over 4 GiB would be
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", zip64_limit)
    sheet = "xl/worksheets/sheet1.xml"

    def write_sheet(out: Deflating) -> None:
        out.write(PARTS[sheet][:1000])
        out.write(PARTS[sheet][1000:])

    out = io.BytesIO()
    with ThreadPoolExecutor(1) as pool, PackageWriter(out) as package:
        ahead = pool.submit(deflate, 1, write_sheet)
        for name, data in PARTS.items():
            if name == sheet:
                deflated = ahead.result()
                with deflated.file:
                    package.deflated(name, len(data), deflated)
            else:
                package.write(name, data, level=1)
    assert out.getvalue() == zipfile_writes(PARTS, 1)
    monkeypatch.undo()
    with zipfile.ZipFile(out) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == PARTS


def test_zip64_records_are_the_ones_zipfile_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both writers read the limits from zipfile's module: lowered, a small zip needs Zip64
    # sizes, offsets and end records, as a part over 4 GiB would.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    parts = {f"p{n}.xml": bytes(range(256)) * 5 for n in range(4)}
    out = io.BytesIO()
    with PackageWriter(out) as package:
        for name, data in parts.items():
            package.write(name, data)
    assert out.getvalue() == zipfile_writes(parts)
    monkeypatch.undo()
    with zipfile.ZipFile(out) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == parts


def test_copied_members_keep_their_compressed_bytes(tmp_path: Path) -> None:
    source = tmp_path / "in.zip"
    source.write_bytes(zipfile_writes(PARTS, level=9))  # not the level a copy would use
    out = io.BytesIO()
    with PackageReader(source) as reader, PackageWriter(out) as writer:
        for member in reader.members:
            writer.copy(reader, member)
    assert out.getvalue() == source.read_bytes()
    stamped = io.BytesIO()
    later = (2026, 5, 4, 3, 2, 0)
    with PackageReader(source) as reader, PackageWriter(stamped) as writer:
        for member in reader.members:
            writer.copy(reader, member, date_time=later)
    with zipfile.ZipFile(stamped) as archive:
        assert {i.date_time for i in archive.infolist()} == {later}
        assert archive.testzip() is None
        assert {n: archive.read(n) for n in archive.namelist()} == PARTS


def test_a_member_written_with_a_data_descriptor_is_copied_with_its_sizes_in_the_header(
) -> None:
    class Unseekable(io.RawIOBase):  # zipfile then writes sizes after the data
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            view = memoryview(b)  # type: ignore[arg-type]
            self.data += view
            return len(view)

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"<a/>" * 100)
    out = io.BytesIO()
    with PackageReader(bytes(sink.data)) as reader, PackageWriter(out) as writer:
        assert reader.members[0].flag_bits & 0x08
        writer.copy(reader, reader.members[0])
    with zipfile.ZipFile(out) as archive:
        assert not archive.infolist()[0].flag_bits & 0x08
        assert archive.read("a.xml") == b"<a/>" * 100


def test_a_damaged_or_missing_part_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(Unsupported):
        PackageReader(b"not a zip")
    data = bytearray(zipfile_writes(PARTS))
    data[100:110] = b"0123456789"  # inside the first deflated sheet
    with PackageReader(bytes(data)) as reader:
        with pytest.raises(Unsupported):
            reader.read("xl/worksheets/sheet1.xml")
        with pytest.raises(Unsupported):
            reader.read("xl/none.xml")
        with pytest.raises(Unsupported):
            reader.text("missing")
        with pytest.raises(Unsupported), reader.open("xl/worksheets/sheet1.xml") as part:
            while part.read(1000):  # streamed, as the safety check reads parts
                pass
        with pytest.raises(Unsupported):
            reader.open("xl/none.xml")


def test_members_are_declared_with_their_sizes_and_whether_they_can_be_read() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("stored.xml", b"<a/>" * 100, zipfile.ZIP_STORED)
        archive.writestr("deflated.xml", b"<a/>" * 100, zipfile.ZIP_DEFLATED)
        archive.writestr("bzip2.xml", b"<a/>" * 100, zipfile.ZIP_BZIP2)
    with PackageReader(out.getvalue()) as reader:
        declared = {m.name: (m.size, m.compressed_size < m.size, m.method, m.encrypted,
                             m.readable) for m in reader.declared}
    assert declared == {"stored.xml": (400, False, 0, False, True),
                        "deflated.xml": (400, True, 8, False, True),
                        "bzip2.xml": (400, True, 12, False, False)}


def test_prefixed_and_open_tags_and_escaped_names_read_as_the_plain_ones() -> None:
    plain = ('<workbook xmlns:r="r"><sheets><sheet name="R&amp;D" sheetId="1" r:id="rId1"/>'
             "</sheets></workbook>")
    prefixed = ('<x:workbook xmlns:x="m" xmlns:r="r"><x:sheets><x:sheet name=\'R&amp;D\' '
                'sheetId="1" r:id="rId1"></x:sheet></x:sheets></x:workbook>')
    rels = ('<Relationships><Relationship Id="rId1" Type="t/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>')
    prefixed_rels = ('<p:Relationships xmlns:p="p"><p:Relationship Id="rId1" '
                     'Type="t/worksheet" Target="/xl/worksheets/sheet1.xml"></p:Relationship>'
                     "</p:Relationships>")
    found = []
    for workbook, relationships in ((plain, rels), (prefixed, prefixed_rels)):
        out = io.BytesIO()
        with PackageWriter(out) as writer:
            writer.write("xl/workbook.xml", workbook.encode())
            writer.write("xl/_rels/workbook.xml.rels", relationships.encode())
        with PackageReader(out.getvalue()) as reader:
            found.append([(entry.name, rel.target if rel else None)
                          for entry, rel in reader.sheets()])
    assert found[0] == found[1] == [("R&D", "xl/worksheets/sheet1.xml")]


def test_attributes_and_relationship_edits() -> None:
    assert attributes(' a="1&amp;2"  b = \'x"y\' r:id="rId3"') == {
        "a": "1&2", "b": 'x"y', "r:id": "rId3"}
    assert add_relationships("<Relationships/>", [("r1", "t", "a.xml")]) == (
        '<Relationships><Relationship Id="r1" Type="t" Target="a.xml"/></Relationships>')
    with pytest.raises(Unsupported):
        add_relationships("<p:Relationships/>", [("r1", "t", "a.xml")])


def test_an_openpyxl_workbook_copied_member_by_member_still_opens(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "合同"
    book.save(tmp_path / "in.xlsx")
    with PackageReader(tmp_path / "in.xlsx") as reader, \
            PackageWriter(tmp_path / "out.xlsx") as writer:
        for member in reader.members:
            writer.copy(reader, member)
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active["A1"].value == "合同"
