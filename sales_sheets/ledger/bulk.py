"""Inserting many rows at once through the driver's executemany.

SQLAlchemy Core builds and processes parameters row by row, which dominates the time of a
100,000-line file. Here each column is converted once with the column type's own bind processor
(so Money still becomes integer fen) and the rows go to the driver in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_columns(
    conn: Connection, table: Table, columns: dict[str, Sequence[Any]]
) -> None:
    """Insert rows given column-wise: every sequence in `columns` has one value per row."""
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    dialect = conn.dialect
    converted: dict[str, Sequence[Any]] = {}
    for name in names:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = columns[name]
        converted[name] = [processor(v) for v in values] if processor else values
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    if compiled.positional:
        order = [converted[key] for key in compiled.positiontup or ()]
        params: list[Any] = list(zip(*order, strict=True))
    else:
        params = [dict(zip(names, row, strict=True))
                  for row in zip(*(converted[n] for n in names), strict=True)]
    conn.exec_driver_sql(str(compiled), params)
