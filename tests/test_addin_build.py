"""The add-in build: the .xlam, its VBA project and the compound file, read back by other readers.

oletools (olevba and its decompressor), olefile, zipfile and, where installed, LibreOffice read
what the build writes; none of them shares code with it.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from sales_sheets.addin import build
from sales_sheets.addin.build import build_addin, template_path
from sales_sheets.addin.vba_project import VbaProject
from sales_sheets.errors import UsageError
from sales_sheets.formats.cfb import write_compound

from .helpers.ole import strict_ole, template_tree, vba_bin

pytestmark = pytest.mark.usefixtures("readers_stay_quiet")

FILES = Path(build.__file__).parent / "files"
BAS = (FILES / "SalesSheetsRibbon.bas").read_text(encoding="utf-8")
CUSTOM_UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
SPREADSHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ON_ACTION = "SalesSheetsRibbon.OnAction"
PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("addin")
    return {lang: build_addin(folder / f"sales_sheets_{lang}.xlam", lang) for lang in ("zh", "en")}


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
