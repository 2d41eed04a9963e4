"""Migrations: a ledger keeps every row across schema changes, on SQLite and on PostgreSQL; a
newer ledger is refused; the schema and the migrations cannot drift apart."""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Column, Connection, MetaData, Table, Text, create_engine, inspect, text

from sales_sheets.cli import main
from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.errors import StorageError
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.ledger import migrations
from sales_sheets.ledger.database import open_ledger, refusal
from sales_sheets.ledger.migrate import ledger_revisions, upgrade_ledger
from sales_sheets.ledger.migrations import Standing
from sales_sheets.ledger.schema import metadata
from sales_sheets.workspace import Workspace

from .helpers.approvals import approval_number_plan
from .helpers.config import configure
from .helpers.forms import drop, order_header

SERVER = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
# The tables a ledger made before migrations may lack: approvals, the leases the second
# migration adds, the fifth's notifications and scheduled runs, the sixth's deliveries, the
# statement replies of 0007, the invoices of 0008, the budgets and expense claims of 0009, the
# complaints of 0010 and the quotations of 0011.
APPROVAL_TABLES = ("approval_lines", "approvals")
DELIVERY_TABLES = ("deliveries", "delivery_lines")
REPLY_TABLES = ("statements_issued", "statement_replies", "disputes")
EXPENSE_TABLES = ("budgets", "budget_lines", "expense_claims", "expense_lines")
NEWER_TABLES = (*APPROVAL_TABLES, "claims", "watchers", "notifications", "scheduled_runs",
                *DELIVERY_TABLES, *REPLY_TABLES, "invoices", *EXPENSE_TABLES, "complaints",
                "quotes", "quote_lines")
# The tables of the migrations after the last release's head, 0005.
SINCE_RELEASE_TABLES = (*DELIVERY_TABLES, *REPLY_TABLES, "invoices", *EXPENSE_TABLES,
                        "complaints", "quotes", "quote_lines")
