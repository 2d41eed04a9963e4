"""The ledger's tables. Form tables are derived from the kind descriptions, so a new kind
brings its tables with it; bookkeeping tables (intake, documents) are written out here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.types import TypeEngine

from ..forms.kinds import Field, FieldType, Kind
from ..kinds import KINDS
from .decimals import Money, Scaled

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per file that reached an outcome: the durable record that makes processing resumable.
intake = Table(
    "intake",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("claim_id", String(40), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("folder", String(64), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("kind", String(32)),
    Column("status", String(16), nullable=False),
    Column("document", Text),
    Column("stored", Text),
    Column("document_id", Integer),
    Column("problems", Text, nullable=False),
    Column("outputs", Text, nullable=False),
    Column("archived_as", Text),
    Column("processed_at", DateTime, nullable=False),
)

# One row per stored version of a document; superseded versions stay with a pointer forward.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("doc_key", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("source_file", Text, nullable=False),
    Column("folder", String(64), nullable=False),
    Column("intake_claim", String(40), nullable=False),
    Column("superseded_by", Integer, ForeignKey("documents.id")),
    Column("hold_reasons", Text),
    Column("approval", Text),
    Column("stored_at", DateTime, nullable=False),
    Column("decided_at", DateTime),  # approved or declined
    UniqueConstraint("kind", "doc_key", "version"),
    Index("ix_documents_current", "kind", "doc_key", "status"),
)

# One row per running watcher or `process` run: its heartbeat (`last_seen`, renewed every third
# of a lease) and the owner of its claims. Clocks are UTC; `node` is the host and its process
# namespace, where `pid` names this process. Kept a week after the last heartbeat.
watchers = Table(
    "watchers",
    metadata,
    Column("owner", String(32), primary_key=True),
    Column("command", String(16), nullable=False),
    Column("host", Text, nullable=False),
    Column("node", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("workspace", Text, nullable=False),
    Column("inbox", Text, nullable=False),
    Column("started", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("files_done", Integer, nullable=False),
    Column("stopped_at", DateTime),
)

# Who holds each claim in `inbox/.claimed/<claim id>/`: its lease lives as long as its owner's
# heartbeat. Written before the claim's folder exists, deleted once the claim is finished.
claims = Table(
    "claims",
    metadata,
    Column("claim_id", String(40), primary_key=True),
    Column("owner", String(32), nullable=False, index=True),
    Column("taken_at", DateTime, nullable=False),
)

# The outbox of messages (spec 4d): one row per message and channel, written in the transaction
# of the outcome that causes it; `key` makes a second write of the same message a no-op. A
# dispatcher leases due rows (`claimed_until`), sends them outside any transaction and marks
# them sent, or schedules a retry, or gives up (dead). Clocks are UTC.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("event", String(40), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", Text, nullable=False),  # a person's code or name, or an e-mail address
    Column("payload", Text, nullable=False),  # JSON: the message's facts and attachments
    Column("status", String(8), nullable=False),  # pending, sent, dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", DateTime, nullable=False),
    Column("claimed_until", DateTime),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_notifications_due", "status", "next_attempt"),
)

# One row per run of a scheduled job (spec 4d): inserted before the job runs, so that however
# many watchers share the ledger each (job, period) runs once; `finished_at` stays empty while
# it runs or if it failed, and a run whose lease passed is taken over. Clocks are UTC.
scheduled_runs = Table(
    "scheduled_runs",
    metadata,
    Column("job", String(40), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("due", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("claimed_until", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("outcome", Text),
)

# One row per 对账函 number issued (spec 4b): the statement of a customer for a period, with our
# closing balance as printed. Writing the statement again with the same balance keeps its
# number; with another balance it is issued anew as DZ-<period>-<customer>-<n> (n = 2, 3, ...)
# and the earlier row points to it (`superseded_by`): a reply to it is rejected, since it
# confirms figures that no longer stand. Clocks are UTC.
statements_issued = Table(
    "statements_issued",
    metadata,
    Column("statement_no", String(64), primary_key=True),
    Column("period", String(10), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("closing", Money(), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("superseded_by", String(64)),
    Column("superseded_at", DateTime),
    Index("ix_statements_issued_period_customer", "period", "customer_code"),
)

_SQL_TYPES: dict[FieldType, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    FieldType.TEXT: Text,
    FieldType.CODE: String(64),
    FieldType.MONEY: Money(),
    FieldType.QUANTITY: Scaled(4),
    FieldType.INTEGER: Integer,
    FieldType.DATE: Date,
    FieldType.YESNO: Boolean,
    FieldType.ENUM: String(16),
    FieldType.PERIOD: String(10),
    FieldType.RATE: Scaled(4),
}

def _columns(fields: tuple[Field, ...], *, derived: bool = False) -> list[Column[Any]]:
    """A column per field; a derived one the ledger always fills is NOT NULL."""
    columns: list[Column[Any]] = []
    for f in fields:
        if f.type is FieldType.DOCUMENT:
            columns.append(Column(f.key, Integer, ForeignKey("documents.id")))
        else:
            columns.append(Column(f.key, _SQL_TYPES[f.type], nullable=not (derived and f.required)))
    return columns


def _provenance(with_row: bool) -> list[Column[Any]]:
    columns: list[Column[Any]] = [
        Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
        Column("source_sheet", Text, nullable=False),
    ]
    if with_row:
        columns.append(Column("source_row", Integer, nullable=False))
    return columns


def _indexes(name: str, keys: tuple[tuple[str, ...], ...], unique: tuple[str, ...] = ()
             ) -> list[Index]:
    return ([Index(f"ix_{name}_{'_'.join(cols)}", *cols) for cols in keys]
            + [Index(f"ux_{name}_{col}", col, unique=True) for col in unique])


def _kind_tables(kind: Kind) -> dict[str, Table]:
    """The tables a kind declares, by name: its lines (master data: its records by code) and,
    when it has one, its header."""
    if kind.master:
        assert kind.table is not None, "master data is kept by code, in its line table"
        code, *rest = kind.columns
        return {kind.table: Table(
            kind.table,
            metadata,
            Column(code.key, String(64), primary_key=True),
            *_columns(tuple(rest)),
            *_provenance(with_row=True),
        )}
    tables: dict[str, Table] = {}
    if kind.header_table:
        name = kind.header_table
        tables[name] = Table(
            name,
            metadata,
            Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
            *_columns(kind.header),
            *_columns(kind.derived_header, derived=True),
            Column("source_sheet", Text, nullable=False),
            *_indexes(name, kind.header_indexes),
        )
    if kind.table is None:  # a header-only kind: its header table is all it keeps
        return tables
    tables[kind.table] = Table(
        kind.table,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("line_no", Integer, nullable=False),
        *_columns(kind.columns),
        *_columns(kind.derived_columns, derived=True),
        *_provenance(with_row=True),
        *_indexes(kind.table, kind.line_indexes, kind.unique_columns),
    )
    return tables


def tables_of(kind: Kind) -> dict[str, Table]:
    """The tables of `kind`, made from its declaration the first time it is asked for (a
    kind's migration creates them in the database)."""
    names = kind.tables
    if not all(name in KIND_TABLES for name in names):
        KIND_TABLES.update(_kind_tables(kind))
    return {name: KIND_TABLES[name] for name in names}


KIND_TABLES: dict[str, Table] = {}
for _kind in KINDS.values():
    tables_of(_kind)
receipts = KIND_TABLES["receipts"]
orders = KIND_TABLES["orders"]
order_lines = KIND_TABLES["order_lines"]
returns = KIND_TABLES["returns"]
deliveries = KIND_TABLES["deliveries"]
delivery_lines = KIND_TABLES["delivery_lines"]
return_lines = KIND_TABLES["return_lines"]
customers = KIND_TABLES["customers"]
products = KIND_TABLES["products"]
salespeople = KIND_TABLES["salespeople"]
plans = KIND_TABLES["plans"]
plan_lines = KIND_TABLES["plan_lines"]
visit_weeks = KIND_TABLES["visit_weeks"]
visits = KIND_TABLES["visits"]
approvals = KIND_TABLES["approvals"]
invoices = KIND_TABLES["invoices"]

# An approval number AP-<yyyymmdd>-<n> as the index orders it: the day's prefix, then the
# number without its leading zeros by length and by text, which for digits is by value. The
# largest number of a day is then the last entry of its range (ledger/approvals.py). The
# constants are SQL literals, not parameters: a database uses an index on expressions only
# for a query that spells them the same.
_APPROVAL_DIGITS = func.ltrim(
    func.substr(approvals.c.approval_no, literal_column(str(len("AP-yyyymmdd-") + 1))),
    literal_column("'0'"))
APPROVAL_NUMBER_KEY = (
    func.substr(approvals.c.approval_no, literal_column("1"),
                literal_column(str(len("AP-yyyymmdd-")))),
    func.length(_APPROVAL_DIGITS),
    _APPROVAL_DIGITS,
)
Index("ix_approvals_day_number", *APPROVAL_NUMBER_KEY)
approval_lines = KIND_TABLES["approval_lines"]
statement_replies = KIND_TABLES["statement_replies"]
disputes = KIND_TABLES["disputes"]
