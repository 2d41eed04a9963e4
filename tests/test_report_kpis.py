"""Every KPI recomputed independently, with plain Python over the same inputs, from a small
known ledger; compared with what the report computes from the database."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sales_sheets.demo import CUSTOMERS, PRODUCTS
from sales_sheets.forms.periods import parse_period
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger import Ledger
from sales_sheets.reports.kpis import build_report, has_detail_lines
from sales_sheets.reports.model import Report
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header

pytestmark = pytest.mark.ledgers

D = date
PRICE = {p["code"]: Decimal(str(p["list_price"])) for p in PRODUCTS}
CUSTOMER: dict[object, dict[str, Any]] = {c["code"]: c for c in CUSTOMERS}

# (order_no, day, customer, salesperson, [(product, quantity, unit price)], approval)
Order = tuple[str, date, str, str, list[tuple[str, int, str]], dict[str, str]]
ORDERS: list[Order] = [
    ("SO-1", D(2026, 11, 2), "C001", "S01", [("P001", 2, "12800"), ("P003", 10, "460")], {}),
    ("SO-2", D(2026, 11, 5), "C002", "S01", [("P002", 1, "8650"), ("P005", 4, "520")], {}),
    ("SO-3", D(2026, 11, 15), "C006", "S03", [("P002", 2, "8650")], {}),
    ("SO-4", D(2026, 11, 20), "C005", "S03", [("P001", 1, "12800")], {}),
    ("SO-6", D(2026, 10, 12), "C001", "S01", [("P003", 5, "460")], {}),
    # a revision of SO-2: only this version counts
    ("SO-2", D(2026, 11, 5), "C002", "S01", [("P002", 2, "8650"), ("P005", 4, "520")], {}),
]
HELD: Order = ("SO-5", D(2026, 11, 10), "C004", "S02", [("P001", 1, "12000")], {})
RECEIPTS: list[dict[str, Any]] = [
    {"receipt_date": D(2026, 11, 8), "customer_code": "C001", "amount": "20000",
     "reference": "R-1", "order_no": "SO-1"},
    {"receipt_date": D(2026, 11, 12), "customer_code": "C002", "amount": "5000",
     "reference": "R-2", "salesperson": "S03"},
    {"receipt_date": D(2026, 10, 30), "customer_code": "C001", "amount": "1000",
     "reference": "R-3"},
]
PLANS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("S01", "2026-11", [{"target_amount": "100000", "target_collection": "50000",
                         "target_new_customers": 1}]),
    ("S01", "2026-10", [{"target_amount": "40000", "target_collection": "30000"},
                        {"customer_code": "C001", "target_amount": "40000"}]),
    ("S03", "2026-Q4", [{"target_amount": "300000", "target_collection": "200000",
                         "target_new_customers": 2}]),
]
VISITS = [
    {"visit_date": D(2026, 11, 16), "customer_code": "C001", "purpose": "回访", "planned": "是",
     "visited": "是"},
    {"visit_date": D(2026, 11, 17), "customer_code": "C002", "purpose": "催款", "planned": "是",
     "visited": "否"},
    {"visit_date": D(2026, 11, 18), "prospect_name": "绍兴越达", "purpose": "开发",
     "planned": "否", "visited": "是"},
]


def _load(ws: Workspace) -> None:
    # Two batches: the revision of SO-2 must arrive after the first version.
    for batch, outcomes in ((ORDERS[:5], {"accepted"}), ([ORDERS[5], HELD], {"accepted", "held"})):
        for no, day, customer, person, lines, extra in batch:
            header = order_header(no=no, day=day, customer=customer, salesperson=person,
                                  overdue_approval_no="YQ-1", **extra)
            drop(ws, "order", f"{person}/{no}-v{len(batch)}.xlsx", header,
                 [{"product_code": p, "quantity": q, "unit_price": u} for p, q, u in lines])
        if len(batch) == 5:
            drop(ws, "receipt", "receipts.xlsx", lines=RECEIPTS)
        assert {r.status for r in process_inbox(ws)} == outcomes
    for person, period, plan in PLANS:
        drop(ws, "plan", f"{person}/{period}.xlsx", {"salesperson": person, "period": period},
             plan)
    drop(ws, "visit", "S01/v.xlsx", {"salesperson": "S01", "week_start": D(2026, 11, 16)}, VISITS)
    assert {r.status for r in process_inbox(ws)} == {"accepted"}


def _expected(period_label: str) -> dict[str, Any]:
    """The KPIs by hand from the inputs above."""
    period = parse_period(period_label)
    latest: dict[str, tuple[Any, ...]] = {}
    for order in ORDERS:
        latest[order[0]] = order  # later versions replace earlier ones
    inside = [o for o in latest.values() if period.contains(o[1])]

    def total(order: tuple[Any, ...]) -> Decimal:
        return sum((q * Decimal(u) for _, q, u in order[4]), Decimal("0.00"))

    sales: dict[str, Decimal] = defaultdict(Decimal)
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    by_customer: dict[str, Decimal] = defaultdict(Decimal)
    by_product: dict[str, Decimal] = defaultdict(Decimal)
    for order in inside:
        sales[order[3]] += total(order)
        by_region[CUSTOMER[order[2]]["region"]] += total(order)
        by_customer[order[2]] += total(order)
        for product, quantity, unit in order[4]:
            by_product[product] += quantity * Decimal(unit)
    collected: dict[str, Decimal] = defaultdict(Decimal)
    for receipt in RECEIPTS:
        if period.contains(receipt["receipt_date"]):
            person = receipt.get("salesperson") or CUSTOMER[receipt["customer_code"]]["salesperson"]
            collected[person] += Decimal(receipt["amount"])
    new: dict[str, int] = defaultdict(int)
    for code, customer in CUSTOMER.items():
        if period.contains(customer["created"]) and code in by_customer:
            new[customer["salesperson"]] += 1
    return {"sales": sales, "regions": by_region, "customers": by_customer,
            "products": by_product, "collected": collected, "plans": _plans(period_label),
            "new": new,
            "held": {HELD[3]: total(HELD)} if period.contains(HELD[1]) else {}}


def _plans(label: str) -> dict[str, dict[str, Decimal]]:
    """The plan of the period itself, else the sum of its months' plans."""
    period = parse_period(label)
    plans: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    own = {person for person, plan_period, _ in PLANS if plan_period == label}
    for person, plan_period, lines in PLANS:
        counts = plan_period == label or (person not in own and plan_period in period.months())
        for line in lines if counts else []:
            for key in ("target_amount", "target_collection", "target_new_customers"):
                if key in line:
                    plans[person][key] += Decimal(str(line[key]))
    return plans


