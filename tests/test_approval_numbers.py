"""Approval numbers left blank: the next free number of the day, whatever the day's numbers
typed by hand look like. Real forms, a real ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sales_sheets.api import write_template
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger.database import ledger_of
from sales_sheets.workspace import Workspace

from .helpers.approvals import approval_number_plan, decide
from .helpers.forms import query

DAY = date(2026, 11, 25)


def standing(ws: Workspace, blank: Path, name: str, approval_no: str | None) -> None:
    decide(ws, blank, name, approval_type="逾期客户月度发货审批", customer_code="C003",
           period="2026-12", amount_cap=10000, decision="同意", approver="M02",
           approved_on=DAY, approval_no=approval_no, remarks=name)  # no two files alike


def numbers(ws: Workspace) -> list[str]:
    return [no for (no,) in query(ws, "SELECT approval_no FROM approvals ORDER BY document_id")]


def test_a_blank_number_follows_the_largest_number_of_the_day(
    loaded: Workspace, tmp_path: Path,
) -> None:
    blank = write_template(loaded, "approval", tmp_path / "blank.xlsx")
    typed = ["AP-20261125-0998", "AP-20261125-99X", "AP-20261125-999", "AP-20261125-",
             "AP-20261124-5000", "SP-7"]
    for n, no in enumerate(typed):
        standing(loaded, blank, f"typed-{n}.xlsx", no)
    assert [r.status for r in process_inbox(loaded)] == ["accepted"] * len(typed)
    for n in range(2):  # one at a time: each sees the one before
        standing(loaded, blank, f"blank-{n}.xlsx", None)
        assert [r.status for r in process_inbox(loaded)] == ["accepted"]
    assert numbers(loaded)[len(typed):] == ["AP-20261125-1000", "AP-20261125-1001"]


def test_the_first_number_of_a_day_is_001(loaded: Workspace, tmp_path: Path) -> None:
    blank = write_template(loaded, "approval", tmp_path / "blank.xlsx")
    standing(loaded, blank, "typed.xlsx", "AP-20261124-007")  # another day
    standing(loaded, blank, "blank.xlsx", None)
    assert [r.status for r in process_inbox(loaded)] == ["accepted", "accepted"]
    assert sorted(numbers(loaded)) == ["AP-20261124-007", "AP-20261125-001"]


@pytest.mark.ledgers
def test_the_days_numbers_are_read_through_the_index(loaded: Workspace) -> None:
    """The largest number of the day is read from the end of the day's range of
    ix_approvals_day_number, unsorted: reading every approval of the ledger, or sorting the
    day's numbers, once per form made a busy day quadratic."""
    with ledger_of(loaded).connect() as conn:
        number, plan = approval_number_plan(conn, DAY)
    assert number == "AP-20261125-001"
    assert "ix_approvals_day_number" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan
