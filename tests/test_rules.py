"""The validation rules of each kind, asserted on (code, severity, cell) tuples, never on prose."""

from datetime import date
from pathlib import Path

import pytest

from sales_sheets.errors import UsageError
from sales_sheets.intake.approvals import release_order
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import Row, codes, drop, one, order_header, query

pytestmark = pytest.mark.ledgers

P001 = {"product_code": "P001", "quantity": 1, "unit_price": "12800"}


def test_a_clean_order_is_accepted_with_derived_values(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(), [P001])
    result = one(loaded)
    assert (result.status, result.problems) == ("accepted", [])
    assert query(loaded, "SELECT product_name, spec, unit, amount, tax_rate FROM order_lines") == [
        ("齿轮减速机", "ZQ-250", "台", 1280000, 1300)]


def test_required_type_and_reference_errors_reject_the_whole_file(loaded: Workspace) -> None:
    header = order_header(customer="C404", salesperson="S99", order_date="next week")
    header.pop("delivery_address")
    lines: list[Row] = [
        {"product_code": "P999", "quantity": "lots", "unit_price": "1"},
        {"product_code": "P001", "quantity": -1, "unit_price": 0},
    ]
    drop(loaded, "order", "S01/o.xlsx", header, lines)
    result = one(loaded)
    assert result.status == "rejected"
    assert sorted(codes(result)) == sorted([
        ("required", "error", "B7"),
        ("type", "error", "B4"),
        ("unknown_customer", "error", "B5"),
        ("unknown_salesperson", "error", "B6"),
        ("unknown_product", "error", "A17"),
        ("type", "error", "D17"),
        ("range", "error", "D18"),
        ("range", "error", "F18"),
    ])
    assert query(loaded, "SELECT COUNT(*) FROM documents WHERE kind='order'") == [(0,)]


def test_price_below_list_holds_unless_approved(loaded: Workspace) -> None:
    cheap = {"product_code": "P001", "quantity": 1, "unit_price": "12000"}
    drop(loaded, "order", "S01/a.xlsx", order_header(no="SO-A"), [cheap])
    held = one(loaded)
    assert (held.status, codes(held)) == ("held", [("price_below_list", "hold", "F17")])
    drop(loaded, "order", "S01/a2.xlsx", order_header(no="SO-A", price_approval_no="SP-1"),
         [cheap])
    assert one(loaded).status == "accepted"
    assert query(loaded, "SELECT status FROM documents WHERE kind='order' ORDER BY version") == [
        ("superseded",), ("accepted",)]


def test_price_below_floor_is_an_error_even_with_approval(loaded: Workspace) -> None:
    line = {"product_code": "P001", "quantity": 1, "unit_price": "10000"}
    drop(loaded, "order", "S01/a.xlsx", order_header(price_approval_no="SP-1"), [line])
    assert codes(one(loaded)) == [("price_below_floor", "error", "F17")]


def test_an_overdue_customer_is_held_unless_approved(loaded: Workspace) -> None:
    # C003 opened with 86,400 owed on 2026-08-01 and 30 payment days
    line = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
    drop(loaded, "order", "S02/a.xlsx", order_header(customer="C003", salesperson="S02"), [line])
    assert codes(one(loaded)) == [("customer_overdue", "hold", "B5")]
    early = order_header(no="SO-2", customer="C003", salesperson="S02", day=date(2026, 8, 20))
    drop(loaded, "order", "S02/b.xlsx", early, [line])
    assert one(loaded).status == "accepted"  # not overdue yet on the order date
    approved = order_header(no="SO-3", customer="C003", salesperson="S02",
                            overdue_approval_no="YQ-7")
    drop(loaded, "order", "S02/c.xlsx", approved, [line])
    assert one(loaded).status == "accepted"


def test_receipts_pay_the_oldest_items_first(loaded: Workspace) -> None:
    drop(loaded, "receipt", "r.xlsx", lines=[
        {"receipt_date": date(2026, 10, 1), "customer_code": "C003", "amount": "86400",
         "reference": "R-1"}])
    assert one(loaded).status == "accepted"
    line = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
    drop(loaded, "order", "S02/a.xlsx", order_header(customer="C003", salesperson="S02"), [line])
    assert one(loaded).status == "accepted"


def test_credit_limit_counts_balance_plus_this_order(loaded: Workspace) -> None:
    # C004: credit limit 50,000
    four = {"product_code": "P001", "quantity": 3, "unit_price": "12800"}  # 38,400
    drop(loaded, "order", "S02/a.xlsx", order_header(no="SO-1", customer="C004",
                                                     salesperson="S02"), [four])
    assert one(loaded).status == "accepted"
    drop(loaded, "order", "S02/b.xlsx", order_header(no="SO-2", customer="C004",
                                                     salesperson="S02"), [four])
    result = one(loaded)
    assert codes(result) == [("credit_limit_exceeded", "hold", "B5")]
    assert dict(result.problems[0].params) == {
        "balance": "38400.00", "amount": "38400.00", "limit": "50000.00"}
    # a revision of SO-1 replaces it in the balance instead of adding to it
    drop(loaded, "order", "S02/a2.xlsx", order_header(no="SO-1", customer="C004",
                                                      salesperson="S02"), [dict(four, quantity=2)])
    assert one(loaded).status == "accepted"


