"""Inserting many rows at once through the driver's executemany.

SQLAlchemy Core builds and processes parameters row by row, which dominates the time of a
100,000-line file. Here each column is converted once with the column type's own bind processor
(so Money still becomes integer fen) and the rows go to the driver in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect


def insert_columns(
    conn: Connection, table: Table, columns: dict[str, Sequence[Any]]
) -> None:
    """Insert rows given column-wise: every sequence in `columns` has one value per row."""
    names = tuple(columns)
    if not names or not len(columns[names[0]]):
        return
    sql, order, processors = _statement(table, names, conn.dialect)
    converted = {
        name: [processor(v) for v in columns[name]] if processor else columns[name]
        for name, processor in processors.items()
    }
    params: list[Any]
    if order is not None:
        params = list(zip(*(converted[key] for key in order), strict=True))
    else:
        params = [dict(zip(names, row, strict=True))
                  for row in zip(*(converted[n] for n in names), strict=True)]
    conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=128)
def _statement(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
    """The INSERT for these columns, its parameter order and each column's bind processor."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    processors = {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect)
                  for n in names}
    return str(compiled), order, processors
