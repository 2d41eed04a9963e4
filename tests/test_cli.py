"""The real CLI through click's CliRunner, and then the files and the database checked."""

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.cli import EXIT_REJECTED, main
from sales_sheets.documents.libreoffice import find_soffice, find_uno_python
from sales_sheets.forms.meta import LISTS_SHEET, META_SHEET
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.workspace import Workspace, open_workspace

from .helpers.approvals import filed_requests, requests
from .helpers.forms import drop, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P001", "quantity": 1, "unit_price": "12800"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_init_creates_a_commented_workspace(tmp_path: Path) -> None:
    code, _ = run("init", str(tmp_path / "w"))
    assert code == 0
    root = tmp_path / "w"
    assert (root / "config.toml").read_text(encoding="utf-8").startswith("#")
    for folder in ("inbox", "outbox/receipts", "outbox/rejected", "templates"):
        assert (root / folder).is_dir()
    assert open_workspace(root).settings.language == "zh"


def test_template_has_meta_lists_and_drop_downs(loaded: Workspace) -> None:
    for kind in KINDS:
        code, output = run("template", kind, "-w", str(loaded.root))
        assert code == 0
        assert Path(output.strip()) == loaded.templates / f"{kind}.xlsx"
    book = openpyxl.load_workbook(loaded.templates / "order.xlsx")
    assert book[META_SHEET].sheet_state == "hidden"
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert book.sheetnames[0] == "订货单" and "填写说明" in book.sheetnames
    sheet = book["订货单"]
    assert "order_lines" in sheet.tables
    assert book.defined_names["order_no"].attr_text == "'订货单'!$B$3"
    sources = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    lists = book[LISTS_SHEET]
    customers = [c.value for c in lists["A"][1:]]
    assert customers == ["C001", "C002", "C003", "C004", "C005", "C006"]
    assert "list_customer_code" in sources
    assert book.defined_names["list_customer_code"].attr_text == f"{LISTS_SHEET}!$A$2:$A$7"
    assert sheet.freeze_panes == "A17"


def test_template_to_a_chosen_file_and_unknown_kind(tmp_path: Path, workspace: Workspace) -> None:
    target = tmp_path / "x.xlsx"
    assert run("template", "visit", "-o", str(target), "-w", str(workspace.root))[0] == 0
    assert target.exists()
    result = CliRunner().invoke(main, ["template", "warranty_claim", "-w", str(workspace.root)])
    assert result.exit_code == 2 and "warranty_claim" in result.stderr


@pytest.mark.ledgers("sqlite")  # the twin workspace is a copy of the ledger file too
def test_process_json_equals_the_python_api(loaded: Workspace, tmp_path: Path) -> None:
    drop(loaded, "order", "S01/good.xlsx", order_header(no="SO-1"), [LINE])
    drop(loaded, "order", "S01/bad.xlsx", order_header(no="SO-2", customer="C404"), [LINE])
    twin = tmp_path / "twin"
    __import__("shutil").copytree(loaded.root, twin)
    code, output = run("process", "--json", "-w", str(loaded.root))
    assert code == EXIT_REJECTED
    printed = json.loads(output)["files"]
    expected = [r.as_dict("zh") for r in process_inbox(open_workspace(twin))]
    strip = [{k: v for k, v in f.items() if k != "outputs"} for f in printed]
    assert strip == [{k: v for k, v in f.items() if k != "outputs"} for f in expected]
    assert [f["status"] for f in printed] == ["accepted", "rejected"]
    assert printed[1]["problems"][0] == {
        "code": "unknown_customer", "severity": "error", "sheet": "订货单", "cell": "B5",
        "field": "customer_code", "value": "C404",
        "message": "客户编码“C404”不存在，新客户须先建档。"}
    for entry in printed:
        for output_path in entry["outputs"]:
            assert (loaded.root / output_path).is_file()


def test_process_text_output_and_exit_codes(loaded: Workspace) -> None:
    code, output = run("process", "-w", str(loaded.root))
    assert (code, output.strip()) == (0, "收件箱为空")
    drop(loaded, "order", "S01/good.xlsx", order_header(no="SO-1"), [LINE])
    code, output = run("process", "-w", str(loaded.root))
    assert code == 0 and "已接收" in output and "SO-1" in output


