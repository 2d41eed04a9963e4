"""Approvals in spreadsheets: a held document's request, the approver's decision dropped back
into the inbox, standing approvals and who may approve what. Real forms, a real ledger."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sales_sheets.intake.approvals import release_order
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide, fields, filed_requests, lines, requests
from .helpers.config import configure
from .helpers.forms import codes, docx_text, drop, one, order_header, query

pytestmark = pytest.mark.ledgers

CHEAP = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # list 12800: 6.25 % off
FAIR = {"product_code": "P003", "quantity": 1, "unit_price": "460"}


def held_order(ws: Workspace, no: str = "SO-1", lines_: list[dict[str, object]] | None = None,
               **header: Any) -> Path:
    drop(ws, "order", f"S01/{no}.xlsx", order_header(no=no, **header), lines_ or [CHEAP])
    result = one(ws)
    assert result.status == "held", result.problems
    [request] = [p for p in result.outputs if "approvals" in p]
    return ws.root / request


def status_of(ws: Workspace, no: str) -> list[tuple[int, str, str | None]]:
    return query(ws, "SELECT version, status, approval FROM documents WHERE doc_key = ? "
                     "ORDER BY version", no)


def test_a_held_order_gets_a_request_with_what_the_approver_weighs(loaded: Workspace) -> None:
    request = held_order(loaded)
    # routed to the salesperson's manager (no [approvals] in config.toml)
    assert requests(loaded) == [Path("李强/SO-1_审批单.xlsx")]
    header = fields(request)
    assert (header["approval_type"], header["document_no"], header["document_version"],
            header["reasons"], header["customer_code"], header["salesperson"],
            header["amount"]) == ("单据审批", "SO-1", 1, "优惠价格", "C001", "S01", 24000)
    assert header["decision"] is None and header["approver"] is None
    [line] = lines(request)
    assert (line["事项"], line["价目表价"], line["申请价格"], line["折扣"], line["数量"],
            line["金额"]) == ("优惠价格", 12800, 12000, "6.25%", 2, 1600)


def test_the_request_names_the_customer_and_salesperson_and_has_a_place_to_sign(
    loaded: Workspace,
) -> None:
    request = held_order(loaded)
    book = openpyxl.load_workbook(request)
    # no instructions sheet: printing the whole workbook gives the request's one page
    assert book.sheetnames == ["审批单", "_lists", "_meta"]
    sheet = book["审批单"]
    assert [beside(book, key) for key in ("customer_code", "salesperson")] == [
        ("C001", "杭州恒达机械有限公司"), ("S01", "张伟")]
    assert sign_off(sheet) == ["审批人签字", "签字日期"]
    # the approver signs and decides; the form still reads back
    decide(loaded, request, "李强/signed.xlsx", decision="同意", approver="M01")
    assert one(loaded).status == "accepted"
    assert status_of(loaded, "SO-1")[0][1] == "accepted"


def beside(book: openpyxl.Workbook, key: str) -> tuple[object, object]:
    """The value of the header field `key` and what is written to its right."""
    [(name, ref)] = list(book.defined_names[key].destinations)
    cell = book[name][ref.replace("$", "")]
    return cell.value, cell.offset(column=1).value


def sign_off(sheet: Any) -> list[str]:
    """The labels of the row that has room to sign (the only row taller than 25 points)."""
    [row] = [r for r, dimension in sheet.row_dimensions.items()
             if dimension.height and dimension.height > 25]
    return [c.value for c in sheet[row] if isinstance(c.value, str)]


def test_approved_the_order_is_accepted_with_its_contract_and_the_salesperson_told(
    loaded: Workspace,
) -> None:
    request = held_order(loaded)
    decide(loaded, request, "李强/审批.xlsx", decision="同意", approver="M01",
           approved_on=date(2026, 11, 3), remarks="老客户，同意")
    result = one(loaded)
    assert (result.status, result.document, codes(result)) == ("accepted", "SO-1", [])
    assert status_of(loaded, "SO-1") == [(1, "accepted", "AP-20261103-001")]
    contract = loaded.outbox / "contracts" / "C001" / "SO-1.docx"
    assert "24,000.00" in docx_text(contract)
    [notice] = [p for p in result.outputs if p.endswith(".approved.txt")]
    assert notice.startswith("outbox/receipts/S01/")
    text = (loaded.root / notice).read_text(encoding="utf-8")
    assert "AP-20261103-001" in text and "M01" in text and "老客户，同意" in text
    assert "outbox/contracts/C001/SO-1.docx" in result.outputs
    assert query(loaded, "SELECT decision, approval_no, approver, approved_on FROM approvals") == [
        ("approve", "AP-20261103-001", "M01", "2026-11-03")]


def test_declined_no_contract_and_a_new_version_may_follow(loaded: Workspace) -> None:
    request = held_order(loaded)
    decide(loaded, request, "李强/审批.xlsx", decision="不同意", approver="M01",
           approval_no="SP-7", remarks="折扣过大")
    result = one(loaded)
    assert result.status == "accepted"
    assert status_of(loaded, "SO-1") == [(1, "declined", "SP-7")]
    assert not (loaded.outbox / "contracts").exists() or not any(
        (loaded.outbox / "contracts").rglob("*.docx"))
    [notice] = [p for p in result.outputs if p.endswith(".declined.txt")]
    assert "折扣过大" in (loaded.root / notice).read_text(encoding="utf-8")
    drop(loaded, "order", "S01/again.xlsx", order_header(no="SO-1"), [FAIR])
    assert one(loaded).status == "accepted"
    assert status_of(loaded, "SO-1") == [(1, "declined", "SP-7"), (2, "accepted", None)]


def test_a_decided_request_leaves_the_approvers_folder_stamped_with_the_decision(
    loaded: Workspace,
) -> None:
    approved = held_order(loaded, "SO-1")
    declined = held_order(loaded, "SO-2")
    assert requests(loaded) == [Path("李强/SO-1_审批单.xlsx"), Path("李强/SO-2_审批单.xlsx")]
    decide(loaded, approved, "李强/a.xlsx", decision="同意", approver="M01")
    decide(loaded, declined, "李强/b.xlsx", decision="不同意", approver="M01")
    assert {r.status for r in process_inbox(loaded)} == {"accepted"}
    assert requests(loaded) == []  # nothing waits for 李强 any more
    assert filed_requests(loaded) == ["李强/SO-1_审批单.已批准.xlsx",
                                      "李强/SO-2_审批单.未批准.xlsx"]
    # the filed request is the one the approver saw, unchanged
    [filed] = (loaded.outbox / "approvals" / "李强" / "已处理").glob("*SO-1*")
    assert fields(filed)["document_no"] == "SO-1" and fields(filed)["decision"] is None


def test_a_message_not_sent_yet_attaches_the_request_where_it_was_filed(
    loaded: Workspace,
) -> None:
    request = held_order(loaded, "SO-1")
    decide(loaded, request, "李强/a.xlsx", decision="同意", approver="M01")
    assert one(loaded).status == "accepted"
    attached = [json.loads(payload)["attachments"] for payload, in query(
        loaded, "SELECT payload FROM notifications WHERE event = 'approval_waiting' "
                "AND status = 'pending'")]
    assert attached and all(len(files) == 1 for files in attached)
    for [path] in attached:
        assert "/已处理/" in path and path.endswith("_SO-1_审批单.已批准.xlsx")
        assert (loaded.root / path).is_file()


def test_a_new_version_files_the_stale_request_away(loaded: Workspace) -> None:
    held_order(loaded, "SO-1")
    held_order(loaded, "SO-2")
    # SO-1 comes again at the list price: accepted, its request no longer waits
    drop(loaded, "order", "S01/SO-1-v2.xlsx", order_header(no="SO-1"), [FAIR])
    assert one(loaded).status == "accepted"
    assert requests(loaded) == [Path("李强/SO-2_审批单.xlsx")]
    assert filed_requests(loaded) == ["李强/SO-1_审批单.已作废.xlsx"]
    # SO-2 comes again, still below the list price: its new request replaces the old one
    drop(loaded, "order", "S01/SO-2-v2.xlsx", order_header(no="SO-2"),
         [dict(CHEAP, quantity=3)])
    assert one(loaded).status == "held"
    assert requests(loaded) == [Path("李强/SO-2_审批单.xlsx")]
    assert fields(loaded.outbox / "approvals" / "李强" / "SO-2_审批单.xlsx")[
        "document_version"] == 2
    assert filed_requests(loaded) == ["李强/SO-1_审批单.已作废.xlsx"]


def test_released_on_paper_the_request_is_filed_too(loaded: Workspace) -> None:
    held_order(loaded, "SO-1")
    release_order(loaded, "SO-1", "SP-9")
    assert requests(loaded) == []
    assert filed_requests(loaded) == ["李强/SO-1_审批单.已批准.xlsx"]


def test_one_decision_counts_the_second_form_is_refused(loaded: Workspace) -> None:
    request = held_order(loaded)
    decide(loaded, request, "李强/a.xlsx", decision="同意", approver="M01")
    decide(loaded, request, "李强/b.xlsx", decision="不同意", approver="M02")
    first, second = sorted(process_inbox(loaded), key=lambda r: r.file)
    assert first.status == "accepted"
    assert second.status == "rejected"
    assert [c for c, _, _ in codes(second)] == ["not_held"]
    assert [v for v, *_ in status_of(loaded, "SO-1")] == [1]
    assert status_of(loaded, "SO-1")[0][1] == "accepted"


def test_what_an_approval_form_is_refused_for(loaded: Workspace, tmp_path: Path) -> None:
    request = held_order(loaded)
    decide(loaded, request, "李强/blank.xlsx", approver="M01")
    assert [c for c, _, _ in codes(one(loaded))] == ["decision_required"]
    decide(loaded, request, "李强/unknown.xlsx", decision="同意", approver="M01",
           document_no="SO-404")
    assert [c for c, _, _ in codes(one(loaded))] == ["unknown_document"]
    decide(loaded, request, "李强/customer.xlsx", decision="同意", approver="M01",
           customer_code="C002")
    assert [c for c, _, _ in codes(one(loaded))] == ["document_mismatch"]
    # a new version of the held order makes the first request stale
    first = tmp_path / "first-request.xlsx"
    first.write_bytes(request.read_bytes())
    held_order(loaded, lines_=[dict(CHEAP, quantity=3)])
    decide(loaded, first, "李强/stale.xlsx", decision="同意", approver="M01")
    result = one(loaded)
    assert [c for c, _, _ in codes(result)] == ["stale_request"]
    assert result.problems[0].message("zh") == (
        "此审批单针对单据“SO-1”的第 1 版，现行的是第 2 版，请用新的审批单。")
    assert status_of(loaded, "SO-1") == [(1, "superseded", None), (2, "held", None)]
    # the regenerated request is for version 2
    assert fields(request)["document_version"] == 2


APPROVALS = {"price": ["M01", "D01"], "overdue": ["M01", "D01"], "credit": ["D01"],
             "returns": ["M01"], "discount_limits": {"M01": 5}, "excess_limits": {"M01": 10000}}


def test_authority_and_limits_route_and_refuse(loaded: Workspace) -> None:
    ws = configure(loaded, approvals=APPROVALS)
    request = held_order(ws)  # 6.25 % off: beyond M01's 5 %
    assert requests(ws) == [Path("D01/SO-1_审批单.xlsx")]
    decide(ws, request, "x.xlsx", decision="同意", approver="S01")
    assert [c for c, _, _ in codes(one(ws))] == ["not_approver"]
    decide(ws, request, "y.xlsx", decision="同意", approver="M01")
    result = one(ws)
    assert [c for c, _, _ in codes(result)] == ["discount_beyond_limit"]
    assert "6.25%" in result.problems[0].message("zh")
    decide(ws, request, "z.xlsx", decision="同意", approver="D01")
    assert one(ws).status == "accepted"
    assert status_of(ws, "SO-1")[0][1] == "accepted"
    small = held_order(ws, "SO-2", [{"product_code": "P001", "quantity": 1,
                                      "unit_price": "12500"}])  # 2.34 % off: M01 may
    assert Path("M01/SO-2_审批单.xlsx") in requests(ws)
    decide(ws, small, "m.xlsx", decision="同意", approver="M01")
    assert one(ws).status == "accepted"


def test_approvers_drop_into_their_own_folder_when_access_is_enforced(loaded: Workspace) -> None:
    ws = configure(loaded, approvals=APPROVALS, access={"submit_for_others": ["A01"]})
    request = held_order(ws)
    decide(ws, request, "M01/d.xlsx", decision="同意", approver="D01")
    assert [c for c, _, _ in codes(one(ws))] == ["wrong_owner"]
    decide(ws, request, "D01/d.xlsx", decision="同意", approver="D01")
    assert one(ws).status == "accepted"


def test_credit_and_overdue_requests_carry_their_facts(loaded: Workspace) -> None:
    drop(loaded, "order", "S02/credit.xlsx",
         order_header(no="SO-C", customer="C004", salesperson="S02"),
         [{"product_code": "P001", "quantity": 5, "unit_price": "12800"}])
    assert one(loaded).status == "held"
    credit = lines(loaded.outbox / "approvals" / "陈静" / "SO-C_审批单.xlsx")
    assert [(ln["项目"], ln["金额"]) for ln in credit] == [
        ("授信额度", 50000), ("应收余额", 0), ("本单金额", 64000), ("超出额度", 14000)]
    drop(loaded, "order", "S02/overdue.xlsx",
         order_header(no="SO-O", customer="C003", salesperson="S02", day=date(2026, 11, 6)),
         [{"product_code": "P004", "quantity": 40, "unit_price": "185.50"}])
    assert one(loaded).status == "held"
    overdue = lines(loaded.outbox / "approvals" / "陈静" / "SO-O_审批单.xlsx")
    assert [(ln["项目"], ln["金额"], ln["说明"]) for ln in overdue][:2] == [
        ("逾期应收", 86400, None), ("最早逾期：期初余额（2026-08-01）", 86400, "逾期 67 天")]
    assert overdue[-1]["项目"] == "本月已发货（2026-11-01 起）"


def test_a_standing_approval_covers_an_overdue_customers_month_up_to_its_cap(
    loaded: Workspace, tmp_path: Path,
) -> None:
    from sales_sheets.api import write_template

    blank = write_template(loaded, "approval", tmp_path / "blank.xlsx")
    decide(loaded, blank, "陈静/月度.xlsx", approval_type="逾期客户月度发货审批",
           customer_code="C003", period="2026-11", amount_cap=20000, decision="同意",
           approver="M02")
    standing = one(loaded)
    assert (standing.status, standing.document) == ("accepted", "C003 2026-11")
    line = [{"product_code": "P004", "quantity": 40, "unit_price": "185.50"}]  # 7,420.00
    for n in (1, 2):
        drop(loaded, "order", f"S02/o{n}.xlsx",
             order_header(no=f"SO-{n}", customer="C003", salesperson="S02"), line)
        result = one(loaded)
        assert (result.status, codes(result)) == (
            "accepted", [("standing_approval_used", "warning", "B5")])
    drop(loaded, "order", "S02/o3.xlsx",
         order_header(no="SO-3", customer="C003", salesperson="S02"), line)  # 22,260 > cap
    assert codes(one(loaded)) == [("customer_overdue", "hold", "B5")]
    drop(loaded, "order", "S02/dec.xlsx",  # another month is not covered
         order_header(no="SO-4", customer="C003", salesperson="S02", day=date(2026, 12, 1)), line)
    assert codes(one(loaded)) == [("customer_overdue", "hold", "B5")]


def test_a_standing_approval_needs_a_month_and_a_cap(loaded: Workspace, tmp_path: Path) -> None:
    from sales_sheets.api import write_template

    blank = write_template(loaded, "approval", tmp_path / "blank.xlsx")
    decide(loaded, blank, "a.xlsx", approval_type="逾期客户月度发货审批", customer_code="C003",
           period="2026-Q4", decision="同意", approver="M02")
    assert [c for c, _, _ in codes(one(loaded))] == ["standing_month", "required"]


def test_returns_wait_for_approval_when_someone_approves_them(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [dict(FAIR, quantity=2)])
    assert one(loaded).status == "accepted"
    ret = {"return_no": "TH-1", "return_date": date(2026, 11, 9), "customer_code": "C001",
           "order_no": "SO-1", "reason": "规格不符"}
    drop(loaded, "return", "S01/r0.xlsx", ret, [{"product_code": "P003", "quantity": 1,
                                                 "unit_price": "460"}])
    assert one(loaded).status == "accepted"  # no [approvals]: returns are not held
    ws = configure(loaded, approvals=APPROVALS)
    drop(ws, "return", "S01/r1.xlsx", dict(ret, return_no="TH-2"),
         [{"product_code": "P003", "quantity": 0.5, "unit_price": "460"}])
    result = one(ws)
    assert codes(result) == [("return_needs_approval", "hold", "B3")]
    request = ws.outbox / "approvals" / "M01" / "TH-2_审批单.xlsx"
    assert [ln["项目"] for ln in lines(request)] == ["P003 弹性联轴器"]
    decide(ws, request, "M01/r.xlsx", decision="同意", approver="M01")
    assert one(ws).status == "accepted"
    assert status_of(ws, "TH-2")[0][1] == "accepted"
    returned = query(ws, "SELECT total FROM returns r JOIN documents d ON d.id = r.document_id "
                         "WHERE d.status = 'accepted' AND r.return_no = 'TH-2'")
    assert returned and Decimal(str(returned[0][0])) > 0


def test_the_request_and_messages_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    drop(ws, "order", "S01/o.xlsx", order_header(no="SO-1"), [CHEAP], language="en")
    result = one(ws)
    assert result.status == "held"
    request = ws.outbox / "approvals" / "李强" / "SO-1_approval.xlsx"
    assert fields(request)["reasons"] == "Price below list"
    assert lines(request)[0]["Note"] == "Amount given away"
    book = openpyxl.load_workbook(request)
    assert book.sheetnames == ["Approval", "_lists", "_meta"]
    assert beside(book, "customer_code") == ("C001", "杭州恒达机械有限公司")
    assert sign_off(book["Approval"]) == ["Approver's signature", "Date"]
    decide(ws, request, "x.xlsx", approver="M01")
    refused = one(ws)
    assert refused.problems[0].message("en") == "Fill in the decision: approve or decline."
    decide(ws, request, "y.xlsx", decision="Approve", approver="M01")
    assert one(ws).status == Status.ACCEPTED
