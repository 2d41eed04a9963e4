"""Writing to the ledger. Every function here runs inside the caller's one transaction per file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from ..document import Document
from ..kinds import Kind
from .schema import HEADER_TABLES, KIND_TABLES, documents, intake

_CHUNK = 900


@dataclass(frozen=True)
class Provenance:
    claim_id: str
    source_file: str
    folder: str
    sha256: str


def find_duplicate(conn: Connection, sha256: str) -> Mapping[str, Any] | None:
    """A stored document with exactly this content, if any."""
    return conn.execute(select(documents).where(documents.c.sha256 == sha256)).mappings().first()


def document_key(doc: Document, sha256: str) -> str:
    return doc.identity() if doc.kind.identity else sha256


def store_document(
    conn: Connection, doc: Document, status: str, hold_reasons: list[str], source: Provenance,
    now: datetime,
) -> int:
    """Store a validated document; a new version supersedes the current one of the same key."""
    kind = doc.kind
    key = document_key(doc, source.sha256)
    version = 1 + (conn.execute(
        select(func.max(documents.c.version)).where(
            documents.c.kind == kind.name, documents.c.doc_key == key)
    ).scalar() or 0)
    document_id = conn.execute(documents.insert().values(
        kind=kind.name, doc_key=key, version=version, status=status, sha256=source.sha256,
        source_file=source.source_file, folder=source.folder, intake_claim=source.claim_id,
        hold_reasons=json.dumps(hold_reasons, ensure_ascii=False) if hold_reasons else None,
        stored_at=now,
    )).inserted_primary_key[0]
    if kind.identity:
        conn.execute(
            update(documents)
            .where(documents.c.kind == kind.name, documents.c.doc_key == key,
                   documents.c.id != document_id, documents.c.status.in_(("accepted", "held")))
            .values(status="superseded", superseded_by=document_id)
        )
    if kind.master:
        _upsert_master(conn, kind, doc, document_id)
    else:
        _insert_form(conn, kind, doc, document_id)
    return int(document_id)


def _insert_form(conn: Connection, kind: Kind, doc: Document, document_id: int) -> None:
    if kind.name in HEADER_TABLES:
        table = KIND_TABLES[HEADER_TABLES[kind.name]]
        values = {c.name: doc.header.get(c.name) for c in table.columns if c.name in doc.header}
        conn.execute(table.insert().values(document_id=document_id, source_sheet=doc.sheet,
                                           **values))
    lines = KIND_TABLES[kind.table]
    names = [c.name for c in lines.columns if c.name not in ("id", "line_no", "document_id",
                                                             "source_sheet", "source_row")]
    rows = [
        {"line_no": n, "document_id": document_id, "source_sheet": doc.sheet,
         "source_row": line.row, **{k: line.values.get(k) for k in names}}
        for n, line in enumerate(doc.lines, start=1)
    ]
    if rows:
        conn.execute(lines.insert(), rows)


def _upsert_master(conn: Connection, kind: Kind, doc: Document, document_id: int) -> None:
    table = KIND_TABLES[kind.table]
    names = [f.key for f in kind.columns]
    rows = [
        {"document_id": document_id, "source_sheet": doc.sheet, "source_row": line.row,
         **{k: line.values.get(k) for k in names}}
        for line in doc.lines
    ]
    codes = [r["code"] for r in rows]
    for start in range(0, len(codes), _CHUNK):
        conn.execute(table.delete().where(table.c.code.in_(codes[start:start + _CHUNK])))
    if rows:
        conn.execute(table.insert(), rows)


def record_intake(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(intake.insert().values(**row))


def intake_record(conn: Connection, claim_id: str) -> Mapping[str, Any] | None:
    return conn.execute(select(intake).where(intake.c.claim_id == claim_id)).mappings().first()