# This program's newest revision and its position (meta's schema_version), read from the
# migrations themselves: a new migration moves them without editing every test.
HEAD = migrations.head()
POSITION = str(sum(1 for _ in migrations.script().walk_revisions()))
TEST_REVISION = "9001"  # a number no real migration takes
ADDED_COLUMN = f'''"""A test migration: a note on every document.

Revision ID: {TEST_REVISION}
Revises: {HEAD}
"""

import sqlalchemy as sa
from alembic import op

revision = "{TEST_REVISION}"
down_revision = "{HEAD}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite "always" copies the table even for an added column: documents is referenced by
    # every line table, and the copy must neither fail on nor lose those references.
    # PostgreSQL alters in place.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("documents", recreate="always" if sqlite else "auto") as batch:
        batch.add_column(sa.Column("checked_by", sa.Text(), nullable=True))
    op.execute("UPDATE documents SET checked_by = 'migration'")
'''


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a throwaway database on the local PostgreSQL
    server (unreachable is an error, never a skip)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    name = f"ss_migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as server:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def filled(workspace: Workspace, database_url: str) -> Workspace:
    """A workspace whose ledger (SQLite or PostgreSQL) holds master data, an accepted order,
    a held one and a receipt."""
    ws = configure(workspace, database={"url": database_url})
    drop(ws, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(ws, "products", "pr.xlsx", lines=PRODUCTS)
    drop(ws, "customers", "cu.xlsx", lines=CUSTOMERS)
    assert [r.status for r in process_inbox(ws)] == ["accepted"] * 3
    drop(ws, "order", "S01/a.xlsx", order_header("SO-1"),
         [{"product_code": "P001", "quantity": 2, "unit_price": "12800"}])
    drop(ws, "order", "S01/b.xlsx", order_header("SO-2"),
         [{"product_code": "P001", "quantity": 1, "unit_price": "11500"}])
    drop(ws, "receipt", "r.xlsx", lines=[{"receipt_date": "2026-11-03", "customer_code": "C001",
                                          "amount": "100.10", "reference": "BANK-1"}])
    results = process_inbox(ws)
    assert sorted(r.status for r in results) == ["accepted"] * 2 + ["held"], [
        r.problems for r in results]
    ws.services.close()
    return ws


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the current schema has, in a stable order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {
                table.name: sorted(
                    (tuple(row) for row in conn.execute(table.select())), key=repr)
                for table in metadata.sorted_tables if table.name in present
            }
    finally:
        engine.dispose()


def _kept(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows an upgrade must keep as they are (meta records the upgrade itself)."""
    return {name: table for name, table in rows.items()
            if name not in (*NEWER_TABLES, "meta")}


def _sql(url: str, *statements: str) -> list[tuple[Any, ...]]:
    """Run statements outside the program; the rows of the last."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = [conn.execute(text(s)) for s in statements][-1]
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _make_pre_migration(url: str) -> None:
    """Turn a ledger into one written before migrations and before approvals: no
    alembic_version, meta as that release wrote it, no approval or lease tables."""
    _sql(url, "DROP TABLE alembic_version", "DELETE FROM meta WHERE key = 'program_version'",
         *(f"DROP TABLE {name}" for name in NEWER_TABLES))


def _with_added_column(tmp_path: Path) -> Path:
    """A copy of the package's migrations with the test migration after the head."""
    location = tmp_path / "migrations"
    shutil.copytree(migrations.LOCATION, location,
                    ignore=shutil.ignore_patterns("__pycache__"))
    added = location / "versions" / f"{TEST_REVISION}_checked_by.py"
    added.write_text(ADDED_COLUMN, encoding="utf-8")
    return location


def _drift(conn: Connection, target: MetaData) -> list[tuple[str, ...]]:
    """What autogenerate would add or change to make the database match `target`."""
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    found = []
    with warnings.catch_warnings():
        # Neither SQLAlchemy's reflection nor autogenerate compares an index on expressions:
        # the one such index is checked by the plan of the query it serves instead (below).
        warnings.filterwarnings("ignore", ".*expression-based index '?ix_approvals_day_number")
        diffs = compare_metadata(context, target)
    for diff in diffs:
        change = diff[0] if isinstance(diff, list) else diff  # column changes come in lists
        found.append(tuple(str(getattr(part, "name", part)) for part in change[:4]))
    return found


def test_a_new_ledger_is_created_at_the_newest_revision(database_url: str) -> None:
    open_ledger(database_url).dispose()
    assert _sql(database_url, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert _sql(database_url, "SELECT key, value FROM meta ORDER BY key") == [
        ("program_version", version("sales-sheets")), ("schema_version", POSITION)]
    revisions = ledger_revisions(database_url)
    assert (revisions.found, revisions.head, revisions.standing) == (HEAD, HEAD, Standing.CURRENT)


def test_a_ledger_made_before_migrations_is_stamped_and_keeps_every_row(
    filled: Workspace,
) -> None:
    url = filled.database_url
    _make_pre_migration(url)
    before = _rows(url)
    assert ledger_revisions(url).standing is Standing.UNVERSIONED
    open_ledger(url).dispose()  # what `process` and `watch` do first
    after = _rows(url)
    assert _kept(after) == _kept(before)
    assert [after[name] for name in APPROVAL_TABLES] == [[], []]
    assert (len(after["orders"]), len(after["receipts"]), len(after["intake"])) == (2, 1, 6)
    assert _sql(url, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert after["meta"] == [("program_version", version("sales-sheets")),
                             ("schema_version", POSITION)]


def test_db_upgrade_stamps_a_ledger_made_before_migrations(filled: Workspace) -> None:
    _make_pre_migration(filled.database_url)
    before = _rows(filled.database_url)
    result = CliRunner().invoke(main, ["db", "upgrade", "-w", str(filled.root)])
    assert (result.exit_code, result.output) == (
        0, f"ledger upgraded from revision before migrations to {HEAD}\n")
    assert _kept(_rows(filled.database_url)) == _kept(before)
    result = CliRunner().invoke(main, ["db", "current", "-w", str(filled.root)])
    assert (result.exit_code, result.output) == (0, f"ledger:  {HEAD} (current)\nprogram: {HEAD}\n")


def test_a_migration_that_adds_a_column_keeps_every_row(
    filled: Workspace, tmp_path: Path
) -> None:
    url, location = filled.database_url, _with_added_column(tmp_path)
    before = _rows(url)
    older = ledger_revisions(url, location)
    assert (older.found, older.head, older.standing) == (HEAD, TEST_REVISION, Standing.OLDER)
    assert "sales-sheets db upgrade" in str(refusal(older))

    done = upgrade_ledger(url, location)

    assert (done.before.found, done.after) == (HEAD, TEST_REVISION)
    after = _rows(url)
    assert _kept(after) == _kept(before)  # the schema's columns, row for row
    assert len(after["order_lines"]) == 2
    notes = _sql(url, "SELECT DISTINCT checked_by FROM documents")
    assert notes == [("migration",)]
    position = _sql(url, "SELECT value FROM meta WHERE key = 'schema_version'")
    assert position == [(str(int(POSITION) + 1),)]
    if url.startswith("sqlite"):
        assert _sql(url, "PRAGMA foreign_key_check") == []
        # Every line table still points at documents (the copy kept the references).
        assert _sql(url, "SELECT COUNT(*) FROM order_lines JOIN documents "
                         "ON documents.id = order_lines.document_id") == [(2,)]
    # This program (newest revision HEAD) now meets a newer ledger and refuses it.
    program = version("sales-sheets")
    with pytest.raises(StorageError,
                       match=rf"revision {TEST_REVISION}.*sales-sheets {program} or newer"):
        open_ledger(url)


def test_db_upgrade_brings_a_ledger_of_the_previous_release_forward(
    filled: Workspace,
) -> None:
    """A ledger as 0005 (the release before deliveries and invoices) left it: db upgrade adds
    the new tables, keeps every row, and a delivery of an order stored before is then
    accepted."""
    url = filled.database_url
    _sql(url, *(f"DROP TABLE {name}" for name in reversed(SINCE_RELEASE_TABLES)),
         "UPDATE alembic_version SET version_num = '0005'",
         "UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    before = _rows(url)
    assert ledger_revisions(url).standing is Standing.OLDER
    result = CliRunner().invoke(main, ["db", "upgrade", "-w", str(filled.root)])
    assert (result.exit_code, result.output) == (
        0, f"ledger upgraded from revision 0005 to {HEAD}\n")
    after = _rows(url)
    assert _kept(after) == _kept(before)
    assert [after[name] for name in SINCE_RELEASE_TABLES] == [[]] * len(SINCE_RELEASE_TABLES)
    assert _sql(url, "SELECT value FROM meta WHERE key = 'schema_version'") == [(POSITION,)]
    drop(filled, "delivery", "S01/d.xlsx", {"delivery_no": "FH-1", "delivery_date": "2026-11-05",
                                            "order_no": "SO-1"},
         [{"product_code": "P001", "quantity": 2}])
    results = process_inbox(filled)
    assert [(r.status, r.problems) for r in results] == [("accepted", [])]
    assert _sql(url, "SELECT delivery_no, order_no, customer_code FROM deliveries") == [
        ("FH-1", "SO-1", "C001")]


def test_released_at_becomes_decided_at_with_its_values(filled: Workspace) -> None:
    url = filled.database_url
    # The ledger as revision 0003 left it, with a held order that a release accepted.
    _sql(url, "ALTER TABLE documents RENAME COLUMN decided_at TO released_at",
         "UPDATE documents SET status = 'accepted', released_at = '2026-11-20 10:00:00' "
         "WHERE status = 'held'",
         "UPDATE alembic_version SET version_num = '0003'")
    before = _sql(url, "SELECT id, released_at FROM documents ORDER BY id")
    assert ledger_revisions(url).standing is Standing.OLDER
    done = upgrade_ledger(url)
    assert (done.before.found, done.after) == ("0003", HEAD)
    assert _sql(url, "SELECT id, decided_at FROM documents ORDER BY id") == before
    assert sum(1 for _id, decided in before if decided is not None) == 1


def test_a_ledger_at_an_unknown_revision_is_refused(filled: Workspace) -> None:
    url = filled.database_url
    _sql(url, "UPDATE alembic_version SET version_num = 'f00d'",
         "UPDATE meta SET value = '9.0' WHERE key = 'program_version'")
    with pytest.raises(StorageError, match="revision f00d.*install sales-sheets 9.0 or newer"):
        open_ledger(url)
    result = CliRunner().invoke(main, ["db", "upgrade", "-w", str(filled.root)])
    assert result.exit_code == 1
    assert "revision f00d" in result.output and "sales-sheets 9.0 or newer" in result.output
    assert _sql(url, "SELECT version_num FROM alembic_version") == [("f00d",)]
    result = CliRunner().invoke(main, ["process", "-w", str(filled.root)])
    assert result.exit_code == 1 and "revision f00d" in result.output
    result = CliRunner().invoke(main, ["db", "current", "-w", str(filled.root)])
    assert (result.exit_code, result.output) == (0, f"ledger:  f00d (newer)\nprogram: {HEAD}\n")


def test_the_head_the_program_knows_without_alembic_is_the_newest_migration() -> None:
    assert migrations.HEAD == migrations.script().get_current_head()
    assert migrations.head() == migrations.HEAD


def test_the_migrations_build_exactly_the_schema(database_url: str) -> None:
    """The drift test: a kind whose fields change needs a migration, or this fails with the
    differences listed."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
            assert _drift(conn, metadata) == []
            _, plan = approval_number_plan(conn, date(2026, 11, 25))
            assert "ix_approvals_day_number" in plan
    finally:
        engine.dispose()


def test_the_drift_test_sees_a_field_added_without_a_migration(database_url: str) -> None:
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    # As if the order kind gained a header field and nobody wrote its migration.
    Table("orders", changed, Column("contact_phone", Text), extend_existing=True)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
            assert _drift(conn, changed) == [("add_column", "None", "orders", "contact_phone")]
    finally:
        engine.dispose()
