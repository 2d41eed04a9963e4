"""Templates prepared once and copied per render: the same bytes as docxtpl's whole way."""

from __future__ import annotations

import copy
import html
import logging
import os
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment

from sales_sheets.documents import render
from sales_sheets.documents.default_templates import (
    write_contract_template,
    write_letter_template,
)
from sales_sheets.documents.prepared import needs_docx
from sales_sheets.documents.render import TemplateError, _rendered
from sales_sheets.formats.stable_zip import stable_package

from .helpers.templates import contract_context, letter_context

TRICKY = "A & B <C> \"quoted\" 'single' {{ not a tag }}"


@pytest.fixture(autouse=True)
def _nothing_prepared() -> None:
    render._prepared.clear()


def docxtpl_way(template: Path, context: dict[str, Any]) -> bytes:
    """What rendering gave before templates were prepared: docxtpl opening, rendering in the
    sandbox and saving, then the package stamped by stable_package."""
    document = DocxTemplate(str(template))
    document.render(copy.deepcopy(context), jinja_env=SandboxedEnvironment(autoescape=True))
    buffer = BytesIO()
    document.save(buffer)
    return stable_package(buffer.getvalue())


def prepared_entry(template: Path) -> Any:
    stat = template.stat()
    return render._prepared[(template.resolve(), stat.st_mtime_ns, stat.st_size)]


def contract_variants() -> list[dict[str, Any]]:
    base = contract_context()
    more = copy.deepcopy(base)
    more["lines"] = [dict(base["lines"][0], no=n, product_name=f"{TRICKY} {n}")
                     for n in range(1, 13)]
    more["buyer"]["name"] = TRICKY
    bare = copy.deepcopy(base)
    bare["order"].update(revision=1, delivery_date="", delivery_method="",
                         vehicle_or_picker="", remarks="第一行\n第二行\t制表")
    bare["lines"] = bare["lines"][:1]
    bare["tax_groups"] = bare["tax_groups"][:1]
    return [base, more, bare]


def letter_variants() -> list[dict[str, Any]]:
    base = letter_context()
    other = copy.deepcopy(base)
    for key, value in other.items():
        if isinstance(value, dict):
            other[key] = {k: (f"{v} {TRICKY}" if isinstance(v, str) else v)
                          for k, v in value.items()}
    return [base, other]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", ["contract", "letter"])
def test_shipped_templates_give_the_same_bytes_as_docxtpl(
        tmp_path: Path, language: str, kind: str) -> None:
    if kind == "contract":
        template = write_contract_template(tmp_path / "contract.docx", language)
        variants = contract_variants()
    else:
        template = write_letter_template(tmp_path / "letter.docx", language)
        variants = letter_variants()
    first = _rendered(template, variants[0])
    assert first == docxtpl_way(template, variants[0])
    assert prepared_entry(template) is not None  # the later renders take the prepared way
    for context in variants[1:] + variants[:1]:
        fast = _rendered(template, context)
        assert fast == docxtpl_way(template, context)
        assert stable_package(fast) == fast


