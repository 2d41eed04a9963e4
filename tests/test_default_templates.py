"""The shipped Word templates: they parse, render safely, and use exactly the documented values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from sales_sheets.documents.default_templates import (
    CONTRACT_VARIABLES,
    LETTER_VARIABLES,
    QUOTE_VARIABLES,
    write_contract_template,
    write_letter_template,
    write_quote_template,
)
from sales_sheets.errors import UsageError

from .helpers.templates import LINES, SELLER, TRICKY, contract_context, letter_context

LANGUAGES = ["zh", "en"]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "TEMPLATES.md"
WRITERS = {
    "contract": (write_contract_template, CONTRACT_VARIABLES, contract_context),
    "letter": (write_letter_template, LETTER_VARIABLES, letter_context),
    "quote": (write_quote_template, QUOTE_VARIABLES, lambda: quote_context()),
}


def quote_context() -> dict[str, Any]:
    """A quotation's variables with a name that must print as written."""
    return {"seller": SELLER, "buyer": {"name": TRICKY, "code": "C001", "contact": "周建华",
                                        "phone": "0571"},
            "quote": {"no": "BJ-1", "date": "2026年11月02日", "valid_until": "2026年11月30日",
                      "delivery_terms": "", "payment_terms": "预付 30%", "remarks": "",
                      "salesperson_name": "张伟", "approval": "AP-20261103-001"},
            "lines": [{"no": 1, "product_code": "P001", "product_name": "齿轮减速机",
                       "spec": "ZQ-250", "unit": "台", "quantity": "2", "unit_price": "12,000.00",
                       "amount": "24,000.00", "remark": "蓝色"}],
            "totals": {"total": "24,000.00", "total_capitals": "贰万肆仟元整"}}


def top_level(variables: dict[str, tuple[str, str]]) -> set[str]:
    return {name.split(".")[0].removesuffix("[]") for name in variables}


def render(template: Path, context: dict[str, Any], target: Path) -> Path:
    document = DocxTemplate(str(template))
    document.render(context, jinja_env=SandboxedEnvironment(autoescape=True))
    document.save(str(target))
    return target


def all_text(path: Path) -> str:
    """Every paragraph of the body, its tables (one level of nesting) and the footer."""
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    texts.extend(p.text for p in document.sections[0].footer.paragraphs)
    return "\n".join(texts)


def template_ast(path: Path) -> nodes.Template:
    """The Jinja syntax tree docxtpl would render: body and footers, as docxtpl patches them."""
    document = DocxTemplate(str(path))
    with zipfile.ZipFile(path) as package:
        parts = [name for name in package.namelist()
                 if re.fullmatch(r"word/(document|footer\d*|header\d*)\.xml", name)]
        xml = "".join(document.patch_xml(package.read(name).decode()) for name in parts)
    return SandboxedEnvironment(autoescape=True).parse(xml)


def used_variables(path: Path) -> set[str]:
    """Dotted names the template reads, loop items written as `list[].field`."""
    tree = template_ast(path)
    aliases = {loop.target.name: f"{loop.iter.name}[]" for loop in tree.find_all(nodes.For)
               if isinstance(loop.target, nodes.Name) and isinstance(loop.iter, nodes.Name)}
    used: set[str] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            used.add(f"{aliases.get(node.node.name, node.node.name)}.{node.attr}")
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in aliases:
            used.add(name.name)
    return used


@pytest.fixture(params=[(kind, lang) for kind in WRITERS for lang in LANGUAGES],
                ids=lambda p: f"{p[0]}-{p[1]}")
def template(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, Path]:
    kind, language = request.param
    writer = WRITERS[kind][0]
    path = writer(tmp_path / "templates" / f"{kind}.docx", language)
    return kind, language, path


