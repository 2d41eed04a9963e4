"""A kind is one declaration: a toy kind declared in this module alone (its migration being the
creation of its tables) goes from its template through the ledger to its acknowledgement, with
no stage asked to know it by name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sales_sheets.forms.form import Document
from sales_sheets.forms.kinds import Field, FieldType, Kind, Ref
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.ledger.database import ledger_of
from sales_sheets.ledger.schema import KIND_TABLES, metadata, tables_of
from sales_sheets.problems import Problem, problem
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace

from .helpers.forms import codes, query

T = FieldType
_MOST = Decimal(10)


def _derive(doc: Document, ctx: Any) -> Document:
    total = sum((line.values["quantity"] or Decimal(0) for line in doc.lines), Decimal(0))
    return replace(doc, derived={"total_quantity": total})


def _check(doc: Document, ctx: Any) -> list[Problem]:
    return [problem("range", **doc.at_line("quantity", line), value=line.values["quantity"],
                    detail=f"≤ {_MOST}")
            for line in doc.lines if (line.values["quantity"] or 0) > _MOST]


SAMPLES = Kind(
    name="sample_request",
    zh="样品申请",
    en="Sample request",
    version=1,
    header=(
        Field("request_no", "申请单号", "Request No.", T.CODE, required=True),
        Field("request_date", "申请日期", "Request date", T.DATE, required=True),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER),
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True,
              ref=Ref.SALESPERSON),
    ),
    table="sample_lines",
    columns=(
        Field("product_code", "产品编码", "Product code", T.CODE, required=True, ref=Ref.PRODUCT),
        Field("quantity", "数量", "Quantity", T.QUANTITY, required=True),
    ),
    line_key=("product_code",),
    identity=("request_no",),
    header_table="sample_requests",
    derived_header=(Field("total_quantity", "合计数量", "Total quantity", T.QUANTITY,
                          required=True),),
    derive=_derive,
    check=_check,
)


@pytest.fixture
def samples(loaded: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The demo's master data, and the toy kind listed and migrated (its tables created)."""
    monkeypatch.setitem(KINDS, SAMPLES.name, SAMPLES)
    tables = tables_of(SAMPLES)
    metadata.create_all(ledger_of(loaded), tables=list(tables.values()))
    yield loaded
    for name, table in tables.items():  # the shipped schema must stay the migrations' own
        metadata.remove(table)
        del KIND_TABLES[name]


def _drop(workspace: Workspace, name: str, quantity: int, language: str = "zh") -> None:
    header = {"request_no": "SR-1", "request_date": date(2026, 11, 20), "customer_code": "C001",
              "salesperson": "S01"}
    lines = [{"product_code": "P001", "quantity": quantity},
             {"product_code": "P002", "quantity": 2}]
    write_form(workspace.inbox / "S01" / name, SAMPLES, language, data=FormData(header, lines))


def test_a_kind_declared_in_one_module_goes_from_template_to_ledger_to_acknowledgement(
        samples: Workspace) -> None:
    _drop(samples, "样品申请.xlsx", 3)
    [result] = process_inbox(samples)
    assert (result.kind, result.status, result.document) == ("sample_request", Status.ACCEPTED,
                                                             "SR-1")
    # Quantities are held exactly, as integers of ten-thousandths (ledger/decimals.py).
    assert query(samples, "SELECT request_no, customer_code, total_quantity FROM sample_requests"
                 ) == [("SR-1", "C001", 5_0000)]
    assert query(samples, "SELECT product_code, quantity FROM sample_lines ORDER BY line_no"
                 ) == [("P001", 3_0000), ("P002", 2_0000)]
    [acknowledgement] = [o for o in result.outputs if o.startswith("outbox/receipts/")]
    text = (samples.root / acknowledgement).read_text(encoding="utf-8")
    assert "样品申请" in text and "SR-1" in text

    _drop(samples, "样品申请-改.xlsx", 12)  # the kind's own rule rejects it
    [rejected] = process_inbox(samples)
    assert rejected.status == Status.REJECTED
    assert [(code, severity) for code, severity, _cell in codes(rejected)] == [("range", "error")]

    _drop(samples, "样品申请-再改.xlsx", 4)  # a new version of SR-1 supersedes the first
    [revised] = process_inbox(samples)
    assert revised.status == Status.ACCEPTED
    assert query(samples, "SELECT version, status FROM documents WHERE kind = 'sample_request' "
                 "ORDER BY version") == [(1, "superseded"), (2, "accepted")]


# A kind with no line table at all: one fact a form, its header fields alone.
CALLS = Kind(
    name="call_note",
    zh="来电记录",
    en="Call note",
    version=1,
    header=(
        Field("call_no", "来电编号", "Call No.", T.CODE, required=True),
        Field("called_on", "来电日期", "Called on", T.DATE, required=True),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER),
        Field("topic", "事由", "Topic", T.TEXT),
    ),
    identity=("call_no",),
    header_table="call_notes",
    owner_field=None,
)


@pytest.fixture
def calls(loaded: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setitem(KINDS, CALLS.name, CALLS)
    tables = tables_of(CALLS)
    assert list(tables) == ["call_notes"]  # no line table
    metadata.create_all(ledger_of(loaded), tables=list(tables.values()))
    yield loaded
    for name, table in tables.items():
        metadata.remove(table)
        del KIND_TABLES[name]


def test_a_kind_without_lines_is_all_header(calls: Workspace) -> None:
    header = {"call_no": "CALL-1", "called_on": date(2026, 11, 20), "customer_code": "C001",
              "topic": "催货"}
    write_form(calls.inbox / "来电.xlsx", CALLS, data=FormData(header))
    [result] = process_inbox(calls)
    assert (result.kind, result.status, result.document) == ("call_note", Status.ACCEPTED,
                                                             "CALL-1")
    assert query(calls, "SELECT call_no, called_on, customer_code, topic FROM call_notes") == [
        ("CALL-1", "2026-11-20", "C001", "催货")]
    write_form(calls.inbox / "来电-改.xlsx", CALLS,
               data=FormData({**header, "customer_code": "C999"}))
    [rejected] = process_inbox(calls)
    assert [code for code, _severity, _cell in codes(rejected)] == ["unknown_customer"]
    write_form(calls.inbox / "空白.xlsx", CALLS, "en")  # blank: what is required, not "no lines"
    [blank] = process_inbox(calls)
    assert [code for code, _severity, _cell in codes(blank)] == ["required"] * 3
