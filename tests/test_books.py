"""The ledger's one door (ledger/books.py): a unit of work commits everything it did or nothing,
and a reading one keeps nothing and reads one snapshot."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from sales_sheets.forms.form import Document
from sales_sheets.intake.check import read_document
from sales_sheets.ledger import Ledger, Provenance
from sales_sheets.rules import derive
from sales_sheets.status import Status
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header, query

pytestmark = pytest.mark.ledgers

NOW = datetime(2026, 11, 23, 9, 30)
SHA = "5" * 64
TABLES = ("documents", "orders", "order_lines", "intake")


def _order(workspace: Workspace) -> Document:
    path = drop(workspace, "order", "S01/o.xlsx", order_header(no="SO-UOW"),
                [{"product_code": "P001", "quantity": 2, "unit_price": "185.50"}])
    reading = read_document(path, workspace.settings.limits)
    assert reading.document is not None, reading.problems
    return reading.document


def _intake(claim_id: str) -> dict[str, Any]:
    return {"claim_id": claim_id, "file_name": "S01/o.xlsx", "folder": "S01", "sha256": SHA,
            "size": 1, "kind": "order", "status": Status.ACCEPTED, "problems": json.dumps([]),
            "outputs": json.dumps([]), "processed_at": NOW}


def _counts(workspace: Workspace) -> dict[str, int]:
    return {table: query(workspace, f"select count(*) from {table}")[0][0] for table in TABLES}


def test_a_transaction_stores_everything_or_nothing(loaded: Workspace) -> None:
    ledger = Ledger.of(loaded)
    read = _order(loaded)
    source = Provenance("claim-1", "S01/o.xlsx", "S01", SHA)
    before = _counts(loaded)
    with pytest.raises(IntegrityError), ledger.transaction() as books:
        doc = derive(read, books.context("S01", None, read))
        books.store_document(doc, Status.ACCEPTED, [], source, NOW)
        books.record_intake(_intake("claim-1"))
        # The same content again: documents.sha256 is unique, so this one fails...
        books.store_document(doc, Status.ACCEPTED, [], source, NOW)
    # ...and what the unit of work stored before it is gone with it.
    assert _counts(loaded) == before
    with ledger.transaction() as books:
        doc = derive(read, books.context("S01", None, read))
        books.store_document(doc, Status.ACCEPTED, [], source, NOW)
        books.record_intake(_intake("claim-1"))
    assert _counts(loaded) == {"documents": before["documents"] + 1,
                               "orders": before["orders"] + 1,
                               "order_lines": before["order_lines"] + 1,
                               "intake": before["intake"] + 1}


def test_a_reading_unit_of_work_keeps_nothing_it_writes(workspace: Workspace,
                                                        ledger_dialect: str) -> None:
    ledger = Ledger.of(workspace)
    if ledger_dialect == "postgresql":  # a READ ONLY transaction refuses the write
        with pytest.raises(DBAPIError, match="read-only"), ledger.reading() as books:
            books.record_intake(_intake("claim-r"))
    else:  # SQLite's plain BEGIN lets it write, but a reading block never commits
        with ledger.reading() as books:
            books.record_intake(_intake("claim-r"))
            assert books.intake_record("claim-r") is not None
    with ledger.connect() as books:
        assert books.intake_record("claim-r") is None


def test_a_reading_unit_of_work_reads_one_snapshot(workspace: Workspace) -> None:
    ledger = Ledger.of(workspace)
    with ledger.reading() as books:
        assert books.intake_record("claim-s") is None
        with ledger.transaction() as writing:  # another connection commits meanwhile
            writing.record_intake(_intake("claim-s"))
        assert books.intake_record("claim-s") is None
    with ledger.reading() as books:
        assert books.intake_record("claim-s") is not None
