"""Read-side questions the rules and commands ask of the ledger."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    RowMapping,
    Table,
    bindparam,
    func,
    or_,
    select,
)

from ..forms.kinds import Ref
from ..kinds import KINDS
from ..status import CURRENT
from .schema import (
    customers,
    documents,
    order_lines,
    orders,
    plan_lines,
    plans,
    products,
    receipts,
    return_lines,
    returns,
    salespeople,
    tables_of,
    visit_weeks,
)

MASTER_TABLES: dict[Ref, Table] = {
    Ref.CUSTOMER: customers,
    Ref.PRODUCT: products,
    Ref.SALESPERSON: salespeople,
}
_CHUNK = 5000  # well under SQLite's and PostgreSQL's bound-parameter limits
_codes: BindParameter[Any] = bindparam("codes", expanding=True)
# Statements on the per-file path are built once: building them is slower than running them.
_LOOKUPS = {ref: select(t).where(t.c.code.in_(_codes)) for ref, t in MASTER_TABLES.items()}


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    wanted = sorted(set(values))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start:start + _CHUNK]


def lookup(conn: Connection, ref: Ref, codes: Iterable[str]) -> dict[str, RowMapping]:
    """Master records for the given codes; codes that do not exist are simply absent."""
    found: dict[str, RowMapping] = {}
    for chunk in _chunks(codes):
        for row in conn.execute(_LOOKUPS[ref], {"codes": chunk}).mappings():
            found[row["code"]] = row
    return found


def master_lists(conn: Connection) -> dict[Ref, list[tuple[str, str]]]:
    """Every code with its name, for drop-down lists."""
    return {
        ref: [(r.code, r.name) for r in conn.execute(select(t.c.code, t.c.name).order_by(t.c.code))]
        for ref, t in MASTER_TABLES.items()
    }


def budget_owners(conn: Connection) -> list[tuple[str, str]]:
    """Who a budget may be for: every salesperson's code with their name, then every region
    of the roster."""
    people = conn.execute(select(salespeople.c.code, salespeople.c.name, salespeople.c.region)
                          .order_by(salespeople.c.code)).all()
    regions = sorted({r.region for r in people if r.region})
    return [(r.code, r.name) for r in people] + [(region, region) for region in regions]


def hold_reasons(stored: str | None) -> tuple[str, ...]:
    """The codes of the problems a document was held for, from `documents.hold_reasons` (a JSON
    list that `store_document` writes, or NULL when there were none)."""
    return tuple(json.loads(stored)) if stored else ()


def current_order(conn: Connection, order_no: str) -> RowMapping | None:
    """The accepted current version of an order (held orders do not count)."""
    query = (
        select(orders, documents.c.status)
        .join(documents, documents.c.id == orders.c.document_id)
        .where(orders.c.order_no == order_no, documents.c.status.in_(CURRENT))
    )
    return conn.execute(query).mappings().first()


_owners = (
    select(orders.c.order_no, orders.c.customer_code)
    .join(documents, documents.c.id == orders.c.document_id)
    .where(orders.c.order_no.in_(_codes), documents.c.status.in_(CURRENT))
)


def orders_of(conn: Connection, order_nos: Iterable[str]) -> dict[str, str]:
    """order_no -> customer code, for current orders among `order_nos`."""
    found: dict[str, str] = {}
    for chunk in _chunks(order_nos):
        found.update({r.order_no: r.customer_code
                      for r in conn.execute(_owners, {"codes": chunk})})
    return found


def returnable(conn: Connection, order_no: str) -> dict[str, Decimal]:
    """product code -> quantity ordered less quantity already returned on current returns."""
    order = current_order(conn, order_no)
    if order is None:
        return {}
    left: dict[str, Decimal] = {}
    for r in conn.execute(select(order_lines.c.product_code, order_lines.c.quantity)
                          .where(order_lines.c.document_id == order["document_id"])):
        left[r.product_code] = left.get(r.product_code, Decimal(0)) + r.quantity
    returned = (
        select(return_lines.c.product_code, return_lines.c.quantity)
        .join(returns, returns.c.document_id == return_lines.c.document_id)
        .join(documents, documents.c.id == returns.c.document_id)
        .where(returns.c.order_no == order_no, documents.c.status.in_(CURRENT))
    )
    for r in conn.execute(returned):
        left[r.product_code] = left.get(r.product_code, Decimal(0)) - r.quantity
    return left


_references = select(receipts.c.reference).where(receipts.c.reference.in_(_codes))
_references_between = select(receipts.c.reference).where(
    receipts.c.reference.between(bindparam("low"), bindparam("high")))


def existing_references(conn: Connection, references: Iterable[str]) -> set[str]:
    wanted = set(references)
    if len(wanted) <= _CHUNK:
        return set(conn.execute(_references, {"codes": sorted(wanted)}).scalars())
    # A finance export of many receipts: one walk along the unique index over the range its
    # references span beats thousands of bound parameters.
    span = {"low": min(wanted), "high": max(wanted)}
    return wanted.intersection(conn.execute(_references_between, span).scalars())


def plan_totals(conn: Connection, salesperson: str) -> dict[str, Decimal]:
    """period -> total target amount of the salesperson's current plans."""
    query = (
        select(plans.c.period, func.sum(plan_lines.c.target_amount))
        .join(documents, documents.c.id == plans.c.document_id)
        .join(plan_lines, plan_lines.c.document_id == plans.c.document_id)
        .where(plans.c.salesperson == salesperson, documents.c.status.in_(CURRENT))
        .group_by(plans.c.period)
    )
    return {period: total or Decimal("0.00") for period, total in conn.execute(query)}


