"""发货单 deliveries (spec 4b, issue 22): real forms into a real inbox, through the real ingest
function and the CLI, on SQLite and on PostgreSQL; what the ledger then says was delivered."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sales_sheets.addin.lists import apply_list_refresh, plan_list_refresh
from sales_sheets.api import write_template
from sales_sheets.cli import main
from sales_sheets.intake.check import read_document
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.ledger import Ledger
from sales_sheets.ledger.locks import locks_of
from sales_sheets.rules.delivery import allocate, order_standing
from sales_sheets.rules.facts import DeliveredLine, DeliveredValue, OrderLine
from sales_sheets.workspace import Workspace, open_workspace

from .helpers.approvals import decide
from .helpers.config import configure
from .helpers.forms import codes, drop, one, order_header, query
from .helpers.ledgers import commits_held
from .helpers.offices import run_at_once, second_office

pytestmark = pytest.mark.ledgers

GEARS = {"product_code": "P001", "quantity": 5, "unit_price": "12800"}
COUPLINGS = {"product_code": "P003", "quantity": 10, "unit_price": "460"}
CHEAP = {"product_code": "P001", "quantity": 2, "unit_price": "12000"}  # below list: held


def order(ws: Workspace, no: str = "SO-1", lines: list[dict[str, Any]] | None = None,
          expected: str = "accepted", **header: Any) -> IngestResult:
    drop(ws, "order", f"S01/{no}-{len(list(ws.inbox.rglob('*')))}.xlsx",
         order_header(no=no, **header), lines or [GEARS, COUPLINGS])
    result = one(ws)
    assert result.status == expected, result.problems
    return result


def deliver(ws: Workspace, no: str, order_no: str, *lines: tuple[str, object],
            name: str | None = None, language: str = "zh", **header: Any) -> IngestResult:
    """Drop a 发货单 `no` shipping (product, quantity) of `order_no`; the only result."""
    drop(ws, "delivery", f"S01/{name or no}.xlsx",
         {"delivery_no": no, "delivery_date": date(2026, 11, 5), "order_no": order_no,
          "vehicle_or_picker": "浙A·12345", "signed_by": "周建华", **header},
         [{"product_code": code, "quantity": quantity} for code, quantity in lines],
         language=language)
    return one(ws)


def test_partial_deliveries_add_up_and_the_ledger_values_them(loaded: Workspace) -> None:
    order(loaded)
    first = deliver(loaded, "FH-1", "SO-1", ("P001", 2), ("P003", 4))
    assert (first.status, first.kind, first.document, codes(first)) == (
        "accepted", "delivery", "FH-1", [])
    assert deliver(loaded, "FH-2", "SO-1", ("P001", 3)).status == "accepted"
    over = deliver(loaded, "FH-3", "SO-1", ("P003", 7))
    assert (over.status, codes(over)) == ("rejected", [("over_delivery", "error", "B13")])
    [problem] = over.problems
    assert dict(problem.params) == {"order_no": "SO-1", "left": "6.00", "ordered": "10.00",
                                    "returned": "0.00", "delivered": "4.00"}
    assert problem.message("zh") == (
        "发货数量 7.00 超过订单“SO-1”尚可发货的 6.00（订购 10.00，退货 0.00，已发货 4.00）。")
    assert [p for p in over.outputs if "/rejected/" in p]  # the annotated copy
    assert deliver(loaded, "FH-3", "SO-1", ("P003", 6), name="FH-3b").status == "accepted"
    # The customer and salesperson come from the order where the form leaves them blank.
    assert query(loaded, "SELECT delivery_no, order_no, customer_code, salesperson, signed_by "
                         "FROM deliveries ORDER BY delivery_no") == [
        ("FH-1", "SO-1", "C001", "S01", "周建华"), ("FH-2", "SO-1", "C001", "S01", "周建华"),
        ("FH-3", "SO-1", "C001", "S01", "周建华")]
    with Ledger.of(loaded).reading() as books:
        assert list(books.delivered_lines(["SO-1"])) == [
            DeliveredLine("SO-1", 1, "P001", "ZQ-250", Decimal(5), Decimal(12800), Decimal(5),
                          Decimal("64000.00")),
            DeliveredLine("SO-1", 2, "P003", "LX-3", Decimal(10), Decimal(460), Decimal(10),
                          Decimal("4600.00"))]
        assert list(books.delivered_values("C001")) == [
            DeliveredValue("FH-1", date(2026, 11, 5), "SO-1", "C001", Decimal("27440.00")),
            DeliveredValue("FH-2", date(2026, 11, 5), "SO-1", "C001", Decimal("38400.00")),
            DeliveredValue("FH-3", date(2026, 11, 5), "SO-1", "C001", Decimal("2760.00"))]
        assert books.delivered_value_by_order() == {"SO-1": Decimal("68600.00")}
        assert books.delivered_value_by_order(as_of=date(2026, 11, 4)) == {}
        assert list(books.delivered_values("C002")) == []


def test_a_product_not_on_the_order_an_unknown_order_or_another_customer_is_rejected(
    loaded: Workspace,
) -> None:
    order(loaded)
    result = deliver(loaded, "FH-1", "SO-1", ("P001", 1), ("P002", 1))
    assert (result.status, codes(result)) == (
        "rejected", [("product_not_on_order", "error", "A14")])
    result = deliver(loaded, "FH-1", "SO-404", ("P001", 1), name="FH-1b")
    assert codes(result) == [("unknown_order", "error", "B5")]
    result = deliver(loaded, "FH-1", "SO-1", ("P001", 1), name="FH-1c", customer_code="C002")
    assert codes(result) == [("order_customer_mismatch", "error", "B6")]
    result = deliver(loaded, "FH-1", "SO-1", ("P001", 0), name="FH-1d")
    assert codes(result) == [("range", "error", "B13")]
    assert query(loaded, "SELECT COUNT(*) FROM deliveries") == [(0,)]
    rejected = sorted((loaded.outbox / "rejected" / "S01").glob("*.xlsx"))
    assert len(rejected) == 4
    book = openpyxl.load_workbook(rejected[0])
    assert book.sheetnames[0] != "发货单" and "发货单" in book.sheetnames


def test_held_declined_and_superseded_orders_cannot_be_delivered(loaded: Workspace) -> None:
    held = order(loaded, "SO-H", [CHEAP], expected="held")
    result = deliver(loaded, "FH-1", "SO-H", ("P001", 1))
    assert codes(result) == [("order_held", "error", "B5")]
    assert result.problems[0].message("en") == (
        "Order \u201cSO-H\u201d (version 1) is held for approval; it cannot be delivered or "
        "invoiced until it is approved.")
    [request] = [p for p in held.outputs if "approvals" in p]
    decide(loaded, loaded.root / request, "李强/no.xlsx", decision="不同意", approver="M01")
    assert one(loaded).status == "accepted"
    result = deliver(loaded, "FH-1", "SO-H", ("P001", 1), name="FH-1b")
    assert codes(result) == [("order_declined", "error", "B5")]

    # An accepted order replaced by a revision waiting for approval: held (version 2) ...
    order(loaded, "SO-S", [GEARS])
    revision = order(loaded, "SO-S", [CHEAP], expected="held")
    result = deliver(loaded, "FH-2", "SO-S", ("P001", 1))
    assert codes(result) == [("order_held", "error", "B5")]
    assert dict(result.problems[0].params) == {"version": "2"}
    # ... and once the revision is declined, no version stands: the order was superseded.
    [request] = [p for p in revision.outputs if "approvals" in p]
    decide(loaded, loaded.root / request, "李强/no2.xlsx", decision="不同意", approver="M01")
    assert one(loaded).status == "accepted"
    result = deliver(loaded, "FH-2", "SO-S", ("P001", 1), name="FH-2b")
    assert codes(result) == [("order_superseded", "error", "B5")]
    assert result.problems[0].message("zh") == (
        "订单“SO-S”已被替代，现在没有有效的版本（最新的第 2 版为“已否决”），不能发货或开票。")
    assert query(loaded, "SELECT COUNT(*) FROM deliveries") == [(0,)]
    # A new accepted version makes the order deliverable again.
    order(loaded, "SO-S", [dict(GEARS, quantity=1)])
    assert deliver(loaded, "FH-2", "SO-S", ("P001", 1), name="FH-2c").status == "accepted"


def test_what_an_orders_versions_say_about_delivering_on_it() -> None:
    def rows(*statuses: str) -> list[dict[str, object]]:  # oldest first, as people count
        return [{"version": n, "status": s} for n, s in enumerate(statuses, start=1)][::-1]

    assert order_standing(rows()) == ("unknown_order", {})
    assert order_standing(rows("accepted")) is None
    assert order_standing(rows("superseded", "accepted")) is None
    assert order_standing(rows("held")) == ("order_held", {"version": 1})
    assert order_standing(rows("superseded", "held")) == ("order_held", {"version": 2})
    assert order_standing(rows("declined")) == ("order_declined", {"version": 1})
    assert order_standing(rows("declined", "declined")) == ("order_declined", {"version": 2})
    assert order_standing(rows("superseded", "declined")) == (
        "order_superseded", {"version": 2, "status": "declined"})
    assert order_standing(rows("superseded", "superseded")) == (
        "order_superseded", {"version": 2, "status": "superseded"})


def test_returns_reduce_what_may_be_delivered(loaded: Workspace) -> None:
    order(loaded)
    drop(loaded, "return", "S01/ret.xlsx",
         {"return_no": "TH-1", "return_date": date(2026, 11, 4), "customer_code": "C001",
          "order_no": "SO-1", "reason": "规格不符"},
         [{"product_code": "P001", "quantity": 2, "unit_price": "12800"}])
    assert one(loaded).status == "accepted"
    result = deliver(loaded, "FH-1", "SO-1", ("P001", 4))
    assert codes(result) == [("over_delivery", "error", "B13")]
    assert dict(result.problems[0].params)["returned"] == "2.00"
    assert dict(result.problems[0].params)["left"] == "3.00"
    assert deliver(loaded, "FH-1", "SO-1", ("P001", 3), name="FH-1b").status == "accepted"


def test_a_new_version_of_a_delivery_replaces_the_old_one(loaded: Workspace) -> None:
    order(loaded, lines=[GEARS])
    assert deliver(loaded, "FH-1", "SO-1", ("P001", 5)).status == "accepted"
    assert codes(deliver(loaded, "FH-2", "SO-1", ("P001", 1))) == [
        ("over_delivery", "error", "B13")]
    # FH-1 corrected to 3: its first version's 5 no longer count, against it or anything.
    assert deliver(loaded, "FH-1", "SO-1", ("P001", 3), name="FH-1v2").status == "accepted"
    assert deliver(loaded, "FH-2", "SO-1", ("P001", 2), name="FH-2b").status == "accepted"
    assert query(loaded, "SELECT doc_key, version, status FROM documents WHERE kind = "
                         "'delivery' ORDER BY doc_key, version") == [
        ("FH-1", 1, "superseded"), ("FH-1", 2, "accepted"), ("FH-2", 1, "accepted")]
    with Ledger.of(loaded).reading() as books:
        [line] = books.delivered_lines()
        assert (line.delivered, line.delivered_value) == (Decimal(5), Decimal("64000.00"))
        assert [(v.delivery_no, v.value) for v in books.delivered_values()] == [
            ("FH-1", Decimal("38400.00")), ("FH-2", Decimal("25600.00"))]
    # The same file again changes nothing.
    path = loaded.inbox / "S01" / "again.xlsx"
    drop(loaded, "delivery", "S01/again.xlsx",
         {"delivery_no": "FH-2", "delivery_date": date(2026, 11, 5), "order_no": "SO-1",
          "vehicle_or_picker": "浙A·12345", "signed_by": "周建华"},
         [{"product_code": "P001", "quantity": 2}])
    assert path.exists() and one(loaded).status == "duplicate"


def test_through_the_cli_in_english(loaded: Workspace) -> None:
    order(loaded, lines=[GEARS])
    ws = configure(loaded, language="en")
    drop(ws, "delivery", "S01/ok.xlsx",
         {"delivery_no": "FH-1", "delivery_date": "2026-11-05", "order_no": "SO-1"},
         [{"product_code": "P001", "quantity": 4, "remark": "first half"}], language="en")
    drop(ws, "delivery", "S01/over.xlsx",
         {"delivery_no": "FH-2", "delivery_date": "2026-11-06", "order_no": "SO-1"},
         [{"product_code": "P001", "quantity": 2}, {"product_code": "P003", "quantity": 1}],
         language="en")
    result = CliRunner().invoke(main, ["process", "--json", "-w", str(ws.root)])
    assert result.exit_code == 3, result.output  # a file was rejected
    files = {f["document"]: f for f in json.loads(result.output)["files"]}
    assert (files["FH-1"]["status"], files["FH-1"]["kind"]) == ("accepted", "delivery")
    assert files["FH-2"]["status"] == "rejected"
    assert [(p["code"], p["message"]) for p in files["FH-2"]["problems"]] == [
        ("over_delivery", "Delivering 2.00 is more than the 1.00 left to deliver on order "
                          "\u201cSO-1\u201d (ordered 5.00, returned 0.00, delivered 4.00)."),
        ("product_not_on_order", "Product \u201cP003\u201d is not on order \u201cSO-1\u201d."),
    ]
    assert query(ws, "SELECT remark FROM delivery_lines") == [("first half",)]


def test_the_template_offers_open_orders_and_their_products(loaded: Workspace) -> None:
    order(loaded, "SO-1", [GEARS])  # fully delivered below: not offered
    order(loaded, "SO-2", [COUPLINGS, {"product_code": "P004", "quantity": 2,
                                       "unit_price": "185.50"}])
    order(loaded, "SO-3", [dict(GEARS, quantity=1)], customer="C002")
    order(loaded, "SO-H", [CHEAP], expected="held")  # held: not offered
    assert deliver(loaded, "FH-1", "SO-1", ("P001", 5)).status == "accepted"
    assert deliver(loaded, "FH-2", "SO-2", ("P004", 2)).status == "accepted"
    result = CliRunner().invoke(main, ["template", "delivery", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    path = loaded.templates / "delivery.xlsx"
    book = openpyxl.load_workbook(path)
    lists = book["_lists"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value is not None]
               for col in lists.iter_cols()}
    assert columns["order_no"] == ["SO-2", "SO-3"]
    assert columns["product_code"] == ["P001", "P003"]  # left on SO-2 and SO-3
    assert "S01" in columns["salesperson"]  # master data as before
    validations = {v.formula1: str(v.sqref)
                   for v in book["发货单"].data_validations.dataValidation}
    assert validations["list_order_no"] == "B5"
    assert validations["list_product_code"].startswith("A13:")
    english = CliRunner().invoke(main, ["template", "delivery", "-w",
                                        str(configure(loaded, language="en").root)])
    assert english.exit_code == 0, english.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Delivery note"
    labels = [book["Delivery note"].cell(row, 1).value for row in range(3, 11)]
    assert labels == ["Delivery No.*", "Delivery date*", "Order No.*", "Customer code",
                      "Salesperson", "Vehicle / picker", "Signed by", "Remarks"]


def test_refresh_lists_renews_the_open_orders_of_a_delivery_form(
    loaded: Workspace, tmp_path: Path,
) -> None:
    template = write_template(loaded, "delivery", tmp_path / "desk" / "fh.xlsx")
    order(loaded)
    refresh = plan_list_refresh(loaded, template)
    updates = {u.key: u.values for u in refresh.updates}
    assert (updates["order_no"], updates["product_code"]) == (("SO-1",), ("P001", "P003"))
    book = openpyxl.load_workbook(template)
    apply_list_refresh(book, refresh)
    book.save(template)
    book = openpyxl.load_workbook(template)
    column = next(c.column for c in book["_lists"][1] if c.value == "order_no")
    assert book["_lists"].cell(2, column).value == "SO-1"
    assert book.defined_names["list_order_no"].attr_text.endswith("$2")


def test_what_a_delivery_is_serialised_on(loaded: Workspace) -> None:
    def locks(kind: str, header: dict[str, Any], lines: list[dict[str, Any]]) -> set[str]:
        doc = read_document(drop(loaded, kind, f"{kind}.xlsx", header, lines),
                            loaded.settings.limits).document
        assert doc is not None
        return locks_of(doc)

    line = [{"product_code": "P001", "quantity": 1}]
    assert locks("delivery", {"delivery_no": "FH-1", "delivery_date": "2026-11-05",
                              "order_no": "SO-1"}, line) == {
        "document:order:SO-1", "document:delivery:FH-1"}
    assert locks("delivery", {"delivery_no": "FH-1", "delivery_date": "2026-11-05",
                              "order_no": "SO-1", "customer_code": "C001"}, line) == {
        "customer:C001", "document:order:SO-1", "document:delivery:FH-1"}
    # A return of the order changes what may be delivered on it: it waits for the same lock.
    assert locks("return", {"return_no": "TH-1", "return_date": "2026-11-05",
                            "customer_code": "C001", "order_no": "SO-1", "reason": "x"},
                 [dict(line[0], unit_price="1")]) == {
        "customer:C001", "document:order:SO-1", "document:return:TH-1"}


def test_two_deliveries_of_one_order_at_the_same_moment_do_not_over_deliver(
    loaded: Workspace, tmp_path: Path, ledger_dialect: str,
) -> None:
    """Two offices each ship 3 of the order's 5 at the same moment: the order's lock makes one
    wait and then see the other's delivery."""
    order(loaded, lines=[GEARS])
    other = second_office(loaded, tmp_path / "office2")
    for office, number in ((loaded, "FH-A"), (other, "FH-B")):
        drop(office, "delivery", f"S01/{number}.xlsx",
             {"delivery_no": number, "delivery_date": "2026-11-05", "order_no": "SO-1"},
             [{"product_code": "P001", "quantity": 3}])
    if ledger_dialect == "postgresql":
        # Every commit held back until both have judged their file (one waits for the lock).
        with commits_held(loaded.database_url) as release:
            first, second = run_at_once(tmp_path, loaded, other, started=lambda: release(2))
    else:
        first, second = run_at_once(tmp_path, loaded, other)
    outcomes = sorted((f["status"], tuple(p["code"] for p in f["problems"]))
                      for f in first + second)
    assert outcomes == [("accepted", ()), ("rejected", ("over_delivery",))]
    assert query(loaded, "SELECT SUM(quantity) FROM delivery_lines") == [(30000,)]