def test_undeclared_variables_are_the_documented_ones(template: tuple[str, str, Path]) -> None:
    kind, _, path = template
    found = DocxTemplate(str(path)).get_undeclared_template_variables(
        jinja_env=SandboxedEnvironment(autoescape=True))
    documented = top_level(WRITERS[kind][1])
    assert found <= documented
    main = {"contract": {"seller", "buyer", "order", "lines", "totals"},
            "letter": {"seller", "customer", "period", "balance", "reply_by"},
            "quote": {"seller", "buyer", "quote", "lines", "totals"}}[kind]
    assert main <= found
    assert found == documented  # nothing documented is left unused at the top level


def test_every_documented_variable_is_used(template: tuple[str, str, Path]) -> None:
    kind, _, path = template
    documented = set(WRITERS[kind][1])
    used = used_variables(path)
    assert documented - used == set(), "documented but not used by the template"
    # Everything the template reads is documented too (bar filters' helpers such as `loop`).
    assert used - documented - top_level(WRITERS[kind][1]) == set()


def test_every_tag_sits_in_one_run(template: tuple[str, str, Path]) -> None:
    """Tags must survive as written: each run holds whole tags only."""
    _, _, path = template
    document = Document(str(path))
    runs = [r.text for p in document.paragraphs for r in p.runs]
    runs += [r.text for t in document.tables for row in t.rows for c in row.cells
             for p in c.paragraphs for r in p.runs]
    runs += [r.text for p in document.sections[0].footer.paragraphs for r in p.runs]
    for text in runs:
        stripped = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text)
        assert not re.search(r"\{\{|\}\}|\{%|%\}", stripped), text


def test_contract_renders(tmp_path: Path) -> None:
    for language in LANGUAGES:
        template = write_contract_template(tmp_path / f"contract-{language}.docx", language)
        context = contract_context()
        out = render(template, context, tmp_path / f"out-{language}.docx")
        document = Document(str(out))
        text = all_text(out)
        title = {"zh": "销售合同", "en": "SALES CONTRACT"}[language]
        assert document.paragraphs[0].text == title
        assert SELLER["name"] in text and TRICKY in text
        assert "A &amp; B" not in text and "&lt;" not in text  # escaped once, shown literally
        lines_table = next(t for t in document.tables if len(t.columns) == 9)
        data_rows = lines_table.rows[1:-1]
        assert len(data_rows) == 3  # the {%tr %} rows are gone, one row per line
        for row, line in zip(data_rows, LINES, strict=True):
            cells = [c.text for c in row.cells]
            assert cells[0] == str(line["no"])
            assert cells[2] == line["product_name"] and cells[7] == line["amount"]
            assert cells[8] == line["tax_rate"]
        assert "12,345.67" in lines_table.rows[-1].cells[-2].text
        assert "壹万贰仟叁佰肆拾伍元陆角柒分" in text
        assert context["order"]["remarks"] in text
        assert "浙A·12345" in text and "2026年11月20日" in text
        tax_table = next(t for t in document.tables if len(t.columns) == 4)
        assert [r.cells[0].text for r in tax_table.rows[1:-1]] == ["13%", "6%"]
        nets = [r.cells[1].text for r in tax_table.rows[1:]]
        assert nets == ["9,646.02", "1,363.84", "11,009.86"]
        footer = document.sections[0].footer._element.xml
        assert "PAGE" in footer and "NUMPAGES" in footer
        assert "HT-2026-0117" in "".join(p.text for p in document.sections[0].footer.paragraphs)
        assert re.search(r"\{\{|\{%", text) is None  # no tag left unrendered


def test_contract_optional_parts(tmp_path: Path) -> None:
    """First revision, no delivery date, method or remarks: the sentences still read."""
    template = write_contract_template(tmp_path / "contract.docx")
    context = contract_context()
    context["order"].update(revision=1, delivery_date="", delivery_method="",
                            vehicle_or_picker="", remarks="")
    text = all_text(render(template, context, tmp_path / "out.docx"))
    assert "版，取代此前各版" not in text
    assert "交货时间：双方另行约定。" in text
    assert "交货方式：双方另行约定。" in text
    assert "备注：无" in text


