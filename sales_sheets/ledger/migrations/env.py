"""Alembic's entry point: runs the migrations on the connection the caller passes in
`config.attributes["connection"]`, inside the caller's transaction (sales_sheets.ledger.migrations
is the only caller; there is no alembic.ini)."""

from __future__ import annotations

from alembic import context

from sales_sheets.ledger.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