@pytest.fixture
def ledger(loaded: Workspace) -> Workspace:
    _load(loaded)
    return loaded


def _report(ws: Workspace, label: str) -> Report:
    return build_report(ws, Ledger.of(ws), parse_period(label))


@pytest.mark.parametrize("label", ["2026-11", "2026-Q4", "2026"])
def test_salesperson_kpis(ledger: Workspace, label: str) -> None:
    expected = _expected(label)
    report = _report(ledger, label)
    for row in report.salespeople:
        plan = expected["plans"].get(row.code, {})
        assert row.sales_actual == expected["sales"].get(row.code, 0), row.code
        assert row.sales_target == plan.get("target_amount"), row.code
        if plan.get("target_amount"):
            assert row.achievement == row.sales_actual / plan["target_amount"]
        assert row.receipts == expected["collected"].get(row.code, 0), row.code
        assert row.collection_target == plan.get("target_collection"), row.code
        assert row.new_customers == expected["new"].get(row.code, 0), row.code
        target_new = plan.get("target_new_customers")
        assert row.new_customer_target == (int(target_new) if target_new else None), row.code
        assert row.held_amount == expected["held"].get(row.code, 0), row.code
    s01 = next(r for r in report.salespeople if r.code == "S01")
    in_november = parse_period(label).contains(D(2026, 11, 16))
    assert (s01.visits_planned, s01.visits_done, s01.visits_unplanned) == (
        (2, 1, 1) if in_november else (0, 0, 0))


def test_quarter_targets_sum_the_months_where_no_quarter_plan_exists(ledger: Workspace) -> None:
    rows = {r.code: r for r in _report(ledger, "2026-Q4").salespeople}
    assert rows["S01"].sales_target == Decimal("180000.00")  # October 80,000 + November 100,000
    assert rows["S03"].sales_target == Decimal("300000.00")  # its own quarterly plan


@pytest.mark.parametrize("label", ["2026-11", "2026-Q4"])
def test_regions_products_customers(ledger: Workspace, label: str) -> None:
    expected = _expected(label)
    report = _report(ledger, label)
    grand = sum(expected["customers"].values())
    assert {r.region: r.amount for r in report.regions} == dict(expected["regions"])
    assert {p.code: p.amount for p in report.products} == dict(expected["products"])
    assert sum(r.share or 0 for r in report.regions) == pytest.approx(1)
    ranked = sorted(expected["customers"].items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(c.code, c.amount) for c in report.customers] == ranked
    running = Decimal(0)
    for row in report.customers:
        before = running / grand
        running += row.amount
        assert row.abc == ("A" if before < Decimal("0.8") else "B" if before < Decimal("0.95")
                           else "C")
        assert row.cumulative_share == running / grand


