"""Idempotency, versions, provenance and the schema version of the ledger."""

import shutil
import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import InternalError

from sales_sheets.errors import StorageError
from sales_sheets.ledger import migrations
from sales_sheets.ledger.database import ledger_of, reading, small_cache
from sales_sheets.ledger.decimals import Money
from sales_sheets.ledger.schema import meta
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, one, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P001", "quantity": 1, "unit_price": "12800"}


def test_the_same_file_twice_changes_nothing(loaded: Workspace) -> None:
    path = drop(loaded, "order", "S01/o.xlsx", order_header(), [LINE])
    copy = loaded.root / "copy.xlsx"
    shutil.copy(path, copy)
    assert one(loaded).status == "accepted"
    before = query(loaded, "SELECT COUNT(*) FROM order_lines")
    shutil.copy(copy, loaded.inbox / "again-under-another-name.xlsx")
    result = one(loaded)
    assert (result.status, result.kind, result.document) == ("duplicate", "order", "SO-1")
    assert query(loaded, "SELECT COUNT(*) FROM order_lines") == before
    assert query(loaded, "SELECT status, COUNT(*) FROM intake GROUP BY status ORDER BY 1") == [
        ("accepted", 4), ("duplicate", 1)]


def test_a_new_version_supersedes_and_history_is_kept(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(), [LINE])
    one(loaded)
    drop(loaded, "order", "S01/o.xlsx", order_header(), [dict(LINE, quantity=2)])
    one(loaded)
    rows = query(loaded, "SELECT id, version, status, superseded_by FROM documents "
                         "WHERE kind='order' ORDER BY version")
    assert [(v, s) for _, v, s, _ in rows] == [(1, "superseded"), (2, "accepted")]
    assert rows[0][3] == rows[1][0]
    assert query(loaded, "SELECT COUNT(*) FROM order_lines") == [(2,)]


def test_every_row_knows_where_it_came_from(loaded: Workspace) -> None:
    path = drop(loaded, "order", "S01/订单.xlsx", order_header(), [LINE])
    digest = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    one(loaded)
    assert query(loaded, "SELECT d.source_file, d.folder, d.sha256, l.source_sheet, l.source_row "
                         "FROM order_lines l JOIN documents d ON d.id = l.document_id") == [
        ("S01/订单.xlsx", "S01", digest, "订货单", 17)]
    assert query(loaded, "SELECT source_sheet, source_row FROM customers WHERE code='C002'") == [
        ("客户档案", 5)]


def test_money_is_stored_as_exact_integer_fen(loaded: Workspace) -> None:
    drop(loaded, "receipt", "r.xlsx", lines=[
        {"receipt_date": "2026-11-03", "customer_code": "C001", "amount": "0.10",
         "reference": f"R{i}"} for i in range(3)])
    one(loaded)
    amounts = query(loaded, "SELECT amount FROM receipts")
    assert amounts == [(10,)] * 3 and {type(a) for (a,) in amounts} == {int}
    # one date on every line: converted once for the column, stored as each line's
    assert query(loaded, "SELECT receipt_date FROM receipts") == [("2026-11-03",)] * 3


def test_lines_are_stored_exactly_and_on_postgresql_through_copy(
    loaded: Workspace, ledger_dialect: str,
) -> None:
    statements: list[str] = []
    event.listen(ledger_of(loaded), "before_cursor_execute",
                 lambda _conn, _cursor, sql, *_: statements.append(sql))
    drop(loaded, "order", "S01/o.xlsx", order_header(), [
        dict(LINE, quantity="1.5", remark="含\t制表符"),
        {"product_code": "P003", "quantity": 2, "unit_price": "460.05", "remark": "\\N 不是空值"},
    ])
    assert one(loaded).status == "accepted"
    assert query(loaded, "SELECT line_no, product_code, quantity, unit_price, amount, tax_rate, "
                         "remark FROM order_lines ORDER BY line_no") == [
        (1, "P001", 15000, 1280000, 1920000, 1300, "含\t制表符"),
        (2, "P003", 20000, 46005, 92010, 1300, "\\N 不是空值")]
    inserts = [sql for sql in statements if sql.startswith("INSERT INTO order_lines")]
    assert len(inserts) == {"sqlite": 1, "postgresql": 0}[ledger_dialect]