KILLED_WORKER = ("import sys; from sales_sheets.workspace import open_workspace; "
                 "from sales_sheets.intake.ingest import process_inbox; "
                 "process_inbox(open_workspace(sys.argv[1]))")


def test_kill_9_while_delivering_loses_nothing_and_over_delivers_nothing(
    loaded: Workspace,
) -> None:
    """Ten orders of 2, three deliveries of 1 each: whatever moment a SIGKILL interrupts the
    processing, the restart ends with two deliveries per order and one over_delivery."""
    for n in range(10):
        drop(loaded, "order", f"S01/SO-{n}.xlsx", order_header(no=f"SO-{n}"),
             [dict(GEARS, quantity=2)])
    assert [r.status for r in process_inbox(loaded)] == ["accepted"] * 10
    names = []
    for n in range(10):
        for k in range(3):
            names.append(f"FH-{n}-{k}")
            drop(loaded, "delivery", f"S01/FH-{n}-{k}.xlsx",
                 {"delivery_no": f"FH-{n}-{k}", "delivery_date": "2026-11-05",
                  "order_no": f"SO-{n}"}, [{"product_code": "P001", "quantity": 1}])
    rng = random.Random(20261205)
    killed = 0
    for delay in (rng.uniform(0.3, 0.6), rng.uniform(0.6, 1.0), rng.uniform(0.2, 1.2)):
        worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, str(loaded.root)],
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            killed += 1
        _, errors = worker.communicate(timeout=60)
        assert worker.returncode in (0, -signal.SIGKILL), errors
    assert killed >= 1
    process_inbox(open_workspace(loaded.root))  # the restart finishes whatever was claimed
    assert sorted(p.name for p in loaded.inbox.rglob("*.xlsx")) == []
    rows = query(loaded, "SELECT document, status FROM intake WHERE kind = 'delivery'")
    assert sorted(document for document, _status in rows) == sorted(names)  # once each
    per_order = query(loaded, "SELECT d.order_no, COUNT(*), SUM(l.quantity) FROM deliveries d "
                              "JOIN delivery_lines l ON l.document_id = d.document_id "
                              "GROUP BY d.order_no ORDER BY d.order_no")
    assert per_order == [(f"SO-{n}", 2, 20000) for n in range(10)]
    assert sorted(status for _document, status in rows) == ["accepted"] * 20 + ["rejected"] * 10


