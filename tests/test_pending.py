"""Pending approvals from real held orders: the ledger query, `status` (JSON and text) and the
summary workbook's 待审批 sheet read back with openpyxl."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import update

from sales_sheets import api
from sales_sheets.cli import main
from sales_sheets.intake.approvals import release_order
from sales_sheets.ledger.database import ledger_of
from sales_sheets.ledger.overview import ledger_status
from sales_sheets.ledger.pending import pending_approvals
from sales_sheets.ledger.schema import documents
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, one, order_header

CHEAP = {"product_code": "P001", "quantity": 1, "unit_price": "12000"}  # list price 12,800
FIRST = 4  # the first data row of a summary sheet (1-based)
# document -> the day it was stored, set after processing: the ledger as it would be had each
# arrived on that day (SO-A, stored first, is the newest)
STORED = {"SO-A": datetime(2026, 11, 25, 10, 0), "SO-B": datetime(2026, 10, 20, 9, 0),
          "SO-E": datetime(2026, 11, 3, 8, 0)}


def _stored(workspace: Workspace, when: dict[str, datetime]) -> None:
    with ledger_of(workspace).begin() as conn:
        for key, stored_at in when.items():
            conn.execute(update(documents).where(documents.c.doc_key == key,
                                                 documents.c.status == "held")
                         .values(stored_at=stored_at))


@pytest.fixture
def pending(loaded: Workspace) -> Workspace:
    """Held: SO-A (its second version), SO-B, SO-E. Gone: SO-A v1 (superseded), SO-C
    (released), SO-D (accepted)."""
    steps = [
        ("S01/a.xlsx", order_header(no="SO-A"), [CHEAP], "held"),
        ("S01/a2.xlsx", order_header(no="SO-A"), [dict(CHEAP, quantity=2)], "held"),
        ("S02/b.xlsx", order_header(no="SO-B", customer="C004", salesperson="S02"),
         [{"product_code": "P001", "quantity": 4, "unit_price": "12800"}], "held"),
        ("S01/c.xlsx", order_header(no="SO-C"), [CHEAP], "held"),
        ("S01/d.xlsx", order_header(no="SO-D"),
         [{"product_code": "P001", "quantity": 1, "unit_price": "12800"}], "accepted"),
        ("S02/e.xlsx", order_header(no="SO-E", customer="C003", salesperson="S02"), [CHEAP],
         "held"),
    ]
    for name, header, lines, status in steps:
        drop(loaded, "order", name, header, lines)
        assert one(loaded).status == status, name
    release_order(loaded, "SO-C", "SP-1")
    _stored(loaded, STORED)
    return loaded


def _rows(workspace: Workspace, as_of: datetime) -> list[tuple[object, ...]]:
    with ledger_of(workspace).connect() as conn:
        return [(p.kind, p.document, p.version, p.customer, p.customer_name, p.salesperson,
                 p.amount, p.reasons, p.stored_at, p.age_days, p.folder)
                for p in pending_approvals(conn, as_of)]


SO_B = ("order", "SO-B", 1, "C004", "深圳创新自动化设备有限公司", "S02", Decimal("51200.00"),
        ("credit_limit_exceeded",), STORED["SO-B"])
SO_E = ("order", "SO-E", 1, "C003", "广州粤丰建材有限公司", "S02", Decimal("12000.00"),
        ("customer_overdue", "price_below_list"), STORED["SO-E"])
SO_A = ("order", "SO-A", 2, "C001", "杭州恒达机械有限公司", "S01", Decimal("24000.00"),
        ("price_below_list",), STORED["SO-A"])


def test_held_documents_oldest_first_with_their_age(pending: Workspace) -> None:
    assert _rows(pending, datetime(2026, 11, 30, 12, 0)) == [
        SO_B + (41, "S02"), SO_E + (27, "S02"), SO_A + (5, "S01")]


def test_only_what_was_stored_by_the_as_of_day_counts(pending: Workspace) -> None:
    # SO-E was stored at 08:00 on the 3rd: the day counts, not the hour
    assert _rows(pending, datetime(2026, 11, 3, 0, 0)) == [SO_B + (14, "S02"), SO_E + (0, "S02")]
    assert _rows(pending, datetime(2026, 10, 19, 23, 59)) == []


def test_an_approved_revision_takes_it_off_the_list(pending: Workspace) -> None:
    drop(pending, "order", "S01/a3.xlsx", order_header(no="SO-A", price_approval_no="SP-2"),
         [CHEAP])
    assert one(pending).status == "accepted"
    release_order(pending, "SO-B", "CW-1")
    assert _rows(pending, datetime(2026, 11, 30)) == [SO_E + (27, "S02")]


def test_status_json_lists_them_as_the_api_does(pending: Workspace) -> None:
    result = CliRunner().invoke(main, ["status", "--json", "-w", str(pending.root)])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    schedule = printed.pop("schedule")  # the calendar's, beside the ledger's status
    assert len(printed.pop("channels")) == 1  # the console's line: no channel is set up
    assert printed == ledger_status(pending).as_dict()
    assert "monthly_report" in [job["job"] for job in schedule]
    today = date.today()
    assert [(p["document"], p["version"], p["amount"], p["reasons"], p["stored_at"],
             p["age_days"], p["folder"]) for p in printed["pending_approvals"]] == [
        ("SO-B", 1, "51200.00", ["credit_limit_exceeded"], "2026-10-20T09:00:00",
         (today - date(2026, 10, 20)).days, "S02"),
        ("SO-E", 1, "12000.00", ["customer_overdue", "price_below_list"], "2026-11-03T08:00:00",
         (today - date(2026, 11, 3)).days, "S02"),
        ("SO-A", 2, "24000.00", ["price_below_list"], "2026-11-25T10:00:00",
         (today - date(2026, 11, 25)).days, "S01"),
    ]
    assert printed["pending_approvals"][0] | {"stored_at": "", "age_days": 0} == {
        "kind": "order", "document": "SO-B", "version": 1, "customer": "C004",
        "customer_name": "深圳创新自动化设备有限公司", "salesperson": "S02", "amount": "51200.00",
        "reasons": ["credit_limit_exceeded"], "stored_at": "", "age_days": 0, "folder": "S02"}


def test_status_ages_are_counted_to_the_day_asked(pending: Workspace) -> None:
    state = ledger_status(pending, now=datetime(2026, 11, 26, 18, 0))
    assert [(p.document, p.age_days) for p in state.pending_approvals] == [
        ("SO-B", 37), ("SO-E", 23), ("SO-A", 1)]


def _status_lines(workspace: Workspace) -> list[list[str]]:
    result = CliRunner().invoke(main, ["status", "-w", str(workspace.root)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    start = lines.index(_heading(workspace)) + 1
    # up to the next heading (statement replies follow, then notifications): headings are not
    # indented
    end = next(n for n in range(start, len(lines)) if not lines[n].startswith(" "))
    return [line.split() for line in lines[start:end]]


def _heading(workspace: Workspace) -> str:
    return "待审批" if workspace.language == "zh" else "Pending approvals"


def test_status_text_lists_them_under_a_heading(pending: Workspace) -> None:
    age = (date.today() - date(2026, 10, 20)).days
    first, second, third, anyone = _status_lines(pending)
    assert anyone == ["config.toml", "中没有", "[approvals]：任何人都可以审批。"]
    assert first == [str(age), "天", "订货单", "SO-B", "v1", "C004", "深圳创新自动化设备有限公司",
                     "S02", "51,200.00", "超授信额度"]
    assert second[-1] == "客户逾期、低于价目表价"
    assert third[3:5] == ["SO-A", "v2"]
    english = configure(pending, language="en")
    first, *_ = _status_lines(english)
    assert first[:4] == [str(age), "days", "Order", "SO-B"]
    assert first[-3:] == ["over", "credit", "limit"]


def test_status_text_says_when_there_are_none(loaded: Workspace) -> None:
    assert _status_lines(loaded)[0] == ["无"]
    english = configure(loaded, language="en")
    assert _status_lines(english) == [["none"], "No [approvals] in config.toml: anyone may "
                                      "approve.".split()]
    assert _status_lines(configure(english, approvals={"price": ["M01"]})) == [["none"]]


def _sheet(path: object, name: str, count: int) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)[name]
    return [[ws.cell(row, col).value for col in range(1, 12)]
            for row in range(FIRST, FIRST + count)]


def test_the_summary_workbook_lists_them_as_of_the_period_end(pending: Workspace) -> None:
    book = openpyxl.load_workbook(api.write_report(pending, "2026-11"))
    names = book.sheetnames
    assert names.index("待审批") == names.index("合同台账") + 2  # after 销售跟单
    # after 对账回函, 费用, 报价转化 and 投诉售后
    assert names.index("拜访执行") == names.index("待审批") + 5
    assert names.index("对账回函") == names.index("待审批") + 1
    assert _sheet(api.write_report(pending, "2026-11"), "待审批", 4) == [
        ["订货单", "SO-B", 1, "C004", "深圳创新自动化设备有限公司", "S02", 51200, "超授信额度",
         datetime(2026, 10, 20), 41, "S02"],
        ["订货单", "SO-E", 1, "C003", "广州粤丰建材有限公司", "S02", 12000,
         "客户逾期、低于价目表价", datetime(2026, 11, 3), 27, "S02"],
        ["订货单", "SO-A", 2, "C001", "杭州恒达机械有限公司", "S01", 24000, "低于价目表价",
         datetime(2026, 11, 25), 5, "S01"],
        ["订货单合计", None, None, None, None, None, 87200, None, None, None, None],
    ]
    # a month earlier only SO-B was waiting, for 11 days by the end of October
    assert _sheet(api.write_report(pending, "2026-10"), "待审批", 2) == [
        ["订货单", "SO-B", 1, "C004", "深圳创新自动化设备有限公司", "S02", 51200, "超授信额度",
         datetime(2026, 10, 20), 11, "S02"],
        ["订货单合计", None, None, None, None, None, 51200, None, None, None, None],
    ]
    english = configure(pending, language="en")
    rows = _sheet(api.write_report(english, "2026-11"), "Pending", 4)
    assert [row[7] for row in rows] == ["over credit limit", "customer overdue; below list price",
                                        "below list price", None]
    assert rows[3][0] == "Order total"


def test_an_empty_list_still_has_its_total(loaded: Workspace) -> None:
    assert _sheet(api.write_report(loaded, "2026-11"), "待审批", 1) == [
        ["订货单合计", None, None, None, None, None, 0, None, None, None, None]]
