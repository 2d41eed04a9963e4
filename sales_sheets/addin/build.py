"""Build the Excel add-in (.xlam) from the ribbon add-in template that ships with xlwings.

The template already holds xlwings' VBA (RunPython, the config lookup) and a hidden config
sheet. The build swaps in our ribbon, our one callback module and our project name; everything
else is copied as it is, so the add-in keeps working the way xlwings' own quickstart add-in does.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import UsageError
from ..files import write_bytes_atomic
from ..formats.package import PackageReader, PackageWriter
from .vba_project import VbaProject

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
ADDIN_FILE_NAME = "sales_sheets.xlam"
MODULE_NAME = "SalesSheetsRibbon"
PROJECT_NAME = "sales_sheets"
"""xlwings' PROJECT_NAME: names the config sheet and the user config file."""
VBA_PROJECT_NAME = "SalesSheets"
TITLE = "销售表单 Sales Sheets"
CREATOR = "sales-sheets"
# Fixed so that the same sources always build the same bytes.
BUILD_TIME = "2026-01-01T00:00:00Z"

_TEMPLATE_MODULE = "RibbonMyAddin"
_TEMPLATE_PROJECT_NAME = "myaddin"
_PROJECT_NAME_LINE = 'Public Const PROJECT_NAME As String = "{}"'

_Patch = Callable[[bytes], bytes]


def build_addin(dest: Path, language: str = "zh") -> Path:
    """Write the Sales Sheets ribbon add-in.

    Args:
        dest: The .xlam file to write (its folder is created), or an existing folder to write
            ``sales_sheets.xlam`` into.
        language: ``"en"`` for the English ribbon; anything else gives the Chinese one.

    Returns:
        The path of the written add-in.

    Raises:
        UsageError: xlwings is not installed, its template is not the one this build knows, the
            destination is not an .xlam path or cannot be replaced (Excel
            has it loaded), or a shipped source is broken (malformed ribbon XML, VBA text
            outside the project's code page).
    """
    target = dest / ADDIN_FILE_NAME if dest.is_dir() else dest
    if target.suffix.lower() != ".xlam":
        raise UsageError(f"{target}: an Excel add-in must be an .xlam file")
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _build(template_path().read_bytes(), "en" if language == "en" else "zh")
    try:
        # Never leave a half-written add-in where Excel may load it.
        write_bytes_atomic(target, data)
    except PermissionError as exc:
        # On Windows, Excel locks a loaded add-in: the usual reason a rebuild cannot replace it.
        message = f"{target} cannot be written ({exc}); is Excel running with it loaded?"
        raise UsageError(message) from exc
    return target


def template_path() -> Path:
    """Where the installed xlwings keeps its ribbon add-in template.

    Found through the import system without importing xlwings: its ``__init__`` pulls in
    pandas and numpy, and the build only needs one file.
    """
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError("xlwings is not installed: pip install 'xlwings>=0.37,<0.38'")
    path = Path(next(iter(spec.submodule_search_locations))) / TEMPLATE_NAME
    if not path.is_file():
        raise UsageError(f"the installed xlwings has no {TEMPLATE_NAME} (looked in {path.parent})")
    return path


def _build(template: bytes, language: str) -> bytes:
    patches: dict[str, _Patch] = {
        "customUI/customUI.xml": lambda _: _ribbon(language),
        "docProps/core.xml": _core_properties,
        "xl/workbook.xml": _rename_config_sheet,
        "xl/vbaProject.bin": _vba_project,
    }
    out = io.BytesIO()
    with PackageReader(template) as source, PackageWriter(out) as target:
        missing = set(patches) - set(source.names)
        if missing:
            raise UsageError(f"the xlwings template has no {', '.join(sorted(missing))}")
        for info in source.members:
            data = source.read(info)
            patch = patches.get(info.filename)
            # Every part written anew at the package's fixed time, host system 0 (MS-DOS):
            # the same sources build the same bytes on any OS. The unchanged parts are
            # deflated again rather than copied, to keep the add-in's bytes as they were.
            target.write(info.filename, patch(data) if patch else data, system=0)
    return out.getvalue()


def _shipped(name: str) -> bytes:
    return (importlib.resources.files("sales_sheets.addin") / "files" / name).read_bytes()


def _ribbon(language: str) -> bytes:
    name = f"ribbon_{language}.xml"
    data = _shipped(name)
    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        # Office drops a malformed ribbon without a word, so catch it here.
        raise UsageError(f"{name} is not well-formed XML: {exc}") from exc
    return data


def _core_properties(data: bytes) -> bytes:
    text = data.decode("utf-8")
    for element, value in (
        ("dc:title", TITLE),
        ("dc:creator", CREATOR),
        ("cp:lastModifiedBy", CREATOR),
        ("dcterms:modified", BUILD_TIME),
    ):
        text = _set_element_text(text, element, value)
    return text.encode("utf-8")


def _set_element_text(xml: str, element: str, value: str) -> str:
    """Set one element's text by hand: re-serialising would rename the namespace prefixes."""
    pattern = re.compile(rf"<{element}(\s[^>]*?)?\s*(?:/>|>[^<]*</{element}>)")
    new, count = pattern.subn(
        lambda m: f"<{element}{(m.group(1) or '').rstrip()}>{escape(value)}</{element}>", xml
    )
    if count != 1:
        raise UsageError(f"the xlwings template's docProps/core.xml has no single <{element}>")
    return new


def _rename_config_sheet(data: bytes) -> bytes:
    # Substituted in place: workbook.xml lists prefixes in mc:Ignorable, which an XML
    # round trip through ElementTree would break.
    old, new = f"_{_TEMPLATE_PROJECT_NAME}.conf", f"_{PROJECT_NAME}.conf"
    text, count = re.subn(
        rf'(<sheet\b[^>]*\bname="){re.escape(old)}"', rf'\g<1>{new}"', data.decode("utf-8")
    )
    if count != 1:
        raise UsageError(f"the xlwings template's workbook has no sheet {old}")
    return text.encode("utf-8")


def _vba_project(data: bytes) -> bytes:
    project = VbaProject(data)
    if _TEMPLATE_MODULE not in project.module_names:
        raise UsageError(f"the xlwings template's VBA project has no module {_TEMPLATE_MODULE}")
    project.rename_module(_TEMPLATE_MODULE, MODULE_NAME)
    project.set_source(MODULE_NAME, _callback_source())
    project.set_source("xlwings", _with_project_name(project.source("xlwings")))
    project.rename_project(VBA_PROJECT_NAME)
    return project.to_bytes()


def _callback_source() -> str:
    source = _shipped(f"{MODULE_NAME}.bas").decode("utf-8")
    # VBA takes the module name from this attribute, not from the dir stream.
    if not source.startswith(f'Attribute VB_Name = "{MODULE_NAME}"'):
        raise UsageError(f'{MODULE_NAME}.bas must start with Attribute VB_Name = "{MODULE_NAME}"')
    return source


def _with_project_name(source: str) -> str:
    template_line = _PROJECT_NAME_LINE.format(_TEMPLATE_PROJECT_NAME)
    pattern = re.compile("^" + re.escape(template_line) + r"(?=\r?$)", re.M)
    source, count = pattern.subn(_PROJECT_NAME_LINE.format(PROJECT_NAME), source)
    if count != 1:
        raise UsageError(
            f"the xlwings module of the template has no single line {template_line}: "
            "the xlwings template changed"
        )
    return source
