"""报价单 (spec 4e): a quotation through the real intake, held for the general manager with
`[approvals] quote` (one 审批单 with the price facts, as for an order), approved on that form,
rejected below a floor price; for a customer or a prospect. Real workbooks, the real intake and
CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sales_sheets.api import write_report
from sales_sheets.cli import main
from sales_sheets.demo import CUSTOMERS
from sales_sheets.documents.quote import quote_facts, write_quote
from sales_sheets.intake.ingest import IngestResult
from sales_sheets.ledger import Ledger
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide, fields, lines, requests
from .helpers.config import configure
from .helpers.forms import codes, docx_text, drop, one, order_header, query
from .helpers.offices import both_judged, run_at_once, second_office

pytestmark = pytest.mark.ledgers

QUOTED = date(2026, 11, 2)


def quote(ws: Workspace, no: str = "BJ-1", *quoted: tuple[str, int, str],
          name: str = "", language: str = "zh", **values: Any) -> IngestResult:
    header = {"quote_no": no, "quote_date": QUOTED, "customer_code": "C001",
              "salesperson": "S01", "valid_until": date(2026, 11, 30),
              "delivery_terms": "款到 7 日内发货", "payment_terms": "预付 30%，发货前付清",
              **values}
    rows = [{"product_code": p, "quantity": q, "unit_price": price, "remark": "蓝色，木箱包装"}
            for p, q, price in quoted or (("P001", 2, "12000"), ("P003", 10, "460"))]
    drop(ws, "quote", f"S01/{name or no}.xlsx", header, rows, language=language)
    return one(ws)


def statuses(ws: Workspace, no: str) -> list[tuple[int, str, str | None]]:
    return query(ws, "SELECT version, status, approval FROM documents WHERE kind = 'quote' "
                     "AND doc_key = ? ORDER BY version", no)


AT_LIST = (("P001", 2, "12800"), ("P003", 10, "460"))


def test_without_quote_approvals_a_quotation_at_list_is_accepted_with_its_lines(
        loaded: Workspace) -> None:
    result = quote(loaded, "BJ-1", *AT_LIST)
    assert (result.kind, result.status, result.document) == ("quote", "accepted", "BJ-1")
    assert query(loaded, "SELECT q.quote_no, q.total, l.product_code, l.product_name, "
                 "l.list_price, l.unit_price, l.amount, l.remark FROM quotes q JOIN quote_lines "
                 "l ON l.document_id = q.document_id ORDER BY l.line_no") == [
        ("BJ-1", 3020000, "P001", "齿轮减速机", 1280000, 1280000, 2560000, "蓝色，木箱包装"),
        ("BJ-1", 3020000, "P003", "弹性联轴器", 46000, 46000, 460000, "蓝色，木箱包装")]


def test_without_quote_approvals_a_price_below_list_waits_for_a_price_approval(
        loaded: Workspace) -> None:
    # An order on it is not held for price again: what it quotes below list is approved once.
    result = quote(loaded, "BJ-1", ("P001", 2, "12000"), ("P003", 10, "460"))
    assert (result.status, codes(result)) == ("held", [("price_below_list", "hold", "C14")])
    [request] = requests(loaded)
    assert request == Path("李强/BJ-1_审批单.xlsx")  # the salesperson's manager
    assert fields(loaded.outbox / "approvals" / request)["reasons"] == "优惠价格"


def test_the_general_manager_gets_every_quotation_with_its_price_facts(
        loaded: Workspace) -> None:
    ws = configure(loaded, approvals={"quote": ["G01"], "price": ["M01"]})
    result = quote(ws)
    assert result.status == "held"
    assert codes(result) == [("quote_needs_approval", "hold", "B3")]
    [request] = requests(ws)
    assert request == Path("G01/BJ-1_审批单.xlsx")
    path = ws.outbox / "approvals" / request
    header = fields(path)
    assert (header["document_no"], header["reasons"], header["customer_code"],
            header["amount"]) == ("BJ-1", "报价审批", "C001", 28600)
    # P001 at 12,000 against 12,800: 800 × 2 given away; P003 at list: no line
    [line] = lines(path)
    assert (line["项目"], line["价目表价"], line["申请价格"], line["折扣"], line["数量"],
            line["金额"]) == ("P001 齿轮减速机", 12800, 12000, "6.25%", 2, 1600)
    decide(ws, path, "G01/审批.xlsx", decision="同意", approver="G01",
           approved_on=date(2026, 11, 3), remarks="同意报价")
    run = CliRunner().invoke(main, ["process", "-w", str(ws.root)])
    assert run.exit_code == 0, run.output
    assert statuses(ws, "BJ-1") == [(1, "accepted", "AP-20261103-001")]


def test_someone_else_may_not_approve_a_quotation(loaded: Workspace) -> None:
    ws = configure(loaded, approvals={"quote": ["G01"]})
    assert quote(ws).status == "held"
    [request] = requests(ws)
    decide(ws, ws.outbox / "approvals" / request, "M01/审批.xlsx", decision="同意",
           approver="M01")
    assert [c for c, _, _ in codes(one(ws))] == ["not_approver"]
    assert statuses(ws, "BJ-1") == [(1, "held", None)]


def test_a_declined_quotation_stays_declined(loaded: Workspace) -> None:
    ws = configure(loaded, approvals={"quote": ["G01"]})
    quote(ws)
    [request] = requests(ws)
    decide(ws, ws.outbox / "approvals" / request, "G01/审批.xlsx", decision="不同意",
           approver="G01", remarks="价格过低")
    assert one(ws).status == "accepted"  # the approval form itself
    assert statuses(ws, "BJ-1")[0][1] == "declined"


def test_below_floor_or_without_customer_is_rejected_and_nothing_stored(
        loaded: Workspace) -> None:
    ws = configure(loaded, approvals={"quote": ["G01"]})
    result = quote(ws, "BJ-2", ("P001", 1, "10000"), customer_code=None,
                   valid_until=date(2026, 11, 1))
    assert result.status == "rejected"
    assert sorted(c for c, _, _ in codes(result)) == [
        "price_below_floor", "quote_customer_or_prospect", "valid_before_quoted"]
    assert all(cell for _, _, cell in codes(result))
    assert requests(ws) == []
    assert query(ws, "SELECT COUNT(*) FROM quotes") == [(0,)]


def test_a_prospect_is_quoted_by_name(loaded: Workspace) -> None:
    result = quote(loaded, "BJ-3", *AT_LIST, customer_code=None,
                   prospect_name="苏州新锐自动化有限公司")
    assert result.status == "accepted", result.problems
    assert query(loaded, "SELECT customer_code, prospect_name FROM quotes") == [
        (None, "苏州新锐自动化有限公司")]


def test_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en", approvals={"quote": ["G01"]})
    result = quote(ws, language="en")
    assert [p.message("en") for p in result.problems] == [
        "A quotation needs approval (G01)."]
    [request] = requests(ws)
    assert request == Path("G01/BJ-1_approval.xlsx")


def test_the_template_lists_codes_with_instructions_on_a4(loaded: Workspace) -> None:
    import openpyxl

    result = CliRunner().invoke(main, ["template", "quote", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(loaded.templates / "quote.xlsx")
    sheet = book.worksheets[0]
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")
    formulas = {str(v.formula1) for v in sheet.data_validations.dataValidation}
    assert {"list_customer_code", "list_salesperson", "list_product_code"} <= formulas
    notes = " ".join(str(c) for row in book["填写说明"].iter_rows(values_only=True)
                     for c in row if c)
    assert "总经理审批" in notes and "特殊要求" in notes


# -- orders from a quotation -------------------------------------------------------------------


def approved(ws: Workspace, no: str = "BJ-1", *quoted: tuple[str, int, str],
             **values: Any) -> str:
    """A quotation held for G01 and approved on its 审批单; its approval number."""
    assert quote(ws, no, *quoted, **values).status == "held"
    [request] = [r for r in requests(ws) if r.name.startswith(no)]
    decide(ws, ws.outbox / "approvals" / request, f"G01/审批-{no}.xlsx", decision="同意",
           approver="G01", approved_on=date(2026, 11, 3))
    one(ws)
    [(_, status, approval)] = statuses(ws, no)
    assert status == "accepted" and approval
    return approval


def order(ws: Workspace, no: str, *lines: tuple[str, int, str], day: date = date(2026, 11, 5),
          customer: str = "C001", quote_no: str | None = "BJ-1") -> None:
    drop(ws, "order", f"S01/{no}.xlsx",
         order_header(no=no, day=day, customer=customer, quote_no=quote_no),
         [{"product_code": p, "quantity": q, "unit_price": price} for p, q, price in lines])


@pytest.fixture
def gm(loaded: Workspace) -> Workspace:
    return configure(loaded, approvals={"quote": ["G01"], "price": ["M01"]})


def test_an_order_on_the_quotation_is_not_held_for_price_and_records_its_approval(
        gm: Workspace) -> None:
    approval = approved(gm, "BJ-1", ("P001", 3, "12345.67"), ("P003", 10, "460"))
    order(gm, "SO-1", ("P001", 3, "12345.67"))
    result = one(gm)
    assert (result.status, codes(result)) == ("accepted", [])
    assert query(gm, "SELECT quote_no, quote_approval, total FROM orders") == [
        ("BJ-1", approval, 3703701)]  # 3 × 12,345.67 exactly
    contract = gm.outbox / "contracts" / "C001" / "SO-1.docx"
    assert f"按报价单 BJ-1（审批号 {approval}）报价" in docx_text(contract)


def test_lines_off_the_quotation_follow_the_ordinary_price_rules(gm: Workspace) -> None:
    approved(gm, "BJ-1", ("P001", 3, "12000"))
    # P001 below the quoted price, P002 not quoted: both held for price
    order(gm, "SO-1", ("P001", 1, "11900"), ("P002", 1, "8000"))
    result = one(gm)
    assert result.status == "held"
    assert [c for c, _, _ in codes(result)] == ["price_below_list", "price_below_list"]


@pytest.mark.parametrize(("change", "code"), [
    ({"day": date(2026, 12, 1)}, "quote_expired"),
    ({"customer": "C002"}, "quote_other_customer"),
    ({"quote_no": "BJ-404"}, "unknown_quote"),
])
def test_expired_other_customer_or_unknown_follow_the_ordinary_rules(
        gm: Workspace, change: dict[str, Any], code: str) -> None:
    approved(gm, "BJ-1", ("P001", 3, "12000"))
    order(gm, "SO-1", ("P001", 1, "12000"), **change)
    result = one(gm)
    assert result.status == "held"
    assert sorted((c, s) for c, s, _ in codes(result) if c != "customer_overdue") == sorted(
        [(code, "warning"), ("price_below_list", "hold")])
    assert query(gm, "SELECT quote_approval FROM orders") == [(None,)]


def test_a_quotation_still_held_does_not_serve_an_order(gm: Workspace) -> None:
    quote(gm, "BJ-1", ("P001", 3, "12000"))
    order(gm, "SO-1", ("P001", 1, "12000"))
    assert [c for c, _, _ in codes(one(gm))] == ["price_below_list", "quote_not_approved"]


def test_a_prospects_quotation_converts_once_the_customer_exists(gm: Workspace) -> None:
    approved(gm, "BJ-1", ("P001", 3, "12000"), customer_code=None,
             prospect_name="苏州新锐自动化有限公司")
    drop(gm, "customers", "cu.xlsx", lines=[
        {**CUSTOMERS[0], "code": "C009", "name": "苏州新锐自动化有限公司"}])
    assert one(gm).status == "accepted"
    order(gm, "SO-1", ("P001", 3, "12000"), customer="C009")
    assert one(gm).status == "accepted"


@pytest.mark.parametrize("single_use", [True, False])
def test_two_orders_from_one_quotation_dropped_at_once_in_two_offices(
        gm: Workspace, tmp_path: Path, single_use: bool) -> None:
    ws = configure(gm, quotes={"single_use": single_use})
    approved(ws, "BJ-1", ("P001", 3, "12000"))
    other = configure(second_office(ws, tmp_path / "office2"),
                      approvals={"quote": ["G01"], "price": ["M01"]},
                      quotes={"single_use": single_use})
    order(ws, "SO-1", ("P001", 2, "12000"))
    order(other, "SO-2", ("P001", 2, "12000"))
    if ws.database_url.startswith("postgresql"):
        with both_judged(ws) as release:
            first, second = run_at_once(tmp_path, ws, other, started=lambda: release(2))
    else:
        first, second = run_at_once(tmp_path, ws, other)
    found = sorted(f["status"] for f in first + second)
    # single use: 2 + 2 > 3, so whichever is judged second waits for a price approval
    assert found == (["accepted", "held"] if single_use else ["accepted", "accepted"])
    assert query(ws, "SELECT COUNT(*) FROM orders WHERE quote_approval IS NOT NULL") == [(2,)]


# -- the formal 报价单 --------------------------------------------------------------------------


def test_an_approved_quotation_gets_its_formal_document_the_same_bytes_again(
        gm: Workspace) -> None:
    approval = approved(gm, "BJ-1", ("P001", 2, "12000"), ("P003", 10, "460"))
    path = gm.outbox / "quotes" / "C001" / "BJ-1.docx"
    text = docx_text(path)
    for said in ("示例机械制造有限公司", "报 价 单", "报价单号：BJ-1", "致：杭州恒达机械有限公司",
                 "齿轮减速机", "12,000.00", "24,000.00", "蓝色，木箱包装", "28,600.00",
                 "报价合计（大写）：贰万捌仟陆佰元整", "本报价有效期至 2026年11月30日",
                 "付款方式：预付 30%，发货前付清", f"审批号 {approval}", "总经理（签字）："):
        assert said in text, said
    first = path.read_bytes()
    with Ledger.of(gm).connect() as books:
        stored = books.current_document("quote", "BJ-1")
        assert stored is not None
        write_quote(gm, quote_facts(gm, books, stored["id"]))
    assert path.read_bytes() == first


def test_a_held_or_declined_quotation_gets_no_document(gm: Workspace) -> None:
    quote(gm)
    assert not (gm.outbox / "quotes").exists()
    [request] = requests(gm)
    decide(gm, gm.outbox / "approvals" / request, "G01/审批.xlsx", decision="不同意",
           approver="G01", remarks="价格过低")
    one(gm)
    assert not (gm.outbox / "quotes").exists()


def test_a_prospects_quotation_is_filed_under_its_name_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    assert quote(ws, "BJ-3", *AT_LIST, customer_code=None, prospect_name="Suzhou Xinrui",
                 language="en").status == "accepted"
    text = docx_text(ws.outbox / "quotes" / "Suzhou Xinrui" / "BJ-3.docx")
    assert "QUOTATION" in text and "To: Suzhou Xinrui" in text
    assert "Total in words (大写): 叁万零贰佰元整" in text


# -- 报价转化 in the summary workbook ------------------------------------------------------------


def test_the_quotations_sheet_counts_approved_converted_and_expired(gm: Workspace) -> None:
    import openpyxl

    approved(gm, "BJ-1", ("P001", 3, "12000"))  # 36,000, ordered 24,000
    approved(gm, "BJ-2", ("P003", 10, "450"), valid_until=date(2026, 11, 10))  # expired
    approved(gm, "BJ-3", ("P003", 10, "460"))  # open, still valid on 30 November
    quote(gm, "BJ-4", ("P003", 1, "460"))  # held
    order(gm, "SO-1", ("P001", 2, "12000"))
    assert one(gm).status == "accepted"
    path = write_report(gm, "2026-11")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("报价转化") == book.sheetnames.index("费用") + 1
    found = [tuple(c.value for c in row) for row in book["报价转化"].iter_rows(min_row=4)
             if any(c.value not in (None, "") for c in row)]
    assert found == [
        ("S01", "张伟", 4, 3, 1, 1, 45100.0, 24000.0, 1 / 3),
        ("合计", "", 4, 3, 1, 1, 45100.0, 24000.0, 1 / 3),
    ]
