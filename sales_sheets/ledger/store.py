"""Writing to the ledger. Every function here runs inside the caller's one transaction per file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, func, select, update

from ..forms.form import Document
from ..forms.kinds import Kind
from ..status import CURRENT, Status
from .bulk import insert_columns
from .schema import documents, intake, tables_of

_CHUNK = 900


@dataclass(frozen=True)
class Provenance:
    claim_id: str
    source_file: str
    folder: str
    sha256: str


_by_hash = select(documents).where(documents.c.sha256 == bindparam("sha"))
_by_claim = select(intake).where(intake.c.claim_id == bindparam("claim"))


def find_duplicate(conn: Connection, sha256: str) -> RowMapping | None:
    """A stored document with exactly this content, if any."""
    return conn.execute(_by_hash, {"sha": sha256}).mappings().first()


def document_key(doc: Document, sha256: str) -> str:
    return doc.identity() if doc.kind.identity else sha256


_max_version = select(func.max(documents.c.version)).where(
    documents.c.kind == bindparam("b_kind"), documents.c.doc_key == bindparam("b_key"))
_supersede = (
    update(documents)
    .where(documents.c.kind == bindparam("b_kind"), documents.c.doc_key == bindparam("b_key"),
           documents.c.id != bindparam("b_new"), documents.c.status.in_(CURRENT))
    .values(status=Status.SUPERSEDED, superseded_by=bindparam("b_new"))
)
_DERIVED = attrgetter("derived")
_LINE_BOOKKEEPING = ("id", "line_no", "document_id", "source_sheet", "source_row")


def store_document(
    conn: Connection, doc: Document, status: Status, hold_reasons: list[str], source: Provenance,
    now: datetime,
) -> tuple[int, int]:
    """Store a derived and validated document (its derived values over the entered ones); a new
    version supersedes the current one of the same key. Returns its id and version."""
    kind = doc.kind
    key = document_key(doc, source.sha256)
    version = 1 + (conn.execute(_max_version, {"b_kind": kind.name, "b_key": key}).scalar() or 0)
    inserted = conn.execute(documents.insert(), {
        "kind": kind.name, "doc_key": key, "version": version, "status": status,
        "sha256": source.sha256, "source_file": source.source_file, "folder": source.folder,
        "intake_claim": source.claim_id,
        "hold_reasons": json.dumps(hold_reasons, ensure_ascii=False) if hold_reasons else None,
        "stored_at": now,
    }).inserted_primary_key
    assert inserted is not None
    document_id = int(inserted[0])
    if kind.identity:
        conn.execute(_supersede, {"b_kind": kind.name, "b_key": key, "b_new": document_id})
    if kind.master:
        _delete_codes(conn, kind, [line.values["code"] for line in doc.lines])
    elif kind.header_table:
        table = tables_of(kind)[kind.header_table]
        header = doc.final_header()
        values = {c.name: header[c.name] for c in table.columns if c.name in header}
        conn.execute(table.insert(), {"document_id": document_id, "source_sheet": doc.sheet,
                                      **values})
    _insert_lines(conn, kind, doc, document_id)
    return document_id, version


def _insert_lines(conn: Connection, kind: Kind, doc: Document, document_id: int) -> None:
    if kind.table is None:  # a header-only kind
        return
    table = tables_of(kind)[kind.table]
    lines = doc.lines
    names = [c.name for c in table.columns if c.name not in _LINE_BOOKKEEPING]
    columns: dict[str, Sequence[Any]]
    if any(map(_DERIVED, lines)):
        rows = [line.final_values() for line in lines]
        columns = {name: _column(rows, name) for name in names}
    else:  # as entered (receipts, visits): the document's own columns
        columns = {name: doc.column(name) for name in names}
    count = len(lines)
    columns["document_id"] = [document_id] * count
    columns["source_sheet"] = [doc.sheet] * count
    columns["source_row"] = [line.row for line in lines]
    if "line_no" in table.c:
        columns["line_no"] = range(1, count + 1)
    insert_columns(conn, table, columns)


def _column(rows: list[dict[str, Any]], name: str) -> list[Any]:
    """One column of the rows; None where a row lacks it (a value derived for some lines)."""
    try:
        return list(map(itemgetter(name), rows))  # every row has it: one pass in C
    except KeyError:
        return [row.get(name) for row in rows]


def _delete_codes(conn: Connection, kind: Kind, codes: list[object]) -> None:
    """Master data is upserted by code: the rows being replaced go first."""
    table = tables_of(kind)[str(kind.table)]
    for start in range(0, len(codes), _CHUNK):
        conn.execute(table.delete().where(table.c.code.in_(codes[start:start + _CHUNK])))


def record_intake(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(intake.insert(), row)


def intake_record(conn: Connection, claim_id: str) -> RowMapping | None:
    return conn.execute(_by_claim, {"claim": claim_id}).mappings().first()
