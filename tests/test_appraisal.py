"""The quarter's 绩效考核 (spec 4c): `sales-sheets appraisal --period P` and the scheduled job
write each salesperson's 计划达成率, 回款率, 新客户拓展率, 拜访完成率 and 费用率 (the summary
workbook's own figures, compared cell by cell), the score and rank as formulas with their values
(recalculated by LibreOffice to check them), and the commission tiered by 计划达成率, half up to
the fen. Real plans, orders, visits, receipts, budgets and claims through the real ingest and
CLI; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomli_w
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.notify.texts import message_text
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header, query

pytestmark = pytest.mark.ledgers

FIRST = 4  # the first data row (1-based): title, info and header rows above
TRAVEL = "差旅费"
# The summary workbook's columns (0-based) of what the appraisal scores: 业务员达成's
# 计划达成率, 回款率, 回款金额, 新客户达成率, 拜访完成率, and 费用's 费用率.
ACHIEVEMENT, COLLECTION, RECEIPTS, NEW, VISITS, EXPENSE_RATIO = 5, 9, 8, 12, 16, 9


@pytest.fixture
def quarter(loaded: Workspace) -> Workspace:
    """2026-Q4. S01: a November plan (orders 100,000, collection 50,000, one new customer),
    an accepted order of 64,000, a week of visits (3 planned, 2 of them made, 1 unplanned),
    20,000 received, a budget of 1,000 for travel and a claim of 600 against it. S02: a
    quarter's plan (orders 200,000, collection 100,000, two new customers, no visits), an
    order of 4,600 from C004 and nothing received. S03: no plan, 1,234.50 received from C005."""
    ws = loaded
    drop(ws, "plan", "S01/plan.xlsx", {"salesperson": "S01", "period": "2026-11"},
         [{"customer_code": "C001", "target_amount": "100000", "target_collection": "50000",
           "target_new_customers": 1, "planned_visits": 4}])
    drop(ws, "plan", "S02/plan.xlsx", {"salesperson": "S02", "period": "2026-Q4"},
         [{"target_amount": "200000", "target_collection": "100000",
           "target_new_customers": 2}])
    drop(ws, "order", "S01/SO-1.xlsx", order_header("SO-1", date(2026, 11, 2)),
         [{"product_code": "P001", "quantity": 5, "unit_price": "12800"}])
    drop(ws, "order", "S02/SO-2.xlsx",
         order_header("SO-2", date(2026, 11, 10), "C004", "S02"),
         [{"product_code": "P003", "quantity": 10, "unit_price": "460"}])
    drop(ws, "visit", "S01/visits.xlsx", {"salesperson": "S01", "week_start": date(2026, 11, 16)},
         [{"visit_date": date(2026, 11, 16), "customer_code": "C001", "purpose": "回访",
           "planned": "是", "visited": "是"},
          {"visit_date": date(2026, 11, 17), "customer_code": "C002", "purpose": "催款",
           "planned": "是", "visited": "是"},
          {"visit_date": date(2026, 11, 18), "customer_code": "C002", "purpose": "技术交流",
           "planned": "是", "visited": "否"},
          {"visit_date": date(2026, 11, 19), "customer_code": "C001", "purpose": "交流",
           "planned": "否", "visited": "是"}])
    drop(ws, "receipt", "receipts.xlsx", lines=[
        {"receipt_date": "2026-11-15", "customer_code": "C001", "amount": "20000",
         "reference": "R-1"},
        {"receipt_date": "2026-12-01", "customer_code": "C005", "amount": "1234.50",
         "reference": "R-2"}])
    drop(ws, "budget", "budget.xlsx", {"owner": "S01", "period": "2026-11"},
         [{"category": TRAVEL, "amount": "1000"}])
    results = process_inbox(ws)
    assert {r.status for r in results} == {"accepted"}, [(r.file, r.problems) for r in results]
    drop(ws, "expense", "S01/BX-1.xlsx",
         {"claim_no": "BX-1", "salesperson": "S01", "claim_date": date(2026, 11, 30)},
         [{"spent_on": "2026-11-20", "category": TRAVEL, "amount": "600", "invoice_count": 1,
           "customer_code": "C001", "description": "拜访客户"}])
    assert [r.status for r in process_inbox(ws)] == ["accepted"]
    return ws


def run(ws: Workspace, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return result.output


def rows(path: Path, sheet: int | str = 0, formulas: bool = False) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, data_only=not formulas)
    found = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]
    return [tuple(None if v == "" else v for v in row)
            for row in found.iter_rows(min_row=FIRST, values_only=True)
            if any(v not in (None, "") for v in row)]


def summary_figures(path: Path) -> dict[str, tuple[Any, ...]]:
    """Per salesperson code, what the summary workbook at `path` shows of what the appraisal
    scores: 计划达成率, 回款率, 新客户达成率, 拜访完成率, 费用率 and 回款金额."""
    people = {r[0]: r for r in rows(path, "业务员达成") if r[1] is not None}
    ratios = {r[0]: r[EXPENSE_RATIO] for r in rows(path, "费用")
              if r[1] is not None and r[4] is None}  # a salesperson's subtotal: no month
    assert set(ratios) == set(people)
    return {code: (r[ACHIEVEMENT], r[COLLECTION], r[NEW], r[VISITS], ratios[code],
                   r[RECEIPTS]) for code, r in people.items()}


def appraisal_figures(path: Path) -> dict[str, tuple[Any, ...]]:
    """The same, as the appraisal at `path` shows them (its columns D..H and K)."""
    return {r[0]: (*r[3:8], r[10]) for r in rows(path) if r[1] is not None}


@pytest.mark.parametrize("period", ["2026-Q4", "2026"])
def test_every_metric_is_the_summary_workbooks_for_the_same_period(
        quarter: Workspace, period: str) -> None:
    summary = quarter.root / run(quarter, "report", "--period", period).strip()
    appraisal = quarter.root / run(quarter, "appraisal", "--period", period).strip()
    assert appraisal == quarter.outbox / "appraisal" / period / f"绩效考核_{period}.xlsx"
    theirs, ours = summary_figures(summary), appraisal_figures(appraisal)
    assert list(ours) == ["S01", "S02", "S03"]
    assert ours == theirs
    # blank where the summary is blank: S03 has no plan, S02 no visits and no receipts
    assert ours["S03"][:4] == (None,) * 4 and ours["S02"][3:5] == (None, None)


@pytest.mark.ledgers("sqlite")
def test_the_score_and_the_rank_are_formulas_with_their_values(quarter: Workspace) -> None:
    path = quarter.root / run(quarter, "appraisal", "--period", "2026-Q4").strip()
    formulas = rows(path, formulas=True)
    assert formulas[0][8:10] == (
        "=40*MIN(N(D4),1)+30*MIN(N(E4),1)+10*MIN(N(F4),1)+10*MIN(N(G4),1)"
        "+10*IF(ISNUMBER(H4),0.05/MAX(H4,0.05),0)", "=RANK(I4,$I$4:$I$6)")
    values = rows(path)
    # S01: 40 × 64 % + 30 × 40 % + 10 × 0 (no new customer of one) + 10 × 2/3 (visits)
    # + 10 (费用率 3 % is within the 5 % limit); S02: 40 × 2.3 %, nothing else has a base or
    # scores; S03: blank but for 费用率 0 % (no claims, receipts) = 10
    assert [(r[0], r[8], r[9]) for r in values[:3]] == [
        ("S01", pytest.approx(25.6 + 12 + 20 / 3 + 10), 1), ("S02", pytest.approx(0.92), 3),
        ("S03", 10, 2)]


def _recalculated(path: Path, folder: Path) -> list[list[str]]:
    """The first sheet of `path` as LibreOffice computes it afresh (it keeps stored values of
    an .xlsx unless told to recalculate on load: a profile of its own tells it)."""
    profile = folder / "profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        "</oor:items>", encoding="utf-8")
    soffice = shutil.which("soffice")
    assert soffice is not None
    as_stored = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false"  # not as shown
    subprocess.run([soffice, f"-env:UserInstallation={profile.parent.as_uri()}", "--headless",
                    "--convert-to", as_stored, "--outdir", str(folder), str(path)],
                   check=True, capture_output=True, timeout=120)
    with (folder / f"{path.stem}.csv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.ledgers("sqlite")
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_computing_the_formulas_gets_the_stored_values(
        quarter: Workspace, tmp_path: Path) -> None:
    ws = configure(quarter, appraisal={"expense_ratio_limit": 2.0})  # S01's 3 % is above it
    path = ws.root / run(ws, "appraisal", "--period", "2026-Q4").strip()
    stored = [(r[8], r[9]) for r in rows(path)[:3]]
    # S01's 费用率 scores 2 % ÷ 3 % of its 10
    assert stored[0][0] == pytest.approx(25.6 + 12 + 20 / 3 + 10 * 2 / 3)
    computed = [(float(r[8]), float(r[9])) for r in _recalculated(path, tmp_path)[3:6]]
    assert [rank for _, rank in computed] == [rank for _, rank in stored] == [1, 3, 2]
    assert [score for score, _ in computed] == pytest.approx([score for score, _ in stored],
                                                             abs=1e-9)


@pytest.mark.ledgers("sqlite")
def test_the_commission_is_tiered_by_plan_achievement_and_rounded_half_up(
        quarter: Workspace) -> None:
    # at_least is inclusive: S01's 64 % is in the second tier
    ws = configure(quarter, appraisal={"commission": [{"at_least": 0, "rate": 1},
                                                      {"at_least": 64, "rate": 1.5}]})
    path = ws.root / run(ws, "appraisal", "--period", "2026-Q4").strip()
    found = [(r[0], r[10], r[11], r[12]) for r in rows(path)]
    # S01: 20,000 × 1.5 %; S02: nothing received; S03 (no plan: counts as 0 %, the first
    # tier): 1,234.50 × 1 % = 12.345, half up 12.35 (a float rounds it to 12.34)
    assert found == [("S01", 20000, 0.015, 300), ("S02", 0, 0.01, 0),
                     ("S03", 1234.5, 0.01, 12.35), ("合计", 21234.5, None, 312.35)]
    ws = configure(ws, replace=True, appraisal={})
    default = ws.root / run(ws, "appraisal", "--period", "2026-Q4").strip()
    # the default tiers: none below 80 %, and nobody reached it
    assert [r[12] for r in rows(default)] == [0, 0, 0, 0]


@pytest.mark.ledgers("sqlite")
def test_written_again_from_the_same_ledger_it_is_the_same_file(quarter: Workspace) -> None:
    path = quarter.root / run(quarter, "appraisal", "--period", "2026-Q4").strip()
    first = path.read_bytes()
    path.unlink()
    run(quarter, "appraisal", "--period", "2026-Q4")
    assert path.read_bytes() == first


@pytest.mark.ledgers("sqlite")
def test_a4_print_set_up_and_notes_that_say_how_blanks_score(quarter: Workspace) -> None:
    path = quarter.root / run(quarter, "appraisal", "--period", "2026-Q4").strip()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["绩效考核", "说明"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation, setup.fitToHeight) == (9, "landscape", 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide
        assert sheet.print_title_rows == "$1:$3"
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=FIRST, values_only=True)}
    assert "留空的指标在得分中计0分" in notes["无基数的指标"]
    assert {"计划达成率", "回款率", "新客户达成率", "拜访完成率", "费用率", "得分", "排名",
            "提成"} <= set(notes)
    assert notes["本次设置"].startswith("权重：计划达成率 40, 回款率 30")
    heads = next(book["绩效考核"].iter_rows(min_row=3, max_row=3, values_only=True))
    assert heads[3:8] == ("计划达成率（权重40%）", "回款率（权重30%）", "新客户拓展率（权重10%）",
                          "拜访完成率（权重10%）", "费用率（权重10%）")


@pytest.mark.ledgers("sqlite")
def test_in_english(quarter: Workspace) -> None:
    ws = configure(quarter, language="en")
    path = ws.root / run(ws, "appraisal", "--period", "2026-Q4").strip()
    assert path.name == "Appraisal_2026-Q4.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Appraisal", "Notes"]
    heads = next(book["Appraisal"].iter_rows(min_row=3, max_row=3, values_only=True))
    assert heads[3] == "Achievement (weight 40 %)" and heads[-1] == "Commission"


@pytest.mark.ledgers("sqlite")
@pytest.mark.parametrize(("period", "said"), [
    ("2026-11", "绩效考核按季度或年度：期间“2026-11”是月份，请用 2026-Q4 或 2026"),
    ("2026-Q5", "there is no quarter 5"), ("Q4", "is not valid")])
def test_a_bad_period_is_refused_with_a_clear_message(quarter: Workspace, period: str,
                                                      said: str) -> None:
    result = CliRunner().invoke(main, ["appraisal", "--period", period, "-w", str(quarter.root)])
    assert result.exit_code == 1 and said in result.output
    assert "Traceback" not in result.output
    assert not (quarter.outbox / "appraisal").exists()


@pytest.mark.ledgers("sqlite")
@pytest.mark.parametrize(("appraisal", "said"), [
    ({"weights": {"achievement": 50, "collection": 30}}, "add up to 80"),
    ({"weights": {"achievement": 0.4, "collection": 0.3, "new_customers": 0.1, "visits": 0.1,
                  "expenses": 0.1}}, "must add up to 100"),
    ({"weights": {"achievment": 100}}, "names achievment; the metrics are achievement"),
    ({"commission": [{"at_least": 100, "rate": 1.5}, {"at_least": 80, "rate": 1}]},
     "tiers must go up by at_least"),
    ({"commission": [{"at_least": 80, "rate": -1}]}, "rate must not be negative"),
    ({"commission": [{"at_least": 80, "percent": 1}]},
     "unknown setting appraisal.commission[1].percent"),
    ({"commission": {"at_least": 80, "rate": 1}}, "must be a list of tables"),
    ({"expense_ratio_limit": 0}, "expense_ratio_limit must be above 0"),
])
def test_a_bad_appraisal_setting_is_refused_with_a_clear_message(
        quarter: Workspace, appraisal: dict[str, Any], said: str) -> None:
    path = quarter.root / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    path.write_text(tomli_w.dumps({**config, "appraisal": appraisal}), encoding="utf-8")
    result = CliRunner().invoke(main, ["appraisal", "--period", "2026-Q4",
                                       "-w", str(quarter.root)])
    assert result.exit_code == 1 and said in result.output and "config.toml" in result.output
    assert not (quarter.outbox / "appraisal").exists()


@pytest.mark.ledgers("sqlite")
def test_the_scheduled_job_writes_the_quarters_appraisal_and_tells_the_office(
        quarter: Workspace) -> None:
    ws = configure(quarter, notify={"office": ["S01"]})
    command = ["schedule", "run", "appraisal", "--period", "2026-Q4", "--json"]
    [done] = json.loads(run(ws, *command))
    assert (done["status"], done["outcome"]) == (
        "done", "outbox/appraisal/2026-Q4/绩效考核_2026-Q4.xlsx")
    assert appraisal_figures(ws.root / done["outcome"])["S01"][0] == 0.64
    [(key, payload)] = query(ws, "SELECT key, payload FROM notifications WHERE event = ?",
                             "report_ready")
    assert key == "report_ready:appraisal:2026-Q4:S01:console"
    text = message_text(ws, "report_ready", {**json.loads(payload), "name": "张伟"})
    assert text.subject == "【报表】2026年第4季度 绩效考核已生成"
    assert done["outcome"] in text.body
    assert json.loads(run(ws, *command))[0]["status"] == "taken"
