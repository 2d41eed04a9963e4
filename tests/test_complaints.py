"""客户投诉/售后 (spec 4e): a complaint filed through the real intake gets its due date from its
severity, later versions record progress and the resolution, bad ones are refused with their
cells and nothing stored, an overdue open complaint is told to its salesperson and their
manager once, and the summary workbook counts them on 投诉售后. Real workbooks, the real
intake and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.api import run_scheduled_job, write_report
from sales_sheets.cli import main
from sales_sheets.config import load_settings
from sales_sheets.errors import ConfigError
from sales_sheets.intake.ingest import IngestResult
from sales_sheets.notify.texts import message_text
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import codes, drop, one, order_header, query

pytestmark = pytest.mark.ledgers

RECEIVED = date(2026, 11, 2)


def _complain(ws: Workspace, no: str = "TS-1", name: str = "", language: str = "zh",
              folder: str = "S01", **values: Any) -> IngestResult:
    header = {"complaint_no": no, "received_on": RECEIVED, "customer_code": "C001",
              "salesperson": "S01", "category": "质量", "description": "外壳开裂，漏油",
              "product_code": "P003", **values}
    drop(ws, "complaint", f"{folder}/{name or no}.xlsx", header, language=language)
    return one(ws)


def _stored(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT c.complaint_no, d.version, d.status, c.category, c.severity, "
                 "c.due_on, c.resolved_on, c.resolution, c.satisfaction FROM complaints c "
                 "JOIN documents d ON d.id = c.document_id ORDER BY d.id")


def test_a_complaint_is_due_by_its_severity_unless_the_form_says(loaded: Workspace) -> None:
    result = _complain(loaded, severity="紧急")
    assert (result.kind, result.status, result.document) == ("complaint", "accepted", "TS-1")
    _complain(loaded, "TS-2")  # no severity: 一般, 7 days
    _complain(loaded, "TS-3", severity="重要", due_on=date(2026, 11, 20))
    assert [(r[0], r[4], r[5]) for r in _stored(loaded)] == [
        ("TS-1", "urgent", "2026-11-03"), ("TS-2", None, "2026-11-09"),
        ("TS-3", "important", "2026-11-20")]


def test_the_days_come_from_config_by_word_or_value(loaded: Workspace) -> None:
    ws = configure(loaded, complaints={"days": {"紧急": 2, "important": 5}})
    assert ws.settings.complaints.days == {"normal": 7, "important": 5, "urgent": 2}
    _complain(ws, severity="紧急")
    _complain(ws, "TS-2", severity="重要")
    assert [r[5] for r in _stored(ws)] == ["2026-11-04", "2026-11-07"]


@pytest.mark.parametrize(("days", "says"), [
    ({"严重": 3}, "[complaints.days] names '严重', not a severity; use 一般, 重要, 紧急"),
    ({"一般": 2.5}, "[complaints.days] 一般 = 2.5; give whole days, 0 or more"),
    ({"一般": -1}, "[complaints.days] 一般 = -1; give whole days, 0 or more"),
    ({"一般": "7"}, "[complaints.days] must map codes to numbers"),
])
def test_wrong_days_are_a_config_error_naming_the_key(
        workspace: Workspace, days: dict[str, object], says: str) -> None:
    path = workspace.root / "config.toml"
    configure(workspace, complaints={"days": {}})
    text = path.read_text(encoding="utf-8").replace(
        "[complaints.days]", "[complaints.days]\n" + "\n".join(
            f'"{k}" = {json.dumps(v)}' for k, v in days.items()))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert says in str(caught.value)


def test_later_versions_record_progress_then_the_resolution_and_the_score(
        loaded: Workspace) -> None:
    _complain(loaded, severity="重要")
    _complain(loaded, name="TS-1 进展", remarks="已寄样品检测")
    result = _complain(loaded, name="TS-1 解决", resolved_on=date(2026, 11, 4),
                       resolution="更换外壳，补发密封圈", satisfaction=4)
    assert result.status == "accepted"
    assert [(r[1], r[2], r[6], r[8]) for r in _stored(loaded)] == [
        (1, "superseded", None, None), (2, "superseded", None, None),
        (3, "accepted", "2026-11-04", 4)]


def test_bad_complaints_are_refused_at_their_cells_and_nothing_is_stored(
        loaded: Workspace) -> None:
    drop(loaded, "order", "S01/SO-9.xlsx", order_header(no="SO-9", customer="C002"),
         [{"product_code": "P003", "quantity": 1, "unit_price": "460"}])
    assert one(loaded).status == "accepted"
    result = _complain(loaded, resolved_on=date(2026, 11, 1), satisfaction=6, order_no="SO-9",
                       due_on=date(2026, 10, 30))
    assert result.status == "rejected"
    found = {code: cell for code, _, cell in codes(result)}
    assert set(found) == {"resolution_required", "resolved_before_received",
                          "due_before_received", "satisfaction_out_of_range",
                          "order_customer_mismatch"}
    assert all(found.values()), found  # each names its cell
    assert _complain(loaded, "TS-2", order_no="SO-404").problems[0].code == "unknown_order"
    assert _stored(loaded) == []


def test_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    result = _complain(ws, language="en", category="Quality", severity="Urgent",
                       resolved_on=date(2026, 11, 3))
    assert result.status == "rejected"
    assert [p.message("en") for p in result.problems] == [
        "A resolved complaint needs its resolution."]


def test_the_template_offers_the_lists_with_instructions_on_a4(loaded: Workspace) -> None:
    for language in ("zh", "en"):
        ws = configure(loaded, language=language)
        result = CliRunner().invoke(main, ["template", "complaint", "-w", str(ws.root)])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(ws.templates / "complaint.xlsx")
        sheet = book.worksheets[0]
        # a form of header fields alone, one under the other: upright
        assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "portrait")
        listed = {col[0].value: [c.value for c in col[1:] if c.value]
                  for col in book["_lists"].iter_cols()}
        words = {"zh": (["质量", "交期", "服务", "三包", "其他"], ["一般", "重要", "紧急"]),
                 "en": (["Quality", "Delivery", "Service", "Warranty", "Other"],
                        ["Normal", "Important", "Urgent"])}[language]
        assert (listed["category"], listed["severity"]) == words
        assert listed["customer_code"][:2] == ["C001", "C002"]
        formulas = {str(v.formula1) for v in sheet.data_validations.dataValidation}
        assert {"list_category", "list_severity", "list_customer_code"} <= formulas
        notes = " ".join(str(c) for row in book.worksheets[2].iter_rows(values_only=True)
                         for c in row if c)
        assert ("[complaints.days]" in notes) and ("满意度" in notes if language == "zh"
                                                   else "satisfaction" in notes)


# -- overdue -----------------------------------------------------------------------------------


def test_an_open_complaint_past_its_due_date_is_told_once_to_the_salesperson_and_manager(
        loaded: Workspace) -> None:
    _complain(loaded, severity="紧急")  # due 3 November
    _complain(loaded, "TS-2", customer_code="C002", due_on=date(2026, 11, 30))
    _complain(loaded, "TS-3", resolved_on=date(2026, 11, 2), resolution="当场更换",
              severity="紧急")
    run_scheduled_job(loaded, "approval_digest", "2026-11-03")  # due today: not yet overdue
    assert query(loaded, "SELECT COUNT(*) FROM notifications WHERE event = ?",
                 "complaint_overdue") == [(0,)]
    ran = run_scheduled_job(loaded, "approval_digest", "2026-11-05")
    assert "1 complaints overdue" in (ran.outcome or "")
    run_scheduled_job(loaded, "approval_digest", "2026-11-06")
    told = query(loaded, "SELECT key, recipient, payload FROM notifications WHERE event = ? "
                 "ORDER BY id", "complaint_overdue")
    assert [(k, r) for k, r, _ in told] == [
        ("complaint_overdue:TS-1:2026-11-03:S01:console", "S01"),
        ("complaint_overdue:TS-1:2026-11-03:李强:console", "李强")]
    facts = json.loads(told[0][2])
    assert (facts["complaint_no"], facts["days"], facts["category"]) == ("TS-1", 2, "质量")
    text = message_text(loaded, "complaint_overdue", {**facts, "name": "张伟"})
    assert text.subject == "【客户投诉逾期】C001 杭州恒达机械有限公司 的投诉 TS-1 逾期未解决"
    assert "已逾期 2 天" in text.body
    # Resolved the next day: nothing more is told, and a later check finds none.
    _complain(loaded, name="TS-1 解决", resolved_on=date(2026, 11, 7), resolution="已更换")
    ran = run_scheduled_job(loaded, "approval_digest", "2026-11-09")
    assert "complaints overdue" not in (ran.outcome or "")


def test_switched_off_nothing_is_told(loaded: Workspace) -> None:
    ws = configure(loaded, notify={"events": {"complaint_overdue": False}})
    _complain(ws, severity="紧急")
    run_scheduled_job(ws, "approval_digest", "2026-11-09")
    assert query(ws, "SELECT COUNT(*) FROM notifications WHERE event = ?",
                 "complaint_overdue") == [(0,)]


# -- 投诉售后 in the summary workbook ------------------------------------------------------------


def _rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path)
    found = [tuple(None if v == "" else v for v in row)
             for row in book[sheet].iter_rows(min_row=4, values_only=True)]
    return [row for row in found if any(v is not None for v in row)]


def test_the_complaints_sheet_counts_by_category_product_and_salesperson(
        loaded: Workspace) -> None:
    # Before November and still open on 1 November: counted; resolved before it: not.
    _complain(loaded, "TS-0", received_on=date(2026, 10, 20), severity="紧急")
    _complain(loaded, "TS-9", received_on=date(2026, 10, 1), resolved_on=date(2026, 10, 3),
              resolution="已处理")
    _complain(loaded, "TS-1", resolved_on=date(2026, 11, 5), resolution="更换", satisfaction=5)
    _complain(loaded, "TS-2", category="交期", resolved_on=date(2026, 11, 10),
              resolution="加急发货", satisfaction=2, product_code=None, salesperson="S02",
              customer_code="C002", folder="S02")
    _complain(loaded, "TS-3", category="三包", due_on=date(2026, 12, 15))
    _complain(loaded, "TS-4", received_on=date(2026, 12, 1))  # after the period
    path = write_report(loaded, "2026-11")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames.index("投诉售后") == book.sheetnames.index("费用") + 2
    assert [c.value for c in book["投诉售后"][3]] == [
        "统计维度", "项目", "名称", "投诉数", "已解决", "未解决", "其中逾期", "平均解决天数",
        "平均满意度"]
    found = _rows(path, "投诉售后")
    # TS-0 open and overdue; TS-1 3 days, score 5; TS-2 8 days, score 2; TS-3 open, not due
    assert found == [
        ("类别", "质量", None, 2, 1, 1, 1, 3.0, 5.0),
        ("类别", "交期", None, 1, 1, 0, 0, 8.0, 2.0),
        ("类别", "服务", None, 0, 0, 0, 0, None, None),
        ("类别", "三包", None, 1, 0, 1, 0, None, None),
        ("类别", "其他", None, 0, 0, 0, 0, None, None),
        ("产品", "P003", "弹性联轴器", 3, 1, 2, 1, 3.0, 5.0),
        ("业务员", "S01", "张伟", 3, 1, 2, 1, 3.0, 5.0),
        ("业务员", "S02", "王芳", 1, 1, 0, 0, 8.0, 2.0),
        ("合计", None, None, 4, 2, 2, 1, 5.5, 3.5),
    ]
    assert Decimal("5.5") == (Decimal(3) + Decimal(8)) / 2  # the mean, not rounded away
    notes = {row[0]: row[1] for row in _rows(path, "说明")}
    assert notes["投诉售后"].startswith("投诉售后：本期受理的客户投诉")
