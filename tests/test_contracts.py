"""Sales contracts: rendered from the ledger into real .docx files, read back with python-docx."""

import re
import shutil
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from sales_sheets.cli import main
from sales_sheets.documents.capitals import rmb_capitals
from sales_sheets.documents.contract import (
    CONTRACT,
    WrittenContracts,
    accepted_version,
    contract_path,
    generate_contract,
    order_facts,
)
from sales_sheets.documents.render import TemplateError
from sales_sheets.formats.stable_zip import stable_package
from sales_sheets.intake.approvals import release_order
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger import Ledger
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import docx_text as text_of
from .helpers.forms import drop, one, order_header

pytestmark = pytest.mark.ledgers

P001 = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}  # 13 %
P006 = {"product_code": "P006", "quantity": 1, "unit_price": "2000"}  # 6 % service


def line_rows(path: Path) -> list[list[str]]:
    """Rows of the line table (the one headed 序号) whose first cell is a line number."""
    for table in docx.Document(str(path)).tables:
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == "序号":
            return [row for row in rows if row[0].isdigit()]
    raise AssertionError("no line table")


def test_an_accepted_order_becomes_a_contract(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1", remarks="请提前电话联系"),
         [P001, P006])
    result = one(loaded)
    assert result.status == "accepted"
    contract = loaded.outbox / "contracts" / "C001" / "SO-1.docx"
    assert result.outputs[1] == "outbox/contracts/C001/SO-1.docx"
    receipt = (loaded.root / result.outputs[0]).read_text(encoding="utf-8")
    assert "outbox/contracts/C001/SO-1.docx" in receipt
    text = text_of(contract)
    for expected in ("销售合同", "示例机械制造有限公司", "杭州恒达机械有限公司",
                     "91330109MA27XK1234", "中国银行杭州萧山支行", "HT-SO-1", "杭州市萧山区",
                     "请提前电话联系", "货到后 60 天内付清全部货款", "王建国"):
        assert expected in text, expected
    total = Decimal("27600.00")
    assert rmb_capitals(total) == "贰万柒仟陆佰元整"
    assert "贰万柒仟陆佰元整" in text and "27,600.00" in text
    rows = line_rows(contract)
    assert [r[2] for r in rows] == ["齿轮减速机", "安装调试服务"]
    assert "25,600.00" in rows[0] and "2,000.00" in rows[1]
    # tax by rate: 25,600 at 13 % and 2,000 at 6 %, each split half up to the fen
    net13 = (Decimal("25600") / Decimal("1.13")).quantize(Decimal("0.01"))
    net6 = (Decimal("2000") / Decimal("1.06")).quantize(Decimal("0.01"))
    assert f"{net13:,}" in text and f"{Decimal('25600') - net13:,}" in text
    assert f"{net6:,}" in text and f"{net13 + net6:,}" in text


def test_held_orders_get_their_contract_when_released(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [dict(P001, unit_price="12000")])
    result = one(loaded)
    assert result.status == "held" and len(result.outputs) == 2  # the receipt and the request
    assert not (loaded.outbox / "contracts").exists() or not any(
        (loaded.outbox / "contracts").rglob("*.docx"))
    with pytest.raises(Exception, match="held"):
        generate_contract(loaded, "SO-1")
    release = release_order(loaded, "SO-1", "SP-2026-9")
    assert release.contract == loaded.outbox / "contracts" / "C001" / "SO-1.docx"
    assert "24,000.00" in text_of(release.contract)


