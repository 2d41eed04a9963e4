"""Inserting many rows at once: COPY on PostgreSQL (psycopg 3), the driver's executemany elsewhere.

SQLAlchemy Core builds and processes parameters row by row, which dominates the time of a
100,000-line file. Here each column is converted once with the column type's own bind processor
(so Money still becomes integer fen, in one pass per column) and the rows go to the driver in one
call; on PostgreSQL they stream through one COPY instead of a statement per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from .decimals import Scaled

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def insert_or_skip(
    conn: Connection, table: Table, index_elements: Sequence[str] | None = None
) -> postgresql.Insert | sqlite.Insert:
    """`INSERT … ON CONFLICT DO NOTHING` into `table`, in the dialect of `conn`.

    Each dialect is imported when first asked for: importing PostgreSQL's costs every command
    on a SQLite ledger (`status`, an add-in button) a few hundredths of a second of its start.
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)


def insert_columns(
    conn: Connection, table: Table, columns: dict[str, Sequence[Any]]
) -> None:
    """Insert rows given column-wise: every sequence in `columns` has one value per row."""
    names = tuple(columns)
    if not names or not len(columns[names[0]]):
        return
    processors = _processors(table, names, conn.dialect)
    converted = {
        name: convert(columns[name]) if convert else columns[name]
        for name, convert in processors.items()
    }
    if conn.dialect.driver == "psycopg":
        _copy(conn, table, names, zip(*(converted[n] for n in names), strict=True))
        return
    sql, order = _statement(table, names, conn.dialect)
    params: list[Any]
    if order is not None:
        params = list(zip(*(converted[key] for key in order), strict=True))
    else:
        params = [dict(zip(names, row, strict=True))
                  for row in zip(*(converted[n] for n in names), strict=True)]
    conn.exec_driver_sql(sql, params)


def _copy(conn: Connection, table: Table, names: tuple[str, ...],
          rows: Iterable[tuple[Any, ...]]) -> None:
    # The driver's own connection is the one in the caller's transaction: the rows commit or
    # roll back with the rest of the file.
    quote = conn.dialect.identifier_preparer
    target = f"{quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)})"
    sql = f"COPY {target} FROM STDIN"
    driver: Any = conn.connection.driver_connection  # a psycopg.Connection
    dbapi = conn.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as exc:
        # Past SQLAlchemy, so wrapped here as it would be: a unique violation must reach the
        # caller as the IntegrityError it decides again on.
        raise DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=conn.dialect) from exc


ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]


@lru_cache(maxsize=128)
def _processors(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> dict[str, ColumnConverter | None]:
    """How each column's values become what the driver takes: the column type's bind
    processor over every value (None where the driver takes them as they are), or for exact
    decimals their own whole-column conversion, when their integer needs no processing."""
    return {n: _converter(table.c[n].type, dialect) for n in names}


def _converter(column_type: TypeEngine[Any], dialect: Dialect) -> ColumnConverter | None:
    if (isinstance(column_type, Scaled)
            and column_type.load_dialect_impl(dialect).bind_processor(dialect) is None):
        return column_type.bind_many
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    return None if processor is None else partial(_each, processor)


# Types whose equal values are processed alike (not Decimal: 1.0 == 1.00, printed apart).
_SAME_WHEN_EQUAL = {str, int, date, datetime}


def _each(processor: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """The processor over every value; a column that repeats itself (dates, on SQLite turned
    into text by a Python call per value) processes each distinct value once."""
    distinct = set(values)
    types = set(map(type, distinct)) - {type(None)}
    if len(distinct) * 2 > len(values) or len(types) != 1 or not types <= _SAME_WHEN_EQUAL:
        return list(map(processor, values))
    table = {value: processor(value) for value in distinct}
    return list(map(table.__getitem__, values))


@lru_cache(maxsize=128)
def _statement(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...] | None]:
    """The INSERT for these columns and its parameter order."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return str(compiled), order