def test_process_prints_at_most_thirty_problems_a_file_unless_asked_for_all(
        loaded: Workspace) -> None:
    lines = [{"receipt_date": "2026-11-02", "customer_code": f"X{n:03}", "amount": "10",
              "reference": f"R-{n}"} for n in range(100)]
    drop(loaded, "receipt", "many.xlsx", lines=lines)
    shutil.copy(loaded.inbox / "many.xlsx", loaded.root / "many.xlsx")
    code, output = run("process", "-w", str(loaded.root))
    assert code == EXIT_REJECTED
    problem_lines = [line for line in output.splitlines() if "[错误]" in line]
    assert len(problem_lines) == 3  # the first few of the one code
    assert "unknown_customer（错误）共 100 处，前 3 处：" in output
    assert "error:" not in output  # the severity in the form's words
    shutil.copy(loaded.root / "many.xlsx", loaded.inbox / "many-again.xlsx")
    code, output = run("process", "--all-problems", "-w", str(loaded.root))
    assert code == EXIT_REJECTED
    assert len([line for line in output.splitlines() if "[错误]" in line]) == 100
    assert all(f"X{n:03}" in output for n in range(100))


def test_status_reports_counts_and_recent_files(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/good.xlsx", order_header(no="SO-1"), [LINE])
    run("process", "-w", str(loaded.root))
    code, output = run("status", "--json", "-w", str(loaded.root))
    state = json.loads(output)
    assert code == 0
    assert state["documents"]["order"] == {"accepted": 1}
    assert state["master"] == {"salespeople": 3, "products": 6, "customers": 6}
    assert state["recent"][0]["file"] == "S01/good.xlsx"
    assert state["recent"][0]["document"] == "SO-1"
    code, output = run("status", "-w", str(loaded.root))
    assert code == 0 and "S01/good.xlsx" in output
    # every word in the form's language; the codes only where a person types them back
    assert "订货单：已接收 1" in output and "主数据：业务员 3" in output
    assert "月度汇总 (monthly_report)" in output
    english = re.compile(r"\b(accepted|held|rejected|salespeople|products|customers|never)\b")
    assert english.findall(output) == []


def test_release_through_the_cli(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/a.xlsx", order_header(), [dict(LINE, unit_price="12000")])
    run("process", "-w", str(loaded.root))
    code, output = run("release", "SO-1", "--approval", "SP-9", "-w", str(loaded.root))
    assert code == 0 and "SP-9" in output
    result = CliRunner().invoke(main, ["release", "SO-1", "--approval", "SP-9", "-w",
                                       str(loaded.root)])
    assert result.exit_code == 1 and "not held" in result.stderr


def test_a_broken_config_is_a_clear_error(workspace: Workspace) -> None:
    (workspace.root / "config.toml").write_text("[watch]\npoling = true\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["status", "-w", str(workspace.root)])
    assert result.exit_code == 1 and "did you mean 'polling'" in result.stderr


def test_demo_shows_every_outcome(tmp_path: Path) -> None:
    run("init", str(tmp_path / "d"))
    code, output = run("demo", "-w", str(tmp_path / "d"))
    assert code == 0
    # 14 forms, 3 held orders and a claim held over budget; then three managers' decisions, a
    # standing approval and the December order it lets through; the 对账回函 of two customers;
    # a complaint filed and resolved; a quotation held for its price, approved, and the order
    # on it (not held for its price below list)
    assert "已接收 27，待审批 5，退回修改 2" in output
    ws = open_workspace(tmp_path / "d")
    # a receipt per file, and a notice per decision in the salesperson's folder
    assert len(list((ws.outbox / "receipts").rglob("*.txt"))) == 38
    assert len(list((ws.outbox / "rejected").rglob("*.xlsx"))) == 2
    # what still waits for an approver, and what they decided, filed away
    assert requests(ws) == [Path("陈静/SO-20261106-003_审批单.xlsx")]
    assert filed_requests(ws) == ["李强/BJ-20261118-01_审批单.已批准.xlsx",
                                  "李强/BX-20261125-02_审批单.已批准.xlsx",
                                  "李强/SO-20261112-005_审批单.已批准.xlsx",
                                  "陈静/SO-20261110-004_审批单.未批准.xlsx"]
    # the budget, a claim within it and one over it, held and approved
    assert query(ws, "SELECT kind, doc_key, status, approval IS NOT NULL FROM documents "
                     "WHERE kind IN ('budget', 'expense') ORDER BY kind, doc_key") == [
        ("budget", "S01|2026-11", "accepted", 0), ("expense", "BX-20261120-01", "accepted", 0),
        ("expense", "BX-20261125-02", "accepted", 1)]
    # the quarter's appraisal: 张伟's 费用率 is both claims (1,200 + 680 + 2,300) ÷ his
    # receipts (30,000 + 10,730)
    appraisal = ws.outbox / "appraisal" / "2026-Q4" / "绩效考核_2026-Q4.xlsx"
    assert "绩效考核：outbox/appraisal/2026-Q4/绩效考核_2026-Q4.xlsx" in output
    first = next(openpyxl.load_workbook(appraisal).worksheets[0].iter_rows(
        min_row=4, max_row=4, values_only=True))
    assert first[0] == "S01" and first[7] == pytest.approx(4180 / 40730)
    assert query(ws, "SELECT doc_key, status FROM documents WHERE kind = 'order' AND status "
                     "IN ('held', 'declined') ORDER BY doc_key") == [
        ("SO-20261106-003", "held"), ("SO-20261110-004", "declined")]
    assert (ws.outbox / "contracts" / "C001" / "SO-20261112-005.docx").exists()
    assert (ws.outbox / "reports" / "2026-11" / "销售汇总_2026-11.xlsx").exists()
    assert len(list((ws.outbox / "statements" / "2026-11").glob("*.docx"))) == 5
    assert query(ws, "SELECT statement_no, reply FROM statement_replies ORDER BY 1") == [
        ("DZ-2026-11-C001", "agreed"), ("DZ-2026-11-C002", "disputed")]
    soffice = find_soffice()
    if soffice and find_uno_python(soffice):  # the demo ends once every PDF is written
        letters = sorted((ws.outbox / "statements").rglob("*.docx"))
        contracts = sorted((ws.outbox / "contracts").rglob("*.docx"))
        assert [p for p in letters + contracts if not p.with_suffix(".pdf").exists()] == []
    code, output = run("demo", "-w", str(tmp_path / "d"))
    # the damaged file and the wrong order are checked again; everything stored is a duplicate
    assert query(ws, "SELECT c.complaint_no, d.status, c.resolved_on, c.satisfaction FROM "
                     "complaints c JOIN documents d ON d.id = c.document_id ORDER BY d.id") == [
        ("TS-20261110-01", "superseded", None, None),
        ("TS-20261110-01", "accepted", "2026-11-12", 4)]
    assert (ws.outbox / "quotes" / "C005" / "BJ-20261118-01.docx").exists()
    assert query(ws, "SELECT order_no, quote_approval FROM orders WHERE quote_no IS NOT NULL"
                 ) == [("SO-20261125-010", "AP-20261119-001")]
    assert "退回修改 2，重复提交 32" in output


def test_report_command_and_strict_periods(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/good.xlsx", order_header(no="SO-1"), [LINE])
    run("process", "-w", str(loaded.root))
    code, output = run("report", "--period", "2026-Q4", "-w", str(loaded.root))
    assert code == 0
    assert output.strip() == "outbox/reports/2026-Q4/销售汇总_2026-Q4.xlsx"
    book = openpyxl.load_workbook(loaded.root / output.strip(), read_only=True)
    assert book.sheetnames[0] == "业务员达成"
    book.close()
    for bad, reason in (("2026-13", "no month 13"), ("2026-Q5", "no quarter 5")):
        result = CliRunner().invoke(main, ["report", "--period", bad, "-w", str(loaded.root)])
        assert result.exit_code == 1 and reason in result.stderr
