"""The add-in build: the .xlam, its VBA project and the compound file, read back by other readers.

oletools (olevba and its decompressor), olefile, zipfile and, where installed, LibreOffice read
what the build writes; none of them shares code with it.
"""

from __future__ import annotations

import io
import logging
import random
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from sales_sheets.addin import build
from sales_sheets.addin.build import build_addin, template_path
from sales_sheets.addin.vba_project import VbaProject
from sales_sheets.errors import UsageError
from sales_sheets.formats import ovba_compression
from sales_sheets.formats.cfb import write_compound

FILES = Path(build.__file__).parent / "files"
BAS = (FILES / "SalesSheetsRibbon.bas").read_text(encoding="utf-8")
CUSTOM_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
SPREADSHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ON_ACTION = "SalesSheetsRibbon.OnAction"
PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'


@pytest.fixture(autouse=True)
def _readers_stay_quiet(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """olefile and oletools log what they find odd instead of raising: none of it is allowed."""
    # Both loggers start above CRITICAL (silenced) until a level is set.
    with (
        caplog.at_level(logging.WARNING, logger="olefile"),
        caplog.at_level(logging.WARNING, logger="olevba"),
    ):
        yield
    assert [
        r.getMessage() for r in caplog.records if r.name.startswith(("olefile", "olevba"))
    ] == []


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("addin")
    return {lang: build_addin(folder / f"sales_sheets_{lang}.xlam", lang) for lang in ("zh", "en")}


def vba_bin(xlam: Path) -> bytes:
    with zipfile.ZipFile(xlam) as package:
        return package.read("xl/vbaProject.bin")


def modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: lf(code) for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def buttons(xlam: Path) -> list[ET.Element]:
    with zipfile.ZipFile(xlam) as package:
        root = ET.fromstring(package.read("customUI/customUI.xml"))
    return list(root.iter(f"{CUSTOM_UI}button"))


def strict_ole(data: bytes) -> olefile.OleFileIO:
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    assert ole.parsing_issues == []
    return ole


# --- the package ---------------------------------------------------------------------------


def test_every_button_calls_the_one_callback_with_a_tag(built: dict[str, Path]) -> None:
    zh, en = buttons(built["zh"]), buttons(built["en"])
    assert zh
    for button in zh + en:
        assert button.get("tag")
        assert button.get("onAction") == ON_ACTION
    assert [(b.get("id"), b.get("tag")) for b in zh] == [(b.get("id"), b.get("tag")) for b in en]
    assert [b.get("label") for b in zh] != [b.get("label") for b in en]


def test_button_tags_are_exactly_the_registered_actions(built: dict[str, Path]) -> None:
    from sales_sheets.addin import ACTIONS

    assert {b.get("tag") for b in buttons(built["zh"])} == set(ACTIONS)


def test_other_parts_are_the_templates_but_title_creator_and_config_sheet(
    built: dict[str, Path],
) -> None:
    changed = {"customUI/customUI.xml", "docProps/core.xml", "xl/workbook.xml", "xl/vbaProject.bin"}
    with zipfile.ZipFile(template_path()) as template, zipfile.ZipFile(built["zh"]) as package:
        assert package.namelist() == template.namelist()
        assert package.testzip() is None
        for name in set(template.namelist()) - changed:
            assert package.read(name) == template.read(name), name
        workbook = ET.fromstring(package.read("xl/workbook.xml"))
        core = ET.fromstring(package.read("docProps/core.xml"))
    sheets = [s.get("name") for s in workbook.iter(f"{SPREADSHEET}sheet")]
    assert sheets == ["_sales_sheets.conf"]
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == "销售表单 Sales Sheets"
    assert core.findtext("{http://purl.org/dc/elements/1.1/}creator") == "sales-sheets"
    assert core.findtext("{http://purl.org/dc/terms/}modified") == build.BUILD_TIME


def test_two_builds_give_the_same_bytes(built: dict[str, Path], tmp_path: Path) -> None:
    again = build_addin(tmp_path, "zh")
    assert again == tmp_path / "sales_sheets.xlam"
    assert again.read_bytes() == built["zh"].read_bytes()
    assert build_addin(tmp_path / "other.xlam", "de").read_bytes() == again.read_bytes()


def test_the_destination_is_an_xlam_in_a_folder_made_on_demand(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="xlam"):
        build_addin(tmp_path / "sales_sheets.xlsm")
    assert build_addin(tmp_path / "new" / "folder" / "SalesSheets.xlam").is_file()


# --- the VBA project, read by olevba and olefile --------------------------------------------


def test_olevba_reads_our_module_and_the_templates_others(built: dict[str, Path]) -> None:
    ours, template = modules(built["zh"]), modules(template_path())
    assert ours["SalesSheetsRibbon.bas"] == lf(BAS)
    assert "RibbonMyAddin.bas" not in ours
    assert PROJECT_NAME_LINE.format("sales_sheets") in ours["xlwings.bas"]
    assert ours["xlwings.bas"] == template["xlwings.bas"].replace(
        PROJECT_NAME_LINE.format("myaddin"), PROJECT_NAME_LINE.format("sales_sheets")
    )
    others = set(template) - {"RibbonMyAddin.bas", "xlwings.bas"}
    assert others == {"Dictionary.cls", "Sheet2.cls", "ThisWorkbook.cls"}
    assert {name: ours[name] for name in others} == {name: template[name] for name in others}


def test_project_streams_name_the_renamed_module_and_project(built: dict[str, Path]) -> None:
    with strict_ole(vba_bin(built["zh"])) as ole:
        project = ole.openstream("PROJECT").read().decode("cp1252").split("\r\n")
        name_map = ole.openstream("PROJECTwm").read()
        streams = {"/".join(p) for p in ole.listdir()}
    assert "Module=SalesSheetsRibbon" in project
    assert 'Name="SalesSheets"' in project
    assert any(line.startswith("SalesSheetsRibbon=") for line in project)
    assert not any("RibbonMyAddin" in line or "MyAddin" in line for line in project)
    assert b"SalesSheetsRibbon\0" + "SalesSheetsRibbon".encode("utf-16-le") + b"\0\0" in name_map
    assert b"RibbonMyAddin" not in name_map
    assert "VBA/SalesSheetsRibbon" in streams
    assert "VBA/RibbonMyAddin" not in streams


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The dir stream decompressed by oletools and walked the way [MS-OVBA] 2.3.4.2 lays it out."""
    raw = decompress_stream(bytearray(data))
    records, pos = [], 0
    while pos < len(raw):
        record_id, size = struct.unpack_from("<HI", raw, pos)
        size = 6 if record_id == 0x0009 else size
        records.append((record_id, raw[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    return records


def compressed_chunks(container: bytes) -> Iterator[bool]:
    """Per chunk of a compressed container: whether its header says compressed (not raw)."""
    pos = 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        yield bool(header & 0x8000)
        pos += (header & 0x0FFF) + 3


def test_rewritten_modules_hold_only_their_source(built: dict[str, Path]) -> None:
    with (
        strict_ole(vba_bin(built["zh"])) as ole,
        olefile.OleFileIO(vba_bin(template_path())) as old,
    ):
        records = dir_records(ole.openstream("VBA/dir").read())
        offsets, module = {}, ""
        for record_id, data in records:
            if record_id == 0x0019:
                module = data.decode("cp1252")
            elif record_id == 0x0031:
                offsets[module] = struct.unpack("<I", data)[0]
        assert (0x0004, b"SalesSheets") in records
        assert (0x0047, "SalesSheetsRibbon".encode("utf-16-le")) in records
        assert (0x0032, "SalesSheetsRibbon".encode("utf-16-le")) in records
        assert offsets["SalesSheetsRibbon"] == 0
        assert offsets["xlwings"] == 0
        source = decompress_stream(bytearray(ole.openstream("VBA/SalesSheetsRibbon").read()))
        assert source == BAS.replace("\n", "\r\n").encode("cp1252")
        # Source compresses, so no raw chunk (legal, but not what Office itself writes).
        for module in ("SalesSheetsRibbon", "xlwings"):
            assert all(compressed_chunks(ole.openstream(f"VBA/{module}").read()))
        # Compiled code is never kept: Office recompiles from the source we wrote.
        assert (
            ole.openstream("VBA/_VBA_PROJECT").read() == old.openstream("VBA/_VBA_PROJECT").read()
        )
        for untouched in ("Dictionary", "Sheet2", "ThisWorkbook"):
            stream = f"VBA/{untouched}"
            assert ole.openstream(stream).read() == old.openstream(stream).read()


def test_a_character_outside_the_code_page_is_refused() -> None:
    project = VbaProject(vba_bin(template_path()))
    with pytest.raises(UsageError, match="line 2.*code page"):
        project.set_source("xlwings", 'Attribute VB_Name = "xlwings"\n\' 销售\n')


def template_tree() -> dict[str, Any]:
    tree: dict[str, Any] = {}
    with olefile.OleFileIO(vba_bin(template_path())) as ole:
        for path in ole.listdir():
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = ole.openstream(path).read()
    return tree


def test_a_project_with_compiled_code_is_refused() -> None:
    tree = template_tree()
    tree["VBA"]["_VBA_PROJECT"] = b"\xcc\x61\xb5\x00\x00\x01\x00" + bytes(20)
    project = VbaProject(write_compound(tree))
    with pytest.raises(UsageError, match="compiled code"):
        project.set_source("xlwings", 'Attribute VB_Name = "xlwings"\n')


def test_a_template_without_the_project_name_line_is_refused() -> None:
    project = VbaProject(vba_bin(template_path()))
    project.set_source("xlwings", project.source("xlwings").replace('"myaddin"', '"other"'))
    package = io.BytesIO()
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(package, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, project.to_bytes() if info.filename.endswith(".bin") else data)
    with pytest.raises(UsageError, match="PROJECT_NAME"):
        build._build(package.getvalue(), "zh")


# --- the compound file writer ---------------------------------------------------------------


def test_the_vba_project_tree_reads_back_identically() -> None:
    tree = template_tree()
    with strict_ole(write_compound(tree)) as ole:
        assert read_tree(ole) == tree


NAME_CHARACTERS = "abcxyzABCXYZ019 _-.éÉüÜ中文表单"
SIZES = [0, 1, 63, 64, 65, 511, 512, 4095, 4096, 4097, 9000]


def stream(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


names = st.text(st.sampled_from(NAME_CHARACTERS), min_size=1, max_size=31)
streams = st.builds(stream, st.sampled_from(SIZES) | st.integers(0, 5000), st.integers(0, 99))


def unique(storage: dict[str, Any]) -> dict[str, Any]:
    """One entry per case-insensitive name: the format forbids siblings differing only in case."""
    return {name: storage[name] for name in {n.upper(): n for n in storage}.values()}


storages = st.recursive(
    st.dictionaries(names, streams, max_size=40).map(unique),
    lambda inner: st.dictionaries(names, streams | inner, max_size=12).map(unique),
    max_leaves=8,
)
roots = st.dictionaries(names, streams | storages, min_size=1, max_size=60).map(unique)


def read_tree(ole: olefile.OleFileIO) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in ole.listdir(streams=True, storages=True):
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if ole.get_type(path) == olefile.STGTY_STREAM:
            node[path[-1]] = ole.openstream(path).read()
        else:
            node.setdefault(path[-1], {})
    return tree


def sibling_trees(ole: olefile.OleFileIO) -> Iterator[olefile.olefile.OleDirectoryEntry]:
    for entry in ole.direntries:
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            if entry.sid_child != olefile.NOSTREAM:
                yield ole.direntries[entry.sid_child]


def black_height(ole: olefile.OleFileIO, sid: int, low: Any, high: Any) -> int:
    """Check one red-black subtree (order, no red-red, equal black heights); its black height."""
    if sid == olefile.NOSTREAM:
        return 1
    node = ole.direntries[sid]
    key = (len(node.name), node.name.upper())
    assert (low is None or low < key) and (high is None or key < high)
    for child in (node.sid_left, node.sid_right):
        if node.color == 0 and child != olefile.NOSTREAM:
            assert ole.direntries[child].color == 1, "red node with a red child"
    left = black_height(ole, node.sid_left, low, key)
    assert left == black_height(ole, node.sid_right, key, high)
    return left + node.color


@settings(max_examples=100, deadline=None)
@given(roots)
def test_any_tree_reads_back_identically_as_valid_red_black_trees(tree: dict[str, Any]) -> None:
    with strict_ole(write_compound(tree)) as ole:
        assert read_tree(ole) == tree
        for root in sibling_trees(ole):
            assert root.color == 1
            black_height(ole, root.sid, None, None)


def test_a_file_needing_several_fat_sectors_reads_back(tmp_path: Path) -> None:
    tree: dict[str, Any] = {"big": stream(300_000, 1), "small": {"s": b"x" * 100}, "empty": b""}
    path = tmp_path / "big.bin"
    path.write_bytes(write_compound(tree))
    with olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_UNSURE) as ole:
        assert ole.parsing_issues == []
        assert read_tree(ole) == tree


def test_the_writer_refuses_what_the_format_cannot_hold() -> None:
    for bad in ("", "a" * 32, "a/b", "x!"):
        with pytest.raises(ValueError, match="name"):
            write_compound({bad: b""})
    with pytest.raises(ValueError, match="collide"):
        write_compound({"Name": b"", "NAME": b""})
    with pytest.raises(ValueError, match="too large"):
        write_compound({"big": bytes(7_200_000)})


def test_a_storage_clsid_is_written() -> None:
    clsid = bytes(range(16))
    with strict_ole(write_compound({"VBA": {"dir": b""}}, {("VBA",): clsid})) as ole:
        assert ole.getclsid("VBA") == "03020100-0504-0706-0809-0A0B0C0D0E0F"
        assert ole.getclsid([]) == ""


# --- compression ----------------------------------------------------------------------------


def sample(kind: str, size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    if kind == "repeat":
        return (rnd.choice([b"a", b"ab", b"Sub Main()\r\n"]) * size)[:size]
    if kind == "text":
        return bytes(rnd.choice(b"abcdefgh \r\n") for _ in range(size))
    if kind == "blocks":
        block = bytes(
            rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(1, 3000))
        )
        return (block * (size // len(block) + 1))[:size]
    return rnd.randbytes(size)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["repeat", "text", "blocks", "random"]),
    st.integers(0, 20_000) | st.sampled_from([4095, 4096, 4097, 8191, 8192, 8193, 12289]),
    st.integers(0, 2**32),
)
def test_compression_round_trips_through_oletools(kind: str, size: int, seed: int) -> None:
    data = sample(kind, size, seed)
    try:
        compressed = ovba_compression.compress(data)
    except ValueError:
        # Only a final partial chunk of more than 3640 bytes can outgrow 4096 bytes of tokens.
        assert len(data) % 4096 > 3640
        return
    assert decompress_stream(bytearray(compressed)) == data
    assert ovba_compression.decompress(compressed) == data


def test_decompression_agrees_with_oletools_on_the_template() -> None:
    with olefile.OleFileIO(vba_bin(template_path())) as ole:
        for path in ole.listdir():
            data = ole.openstream(path).read()
            if path[-1] in ("dir", "xlwings"):
                assert ovba_compression.decompress(data) == decompress_stream(bytearray(data))


# --- LibreOffice, an independent reader of the whole chain -----------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_imports_the_vba_module(built: dict[str, Path], tmp_path: Path) -> None:
    # Type detection does not know the add-in content type, so name the import filter.
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(built["zh"]),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    ods = tmp_path / built["zh"].with_suffix(".ods").name
    with zipfile.ZipFile(ods) as package:
        module = ET.fromstring(package.read("Basic/SalesSheets/SalesSheetsRibbon.xml"))
        xlwings = ET.fromstring(package.read("Basic/SalesSheets/xlwings.xml"))
        content = package.read("content.xml").decode("utf-8")
    body = "\n".join(line for line in lf(BAS).split("\n") if not line.startswith("Attribute "))
    assert body in lf(module.text or "")
    assert PROJECT_NAME_LINE.format("sales_sheets") in (xlwings.text or "")
    assert 'table:name="_sales_sheets.conf"' in content