def test_a_revision_gets_its_own_file_and_the_old_one_stays(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    one(loaded)
    drop(loaded, "order", "S01/o2.xlsx", order_header(no="SO-1"), [dict(P001, quantity=3)])
    result = one(loaded)
    folder = loaded.outbox / "contracts" / "C001"
    assert sorted(p.name for p in folder.glob("*.docx")) == ["SO-1-r2.docx", "SO-1.docx"]
    assert result.outputs[1].endswith("SO-1-r2.docx")
    assert "HT-SO-1-r2" in text_of(folder / "SO-1-r2.docx")
    assert "38,400.00" in text_of(folder / "SO-1-r2.docx")
    assert "25,600.00" in text_of(folder / "SO-1.docx")


def test_reports_find_each_contract_where_it_was_written(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO:7"), [P001])
    drop(loaded, "order", "S01/o2.xlsx", order_header(no="SO:7"), [dict(P001, quantity=3)])
    assert [r.status for r in process_inbox(loaded)] == ["accepted", "accepted"]
    written = WrittenContracts(loaded)
    found = [written.path_of("C001", "SO:7", version) for version in (1, 2, 3)]
    assert found == ["outbox/contracts/C001/SO_7.docx", "outbox/contracts/C001/SO_7-r2.docx", ""]
    assert found[:2] == [contract_path(loaded, "C001", "SO:7", version)
                         .relative_to(loaded.root).as_posix() for version in (1, 2)]
    assert written.path_of("C002", "SO:7", 1) == ""


def test_regenerating_gives_the_same_text(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001, P006])
    one(loaded)
    path = loaded.outbox / "contracts" / "C001" / "SO-1.docx"
    before = text_of(path)
    result = CliRunner().invoke(main, ["contract", "so-1", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["outbox/contracts/C001/SO-1.docx",
                                          "outbox/invoices/C001/SO-1_开票通知单.xlsx"]
    assert text_of(path) == before


def test_each_contract_is_the_file_docxtpl_writes(loaded: Workspace) -> None:
    """Rendered from the prepared template (the start-up check prepared it), byte for byte what
    docxtpl's whole way gives for the same values."""
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001, P006])
    drop(loaded, "order", "S01/o2.xlsx", order_header(no="SO-2", remarks="A & B <C>\n二行"),
         [P006])
    process_inbox(loaded)
    template = CONTRACT.ensure(loaded)
    with Ledger.of(loaded).connect() as books:
        for order_no in ("SO-1", "SO-2"):
            facts = order_facts(loaded, books, accepted_version(books, order_no))
            document = DocxTemplate(str(template))
            document.render(facts.context, jinja_env=SandboxedEnvironment(autoescape=True))
            saved = BytesIO()
            document.save(saved)
            path = loaded.outbox / "contracts" / "C001" / f"{order_no}.docx"
            assert path.read_bytes() == stable_package(saved.getvalue())


def test_user_text_prints_as_written(loaded: Workspace) -> None:
    drop(loaded, "customers", "c.xlsx", lines=[
        {"code": "C777", "name": "A & B <C> 有限公司", "region": "华东", "salesperson": "S01",
         "address": "{{ seller.name }}", "created": "2026-01-01"}])
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-7", customer="C777"), [P001])
    results = process_inbox(loaded)
    assert [r.status for r in results] == ["accepted", "accepted"]
    text = text_of(loaded.outbox / "contracts" / "C777" / "SO-7.docx")
    assert "A & B <C> 有限公司" in text and "{{ seller.name }}" in text


def _add_paragraph(template: Path, tag: str) -> None:
    document = docx.Document(str(template))
    document.add_paragraph().add_run(tag)
    document.save(str(template))


@pytest.mark.parametrize("tag, message", [
    ("{{ order.no }", "contract.docx at '{{ order.no }"),
    ("{{ secret_plan }}", "secret_plan"),
    ("{{ seller.__class__.__mro__ }}", "{{ seller.__class__.__mro__ }}"),
    ("{% for x in lines %}", "contract.docx at '{% for x in lines %}'"),
])
def test_a_broken_or_unsafe_template_stops_before_any_file_moves(
    loaded: Workspace, tag: str, message: str
) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(), [P001])
    _add_paragraph(loaded.templates / "contract.docx", tag)
    with pytest.raises(TemplateError, match=re.escape(message)):
        process_inbox(loaded)
    assert (loaded.inbox / "S01" / "o.xlsx").exists()
    result = CliRunner().invoke(main, ["process", "-w", str(loaded.root)])
    assert result.exit_code == 1 and "contract.docx" in result.stderr
    assert (loaded.inbox / "S01" / "o.xlsx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_pdf_beside_the_contract_when_libreoffice_is_there(loaded: Workspace) -> None:
    workspace = configure(loaded, documents={"pdf": True})
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    assert one(workspace).status == "accepted"
    pdf = workspace.outbox / "contracts" / "C001" / "SO-1.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_no_libreoffice_is_not_an_error(loaded: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    workspace = configure(loaded, documents={"pdf": True})
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    result = one(workspace)
    assert result.status == "accepted" and len(result.outputs) == 3  # receipt, contract, invoice
    assert not (workspace.outbox / "contracts" / "C001" / "SO-1.pdf").exists()


def test_contracts_can_be_left_for_later(loaded: Workspace) -> None:
    workspace = configure(loaded, documents={"contracts": False, "invoices": False})
    drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    result = one(workspace)
    assert result.status == "accepted" and len(result.outputs) == 1
    assert generate_contract(workspace, "SO-1").name == "SO-1.docx"