@pytest.mark.ledgers("sqlite")
def test_schema_version_is_recorded_and_a_newer_ledger_is_refused(workspace: Workspace) -> None:
    ledger_of(workspace)
    # the position of the newest migration in the chain
    position = str(sum(1 for _ in migrations.script().walk_revisions()))
    assert query(workspace, "SELECT value FROM meta WHERE key='schema_version'") == [(position,)]
    workspace.services.close()
    with sqlite3.connect(workspace.root / "ledger.sqlite") as conn:
        conn.execute("UPDATE alembic_version SET version_num='0099'")
    with pytest.raises(StorageError, match="revision 0099.*newer"):
        ledger_of(workspace)
    assert workspace.services.engine is None  # a refused ledger is not kept


@pytest.mark.ledgers("sqlite")
def test_a_reader_takes_a_snapshot_and_no_lock(workspace: Workspace) -> None:
    """A report reads while a watcher stores (and two report processes read side by side):
    a reading connection must not take the write lock that storing begins with."""
    engine = ledger_of(workspace)
    count = select(func.count()).select_from(meta)
    with reading(engine) as reader:
        before = reader.execute(count).scalar_one()
        with sqlite3.connect(workspace.root / "ledger.sqlite", timeout=0.1) as writer:
            writer.execute("BEGIN IMMEDIATE")  # "database is locked" if the reader held it
            writer.execute("INSERT INTO meta (key, value) VALUES ('test', 'x')")
        assert reader.execute(count).scalar_one() == before  # its snapshot, still
    with reading(engine) as reader:
        assert reader.execute(count).scalar_one() == before + 1


@pytest.mark.ledgers("sqlite")
def test_a_long_sorted_read_takes_a_small_cache_and_gives_it_back(workspace: Workspace) -> None:
    """The 明细 helper and the report's streams sort hundreds of thousands of rows in SQLite's
    cache: theirs is 8 MiB, the connection's 32 MiB again afterwards, even after an error."""
    engine = ledger_of(workspace)
    with reading(engine) as reader:
        def size() -> int:
            return int(reader.exec_driver_sql("PRAGMA cache_size").scalar_one())
        assert size() == -32768
        with small_cache(reader):
            assert size() == -8192
        assert size() == -32768
        with pytest.raises(ZeroDivisionError), small_cache(reader, 1024):
            assert size() == -1024
            raise ZeroDivisionError
        assert size() == -32768


@pytest.mark.ledgers("postgresql")
def test_a_reader_on_postgresql_reads_one_snapshot_and_writes_nothing(
    workspace: Workspace,
) -> None:
    engine = ledger_of(workspace)
    count = select(func.count()).select_from(meta)
    writer = create_engine(workspace.database_url)
    try:
        with reading(engine) as reader:
            before = reader.execute(count).scalar_one()
            with writer.begin() as conn:  # commits while the reader's transaction is open
                conn.execute(meta.insert().values(key="test", value="x"))
            assert reader.execute(count).scalar_one() == before  # its snapshot, still
            with pytest.raises(InternalError, match="read-only"):
                reader.execute(meta.delete())
    finally:
        writer.dispose()
    with reading(engine) as reader:
        assert reader.execute(count).scalar_one() == before + 1


def test_a_column_of_decimals_converts_at_once_as_each_value_would() -> None:
    money, dialect = Money(), sqlite.dialect()
    values = [Decimal("0.10"), None, Decimal("-12.3"), 7, Decimal("1E+2")]
    assert money.bind_many(values) == [money.process_bind_param(v, dialect) for v in values] == [
        10, None, -1230, 700, 10000]
    with pytest.raises(ValueError, match=r"0\.001 has more than 2 decimal places"):
        money.bind_many([Decimal("1.00"), Decimal("0.001")])