def restyled_template(path: Path) -> Path:
    """A template as an administrator might restyle it in Word: tags split over runs in the
    body, a header and a footer, a second section with headers of its own, a table whose rows
    repeat, a paragraph loop, a condition and a picture-free table cell merge."""
    document = docx.Document()
    title = document.add_paragraph()
    for text in ("Contract {{ order.con", "tract_no }} for ", "{{ buyer.na", "me }}"):
        title.add_run(text).bold = True
    document.add_paragraph("{%p if order.remarks %}")
    document.add_paragraph("Remarks: {{ order.remarks }}")
    document.add_paragraph("{%p endif %}")
    table = document.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("No.", "Product", "Amount"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for line in lines %}"
    for cell, text in zip(table.rows[2].cells,
                          ("{{ line.no }}", "{{ line.product_name }}", "{{ line.amount }}"),
                          strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    document.add_paragraph("{%p for group in tax_groups %}")
    document.add_paragraph("{{ group.rate }}: {{ group.net }} + {{ group.tax }}")
    document.add_paragraph("{%p endfor %}")
    section = document.sections[0]
    header = section.header.paragraphs[0]
    for text in ("No. {{ ord", "er.no }}"):
        header.add_run(text)
    section.footer.paragraphs[0].text = "{{ seller.name }} · {{ generated_on }}"
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Page two of {{ order.contract_no }}"
    second.footer.is_linked_to_previous = False
    second.footer.paragraphs[0].text = "{{ totals.total_capitals }}"
    document.add_paragraph("Total {{ totals.total }} ({{ totals.total_capitals }})")
    document.save(str(path))
    return path


def test_a_restyled_template_with_headers_footers_tables_and_loops(tmp_path: Path) -> None:
    template = restyled_template(tmp_path / "restyled.docx")
    variants = contract_variants()
    _rendered(template, variants[0])
    assert prepared_entry(template) is not None
    for context in variants:
        fast = _rendered(template, context)
        assert fast == docxtpl_way(template, context)
    texts = [p.text for p in docx.Document(BytesIO(fast)).sections[1].header.paragraphs]
    assert texts == [f"Page two of {variants[-1]['order']['contract_no']}"]


def test_a_template_changed_on_disk_is_prepared_again(tmp_path: Path) -> None:
    template = restyled_template(tmp_path / "t.docx")
    context = contract_variants()[0]
    _rendered(template, context)
    document = docx.Document(str(template))
    document.add_paragraph("Added later: {{ order.no }}")
    document.save(str(template))
    stat = template.stat()
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = _rendered(template, context)
    assert changed == docxtpl_way(template, context)
    assert f"Added later: {context['order']['no']}" in [
        p.text for p in docx.Document(BytesIO(changed)).paragraphs]
    assert _rendered(template, context) == changed


def test_a_template_the_prepared_way_cannot_render_keeps_docxtpls_way_and_says_so(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    document = docx.Document(str(restyled_template(tmp_path / "t.docx")))
    document.core_properties.title = "Contract {{ order.no }}"  # docxtpl renders the title too
    template = tmp_path / "titled.docx"
    document.save(str(template))
    variants = contract_variants()
    with caplog.at_level(logging.INFO, logger="sales_sheets.documents.render"):
        for context in variants:
            assert _rendered(template, context) == docxtpl_way(template, context)
    assert prepared_entry(template) is None
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["template titled.docx: its core property 'title' holds a tag; "
                        "rendering it through docxtpl every time"]
    titles = {docx.Document(BytesIO(_rendered(template, c))).core_properties.title
              for c in variants}
    assert titles == {f"Contract {c['order']['no']}" for c in variants}


def test_the_prepared_way_renders_in_the_sandbox_with_autoescape(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("{{ buyer.name }}")
    document.add_paragraph(
        "{% if order.remarks == 'x' %}{{ order.no.__class__.__mro__ }}{% endif %}")
    template = tmp_path / "t.docx"
    document.save(str(template))
    context = contract_variants()[0]
    _rendered(template, context)
    assert prepared_entry(template) is not None
    tricky = copy.deepcopy(context)
    tricky["buyer"]["name"] = TRICKY
    rendered = docx.Document(BytesIO(_rendered(template, tricky)))
    assert rendered.paragraphs[0].text == TRICKY  # escaped in the XML, shown as written
    unsafe = copy.deepcopy(context)
    unsafe["order"]["remarks"] = "x"
    with pytest.raises(TemplateError, match=r"template t\.docx.*__mro__"):
        _rendered(template, unsafe)


def test_a_context_with_python_docx_objects_takes_docxtpls_way() -> None:
    image = InlineImage(DocxTemplate(None), "logo.png")
    assert needs_docx({"seller": {"logo": image}})
    assert needs_docx({"lines": [{"pictures": (image,)}]})
    assert not needs_docx(contract_context()) and not needs_docx(letter_context())


FOOTNOTES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:footnote w:id="1"><w:p><w:r><w:t>Note on {{ or</w:t></w:r><w:r>'
             '<w:t>der.no }} &amp; more</w:t></w:r></w:p></w:footnote></w:footnotes>')


def with_footnotes(document: Any, path: Path) -> Path:
    """`document` saved with a footnotes part holding a tag, as Word templates often have."""
    package = document.part.package
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, FOOTNOTES.encode(), package)
    document.part.relate_to(part, RT.FOOTNOTES)
    document.save(str(path))
    return path


def footnotes_text(data: bytes) -> str:
    with zipfile.ZipFile(BytesIO(data)) as package:
        return html.unescape(re.sub(r"<[^>]+>", "", package.read("word/footnotes.xml").decode()))


def test_footnotes_are_rendered_as_docxtpl_renders_them(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("{{ order.no }}")
    template = with_footnotes(document, tmp_path / "notes.docx")
    variants = contract_variants()
    _rendered(template, variants[0])
    assert prepared_entry(template) is not None
    for context in variants:
        fast = _rendered(template, context)
        assert fast == docxtpl_way(template, context)
        assert footnotes_text(fast).strip() == f"Note on {context['order']['no']} & more"


def test_footnotes_in_several_sections_keep_docxtpls_way(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    restyled = docx.Document(str(restyled_template(tmp_path / "restyled.docx")))
    template = with_footnotes(restyled, tmp_path / "notes.docx")
    with caplog.at_level(logging.INFO, logger="sales_sheets.documents.render"):
        for context in contract_variants():
            assert _rendered(template, context) == docxtpl_way(template, context)
    assert prepared_entry(template) is None
    assert [r.getMessage() for r in caplog.records] == [
        "template notes.docx: it has footnotes and more than one section (docxtpl renders "
        "them once per section); rendering it through docxtpl every time"]