def test_held_orders_do_not_count_until_released(loaded: Workspace) -> None:
    big = {"product_code": "P001", "quantity": 4, "unit_price": "12800"}  # 51,200 > 50,000
    drop(loaded, "order", "S02/a.xlsx", order_header(no="SO-1", customer="C004",
                                                     salesperson="S02"), [big])
    assert one(loaded).status == "held"
    small = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
    drop(loaded, "order", "S02/b.xlsx", order_header(no="SO-2", customer="C004",
                                                     salesperson="S02"), [small])
    assert one(loaded).status == "accepted"
    release = release_order(loaded, "so-1", "CW-2026-9")
    assert release.reasons == ("credit_limit_exceeded",)
    assert query(loaded, "SELECT status, approval FROM documents WHERE doc_key='SO-1'") == [
        ("accepted", "CW-2026-9")]
    with pytest.raises(UsageError):
        release_order(loaded, "SO-1", "again")
    with pytest.raises(UsageError):
        release_order(loaded, "SO-404", "x")


def test_amount_mismatch_and_other_salesperson_warn_but_accept(loaded: Workspace) -> None:
    line = dict(P001, amount="12000")
    drop(loaded, "order", "S02/a.xlsx", order_header(salesperson="S02"), [line])
    result = one(loaded)
    assert result.status == "accepted"
    assert codes(result) == [("not_assigned_salesperson", "warning", "B6"),
                             ("amount_mismatch", "warning", "G17")]
    assert query(loaded, "SELECT amount FROM order_lines") == [(1280000,)]


