"""Contracts with third-party internals we rely on, each capped in pyproject.toml.

Each test checks that a name outside a library's public API still exists and still does what our
code uses it for. When one fails after raising a cap, re-check the use its message names.
"""

from __future__ import annotations

import inspect
import logging
import os
import queue
import re
import sys
import time
import zipfile
from collections.abc import Mapping
from importlib.metadata import distribution
from io import BytesIO
from pathlib import Path

import docx
import pytest
import xlsxwriter
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.part import PartFactory
from docx.table import _Cell
from docxtpl import DocxTemplate
from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper

from sales_sheets.documents.prepared import _LISTING, _PROPERTIES, Prepared, sources
from sales_sheets.documents.render import _patched, _rendered, template_text
from sales_sheets.formats.stable_zip import stable_package
from sales_sheets.intake.watch import _OVERFLOW_LOGGER, _OVERFLOW_MESSAGE, _Overflows
from sales_sheets.reports.styles import VALUE_TYPES, Styles

from .helpers.bursts import small_inotify_queue

RENDER = ("the _Sandbox and _Template caches and template_text in "
          "sales_sheets/documents/render.py")
WATCH = "_shorten_move_pairing in sales_sheets/intake/watch.py"
OVERFLOW = "_Overflows in sales_sheets/intake/watch.py"
DEFAULT_TEMPLATES = "the table and field helpers in sales_sheets/documents/default_templates.py"


def _template(path: Path) -> Path:
    """A one-line template whose tag Word has split over three runs, as it often does."""
    document = docx.Document()
    paragraph = document.add_paragraph("Dear ")
    for text in ("{{ na", "me", " }}"):
        paragraph.add_run(text)
    document.save(str(path))
    return path


