"""Deriving on its own: real forms read and normalised, a real ledger for the price list, and no
validate in between. Validation then only reads; storing takes what derive alone filled in."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection

from sales_sheets.forms.form import Document
from sales_sheets.intake.check import read_document
from sales_sheets.ledger.context import LedgerContext, context_for
from sales_sheets.ledger.database import ledger_of
from sales_sheets.ledger.store import Provenance, store_document
from sales_sheets.rules import derive, validate
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace

from .helpers.forms import Row, drop, order_header, query

pytestmark = pytest.mark.ledgers

D = Decimal
LINES: list[Row] = [
    # Names left blank: they come from the price list. 0.3333 × 185.50 = 61.827... -> 61.83.
    {"product_code": "P004", "quantity": "0.3333", "unit_price": "185.50"},
    # A name typed in stays; the product's own tax rate (6%); a wrong amount stays as entered.
    {"product_code": "P006", "product_name": "现场调试", "quantity": 2, "unit_price": "2000",
     "amount": "3000"},
    # Not in the price list: the default tax rate and no names.
    {"product_code": "P999", "quantity": 1, "unit_price": "10"},
]


def _read(workspace: Workspace, kind: str, header: Mapping[str, object],
          lines: Sequence[Mapping[str, object]]) -> Document:
    path = drop(workspace, kind, f"{kind}.xlsx", header, lines)
    reading = read_document(path, workspace.settings.limits)
    assert reading.document is not None, reading.problems
    return reading.document


@pytest.fixture
def ledger(workspace: Workspace) -> Iterator[Connection]:
    with ledger_of(workspace).connect() as conn:
        yield conn


def _derive(ledger: Connection, doc: Document) -> tuple[Document, LedgerContext]:
    ctx = context_for(ledger, "", None, doc)
    return derive(doc, ctx), ctx


def _snapshot(doc: Document) -> tuple[Any, ...]:
    return copy.deepcopy((doc.header, doc.derived, [(line.values, line.derived)
                                                    for line in doc.lines]))


def _lines(doc: Document) -> list[tuple[Any, ...]]:
    return [tuple(line.final_values().get(k) for k in
                  ("product_name", "spec", "unit", "tax_rate", "amount")) for line in doc.lines]


def test_an_order_gets_names_tax_rates_amounts_and_its_total(
    loaded: Workspace, ledger: Connection
) -> None:
    read = _read(loaded, "order", order_header(), LINES)
    before = _snapshot(read)
    derived, _ = _derive(ledger, read)
    assert _lines(derived) == [
        ("轴承座", "UCP-208", "个", D("0.13"), D("61.83")),
        ("现场调试", None, "次", D("0.06"), D("4000.00")),
        (None, None, None, D("0.13"), D("10.00")),
    ]
    assert derived.derived == {"total": D("4071.83")}
    assert derived.final_header()["total"] == D("4071.83")
    # What the form said is kept apart, and the document that was read is left as it was.
    assert [line.values["amount"] for line in derived.lines] == [None, D("3000.00"), None]
    assert _snapshot(read) == before


def test_an_order_line_without_a_price_gets_no_amount(
    loaded: Workspace, ledger: Connection
) -> None:
    lines: list[Row] = [
        {"product_code": "P001", "quantity": 2, "unit_price": "12800"},
        {"product_code": "P003", "quantity": 5},
    ]
    derived, _ = _derive(ledger, _read(loaded, "order", order_header(), lines))
    assert [line.derived is not None and line.derived.get("amount")
            for line in derived.lines] == [D("25600.00"), None]
    assert derived.derived == {"total": D("25600.00")}


def test_a_return_gets_its_total(loaded: Workspace, ledger: Connection) -> None:
    header = {"return_no": "R-1", "return_date": date(2026, 11, 20), "customer_code": "C001",
              "order_no": "SO-1", "reason": "质量问题"}
    lines: list[Row] = [
        {"product_code": "P004", "quantity": "0.3333", "unit_price": "185.50"},
        {"product_code": "P001", "quantity": 1, "unit_price": "12800"},
    ]
    derived, _ = _derive(ledger, _read(loaded, "return", header, lines))
    assert derived.derived == {"total": D("12861.83")}
    assert [line.derived for line in derived.lines] == [None, None]  # nothing derived per line


def test_a_product_without_a_tax_rate_gets_the_default(
    workspace: Workspace, ledger: Connection
) -> None:
    lines = [{"code": "P1", "name": "甲", "unit": "个", "list_price": "10", "tax_rate": "6%"},
             {"code": "P2", "name": "乙", "unit": "个", "list_price": "10"}]
    derived, _ = _derive(ledger, _read(workspace, "products", {}, lines))
    assert [line.final_values()["tax_rate"] for line in derived.lines] == [D("0.06"), D("0.13")]
    assert [line.values["tax_rate"] for line in derived.lines] == [D("0.06"), None]


def test_kinds_that_derive_nothing_come_back_as_they_are(
    loaded: Workspace, ledger: Connection
) -> None:
    lines = [{"receipt_date": date(2026, 11, 3), "customer_code": "C001", "amount": "100",
              "reference": "B-1"}]
    read = _read(loaded, "receipt", {}, lines)
    derived, _ = _derive(ledger, read)
    assert derived is read
    assert (derived.derived, [line.derived for line in derived.lines]) == ({}, [None])


def test_validate_only_reads(loaded: Workspace, ledger: Connection) -> None:
    read = _read(loaded, "order", order_header(), LINES)
    derived, ctx = _derive(ledger, read)
    for doc in (read, derived):
        before = _snapshot(doc)
        validate(doc, ctx, [])
        assert _snapshot(doc) == before
    assert read.derived == {} and all(line.derived is None for line in read.lines)
    # The entered amount is compared with the derived one, which validate did not set.
    mismatch = [(p.code, p.cell, p.value, dict(p.params)["expected"])
                for p in validate(derived, ctx, []) if p.code == "amount_mismatch"]
    assert mismatch == [("amount_mismatch", "G18", "3000.00", "4000.00")]


def test_storing_after_derive_alone_keeps_the_derived_values(
    loaded: Workspace, ledger: Connection
) -> None:
    derived, _ = _derive(ledger, _read(loaded, "order", order_header(no="SO-D"), LINES))
    # As intake does: one transaction for the lookups and the storing.
    store_document(ledger, derived, Status.ACCEPTED, [],
                   Provenance("c1", "order.xlsx", "", "0" * 64), datetime(2026, 11, 2, 9))
    ledger.commit()
    assert query(loaded, "SELECT order_no, total FROM orders") == [("SO-D", 407183)]
    assert query(loaded, "SELECT product_name, spec, unit, amount, tax_rate FROM order_lines"
                         " ORDER BY line_no") == [
        ("轴承座", "UCP-208", "个", 6183, 1300),
        ("现场调试", None, "次", 400000, 600),
        (None, None, None, 1000, 1300),
    ]
