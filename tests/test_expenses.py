"""Expenses (spec 4c): 费用预算 spread over months exactly to the fen, 费用报销单 judged against
the salesperson's month in each category and the category's cap, held claims approved through
a real 审批单 dropped back, and two claims at once against a budget that holds one. Real
workbooks through the real ingest and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.forms.periods import parse_period
from sales_sheets.intake.check import read_document
from sales_sheets.ledger import Ledger
from sales_sheets.ledger.locks import locks_of
from sales_sheets.rules.expenses import monthly_budgets, spread
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide, fields, filed_requests, lines, requests
from .helpers.config import configure
from .helpers.forms import codes, drop, one, query
from .helpers.offices import both_judged, run_at_once, second_office

pytestmark = pytest.mark.ledgers

TRAVEL, MEALS = "差旅费", "业务招待费"


def budget(ws: Workspace, owner: str, period: str, amounts: dict[str, str],
           name: str | None = None) -> Any:
    drop(ws, "budget", name or f"budget-{owner}-{period}.xlsx", {"owner": owner, "period": period},
         [{"category": c, "amount": a} for c, a in amounts.items()])
    return one(ws)


def claim(ws: Workspace, no: str, *items: tuple[str, str, str], salesperson: str = "S01",
          folder: str = "S01", language: str = "zh", customer: str = "C001") -> Path:
    """Drop claim `no` with lines (spent_on, category, amount)."""
    return drop(ws, "expense", f"{folder}/{no}.xlsx",
                {"claim_no": no, "salesperson": salesperson, "claim_date": date(2026, 11, 30)},
                [{"spent_on": day, "category": category, "amount": amount, "invoice_count": 1,
                  "customer_code": customer, "description": "拜访客户"}
                 for day, category, amount in items], language=language)


def statuses(ws: Workspace, no: str) -> list[tuple[int, str, str | None]]:
    return query(ws, "SELECT version, status, approval FROM documents WHERE doc_key = ? "
                     "ORDER BY version", no)


# -- spreading, pure ---------------------------------------------------------------------------


@pytest.mark.ledgers("sqlite")
def test_a_year_is_spread_over_its_months_exactly_to_the_fen() -> None:
    assert spread(Decimal("1000.00"), 12) == [Decimal("83.33")] * 11 + [Decimal("83.37")]
    assert spread(Decimal("100.00"), 3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    # half up: 0.125 a month becomes 0.13, the last month takes what is left
    assert spread(Decimal("1.00"), 8) == [Decimal("0.13")] * 7 + [Decimal("0.09")]
    for amount in ("0.01", "99999.99", "12345.67", "7"):
        for months in (1, 3, 12):
            assert sum(spread(Decimal(amount), months)) == Decimal(amount)


@pytest.mark.ledgers("sqlite")
def test_a_month_of_its_own_wins_over_its_quarter_and_its_year() -> None:
    found = monthly_budgets([("2026", TRAVEL, Decimal("12000.00")),
                             ("2026-Q4", TRAVEL, Decimal("4500.00")),
                             ("2026-11", TRAVEL, Decimal("800.00"))])
    assert found[(TRAVEL, "2026-01")] == Decimal("1000.00")
    assert found[(TRAVEL, "2026-10")] == found[(TRAVEL, "2026-12")] == Decimal("1500.00")
    assert found[(TRAVEL, "2026-11")] == Decimal("800.00")
    assert len(found) == 12
    assert parse_period("2026-Q4").months() == ["2026-10", "2026-11", "2026-12"]


# -- budgets through the inbox -------------------------------------------------------------------


def test_a_year_budget_is_spread_and_a_monthly_one_wins_in_the_ledger(loaded: Workspace) -> None:
    assert budget(loaded, "S01", "2026", {TRAVEL: "10000", MEALS: "1000"}).status == "accepted"
    assert budget(loaded, "S01", "2026-03", {TRAVEL: "2000"}).status == "accepted"
    assert budget(loaded, "华南", "2026-Q4", {TRAVEL: "100"}).status == "accepted"
    with Ledger.of(loaded).reading() as books:
        year = books.expense_budgets(parse_period("2026"))
        november = books.expense_budgets(parse_period("2026-11"))
    travel = [year[("S01", TRAVEL, f"2026-{m:02d}")] for m in range(1, 13)]
    assert travel[0] == Decimal("833.33") and travel[11] == Decimal("833.37")
    assert travel[2] == Decimal("2000.00")  # the month's own budget
    meals = [year[("S01", MEALS, f"2026-{m:02d}")] for m in range(1, 13)]
    assert sum(meals) == Decimal("1000.00") and meals[-1] == Decimal("83.37")
    assert november == {("S01", MEALS, "2026-11"): Decimal("83.33"),
                        ("S01", TRAVEL, "2026-11"): Decimal("833.33"),
                        ("华南", TRAVEL, "2026-11"): Decimal("33.33")}
    # stored as scaled integers (fen)
    assert query(loaded, "SELECT b.period, l.category, l.amount FROM budgets b JOIN budget_lines l "
                         "ON l.document_id = b.document_id ORDER BY b.document_id, l.line_no") == [
        ("2026", TRAVEL, 1000000), ("2026", MEALS, 100000), ("2026-03", TRAVEL, 200000),
        ("2026-Q4", TRAVEL, 10000)]


def test_a_new_budget_of_the_same_owner_and_period_supersedes(loaded: Workspace) -> None:
    budget(loaded, "S01", "2026-11", {TRAVEL: "1000"})
    budget(loaded, "S01", "2026-11", {TRAVEL: "3000"}, name="again.xlsx")
    assert query(loaded, "SELECT version, status FROM documents WHERE kind = 'budget' "
                         "ORDER BY version") == [(1, "superseded"), (2, "accepted")]
    with Ledger.of(loaded).reading() as books:
        assert books.expense_budgets(parse_period("2026-11")) == {
            ("S01", TRAVEL, "2026-11"): Decimal("3000.00")}


def test_unknown_categories_and_owners_are_rejected(loaded: Workspace) -> None:
    result = budget(loaded, "S99", "2026", {"招待": "100", TRAVEL: "-1"})
    assert result.status == "rejected"
    assert sorted(c for c, _, _ in codes(result)) == [
        "range", "unknown_budget_owner", "unknown_category"]
    claim(loaded, "BX-1", ("2026-11-03", "吃饭", "100"))
    result = one(loaded)
    assert (result.status, [c for c, _, _ in codes(result)]) == ("rejected", ["unknown_category"])
    assert "差旅费" in result.problems[0].message("zh")


# -- claims ----------------------------------------------------------------------------------


def test_a_claim_within_budget_is_accepted_and_counts_as_spent(loaded: Workspace) -> None:
    budget(loaded, "S01", "2026-Q4", {TRAVEL: "3000", MEALS: "1500"})
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "600"), ("2026-11-04", TRAVEL, "400"),
          ("2026-10-20", MEALS, "500"))
    result = one(loaded)
    assert (result.status, codes(result)) == ("accepted", [])
    assert query(loaded, "SELECT claim_no, salesperson, total FROM expense_claims") == [
        ("BX-1", "S01", 150000)]
    with Ledger.of(loaded).reading() as books:
        spent = books.expense_spent(parse_period("2026-Q4"))
        lines_ = books.expense_claim_lines(parse_period("2026-11"))
    assert spent == {("S01", MEALS, "2026-10"): Decimal("500.00"),
                     ("S01", TRAVEL, "2026-11"): Decimal("1000.00")}
    assert [(ln.claim_no, ln.spent_on, ln.amount) for ln in lines_] == [
        ("BX-1", date(2026, 11, 3), Decimal("600.00")),
        ("BX-1", date(2026, 11, 4), Decimal("400.00"))]
    # November's share (1,000.00) is used up exactly; December's is whole; a fen more is held.
    claim(loaded, "BX-2", ("2026-12-01", TRAVEL, "1000"))
    assert one(loaded).status == "accepted"
    claim(loaded, "BX-3", ("2026-11-21", TRAVEL, "0.01"))
    result = one(loaded)
    assert (result.status, [c for c, _, _ in codes(result)]) == ("held", ["over_budget"])


def test_a_claim_without_a_budget_or_over_it_is_held_with_what_the_approver_weighs(
    loaded: Workspace, caplog: pytest.LogCaptureFixture,
) -> None:
    budget(loaded, "S01", "2026-11", {TRAVEL: "1000"})
    claim(loaded, "BX-0", ("2026-11-02", TRAVEL, "700"))
    assert one(loaded).status == "accepted"
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "200"), ("2026-11-05", TRAVEL, "300"),
          ("2026-11-06", "通讯费", "50"))
    result = one(loaded)
    with caplog.at_level(logging.INFO, logger="sales_sheets.notify"):
        told = CliRunner().invoke(main, ["notify", "send", "-w", str(loaded.root)])
    assert told.exit_code == 0, told.output
    assert "【请审批】费用报销单 BX-1（S01，¥550.00）" in caplog.text  # no customer: whose
    assert result.status == "held"
    assert sorted({(c, s) for c, s, _ in codes(result)}) == [("over_budget", "hold")]
    assert len(codes(result)) == 2  # travel over by 200; no communication budget at all
    [request] = requests(loaded)
    assert request == Path("李强/BX-1_审批单.xlsx")  # to the salesperson's manager
    header = fields(loaded.outbox / "approvals" / request)
    assert (header["document_no"], header["document_version"], header["reasons"],
            header["customer_code"], header["salesperson"], header["amount"]) == (
        "BX-1", 1, "费用报销", None, "S01", 550)
    path = loaded.outbox / "approvals" / request
    found = [(ln["事项"], ln["项目"], ln["金额"]) for ln in lines(path)]
    assert found == [
        ("费用报销", "差旅费 2026-11 预算", 1000), ("费用报销", "差旅费 2026-11 已报销", 700),
        ("费用报销", "差旅费 2026-11 本单", 500), ("费用报销", "差旅费 2026-11 超出预算", 200),
        ("费用报销", "通讯费 2026-11 预算", 0), ("费用报销", "通讯费 2026-11 已报销", 0),
        ("费用报销", "通讯费 2026-11 本单", 50), ("费用报销", "通讯费 2026-11 超出预算", 50)]
    status = CliRunner().invoke(main, ["status", "--json", "-w", str(loaded.root)])
    assert status.exit_code == 0, status.output
    assert '"document": "BX-1"' in status.output


def test_a_held_claim_approved_on_its_request_is_accepted_and_spends_the_budget(
    loaded: Workspace,
) -> None:
    budget(loaded, "S01", "2026-11", {TRAVEL: "1000"})
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "1200"))
    assert one(loaded).status == "held"
    with Ledger.of(loaded).reading() as books:
        assert books.expense_spent(parse_period("2026-11")) == {}  # held: not spent yet
    [request] = requests(loaded)
    decide(loaded, loaded.outbox / "approvals" / request, "李强/审批.xlsx", decision="同意",
           approver="M01", approved_on=date(2026, 12, 1), remarks="展会差旅，同意")
    result = CliRunner().invoke(main, ["process", "--json", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    assert statuses(loaded, "BX-1") == [(1, "accepted", "AP-20261201-001")]
    assert any(p.endswith("BX-1.approved.txt") for p in _outputs(result.output))
    with Ledger.of(loaded).reading() as books:
        assert books.expense_spent(parse_period("2026-11")) == {
            ("S01", TRAVEL, "2026-11"): Decimal("1200.00")}
        [line] = books.expense_claim_lines(parse_period("2026-11"))
    assert line.approval == "AP-20261201-001"


def _outputs(output: str) -> list[str]:
    return [p for f in json.loads(output)["files"] for p in f["outputs"]]


def test_a_line_above_its_cap_is_held_over_cap(loaded: Workspace) -> None:
    ws = configure(loaded, expenses={"caps": {MEALS: 2000}})
    budget(ws, "S01", "2026", {MEALS: "100000"})
    claim(ws, "BX-1", ("2026-11-03", MEALS, "2000"), ("2026-11-04", MEALS, "2000.01"))
    result = one(ws)
    assert (result.status, codes(result)) == ("held", [("over_cap", "hold", "C10")])
    assert "2000.00" in result.problems[0].message("zh")
    [request] = requests(ws)
    [capped] = lines(ws.outbox / "approvals" / request)
    assert (capped["项目"], capped["金额"], capped["说明"]) == (
        "业务招待费 2026-11-04 单笔", 2000.01, "上限 2000.00，超出 0.01")
    assert query(ws, "SELECT cap FROM expense_lines ORDER BY line_no") == [(200000,), (200000,)]


def test_the_approval_refusals_hold_for_a_claim(loaded: Workspace, tmp_path: Path) -> None:
    ws = configure(loaded, approvals={"expense": ["M01", "D01"], "max_excess": {"M01": 500}})
    budget(ws, "S01", "2026-11", {TRAVEL: "1000"})
    claim(ws, "BX-1", ("2026-11-03", TRAVEL, "1800"))  # 800 over: beyond M01's 500
    assert one(ws).status == "held"
    [request] = requests(ws)
    assert request == Path("D01/BX-1_审批单.xlsx")  # the first who may approve all of it
    path = ws.outbox / "approvals" / request
    decide(ws, path, "x/not-approver.xlsx", decision="同意", approver="S02")
    assert [c for c, _, _ in codes(one(ws))] == ["not_approver"]
    decide(ws, path, "x/beyond.xlsx", decision="同意", approver="M01")
    result = one(ws)
    assert [c for c, _, _ in codes(result)] == ["spending_beyond_limit"]
    assert "800.00" in result.problems[0].message("zh") and "500" in result.problems[0].message(
        "en")
    # a new version makes the first request stale
    first = tmp_path / "first.xlsx"
    first.write_bytes(path.read_bytes())
    claim(ws, "BX-1", ("2026-11-03", TRAVEL, "1300"), folder="S01/v2")
    assert one(ws).status == "held"
    decide(ws, first, "x/stale.xlsx", decision="同意", approver="D01")
    assert [c for c, _, _ in codes(one(ws))] == ["stale_request"]
    # M01 may approve the 300 over of the new version, and gets its request; a second
    # decision finds it not held
    assert ws.outbox / "approvals" / "M01" / "BX-1_审批单.xlsx" in [
        ws.outbox / "approvals" / r for r in requests(ws)]
    path = ws.outbox / "approvals" / "M01" / "BX-1_审批单.xlsx"
    again = tmp_path / "again.xlsx"
    again.write_bytes(path.read_bytes())
    decide(ws, path, "x/ok.xlsx", decision="同意", approver="M01")
    assert (one(ws).status) == "accepted"
    assert statuses(ws, "BX-1")[-1][1] == "accepted"
    # decided, the request leaves M01's folder for 已处理/, as an order's does (the stale one
    # of the first version too)
    assert requests(ws) == []
    assert filed_requests(ws) == ["D01/BX-1_审批单.已作废.xlsx", "M01/BX-1_审批单.已批准.xlsx"]
    decide(ws, again, "x/again.xlsx", decision="不同意", approver="D01")
    assert [c for c, _, _ in codes(one(ws))] == ["not_held"]


def test_a_claim_counts_against_the_region_budget_when_it_has_none_of_its_own(
    loaded: Workspace,
) -> None:
    budget(loaded, "华东", "2026-11", {TRAVEL: "1000"})
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "1000"))
    assert one(loaded).status == "accepted"
    claim(loaded, "BX-2", ("2026-11-04", TRAVEL, "1"))
    result = one(loaded)
    assert (result.status, [c for c, _, _ in codes(result)]) == ("held", ["over_budget"])
    [request] = requests(loaded)
    [budget_line, *_] = lines(loaded.outbox / "approvals" / request)
    assert budget_line["项目"] == "差旅费 2026-11 预算（片区 华东）"


def test_templates_have_the_categories_and_salespeople_to_pick_from(loaded: Workspace) -> None:
    ws = configure(loaded, expenses={"categories": ["差旅费", "会议费"]})
    for kind in ("budget", "expense"):
        result = CliRunner().invoke(main, ["template", kind, "-w", str(ws.root)])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(ws.templates / f"{kind}.xlsx")
        listed = book["_lists"]
        columns = {col[0].value: [c.value for c in col[1:] if c.value]
                   for col in listed.iter_cols()}
        assert columns["category"] == ["差旅费", "会议费"]
        if kind == "expense":
            assert columns["salesperson"] == ["S01", "S02", "S03"]
        else:
            assert columns["owner"] == ["S01", "S02", "S03", "华东", "华北", "华南"]
        notes = {row[0]: row[2] for row in book["填写说明"].iter_rows(values_only=True)
                 if row[0] and row[2]}
        assert notes["费用类别"] == "从下拉列表选择"
        sheet = book.worksheets[0]
        assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")


def test_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    budget(ws, "S01", "2026-11", {TRAVEL: "100"})
    claim(ws, "BX-1", ("2026-11-03", TRAVEL, "150"), language="en")
    result = one(ws)
    assert result.status == "held"
    assert result.problems[0].message("en") == (
        "2026-11 差旅费: budget 100.00, already claimed 0.00, this claim 150.00: 50.00 over "
        "budget; it needs approval.")
    [request] = requests(ws)
    assert request.name == "BX-1_approval.xlsx"
    assert fields(ws.outbox / "approvals" / request)["reasons"] == "Expense claim"
    assert [ln["Item"] for ln in lines(ws.outbox / "approvals" / request)][0] == (
        "差旅费 2026-11: budget")


# -- two claims at once ------------------------------------------------------------------------


def test_two_claims_in_two_offices_do_not_both_take_a_budget_that_holds_one(
    loaded: Workspace, tmp_path: Path,
) -> None:
    budget(loaded, "S01", "2026-11", {TRAVEL: "1000"})
    other = second_office(loaded, tmp_path / "office2")
    # Different customers visited: only the salesperson's budget may make one wait.
    claim(loaded, "BX-A", ("2026-11-03", TRAVEL, "600"), customer="C001")
    claim(other, "BX-B", ("2026-11-04", TRAVEL, "600"), customer="C002")
    if loaded.database_url.startswith("postgresql"):
        with both_judged(loaded) as release:
            first, second = run_at_once(tmp_path, loaded, other, started=lambda: release(2))
    else:
        first, second = run_at_once(tmp_path, loaded, other)
    assert sorted(f["status"] for f in first + second) == ["accepted", "held"]
    assert query(loaded, "SELECT status, COUNT(*) FROM documents WHERE kind = 'expense' "
                         "GROUP BY status ORDER BY 1") == [("accepted", 1), ("held", 1)]


@pytest.mark.ledgers("sqlite")  # reads forms only
def test_claims_and_budgets_are_serialised_per_salesperson(workspace: Workspace) -> None:
    def locks(kind: str, header: dict[str, Any], lines_: list[dict[str, Any]]) -> set[str]:
        doc = read_document(drop(workspace, kind, f"{kind}.xlsx", header, lines_),
                            workspace.settings.limits).document
        assert doc is not None
        return locks_of(doc)

    assert locks("budget", {"owner": "S01", "period": "2026"},
                 [{"category": TRAVEL, "amount": 1}]) == {"expenses:S01",
                                                          "document:budget:S01|2026"}
    assert locks("expense", {"claim_no": "BX-1", "salesperson": "S01", "claim_date": "2026-11-30"},
                 [{"spent_on": "2026-11-03", "category": TRAVEL, "amount": 1,
                   "description": "出差"}]) == {"expenses:S01", "document:expense:BX-1"}


def test_a_held_claim_is_pending_in_status_and_the_summary_workbook_and_a_decline_ends_it(
    loaded: Workspace,
) -> None:
    budget(loaded, "S01", "2026-11", {TRAVEL: "100"})
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "150"))
    assert one(loaded).status == "held"
    later = datetime.now() + timedelta(days=1)  # stored by the workspace's clock: today
    with Ledger.of(loaded).reading() as books:
        [pending] = books.pending_approvals(later)
    assert (pending.kind, pending.document, pending.customer, pending.salesperson,
            pending.amount, pending.reasons) == (
        "expense", "BX-1", "", "S01", Decimal("150.00"), ("over_budget",))
    status = CliRunner().invoke(main, ["status", "-w", str(loaded.root)])
    assert status.exit_code == 0 and "BX-1" in status.output, status.output
    result = CliRunner().invoke(main, ["report", "--period", f"{later:%Y-%m}", "-w",
                                        str(loaded.root)])
    assert result.exit_code == 0, result.output
    [report] = (loaded.outbox / "reports").rglob("*.xlsx")
    book = openpyxl.load_workbook(report)
    cells = [c.value for row in book["待审批"].iter_rows() for c in row]
    assert "BX-1" in cells and "费用超预算" in cells
    [request] = requests(loaded)
    decide(loaded, loaded.outbox / "approvals" / request, "李强/no.xlsx", decision="不同意",
           approver="M01", approval_no="SP-9", remarks="超支")
    assert one(loaded).status == "accepted"
    assert statuses(loaded, "BX-1") == [(1, "declined", "SP-9")]
    with Ledger.of(loaded).reading() as books:
        assert books.pending_approvals(later) == []
        assert books.expense_spent(parse_period("2026-11")) == {}
    claim(loaded, "BX-1", ("2026-11-03", TRAVEL, "100"), folder="S01/v2")
    assert one(loaded).status == "accepted"
    assert statuses(loaded, "BX-1") == [(1, "declined", "SP-9"), (2, "accepted", None)]