class _Recording(SandboxedEnvironment):
    """Records every compile docxtpl asks for and marks the tag, to see what gets rendered."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self.calls: list[tuple[type, object, object, object]] = []

    def from_string(self, source: object, globals: object = None,  # noqa: A002 - Jinja's name
                    template_class: object = None) -> Template:
        self.calls.append((type(source), source, globals, template_class))
        marked = source.replace("{{ name }}", "{{ name }}!") if isinstance(source, str) else source
        return super().from_string(marked, globals, template_class)  # type: ignore[arg-type]


def test_docxtpl_compiles_each_render_through_from_string_with_the_same_source(
        tmp_path: Path) -> None:
    template = _template(tmp_path / "t.docx")
    env = _Recording()
    renders = []
    for number in (1, 2):
        env.calls.clear()
        document = DocxTemplate(str(template))
        document.render({"name": "Li"}, jinja_env=env)
        document.save(str(tmp_path / f"{number}.docx"))
        renders.append(list(env.calls))

    body = [(kind, globals_, cls) for kind, source, globals_, cls in renders[0]
            if "Dear" in str(source)]
    assert body == [(str, None, None)], (
        f"docxtpl no longer compiles with jinja_env.from_string(source): re-check {RENDER}")
    assert renders[0] == renders[1], (
        f"docxtpl compiles different sources for the same template: re-check {RENDER}")
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "1.docx")).paragraphs]
    assert paragraphs == ["Dear Li!"], (
        f"docxtpl renders something other than what from_string returned: re-check {RENDER}")


def test_jinja_from_string_keeps_the_signature_the_sandbox_overrides() -> None:
    parameters = list(inspect.signature(SandboxedEnvironment.from_string).parameters)
    assert parameters == ["self", "source", "globals", "template_class"], (
        f"Jinja's Environment.from_string changed its parameters: re-check {RENDER}")


def test_docxtpl_patch_xml_joins_a_tag_split_over_runs(tmp_path: Path) -> None:
    assert template_text(_template(tmp_path / "t.docx")) == "Dear {{ name }}", (
        f"docxtpl's xml_to_string/patch_xml no longer join split tags: re-check {RENDER}")


def _template_with_header(path: Path) -> Path:
    """Split tags in the body and in the page header, each a part docxtpl cleans."""
    document = docx.Document(str(_template(path)))
    header = document.sections[0].header.paragraphs[0]
    for text in ("No. {{ nu", "mber }}"):
        header.add_run(text)
    document.save(str(path))
    return path


def _texts(data: bytes) -> list[str]:
    document = docx.Document(BytesIO(data))
    return ([p.text for p in document.paragraphs]
            + [p.text for p in document.sections[0].header.paragraphs])


def test_docxtpl_cleans_every_part_through_patch_xml_of_the_xml_alone(tmp_path: Path) -> None:
    template = _template_with_header(tmp_path / "t.docx")
    context = {"name": "Li", "number": "SO-1"}
    plain = DocxTemplate(str(template))
    plain.render(context, jinja_env=SandboxedEnvironment(autoescape=True))
    expected = BytesIO()
    plain.save(expected)
    _patched.cache_clear()
    first = _rendered(template, context)
    cleaned = _patched.cache_info().misses
    assert _texts(first) == _texts(expected.getvalue()) == ["Dear Li", "No. SO-1"], (
        f"docxtpl's patch_xml needs more than the part's XML: re-check {RENDER}")
    assert cleaned == 2, f"docxtpl cleaned {cleaned} parts, not body and header: re-check {RENDER}"
    second = _rendered(template, context)
    assert _patched.cache_info().hits == 2 and second == first, (
        f"docxtpl no longer cleans each part through patch_xml: re-check {RENDER}")


PREPARED = "the prepared templates in sales_sheets/documents/prepared.py"
# docxtpl's render, in the order prepared.py repeats it (DocxTemplate.render in 0.20).
_RENDER_STEPS = ("build_xml", "fix_tables", "fix_docpr_ids", "map_tree",
                 "build_headers_footers_xml", "map_headers_footers_xml", "render_properties",
                 "render_footnotes")


def _recording_template(steps: list[str]) -> type[DocxTemplate]:
    """A DocxTemplate that notes each render step it takes."""
    def noting(name: str) -> object:
        original = getattr(DocxTemplate, name)

        def step(self: DocxTemplate, *args: object, **kwargs: object) -> object:
            steps.append(name)
            return original(self, *args, **kwargs)
        return step

    return type("Recording", (DocxTemplate,), {name: noting(name) for name in _RENDER_STEPS})


def _template_with_footer(path: Path) -> Path:
    document = docx.Document(str(_template_with_header(path)))
    document.sections[0].footer.paragraphs[0].text = "{{ name }} · {{ number }}"
    table = document.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for n in numbers %}"
    table.rows[1].cells[0].text = "{{ n }}"
    table.rows[1].cells[1].text = "{{ name }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    document.save(str(path))
    return path


def _docxtpl_render(template: Path, context: Mapping[str, object]) -> bytes:
    document = DocxTemplate(str(template))
    document.render(dict(context), jinja_env=SandboxedEnvironment(autoescape=True))
    saved = BytesIO()
    document.save(saved)
    return stable_package(saved.getvalue())


def test_docxtpl_render_takes_the_steps_a_prepared_template_repeats(tmp_path: Path) -> None:
    template = _template_with_footer(tmp_path / "t.docx")
    steps: list[str] = []
    document = _recording_template(steps)(str(template))
    document.render({"name": "Li", "number": "SO-1", "numbers": [1, 2]},
                    jinja_env=SandboxedEnvironment(autoescape=True))
    assert steps == ["build_xml", "fix_tables", "fix_docpr_ids", "map_tree",
                     "build_headers_footers_xml", "map_headers_footers_xml",
                     "build_headers_footers_xml", "map_headers_footers_xml",
                     "render_properties", "render_footnotes"], (
        f"docxtpl's render takes other steps: re-check {PREPARED}")
    signatures = {name: list(inspect.signature(getattr(DocxTemplate, name)).parameters)
                  for name in ("render_xml_part", "fix_tables", "fix_docpr_ids", "get_xml",
                               "patch_xml", "get_headers_footers", "get_part_xml",
                               "get_headers_footers_encoding", "init_docx")}
    assert signatures == {
        "render_xml_part": ["self", "src_xml", "part", "context", "jinja_env"],
        "fix_tables": ["self", "xml"], "fix_docpr_ids": ["self", "tree"], "get_xml": ["self"],
        "patch_xml": ["self", "src_xml"], "get_headers_footers": ["self", "uri"],
        "get_part_xml": ["self", "part"], "get_headers_footers_encoding": ["self", "xml"],
        "init_docx": ["self", "reload"]}, (
        f"docxtpl's render steps changed their parameters: re-check {PREPARED}")


def test_a_prepared_template_renders_the_bytes_docxtpl_renders(tmp_path: Path) -> None:
    template = _template_with_footer(tmp_path / "t.docx")
    env = SandboxedEnvironment(autoescape=True)
    first: dict[str, object] = {"name": "Li", "number": "SO-1", "numbers": [1]}
    document = DocxTemplate(str(template))
    document.init_docx()
    found = sources(document)
    document.render(dict(first), jinja_env=env)
    saved = BytesIO()
    document.save(saved)
    prepared = Prepared(found, stable_package(saved.getvalue()))
    for context in (first, {"name": "A & B <C>", "number": "SO-2\nb", "numbers": [1, 2, 3]}):
        assert prepared.render(context, env) == _docxtpl_render(template, context), (
            f"docxtpl's render gives other bytes than its steps repeated: re-check {PREPARED}")


def test_docxtpl_resolve_listing_rewrites_only_tabs_bells_newlines_and_form_feeds(
        tmp_path: Path) -> None:
    document = DocxTemplate(str(_template_with_footer(tmp_path / "t.docx")))
    document.init_docx()
    body = document.get_xml()
    assert document.resolve_listing(body) == body, (
        f"docxtpl's resolve_listing changes XML without tab, BEL, newline or form feed: "
        f"re-check _Renderer in {PREPARED}")
    for character in "\t\a\n\f":
        text = body.replace("Dear ", f"Dear{character}", 1)
        assert document.resolve_listing(text) != text, (
            f"docxtpl's resolve_listing no longer rewrites {character!r}: re-check {PREPARED}")
    assert _LISTING.pattern == "[\t\a\n\f]"


def test_docxtpl_renders_these_core_properties_and_python_docx_keeps_footnotes_raw(
        tmp_path: Path) -> None:
    document = docx.Document(str(_template(tmp_path / "t.docx")))
    names = ("author", "category", "comments", "content_status", "identifier", "keywords",
             "language", "last_modified_by", "subject", "title", "version")
    for name in names:
        setattr(document.core_properties, name, "{{ name }}")
    document.save(str(tmp_path / "t.docx"))
    rendered = docx.Document(BytesIO(_docxtpl_render(tmp_path / "t.docx", {"name": "Li"})))
    changed = tuple(name for name in names if getattr(rendered.core_properties, name) == "Li")
    assert changed == _PROPERTIES, (
        f"docxtpl renders other core properties ({changed}): re-check {PREPARED}")
    assert CT.WML_FOOTNOTES not in PartFactory.part_type_for, (
        f"python-docx parses footnotes now, and saves them from its tree: re-check {PREPARED}")


def test_python_docx_internals_the_default_templates_build_on() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=1)
    cell = table.cell(0, 0)
    run = document.add_paragraph().add_run()
    tags = (table._tbl.tag, cell._tc.tag, table.rows[0]._tr.tag, run._r.tag)
    assert isinstance(cell, _Cell), f"python-docx renamed _Cell: re-check {DEFAULT_TEMPLATES}"
    assert [t.rsplit("}", 1)[-1] for t in tags] == ["tbl", "tc", "tr", "r"], (
        f"python-docx's _tbl/_tc/_tr/_r changed: re-check {DEFAULT_TEMPLATES}")
    assert callable(cell._tc.get_or_add_tcPr) and callable(table.rows[0]._tr.get_or_add_trPr), (
        f"python-docx's oxml helpers changed: re-check {DEFAULT_TEMPLATES}")


class _Created(FileSystemEventHandler):
    def __init__(self) -> None:
        self.seen: queue.Queue[tuple[str, float]] = queue.Queue()

    def on_created(self, event: FileSystemEvent) -> None:
        self.seen.put((Path(str(event.src_path)).name, time.monotonic()))


def _delay_behind_a_move_out(folder: Path) -> float:
    """Seconds until the inotify observer reports a file created just after another one was
    moved out of the watched `folder` (a claim is such a move)."""
    folder.mkdir()
    handler = _Created()
    observer = Observer()
    observer.schedule(handler, str(folder))
    observer.start()
    try:
        (folder / "probe").write_bytes(b"")  # the watch is live once its event arrives
        while handler.seen.get(timeout=10)[0] != "probe":
            pass
        (folder / "leaving").write_bytes(b"")
        start = time.monotonic()
        os.rename(folder / "leaving", folder.parent / f"{folder.name}-left")
        (folder / "arriving").write_bytes(b"")
        while True:
            name, when = handler.seen.get(timeout=10)
            if name == "arriving":
                return when - start
    finally:
        observer.stop()
        observer.join(timeout=5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the grouper serves inotify")
def test_watchdog_move_pairing_window_is_the_grouper_class_delay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(InotifyMoveEventGrouper.delay, float), (
        f"watchdog's InotifyMoveEventGrouper.delay is gone: re-check {WATCH}")
    monkeypatch.setattr(InotifyMoveEventGrouper, "delay", 1.0)
    held = _delay_behind_a_move_out(tmp_path / "held")
    monkeypatch.setattr(InotifyMoveEventGrouper, "delay", 0.02)
    shortened = _delay_behind_a_move_out(tmp_path / "shortened")
    assert held >= 1.0, (
        f"watchdog no longer holds events behind a move-out for the grouper's delay ({held:.2f}s):"
        f" re-check {WATCH}")
    assert shortened < 0.9, (
        f"setting InotifyMoveEventGrouper.delay no longer shortens the wait ({shortened:.2f}s):"
        f" re-check {WATCH}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_watchdog_reports_an_inotify_overflow_in_the_warning_the_watcher_listens_for(
        tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    overflows = _Overflows(folder)
    logger = logging.getLogger(_OVERFLOW_LOGGER)
    logger.addHandler(overflows)
    observer = Observer()
    try:
        # watchdog opens its inotify instance when the observer starts, not when it is built
        with small_inotify_queue(4):
            observer.schedule(FileSystemEventHandler(), str(folder), recursive=True)
            observer.start()
        try:
            for n in range(200):
                (folder / "sub" / f"{n}.xlsx").write_bytes(b"x")
            assert overflows.happened.wait(10), (
                f"a real inotify overflow under {folder} was not reported as the warning "
                f"{_OVERFLOW_MESSAGE!r} on {_OVERFLOW_LOGGER}: re-check {OVERFLOW}")
        finally:
            observer.stop()
            observer.join(timeout=5)
    finally:
        logger.removeHandler(overflows)


# --- xlsxwriter, behind the fast summary-workbook writer -----------------------


def test_style_index_is_the_one_xlsxwriter_writes_into_cells() -> None:
    # Styles.index (xlsxwriter's Format._get_xf_index) numbers the cells that xlsx_rows.py
    # renders without xlsxwriter; xlsxwriter must give its own cells the same s="".
    output = BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    styles = Styles(book)
    wanted = [(kind, variant) for kind in VALUE_TYPES for variant in ("plain", "total", "alert")]
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
    assert [styles.index(kind) for kind in VALUE_TYPES] == [1, 2, 3, 4, 1, 5, 6]
    assert style_count is not None and int(style_count[1]) == len(set(indices)) + 2


def test_a_calamine_panic_surfaces_as_pyo3s_panic_exception() -> None:
    """`_calamine` in sales_sheets/forms/grid.py knows a Rust panic by its class name: pyo3
    raises `pyo3_runtime.PanicException`, a BaseException that cannot be imported. An .xls
    missing 1,000 bytes in its middle makes calamine panic; once calamine returns an error for
    it instead, this test may take any other input that still panics, or go."""
    import python_calamine as calamine

    data = (Path(__file__).parent / "data" / "order.xls").read_bytes()
    with pytest.raises(BaseException) as raised:
        calamine.CalamineWorkbook.from_filelike(BytesIO(data[:512] + data[1512:]))
    assert type(raised.value).__name__ == "PanicException"
    assert not isinstance(raised.value, Exception)


# --- unoserver, run by the PDF converter's server process ------------------------


def test_unoserver_installs_its_signal_handlers_through_its_modules_signal() -> None:
    """converter_server.py gives unoserver.server a `signal` whose handlers are its own, so
    that a SIGTERM ends the converter at once; unoserver must still install them through that
    name, from `main` (its server imports `uno`, so it is read here, not imported)."""
    source = Path(str(distribution("unoserver").locate_file("unoserver/server.py"))).read_text()
    assert re.search(r"^import signal$", source, re.MULTILINE)
    assert not re.search(r"^from signal import", source, re.MULTILINE)
    assert "signal.signal(signal.SIGTERM, signal_handler)" in source
    assert re.search(r"^def main\(\):", source, re.MULTILINE)