def test_duplicate_lines(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/a.xlsx", order_header(), [P001, P001])
    result = one(loaded)
    assert codes(result) == [("duplicate_line", "error", "A18")]
    assert dict(result.problems[0].params)["other_row"] == "17"


def test_visit_rules(loaded: Workspace) -> None:
    lines = [
        {"visit_date": date(2026, 11, 17), "customer_code": "C001", "purpose": "回访",
         "planned": "是", "visited": "是"},
        {"visit_date": date(2026, 11, 24), "customer_code": "C002", "purpose": "催款",
         "planned": "Y", "visited": "N"},
        {"visit_date": date(2026, 11, 18), "purpose": "开发", "planned": "否", "visited": "也许"},
    ]
    drop(loaded, "visit", "S01/v.xlsx", {"salesperson": "S01", "week_start": date(2026, 11, 16)},
         lines)
    assert sorted(codes(one(loaded))) == sorted([
        ("date_outside_week", "error", "A8"),
        ("customer_or_prospect", "error", "B9"),
        ("type", "error", "F9"),
    ])
    drop(loaded, "visit", "S01/v2.xlsx", {"salesperson": "S01", "week_start": date(2026, 11, 17)},
         lines[:1])
    assert codes(one(loaded)) == [("not_monday", "error", "B4")]


def test_visit_week_resubmitted_supersedes(loaded: Workspace) -> None:
    header = {"salesperson": "S01", "week_start": date(2026, 11, 16)}
    line = {"visit_date": date(2026, 11, 17), "prospect_name": "绍兴越达纺机", "purpose": "开发",
            "planned": "是", "visited": "否"}
    drop(loaded, "visit", "S01/v.xlsx", header, [line])
    assert one(loaded).status == "accepted"
    drop(loaded, "visit", "S01/v.xlsx", header, [dict(line, visited="是")])
    assert one(loaded).status == "accepted"
    assert query(loaded, "SELECT d.status, v.visited FROM visits v JOIN documents d "
                         "ON d.id = v.document_id ORDER BY d.version") == [
        ("superseded", 0), ("accepted", 1)]


def test_plan_rules(loaded: Workspace) -> None:
    drop(loaded, "plan", "S01/q.xlsx", {"salesperson": "S01", "period": "2026-Q4"},
         [{"target_amount": "300000"}])
    assert one(loaded).status == "accepted"
    for month, amount in (("2026-10", "100000"), ("2026-11", "100000")):
        drop(loaded, "plan", f"S01/{month}.xlsx", {"salesperson": "S01", "period": month},
             [{"target_amount": amount}])
        assert one(loaded).problems == []
    drop(loaded, "plan", "S01/12.xlsx", {"salesperson": "S01", "period": "2026-12"},
         [{"target_amount": "90000"}])
    result = one(loaded)
    assert (result.status, codes(result)) == ("accepted", [("plan_mismatch", "warning", "B4")])
    drop(loaded, "plan", "S01/bad.xlsx", {"salesperson": "S01", "period": "2026-13"},
         [{"target_amount": "-5"}])
    assert sorted(codes(one(loaded))) == [("range", "error", "C7"), ("type", "error", "B4")]


def test_receipt_rules(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"), [P001])
    one(loaded)
    first = [{"receipt_date": date(2026, 11, 3), "customer_code": "C001", "amount": "100",
              "reference": "BK-1", "order_no": "SO-1"}]
    drop(loaded, "receipt", "r1.xlsx", lines=first)
    assert one(loaded).status == "accepted"
    again = [dict(first[0], amount="200"),
             {"receipt_date": date(2026, 11, 3), "customer_code": "C002", "amount": "0",
              "reference": "BK-2", "order_no": "SO-1"},
             {"receipt_date": date(2026, 11, 3), "customer_code": "C002", "amount": "5",
              "reference": "BK-3", "order_no": "SO-404"}]
    drop(loaded, "receipt", "r2.xlsx", lines=again)
    assert sorted(codes(one(loaded))) == sorted([
        ("duplicate_reference", "error", "E4"),
        ("range", "error", "C5"),
        ("order_customer_mismatch", "error", "F5"),
        ("unknown_order", "error", "F6"),
    ])


def test_return_rules(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-1"),
         [dict(P001, quantity=3)])
    one(loaded)
    header = {"return_no": "TH-1", "return_date": date(2026, 11, 9), "customer_code": "C001",
              "order_no": "SO-1", "reason": "质量问题"}
    drop(loaded, "return", "S01/t1.xlsx", header,
         [{"product_code": "P001", "quantity": 2, "unit_price": "12800"}])
    assert one(loaded).status == "accepted"
    assert query(loaded, "SELECT total FROM returns") == [(2560000,)]
    drop(loaded, "return", "S01/t2.xlsx", dict(header, return_no="TH-2"),
         [{"product_code": "P001", "quantity": 2, "unit_price": "12800"},
          {"product_code": "P003", "quantity": 1, "unit_price": "460"}])
    assert sorted(codes(one(loaded))) == [("product_not_on_order", "error", "A11"),
                                          ("return_exceeds_order", "error", "B10")]
    drop(loaded, "return", "S01/t3.xlsx", dict(header, reason="重复"),
         [{"product_code": "P001", "quantity": 1, "unit_price": "12800"}])
    assert codes(one(loaded)) == [("duplicate_return", "error", "B3")]


def test_master_data_is_upserted_by_code(loaded: Workspace) -> None:
    drop(loaded, "products", "p.xlsx", lines=[
        {"code": "P001", "name": "齿轮减速机（新款）", "unit": "台", "list_price": "13500",
         "floor_price": "12000"},
        {"code": "P100", "name": "新产品", "unit": "个", "list_price": "10", "floor_price": "20"}])
    assert codes(one(loaded)) == [("range", "error", "F5")]
    drop(loaded, "products", "p2.xlsx", lines=[
        {"code": "P001", "name": "齿轮减速机（新款）", "unit": "台", "list_price": "13500"}])
    assert one(loaded).status == "accepted"
    assert query(loaded, "SELECT name, list_price, tax_rate FROM products WHERE code='P001'") == [
        ("齿轮减速机（新款）", 1350000, 1300)]
    assert query(loaded, "SELECT COUNT(*) FROM products") == [(6,)]


def test_new_customers_need_a_record_first(workspace: Workspace) -> None:
    drop(workspace, "customers", "c.xlsx", lines=[
        {"code": "C001", "name": "甲", "region": "华东", "salesperson": "S01",
         "created": date(2026, 1, 1)}])
    assert codes(one(workspace)) == [("unknown_salesperson", "error", "D4")]


def _enforce(workspace: Workspace) -> Workspace:
    return configure(workspace, access={"submit_for_others": ["A01"], "master_data": ["A01"]})


def test_access_rules_when_enforced(loaded: Workspace) -> None:
    ws = _enforce(loaded)
    drop(ws, "order", "S02/a.xlsx", order_header(no="SO-1"), [P001])
    assert codes(one(ws)) == [("wrong_owner", "error", "B6")]
    drop(ws, "order", "a.xlsx", order_header(no="SO-1"), [P001])
    assert codes(one(ws)) == [("no_owner_folder", "error", "")]
    drop(ws, "products", "S01/p.xlsx", lines=[
        {"code": "P001", "name": "x", "unit": "台", "list_price": "1"}])
    assert codes(one(ws)) == [("master_data_not_allowed", "error", "")]
    drop(ws, "order", "A01/a.xlsx", order_header(no="SO-1"), [P001])
    assert one(ws).status == "accepted"
    drop(ws, "order", "S01/b.xlsx", order_header(no="SO-2"), [P001])
    result = one(ws)
    assert result.status == "accepted"
    assert query(ws, "SELECT folder FROM documents WHERE doc_key='SO-2'") == [("S01",)]


def test_messages_follow_the_configured_language(loaded: Workspace, tmp_path: Path) -> None:
    ws = configure(loaded, language="en")
    drop(ws, "order", "S01/a.xlsx", order_header(customer="C404"), [P001], language="en")
    result = one(ws)
    assert result.problems[0].message("en") == (
        "Customer code \u201cC404\u201d does not exist; new customers need a record first.")
    receipt = (ws.root / result.outputs[0]).read_text(encoding="utf-8")
    assert "rejected" in receipt and "Customer code" in receipt