def test_revision_is_stated(tmp_path: Path) -> None:
    template = write_contract_template(tmp_path / "contract.docx")
    text = all_text(render(template, contract_context(), tmp_path / "out.docx"))
    assert "合同编号：HT-2026-0117（第 2 版，取代此前各版）" in text


def test_letter_renders(tmp_path: Path) -> None:
    for language in LANGUAGES:
        template = write_letter_template(tmp_path / f"letter-{language}.docx", language)
        out = render(template, letter_context(), tmp_path / f"out-{language}.docx")
        document = Document(str(out))
        text = all_text(out)
        title = {"zh": "对账函", "en": "BALANCE CONFIRMATION"}[language]
        assert document.paragraphs[0].text == title
        assert TRICKY in text and SELLER["name"] in text
        balance = document.tables[0]
        assert [c.text for c in balance.rows[1].cells] == [
            "8,000.00", "12,345.67", "5,000.00", "15,345.67", "12,345.67", "3,000.00"]
        assert "壹万伍仟叁佰肆拾伍元陆角柒分" in text and "2026年10月20日" in text
        boxes = document.tables[-1].rows[0].cells
        assert boxes[0].text.startswith(("一、信息证明无误", "1. The information above"))
        assert boxes[1].text.startswith(("二、信息不符", "2. Not correct"))
        assert "PAGE" in document.sections[0].footer._element.xml


def test_rendered_values_all_appear(tmp_path: Path) -> None:
    """Each documented text value, given a unique marker, comes out in the document."""
    for kind, (writer, variables, _) in WRITERS.items():
        template = writer(tmp_path / f"{kind}.docx", "zh")
        context: dict[str, Any] = {}
        for name in variables:
            head, _, field = name.partition(".")
            marker = f"⟦{name}⟧"
            if head.endswith("[]"):
                items = context.setdefault(head[:-2], [{}, {}])
                for i, item in enumerate(items):
                    item[field] = f"⟦{name}#{i}⟧"
            elif field:
                context.setdefault(head, {})[field] = marker
            else:
                context[head] = marker
        if kind == "contract":  # integers, used in comparisons
            context["order"]["revision"], context["payment"]["days"] = 3, 45
        text = all_text(render(template, context, tmp_path / f"{kind}-out.docx"))
        expected = {m for m in re.findall(r"⟦[^⟧]+⟧", repr(context))}
        missing = {m for m in expected if m not in text}
        assert missing == set()


def test_atomic_write_replaces_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "t" / "contract.docx"
    path.parent.mkdir()
    path.write_bytes(b"old")
    write_contract_template(path)
    assert zipfile.is_zipfile(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["contract.docx"]


def test_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_letter_template(tmp_path / "x.docx", "fr")
    assert not (tmp_path / "x.docx").exists()


def test_chinese_fonts_are_set_for_east_asian_text(tmp_path: Path) -> None:
    path = write_contract_template(tmp_path / "contract.docx")
    with zipfile.ZipFile(path) as package:
        styles = package.read("word/styles.xml").decode()
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    section = Document(str(path)).sections[0]
    assert section.page_width is not None and section.left_margin is not None
    assert round(section.page_width.cm, 1) == 21.0 and round(section.left_margin.cm, 1) == 2.0


def test_docs_describe_every_variable() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for variables in (CONTRACT_VARIABLES, LETTER_VARIABLES, QUOTE_VARIABLES):
        for name, (zh, en) in variables.items():
            row = next((line for line in docs.splitlines()
                        if line.startswith(f"| `{name}` |")), None)
            assert row is not None, name
            assert zh in row and en in row, name


def test_quote_renders_escaped_with_the_approval_and_terms(tmp_path: Path) -> None:
    path = render(write_quote_template(tmp_path / "quote.docx"), quote_context(),
                  tmp_path / "BJ-1.docx")
    text = all_text(path)
    for said in (f"致：{TRICKY}", "报价单号：BJ-1", "24,000.00", "贰万肆仟元整",
                 "交货条件：双方另行约定", "付款方式：预付 30%", "有效期至 2026年11月30日",
                 "审批号 AP-20261103-001"):
        assert said in text, said