def test_allocation_fills_an_orders_lines_of_a_product_in_line_order() -> None:
    lines = [OrderLine(1, "P001", Decimal(2), Decimal("100")),
             OrderLine(2, "P003", Decimal(1), Decimal("5")),
             OrderLine(3, "P001", Decimal(3), Decimal("90"))]
    values, taken = allocate(lines, [{"P001": Decimal(1)}, {"P001": Decimal(3), "P003": Decimal(1)},
                                     {"P009": Decimal(4)}])
    assert values == [Decimal("100.00"), Decimal("285.00"), Decimal("0.00")]
    assert taken == [Decimal(2), Decimal(1), Decimal(2)]
    # Beyond the lines of a product (an order revised down after shipping): its last price.
    values, taken = allocate(lines, [{"P001": Decimal(6)}])
    assert (values, taken) == ([Decimal("560.00")], [Decimal(2), Decimal(0), Decimal(4)])


_QUANTITIES = st.integers(min_value=1, max_value=50).map(Decimal)
_PRICES = st.integers(min_value=1, max_value=100_000).map(lambda cents: Decimal(cents) / 100)


@given(
    ordered=st.lists(st.tuples(st.sampled_from(["P001", "P003"]), _QUANTITIES, _PRICES),
                     min_size=1, max_size=5),
    shipped=st.lists(st.dictionaries(st.sampled_from(["P001", "P003", "P009"]), _QUANTITIES,
                                     min_size=1), max_size=6),
)
def test_allocation_delivers_every_quantity_once_at_an_order_price(
    ordered: list[tuple[str, Decimal, Decimal]], shipped: list[dict[str, Decimal]],
) -> None:
    lines = [OrderLine(n, code, quantity, price)
             for n, (code, quantity, price) in enumerate(ordered, start=1)]
    values, taken = allocate(lines, shipped)
    on_order = {line.product_code for line in lines}
    # Every quantity of a product on the order lands on one of its lines, and only there.
    for product in on_order:
        assert sum(t for t, line in zip(taken, lines, strict=True)
                   if line.product_code == product) == sum(d.get(product, 0) for d in shipped)
    # The values add up to the lines' quantities at their prices, give or take the rounding
    # of each delivery to the cent.
    exact = sum((t * line.unit_price for t, line in zip(taken, lines, strict=True)), Decimal(0))
    assert abs(sum(values, Decimal(0)) - exact) <= Decimal("0.005") * len(values)
    # A line fills before the next line of its product takes anything.
    for product in on_order:
        mine = [(t, line) for t, line in zip(taken, lines, strict=True)
                if line.product_code == product]
        for (t, line), (later, _next) in zip(mine, mine[1:], strict=False):
            assert later == 0 or t >= line.quantity