def document_versions(conn: Connection, kind: str, key: str) -> list[RowMapping]:
    """Every stored version of the `kind` document `key`, the newest first."""
    query = (select(documents).where(documents.c.kind == kind, documents.c.doc_key == key)
             .order_by(documents.c.version.desc()))
    return list(conn.execute(query).mappings())


def current_document(conn: Connection, kind: str, key: str) -> RowMapping | None:
    query = select(documents).where(
        documents.c.kind == kind, documents.c.doc_key == key, documents.c.status.in_(CURRENT)
    )
    return conn.execute(query).mappings().first()


_by_id = select(documents).where(documents.c.id == bindparam("b_id"))
_order_version = (select(orders, documents.c.version, documents.c.status)
                  .join(documents, documents.c.id == orders.c.document_id)
                  .where(orders.c.document_id == bindparam("b_id")))
_order_lines = (select(order_lines).where(order_lines.c.document_id == bindparam("b_id"))
                .order_by(order_lines.c.line_no))


def stored_document(conn: Connection, document_id: int) -> RowMapping:
    """The `documents` row of a stored document."""
    return conn.execute(_by_id, {"b_id": document_id}).mappings().one()


def master_record(conn: Connection, ref: Ref, code: str) -> RowMapping | None:
    """The master record of `code`, or None."""
    return lookup(conn, ref, [code]).get(code)


def master_records(conn: Connection, ref: Ref, code: str | None = None) -> Sequence[RowMapping]:
    """Every record of `ref` by code (only `code`'s, when given)."""
    table = MASTER_TABLES[ref]
    query = select(table).order_by(table.c.code)
    if code is not None:
        query = query.where(table.c.code == code)
    return conn.execute(query).mappings().all()


def order_version(
    conn: Connection, document_id: int
) -> tuple[RowMapping | None, Sequence[RowMapping]]:
    """One stored order version: its orders row with `version` and `status` (None when no
    order is stored under `document_id`), and its lines in order."""
    found = conn.execute(_order_version, {"b_id": document_id}).mappings().first()
    lines = conn.execute(_order_lines, {"b_id": document_id}).mappings().all()
    return found, lines


def person(conn: Connection, who: str) -> RowMapping | None:
    """The roster's record of `who`, a code or a name (approvers are routed by either)."""
    table = salespeople
    return conn.execute(select(table).where(or_(table.c.code == who, table.c.name == who))
                        .order_by(table.c.code != who).limit(1)).mappings().first()


def salesperson_of(conn: Connection, kind: str, document_id: int) -> str:
    """The salesperson a stored document names in its header ("" when its kind has none)."""
    declared = KINDS[kind]
    if not declared.header_table:
        return ""
    table = tables_of(declared)[declared.header_table]
    if "salesperson" not in table.c:
        return ""
    found = conn.execute(select(table.c.salesperson)
                         .where(table.c.document_id == document_id)).scalar()
    return str(found or "")


def party_of(conn: Connection, kind: str, document_id: int) -> str:
    """Whom a stored document is for, as its files are filed: its customer code, else the
    prospect it names ("" when its kind names neither)."""
    declared = KINDS[kind]
    if not declared.header_table:
        return ""
    table = tables_of(declared)[declared.header_table]
    named = [table.c[key] for key in ("customer_code", "prospect_name") if key in table.c]
    if not named:
        return ""
    found = conn.execute(select(*named).where(table.c.document_id == document_id)).first()
    return next((str(value) for value in found or () if value), "")


def visit_records_filed(conn: Connection, week_start: date) -> set[str]:
    """The salespeople with a current visit record for the week starting `week_start`."""
    return set(conn.execute(
        select(visit_weeks.c.salesperson)
        .join(documents, documents.c.id == visit_weeks.c.document_id)
        .where(visit_weeks.c.week_start == week_start, documents.c.status.in_(CURRENT))
    ).scalars())