def test_trend_aging_contracts_and_visits(ledger: Workspace) -> None:
    report = _report(ledger, "2026-11")
    trend = {t.month: t for t in report.trend}
    assert list(trend) == [f"{y}-{m:02d}" for y, m in
                           [(2025, 12)] + [(2026, m) for m in range(1, 12)]]
    assert trend["2026-10"].orders == Decimal("2300.00")
    assert trend["2026-10"].receipts == Decimal("1000.00")
    assert trend["2026-11"].orders == sum(_expected("2026-11")["customers"].values())
    statuses = [(c.order_no, c.version, c.status) for c in report.contracts()]
    assert ("SO-2", 1, "superseded") in statuses and ("SO-2", 2, "accepted") in statuses
    held = next(c for c in report.contracts() if c.order_no == "SO-5")
    assert (held.status, held.hold_reasons, held.contract_file) == (
        "held", ("price_below_list",), "")
    so1 = next(c for c in report.contracts() if c.order_no == "SO-1")
    assert so1.received == Decimal("20000.00")
    assert so1.contract_file == "outbox/contracts/C001/SO-1.docx"
    assert [(v.salesperson, v.week_start, v.planned, v.done, v.unplanned)
            for v in report.visits] == [("S01", D(2026, 11, 16), 2, 1, 1)]
    # C003's opening 86,400 from 1 Aug, 30 days: due 31 Aug, 91 days late on 30 Nov
    c003 = next(a for a in report.aging if a.code == "C003")
    assert (c003.balance, c003.overdue_over_90) == (Decimal("86400.00"), Decimal("86400.00"))
    assert report.aging[0].overdue > 0 and all(
        a.overdue == 0 for a in report.aging if a.code in ("C006",))
    c001 = next(a for a in report.aging if a.code == "C001")
    # SO-6 (Oct 12) 2,300 and SO-1 (Nov 2) 30,200 less 21,000 received, oldest first
    assert c001.balance == Decimal("11500.00") and c001.not_due == Decimal("11500.00")
    details = list(report.details())
    assert len(details) == sum(len(o[4]) for o in _latest_in_november())
    assert sum(d.amount for d in details) == trend["2026-11"].orders


def _latest_in_november() -> list[tuple[Any, ...]]:
    latest = {o[0]: o for o in ORDERS}
    return [o for o in latest.values() if o[1].month == 11]


def _table(sheet: Any, first_heading: str) -> list[dict[str, Any]]:
    """The rows under the header row that starts with `first_heading`, up to the totals."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == first_heading)
    headings = rows[start]
    table = []
    for row in rows[start + 1:]:
        if row[0] in (None, "合计"):
            break
        table.append(dict(zip(headings, row, strict=False)))
    return table


def _money(value: Decimal | int) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def test_the_workbook_cells_equal_the_hand_computed_kpis(ledger: Workspace) -> None:
    """Cell by cell: the written workbook against the KPIs computed by hand from the inputs."""
    from openpyxl import load_workbook

    from sales_sheets.reports.summary import write_summary

    path = write_summary(ledger, parse_period("2026-11"))
    assert path == ledger.outbox / "reports" / "2026-11" / "销售汇总_2026-11.xlsx"
    book = load_workbook(path)
    expected = _expected("2026-11")
    for row in _table(book["业务员达成"], "编码"):
        code, plan = row["编码"], expected["plans"].get(row["编码"], {})
        assert row["实际订单金额"] == _money(expected["sales"].get(code, 0)), code
        assert row["销售目标"] == (_money(plan["target_amount"]) if plan else None), code
        assert row["回款金额"] == _money(expected["collected"].get(code, 0)), code
        assert row["新客户数"] == expected["new"].get(code, 0), code
        assert row["待审批订单（未计入）"] == _money(expected["held"].get(code, 0)), code
        if plan:
            assert row["计划达成率"] == pytest.approx(
                float(expected["sales"].get(code, 0) / plan["target_amount"]))
        else:
            assert row["计划达成率"] is None
    regions = {r["片区"]: r["订单金额"] for r in _table(book["片区"], "片区")}
    assert regions == {k: _money(v) for k, v in expected["regions"].items()}
    products = {r["产品编码"]: r["金额"] for r in _table(book["产品"], "产品编码")}
    assert products == {k: _money(v) for k, v in expected["products"].items()}
    customers = _table(book["客户"], "排名")
    ranked = sorted(expected["customers"].items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(r["客户编码"], r["订单金额"]) for r in customers] == [
        (code, _money(amount)) for code, amount in ranked]
    assert [r["ABC分类"] for r in customers] == [
        c.abc for c in _report(ledger, "2026-11").customers]
    contracts = _table(book["合同台账"], "订单号")
    assert {(r["订单号"], r["版本"], r["状态"]) for r in contracts} >= {
        ("SO-2", 1, "已被新版本替代"), ("SO-2", 2, "已接收"), ("SO-5", 1, "待审批")}


def test_a_helper_process_renders_the_same_workbook(ledger: Workspace,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """明细 of many lines is rendered in a spawned helper process: byte for byte the workbook
    written in one process."""
    from sales_sheets.reports import summary

    period = parse_period("2026")
    monkeypatch.setattr(summary, "HELPER_LINES", 10**9)
    alone = summary.write_summary(ledger, period).read_bytes()
    monkeypatch.setattr(summary, "HELPER_LINES", 1)
    assert has_detail_lines(Ledger.of(ledger), period, 1)
    assert summary.write_summary(ledger, period).read_bytes() == alone


def test_scaled_integers_stay_exact_when_the_remembered_ones_are_forgotten() -> None:
    from sales_sheets.ledger.detail_lines import Scaled

    amounts = Scaled(2)
    assert all(str(amounts[fen]) == f"{Decimal(fen) / 100:.2f}" for fen in range(-5, 100_010))
    assert len(amounts) < 100_000 and str(amounts[7]) == "0.07"
